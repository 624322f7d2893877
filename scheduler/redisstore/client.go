package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/rediskit"
	"vigil/scheduler"
)

// Open connects to the Redis URL (redis://host:port/db, rediss:// for TLS) with the
// client of rediskit.NewClient and pings it. Keys start with prefix ("" for
// DefaultPrefix). The store owns the client: Close closes it.
func Open(ctx context.Context, url, prefix string) (*Store, error) {
	opt, err := rediskit.Options(url)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewUniversalClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis %s: %w: %w", opt.Addrs[0], scheduler.ErrUnavailable, err)
	}
	s := New(rdb, prefix)
	s.owns = true
	return s, nil
}

// Client returns the store's Redis client, for what shares the store's Redis (the rate
// limiter and the jobs' run lock, wired in cmd). The store still owns it: Close closes it
// when Open created it.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Prefix returns the prefix of the store's keys.
func (s *Store) Prefix() string { return s.prefix }
