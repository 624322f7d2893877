package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"vigil/api"
	"vigil/rediskit"
	"vigil/scheduler"
	"vigil/scheduler/redisstore"
	"vigil/scheduler/resilient"
)

// reliabilityFlags are serve's flags for rate limits, connections per client IP and the
// Redis outage's audit queue.
type reliabilityFlags struct {
	rate, burst, connsPerIP *int
	auditQueue              *string
}

func (r *reliabilityFlags) register(fs *flag.FlagSet, e *env) {
	r.rate = fs.Int("rate", envInt(e, "VIGIL_RATE", rediskit.DefaultRate), "requests a second allowed per token (or client IP without one); 0 for no limit ($VIGIL_RATE)")
	r.burst = fs.Int("burst", envInt(e, "VIGIL_BURST", rediskit.DefaultBurst), "requests allowed at once above the rate per token ($VIGIL_BURST)")
	r.connsPerIP = fs.Int("conns-per-ip", envInt(e, "VIGIL_CONNS_PER_IP", 64), "open connections allowed per client IP ($VIGIL_CONNS_PER_IP)")
	r.auditQueue = fs.String("audit-queue", envOr(e, "VIGIL_AUDIT_QUEUE", ""), "with --redis: file queueing audit records during a Redis outage, one per replica (default: vigil-audit-queue.jsonl beside the data file) ($VIGIL_AUDIT_QUEUE)")
}

func envInt(e *env, key string, def int) int {
	if n, err := strconv.Atoi(e.getenv(key)); err == nil {
		return n
	}
	return def
}

func (r *reliabilityFlags) check() error {
	if *r.rate < 0 || (*r.burst < 1 && *r.rate > 0) {
		return usageError{fmt.Errorf("--rate %d --burst %d: want a rate of 0 (no limit) or more, and a burst of at least 1", *r.rate, *r.burst)}
	}
	if *r.connsPerIP < 1 {
		return usageError{fmt.Errorf("--conns-per-ip %d: want at least 1", *r.connsPerIP)}
	}
	return nil
}

// withOutage wraps a Redis store so that the replica keeps serving plans through a Redis
// outage (DESIGN.md §6); other stores are returned as they are.
func (r *reliabilityFlags) withOutage(ctx context.Context, store scheduler.Store, data string, logger *slog.Logger) (scheduler.Store, error) {
	if _, ok := store.(*redisstore.Store); !ok {
		return store, nil
	}
	// go-redis prints every failed dial on stderr; the outage is logged once, by resilient.
	redis.SetLogger(redisLogger{logger})
	file := *r.auditQueue
	if file == "" {
		file = filepath.Join(filepath.Dir(data), "vigil-audit-queue.jsonl")
	}
	rs, err := resilient.New(store, resilient.Options{QueueFile: file, Logger: logger})
	if err != nil {
		return nil, err
	}
	if err := rs.Prime(ctx); err != nil {
		rs.Close()
		return nil, fmt.Errorf("read the store: %w", err)
	}
	return rs, nil
}

// redisLogger sends go-redis's own messages to the service log at debug level.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	r.l.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// limiter returns the rate limiter: shared through Redis with a Redis store (each
// replica's own during an outage), else in memory; nil with --rate 0.
func (r *reliabilityFlags) limiter(rs *redisstore.Store, clock clockwork.Clock, logger *slog.Logger) api.Limiter {
	if *r.rate == 0 {
		return nil
	}
	if rs != nil {
		return rediskit.NewRedisLimiter(rs.Client(), rs.Prefix()+"rate:", *r.rate, *r.burst, clock, logger)
	}
	return rediskit.NewMemoryLimiter(*r.rate, *r.burst, clock)
}
