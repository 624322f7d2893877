package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Default rate limits per token (or client IP): generous for people and dashboards, tight
// enough to slow a token or password guesser.
const (
	DefaultRate  = 20 // requests a second
	DefaultBurst = 40
)

// Limiter decides whether one more request under key may go ahead now. It is safe for
// concurrent use.
type Limiter interface {
	// Allow takes one request from key's allowance; when there is none left it reports
	// false and how long to wait before trying again.
	Allow(ctx context.Context, key string) (ok bool, retryAfter time.Duration)
}

// MemoryLimiter is a token-bucket Limiter held in this replica's memory
// (golang.org/x/time/rate): the embedded store's limiter, and the Redis limiter's fallback
// during an outage.
type MemoryLimiter struct {
	rate  rate.Limit
	burst int

	mu    sync.Mutex
	keys  map[string]*memEntry
	calls int
}

type memEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewMemoryLimiter returns a limiter allowing perSecond requests a second per key, in
// bursts of up to burst.
func NewMemoryLimiter(perSecond, burst int) *MemoryLimiter {
	return &MemoryLimiter{rate: rate.Limit(perSecond), burst: burst, keys: map[string]*memEntry{}}
}

// Allow implements Limiter.
func (m *MemoryLimiter) Allow(_ context.Context, key string) (bool, time.Duration) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls%4096 == 0 {
		// Forget keys idle long enough for their bucket to be full again.
		idle := time.Duration(float64(m.burst)/float64(m.rate)*float64(time.Second)) + time.Minute
		for k, e := range m.keys {
			if now.Sub(e.seen) > idle {
				delete(m.keys, k)
			}
		}
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

// RedisLimiter is a Limiter shared by every replica through Redis (redis_rate's GCRA). While
// Redis cannot be reached it falls back to each replica's own MemoryLimiter (DESIGN.md §6).
type RedisLimiter struct {
	lim      *redis_rate.Limiter
	limit    redis_rate.Limit
	prefix   string
	fallback *MemoryLimiter
	logger   *slog.Logger
	failedAt atomic.Int64 // unix nanoseconds of the last Redis failure
}

// NewRedisLimiter returns a limiter on rdb whose keys start with prefix.
func NewRedisLimiter(rdb redis.UniversalClient, prefix string, perSecond, burst int, logger *slog.Logger) *RedisLimiter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &RedisLimiter{
		lim:      redis_rate.NewLimiter(rdb),
		limit:    redis_rate.Limit{Rate: perSecond, Burst: burst, Period: time.Second},
		prefix:   prefix,
		fallback: NewMemoryLimiter(perSecond, burst),
		logger:   logger,
	}
}

// redisRetry is how long after a Redis failure the limiter stays on its fallback.
const redisRetry = time.Second

// Allow implements Limiter.
func (l *RedisLimiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	if failed := l.failedAt.Load(); failed != 0 && time.Since(time.Unix(0, failed)) < redisRetry {
		return l.fallback.Allow(ctx, key)
	}
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	res, err := l.lim.Allow(ctx, l.prefix+key, l.limit)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return l.fallback.Allow(ctx, key)
		}
		if l.failedAt.Swap(time.Now().UnixNano()) == 0 {
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

// rateKey is what a request is limited by: its bearer token's id when the token is valid
// (whether or not it is revoked), else the client's IP.
func (s *Server) rateKey(c echo.Context) string {
	if tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer "); ok && tok != "" && s.tokenKey != nil {
		if cl, err := s.parseOnce(c, tok); err == nil {
			return "jti:" + cl.ID
		}
	}
	return "ip:" + c.RealIP()
}

// rateLimit is the middleware that answers 429, with Retry-After, to a token or client
// over its allowance.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.rel.limiter == nil {
			return next(c)
		}
		ok, wait := s.rel.limiter.Allow(c.Request().Context(), s.rateKey(c))
		if !ok {
			secs := max(1, int(math.Ceil(wait.Seconds())))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return errorf(KindRateLimited, "too many requests: try again in %s", fmt.Sprintf("%d s", secs))
		}
		return next(c)
	}
}
