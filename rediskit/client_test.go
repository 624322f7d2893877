package rediskit_test

import (
	"context"
	"testing"
	"time"

	"vigil/rediskit"
	"vigil/scheduler/storetest"
)

func TestOptions(t *testing.T) {
	opt, err := rediskit.Options("rediss://user:pw@redis.example:6380/3")
	if err != nil {
		t.Fatal(err)
	}
	if len(opt.Addrs) != 1 || opt.Addrs[0] != "redis.example:6380" || opt.DB != 3 || opt.Username != "user" || opt.Password != "pw" || opt.TLSConfig == nil {
		t.Errorf("Options(rediss://user:pw@redis.example:6380/3) = addrs %v db %d user %q tls %v; want the URL's", opt.Addrs, opt.DB, opt.Username, opt.TLSConfig != nil)
	}
	if !opt.ContextTimeoutEnabled || opt.DialTimeout != 2*time.Second || opt.ReadTimeout != 2*time.Second || opt.WriteTimeout != 2*time.Second {
		t.Errorf("Options timeouts = ctx %v dial %v read %v write %v; want context deadlines and 2 s", opt.ContextTimeoutEnabled, opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout)
	}
	if _, err := rediskit.Options("http://x"); err == nil {
		t.Error("Options(http://x) = nil error; want the URL refused")
	}
}

func TestNewClientPings(t *testing.T) {
	rdb, err := rediskit.NewClient(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

func TestParseSentinel(t *testing.T) {
	cfg, err := rediskit.Parse("redis+sentinel://u:pw@127.0.0.1:26379,127.0.0.1:26380/mymaster/2")
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Options
	if !cfg.Sentinel() || o.MasterName != "mymaster" || o.DB != 2 || len(o.Addrs) != 2 || o.Addrs[1] != "127.0.0.1:26380" || o.Username != "u" || o.Password != "pw" {
		t.Errorf("Parse(sentinel URL) = master %q db %d addrs %v user %q; want the URL's", o.MasterName, o.DB, o.Addrs, o.Username)
	}
	if cfg.WaitReplicas != 1 || cfg.WaitTimeout != rediskit.DefaultWaitTimeout {
		t.Errorf("Sentinel URL waits for %d replicas, %v; want 1, %v", cfg.WaitReplicas, cfg.WaitTimeout, rediskit.DefaultWaitTimeout)
	}
	cfg, err = rediskit.Parse("redis+sentinel://h:1/m?wait=2&wait_timeout=250ms")
	if err != nil || cfg.WaitReplicas != 2 || cfg.WaitTimeout != 250*time.Millisecond || cfg.Options.DB != 0 {
		t.Errorf("Parse(wait=2&wait_timeout=250ms) = %+v, %v; want 2 replicas, 250ms, db 0", cfg, err)
	}
	cfg, err = rediskit.Parse("redis://127.0.0.1:6379/1?wait=1")
	if err != nil || cfg.WaitReplicas != 1 || cfg.Sentinel() || cfg.Options.DB != 1 {
		t.Errorf("Parse(redis://…?wait=1) = %+v, %v; want one server, db 1, 1 replica", cfg, err)
	}
	if cfg, _ := rediskit.Parse("redis://127.0.0.1:6379/0"); cfg.WaitReplicas != 0 {
		t.Errorf("a single-server URL waits for %d replicas by default; want 0", cfg.WaitReplicas)
	}
	for _, bad := range []string{
		"redis+sentinel://h:1/",          // no master name
		"redis+sentinel://h/m",           // no port
		"redis+sentinel://h:1/m/x",       // bad db
		"redis+sentinel://h:1/m/0/extra", // too long a path
		"redis+sentinel://h:1/m?wait=-1", // negative wait
		"redis+sentinel://h:1/m?wait_timeout=soon",
		"redis+sentinel://h:1/m?pool_size=3", // unknown parameter
	} {
		if _, err := rediskit.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error; want it refused", bad)
		}
	}
}
