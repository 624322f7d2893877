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
