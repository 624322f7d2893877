package rediskit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Default rate limits per token (or client IP): generous for people and dashboards, tight
// enough to slow a token or password guesser.
const (
	DefaultRate  = 20 // requests a second
	DefaultBurst = 40
)

// MemoryLimiter is a token-bucket limiter held in this replica's memory
// (golang.org/x/time/rate): the embedded store's limiter, and the Redis limiter's fallback
// during an outage. It is safe for concurrent use.
type MemoryLimiter struct {
	rate  rate.Limit
	burst int
	clock clockwork.Clock

	mu    sync.Mutex
	keys  map[string]*memEntry
	calls int
}

type memEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// sweepEvery is how many calls pass between two sweeps of idle keys.
const sweepEvery = 4096

// NewMemoryLimiter returns a limiter allowing perSecond requests a second per key, in
// bursts of up to burst, on clock (nil: the wall clock).
func NewMemoryLimiter(perSecond, burst int, clock clockwork.Clock) *MemoryLimiter {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &MemoryLimiter{rate: rate.Limit(perSecond), burst: burst, clock: clock, keys: map[string]*memEntry{}}
}

// Allow takes one request from key's allowance; when there is none left it reports false
// and how long to wait before trying again.
func (m *MemoryLimiter) Allow(_ context.Context, key string) (ok bool, retryAfter time.Duration) {
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls%sweepEvery == 0 {
		m.forgetIdle(now)
	}
	e := m.keys[key]
	if e == nil {
		e = &memEntry{lim: rate.NewLimiter(m.rate, m.burst)}
		m.keys[key] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// forgetIdle forgets keys idle long enough for their bucket to be full again.
func (m *MemoryLimiter) forgetIdle(now time.Time) {
	idle := time.Duration(float64(m.burst)/float64(m.rate)*float64(time.Second)) + time.Minute
	for k, e := range m.keys {
		if now.Sub(e.seen) > idle {
			delete(m.keys, k)
		}
	}
}

// RedisLimiter is a limiter shared by every replica through Redis (redis_rate's GCRA, on
// the Redis server's time). While Redis cannot be reached it falls back to each replica's
// own MemoryLimiter (DESIGN.md §6). It is safe for concurrent use.
type RedisLimiter struct {
	lim      *redis_rate.Limiter
	limit    redis_rate.Limit
	prefix   string
	clock    clockwork.Clock
	fallback *MemoryLimiter
	logger   *slog.Logger
	failedAt atomic.Int64 // unix nanoseconds of the last Redis failure, on clock
}

// NewRedisLimiter returns a limiter on rdb whose keys start with prefix. clock (nil: the
// wall clock) times the fallback; the shared allowance runs on the Redis server's time.
func NewRedisLimiter(rdb redis.UniversalClient, prefix string, perSecond, burst int, clock clockwork.Clock, logger *slog.Logger) *RedisLimiter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &RedisLimiter{
		lim:      redis_rate.NewLimiter(rdb),
		limit:    redis_rate.Limit{Rate: perSecond, Burst: burst, Period: time.Second},
		prefix:   prefix,
		clock:    clock,
		fallback: NewMemoryLimiter(perSecond, burst, clock),
		logger:   logger,
	}
}

// Timings of RedisLimiter.
const (
	// redisRetry is how long after a Redis failure the limiter stays on its fallback.
	redisRetry = time.Second
	// redisWait bounds one call to Redis: a slow Redis must not slow every request.
	redisWait = 250 * time.Millisecond
)

// Allow takes one request from key's allowance; when there is none left it reports false
// and how long to wait before trying again.
func (l *RedisLimiter) Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration) {
	if failed := l.failedAt.Load(); failed != 0 && l.clock.Since(time.Unix(0, failed)) < redisRetry {
		return l.fallback.Allow(ctx, key)
	}
	ctx, cancel := context.WithTimeout(ctx, redisWait)
	defer cancel()
	res, err := l.lim.Allow(ctx, l.prefix+key, l.limit)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return l.fallback.Allow(ctx, key)
		}
		if l.failedAt.Swap(l.clock.Now().UnixNano()) == 0 {
			l.logger.Warn("rate limits fall back to this replica's own: Redis failed", "err", err)
		}
		return l.fallback.Allow(ctx, key)
	}
	if l.failedAt.Swap(0) != 0 {
		l.logger.Info("rate limits shared through Redis again")
	}
	if res.Allowed > 0 {
		return true, 0
	}
	return false, res.RetryAfter
}
