package rediskit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"vigil/scheduler/storetest"
)

var t0 = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

func TestMemoryLimiterRefills(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	l := NewMemoryLimiter(50, 1, clock)
	ctx := context.Background()
	if ok, _ := l.Allow(ctx, "k"); !ok {
		t.Fatal("first request refused")
	}
	ok, wait := l.Allow(ctx, "k")
	if ok || wait != 20*time.Millisecond {
		t.Fatalf("second request = %v, wait %v; want refused with a wait of 20ms (1/50 s)", ok, wait)
	}
	clock.Advance(wait - time.Millisecond)
	if ok, wait := l.Allow(ctx, "k"); ok || wait != time.Millisecond {
		t.Errorf("request 1ms before the refill = %v, wait %v; want refused, wait 1ms", ok, wait)
	}
	clock.Advance(time.Millisecond)
	if ok, _ := l.Allow(ctx, "k"); !ok {
		t.Errorf("request after the wait refused")
	}
}

func TestMemoryLimiterBurstPerKey(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	l := NewMemoryLimiter(1, 3, clock)
	ctx := context.Background()
	var got []bool
	for _, key := range []string{"a", "a", "a", "a", "b"} {
		ok, _ := l.Allow(ctx, key)
		got = append(got, ok)
	}
	if want := []bool{true, true, true, false, true}; !slices.Equal(got, want) {
		t.Errorf("Allow a×4, b = %v; want %v (a burst of 3 per key)", got, want)
	}
	clock.Advance(time.Second)
	if ok, _ := l.Allow(ctx, "a"); !ok {
		t.Error("a after 1 s refused; want one request refilled")
	}
	if ok, wait := l.Allow(ctx, "a"); ok || wait != time.Second {
		t.Errorf("a again = %v, wait %v; want refused, wait 1s", ok, wait)
	}
}

// TestMemoryLimiterForgetsIdle checks that the sweep every sweepEvery calls forgets keys
// whose bucket has refilled, and only those.
func TestMemoryLimiterForgetsIdle(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	l := NewMemoryLimiter(1, 3, clock)
	ctx := context.Background()
	l.Allow(ctx, "idle")
	clock.Advance(3*time.Second + time.Minute + time.Millisecond)
	l.Allow(ctx, "recent")
	for l.calls < sweepEvery-1 {
		l.Allow(ctx, "busy")
	}
	if len(l.keys) != 3 {
		t.Fatalf("keys before the sweep = %d; want 3", len(l.keys))
	}
	l.Allow(ctx, "busy")
	if _, ok := l.keys["idle"]; ok || len(l.keys) != 2 {
		t.Errorf("keys after the sweep = %v; want idle forgotten, recent and busy kept", keysOf(l))
	}
}

// TestRedisLimiterFallsBack checks that, with Redis unreachable, limits still hold per
// replica, and that Redis is tried again redisRetry after the failure, not before.
func TestRedisLimiterFallsBack(t *testing.T) {
	var dials atomic.Int32
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1,
		Dialer: func(context.Context, string, string) (net.Conn, error) {
			dials.Add(1)
			return nil, errors.New("refused by the test")
		}})
	defer rdb.Close()
	clock := clockwork.NewFakeClockAt(t0)
	lim := NewRedisLimiter(rdb, "{vigil-test}:rate:", 1, 2, clock, nil)
	var got []bool
	for i := 0; i < 3; i++ {
		ok, _ := lim.Allow(context.Background(), "jti:x")
		got = append(got, ok)
	}
	if want := []bool{true, true, false}; !slices.Equal(got, want) {
		t.Errorf("Allow ×3 with Redis down = %v; want %v from the fallback", got, want)
	}
	tried := dials.Load()
	if tried == 0 {
		t.Fatal("Redis never dialled")
	}
	clock.Advance(redisRetry - time.Millisecond)
	lim.Allow(context.Background(), "jti:x")
	if n := dials.Load(); n != tried {
		t.Errorf("dials within %v of the failure = %d; want still %d (on the fallback)", redisRetry, n, tried)
	}
	clock.Advance(time.Millisecond)
	if ok, _ := lim.Allow(context.Background(), "jti:x"); !ok {
		t.Error("Allow 1 s after the burst ran out = refused; want the fallback refilled by one")
	}
	if n := dials.Load(); n == tried {
		t.Errorf("dials %v after the failure = %d; want Redis tried again", redisRetry, n)
	}
}

// TestRedisLimiterShared checks the limiter on a real Redis under a prefix of its own:
// two limiters (two replicas) share one allowance, and a refusal says to wait at most the
// time one request takes to refill. redis_rate runs on the Redis server's time, which the
// test does not control: it asserts nothing that needs time to pass.
func TestRedisLimiterShared(t *testing.T) {
	rdb := redisClient(t)
	prefix := fmt.Sprintf("{vigil-ratetest-%d-%d}:", os.Getpid(), time.Now().UnixNano())
	defer storetest.DeletePrefix(context.Background(), rdb, prefix)
	clock := clockwork.NewFakeClockAt(t0)
	a := NewRedisLimiter(rdb, prefix, 1, 3, clock, nil)
	b := NewRedisLimiter(rdb, prefix, 1, 3, clock, nil)
	var got []bool
	var wait time.Duration
	for _, l := range []*RedisLimiter{a, b, a, b} {
		ok, w := l.Allow(context.Background(), "jti:shared")
		got, wait = append(got, ok), w
	}
	if want := []bool{true, true, true, false}; !slices.Equal(got, want) {
		t.Errorf("Allow over two replicas = %v; want %v", got, want)
	}
	if wait <= 0 || wait > time.Second {
		t.Errorf("retry after the refusal = %v; want in (0, 1s]", wait)
	}
	if ok, _ := a.Allow(context.Background(), "jti:other"); !ok {
		t.Error("another key refused; want its own allowance")
	}
	if a.failedAt.Load() != 0 {
		t.Error("limiter on a live Redis marked failed")
	}
}

func redisClient(t *testing.T) redis.UniversalClient {
	t.Helper()
	rdb, err := NewClient(storetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func keysOf(l *MemoryLimiter) []string { return slices.Sorted(maps.Keys(l.keys)) }
