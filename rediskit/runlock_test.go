package rediskit_test

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/rediskit"
	"vigil/rediskit/rediskittest"
)

func TestRunKey(t *testing.T) {
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), "run:sweep/bos@2026-11-27T14:00:00Z"},
		{time.Date(2026, 11, 27, 14, 0, 29, 999, time.UTC), "run:sweep/bos@2026-11-27T14:00:00Z"},
		{time.Date(2026, 11, 27, 14, 0, 30, 0, time.UTC), "run:sweep/bos@2026-11-27T14:01:00Z"},
		{time.Date(2026, 11, 27, 13, 59, 30, 0, time.UTC), "run:sweep/bos@2026-11-27T14:00:00Z"},
		{time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("EST", -5*3600)), "run:sweep/bos@2026-11-27T14:00:00Z"},
	}
	for _, tt := range tests {
		if got := rediskit.RunKey("sweep/bos", tt.at); got != tt.want {
			t.Errorf("RunKey(sweep/bos, %v) = %q; want %q", tt.at, got, tt.want)
		}
	}
}

// TestRunLockNamesHolder takes a run key with and without Holder on a real Redis: a
// second replica is refused the run, during it and after it, and the kept key names who
// ran it.
func TestRunLockNamesHolder(t *testing.T) {
	rdb, prefix := rediskittest.Client(t, "runlock")
	ctx := context.Background()
	tests := []struct {
		job, holder string
	}{
		{"sweep/bos", "host-a/42"},
		{"sweep/nyc", ""},
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 14, 0, 5, 0, time.UTC))
	other := rediskit.NewRunLocker(rdb, rediskit.RunLockOptions{Prefix: prefix, Holder: "other/1", Clock: clock})
	for _, tt := range tests {
		l := rediskit.NewRunLocker(rdb, rediskit.RunLockOptions{Prefix: prefix, Holder: tt.holder, Clock: clock})
		lk, err := l.Lock(ctx, tt.job)
		if err != nil {
			t.Fatalf("Lock(%s) = %v", tt.job, err)
		}
		if _, err := other.Lock(ctx, tt.job); err == nil {
			t.Errorf("second Lock(%s) during the run succeeded; want the run refused", tt.job)
		}
		if err := lk.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Lock(ctx, tt.job); err == nil {
			t.Errorf("second Lock(%s) after the run succeeded; want the run refused", tt.job)
		}
		key := prefix + rediskit.RunKey(tt.job, clock.Now())
		v, err := rdb.Get(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := rediskittest.HolderOf(v); got != tt.holder {
			t.Errorf("HolderOf(value of %s) = %q; want %q", tt.job, got, tt.holder)
		}
		if ttl := rdb.PTTL(ctx, key).Val(); ttl <= rediskit.DefaultRunLease || ttl > rediskit.DefaultRunKeep {
			t.Errorf("TTL of %s after the run = %v; want the keep (%v), past the lease", key, ttl, rediskit.DefaultRunKeep)
		}
	}
	// The next minute's run is another run.
	clock.Advance(time.Minute)
	lk, err := other.Lock(ctx, "sweep/bos")
	if err != nil {
		t.Fatalf("Lock(sweep/bos) a minute later = %v; want the next run taken", err)
	}
	if err := lk.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
}
