// Package rediskit holds Vigil's Redis helpers, wired together in cmd: the client built
// from a Redis URL (one per process, shared by the store, the rate limiter and the run
// lock), the rate limiter shared by every replica (RedisLimiter, with its in-memory
// fallback MemoryLimiter) and the gocron run lock (RunLocker, DESIGN.md §6).
package rediskit

import (
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// timeout bounds each dial, read and write, so a Redis outage fails calls fast instead of
// holding requests (DESIGN.md §6).
const timeout = 2 * time.Second

// Options returns the client options of a Redis URL (redis://host:port/db, rediss:// for
// TLS): a UniversalClient on that address, honouring context deadlines, with short
// timeouts.
func Options(url string) (*redis.UniversalOptions, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	return &redis.UniversalOptions{
		Addrs:                 []string{opt.Addr},
		DB:                    opt.DB,
		Username:              opt.Username,
		Password:              opt.Password,
		TLSConfig:             opt.TLSConfig,
		ContextTimeoutEnabled: true,
		DialTimeout:           timeout,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
	}, nil
}

// NewClient returns a client on the Redis URL (see Options). It does not connect: the
// first command does. The caller closes it.
func NewClient(url string) (redis.UniversalClient, error) {
	opt, err := Options(url)
	if err != nil {
		return nil, err
	}
	return redis.NewUniversalClient(opt), nil
}
