// Package rediskit holds Vigil's Redis helpers, wired together in cmd: the client built
// from a Redis URL (one per process, shared by the store, the rate limiter and the run
// lock), the rate limiter shared by every replica (RedisLimiter, with its in-memory
// fallback MemoryLimiter) and the gocron run lock (RunLocker, DESIGN.md §6).
package rediskit

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// timeout bounds each dial, read and write, so a Redis outage fails calls fast instead of
// holding requests (DESIGN.md §6).
const timeout = 2 * time.Second

// DefaultWaitTimeout is how long an acknowledged write waits for its replicas (WAIT) when
// the URL does not say.
const DefaultWaitTimeout = time.Second

// SentinelScheme is the scheme of a Sentinel URL:
//
//	redis+sentinel://[user:password@]host:port[,host:port…]/master-name[/db][?wait=N&wait_timeout=D]
//
// The hosts are the Sentinels; the user and password are the Redis servers' (the
// Sentinels are reached without them). The client asks the Sentinels for the primary and
// follows it through a failover.
const SentinelScheme = "redis+sentinel"

// Config is what a Redis URL configures: the client, and how many replicas must
// acknowledge a write (Redis WAIT) before Vigil acknowledges it to its own client.
type Config struct {
	Options *redis.UniversalOptions
	// WaitReplicas is the number of replicas that must hold a write before it is
	// acknowledged; 0 does not wait. URL query "wait"; default 1 with a Sentinel URL
	// (replication is asynchronous: without it a failover can lose acknowledged writes),
	// 0 otherwise.
	WaitReplicas int
	// WaitTimeout bounds that wait (query "wait_timeout", a Go duration; default 1 s);
	// a write not held by enough replicas in time is refused as unavailable (HTTP 503).
	WaitTimeout time.Duration
}

// Sentinel reports whether the configuration is a Sentinel one.
func (c Config) Sentinel() bool { return c.Options.MasterName != "" }

// Parse returns the configuration of a Redis URL: redis://host:port/db (rediss:// for
// TLS) for one server, or a Sentinel URL (SentinelScheme). Either may carry the query
// parameters wait and wait_timeout. The client honours context deadlines and has short
// timeouts.
func Parse(rawURL string) (Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Config{}, fmt.Errorf("redis URL: %w", err)
	}
	q := u.Query()
	cfg := Config{WaitTimeout: DefaultWaitTimeout}
	if v := q.Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("redis URL: wait=%q: want a number of replicas ≥ 0", v)
		}
		cfg.WaitReplicas = n
	} else if u.Scheme == SentinelScheme {
		cfg.WaitReplicas = 1
	}
	if v := q.Get("wait_timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("redis URL: wait_timeout=%q: want a positive duration such as 500ms", v)
		}
		cfg.WaitTimeout = d
	}
	q.Del("wait")
	q.Del("wait_timeout")
	u.RawQuery = q.Encode()
	opt := &redis.UniversalOptions{
		ContextTimeoutEnabled: true,
		DialTimeout:           timeout,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
	}
	if u.Scheme == SentinelScheme {
		if err := sentinelOptions(u, opt); err != nil {
			return Config{}, err
		}
	} else {
		ro, err := redis.ParseURL(u.String())
		if err != nil {
			return Config{}, fmt.Errorf("redis URL: %w", err)
		}
		opt.Addrs = []string{ro.Addr}
		opt.DB, opt.Username, opt.Password, opt.TLSConfig = ro.DB, ro.Username, ro.Password, ro.TLSConfig
	}
	cfg.Options = opt
	return cfg, nil
}

// sentinelOptions fills opt from a Sentinel URL.
func sentinelOptions(u *url.URL, opt *redis.UniversalOptions) error {
	if len(u.Query()) > 0 {
		return fmt.Errorf("redis URL: %s takes only the query parameters wait and wait_timeout", SentinelScheme)
	}
	for _, hp := range strings.Split(u.Host, ",") {
		if h, p, err := net.SplitHostPort(hp); err != nil || h == "" || p == "" {
			return fmt.Errorf("redis URL: sentinel address %q: want host:port", hp)
		}
		opt.Addrs = append(opt.Addrs, hp)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if parts[0] == "" || len(parts) > 2 {
		return fmt.Errorf("redis URL: %s://sentinels/master-name[/db]: path %q", SentinelScheme, u.Path)
	}
	opt.MasterName = parts[0]
	if len(parts) == 2 {
		db, err := strconv.Atoi(parts[1])
		if err != nil || db < 0 {
			return fmt.Errorf("redis URL: database %q", parts[1])
		}
		opt.DB = db
	}
	if u.User != nil {
		opt.Username = u.User.Username()
		opt.Password, _ = u.User.Password()
	}
	return nil
}

// Options returns the client options of a Redis URL (see Parse).
func Options(url string) (*redis.UniversalOptions, error) {
	cfg, err := Parse(url)
	if err != nil {
		return nil, err
	}
	return cfg.Options, nil
}

// NewClient returns a client on the Redis URL (see Parse): one server, or the primary the
// Sentinels name. It does not connect: the first command does. The caller closes it.
func NewClient(url string) (redis.UniversalClient, error) {
	opt, err := Options(url)
	if err != nil {
		return nil, err
	}
	return redis.NewUniversalClient(opt), nil
}
