package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/rediskit"
	"vigil/scheduler"
)

// Open connects to the Redis URL (rediskit.Parse: redis://host:port/db, rediss:// for
// TLS, or redis+sentinel://sentinels/master/db) and pings it. Keys start with prefix (""
// for DefaultPrefix). Acknowledged writes wait for the URL's replicas (rediskit.Config
// WaitReplicas, see SetWait). The store owns the client: Close closes it.
func Open(ctx context.Context, url, prefix string) (*Store, error) {
	cfg, err := rediskit.Parse(url)
	if err != nil {
		return nil, err
	}
	opt := cfg.Options
	rdb := redis.NewUniversalClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis %s: %w: %w", opt.Addrs[0], scheduler.ErrUnavailable, err)
	}
	s := New(rdb, prefix)
	s.owns = true
	if err := s.SetWait(cfg.WaitReplicas, cfg.WaitTimeout); err != nil {
		rdb.Close()
		return nil, err
	}
	return s, nil
}

// SetWait makes every write acknowledged to a client (missions and threat changes,
// forces, change logs, check-ins, audit records, revocations, calendar feed tokens) wait
// until replicas replicas hold it (Redis WAIT on the connection that wrote it), for at
// most timeout; a write not held in time returns an error wrapping
// scheduler.ErrUnavailable (HTTP 503), though it may still be kept. 0 replicas does not
// wait. Plan cache entries, events and job run markers never wait: they can be rebuilt.
// Call it before the store is used.
func (s *Store) SetWait(replicas int, timeout time.Duration) error {
	if replicas > 0 {
		if _, ok := s.rdb.(*redis.Client); !ok {
			return fmt.Errorf("redis: waiting for replicas needs a single-server or Sentinel client, not %T", s.rdb)
		}
	}
	s.waitReplicas, s.waitTimeout = replicas, timeout
	return nil
}

// Client returns the store's Redis client, for what shares the store's Redis (the rate
// limiter and the jobs' run lock, wired in cmd). The store still owns it: Close closes it
// when Open created it.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }
