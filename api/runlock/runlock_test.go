package runlock

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"vigil/scheduler/storetest"
)

func TestHolderOf(t *testing.T) {
	tests := []struct {
		value, want string
	}{
		{"host/12#q83vEjkW+5pYt3i2hB0a0w==", "host/12"},
		{"a#b#c", "a#b"},
		{"q83vEjkW+5pYt3i2hB0a0w==", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := HolderOf(tt.value); got != tt.want {
			t.Errorf("HolderOf(%q) = %q; want %q", tt.value, got, tt.want)
		}
	}
}

// TestLockNamesHolder takes a run key with and without Holder on a real Redis and reads
// who the value names.
func TestLockNamesHolder(t *testing.T) {
	url := storetest.RedisURL(t)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	ctx := context.Background()
	prefix := fmt.Sprintf("{vigil-runlock-test-%d-%d}:", os.Getpid(), time.Now().UnixNano())
	defer func() {
		iter := rdb.Scan(ctx, 0, strings.ReplaceAll(prefix, "{", "\\{")+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	}()
	tests := []struct {
		job, holder string
	}{
		{"sweep/bos", "host-a/42"},
		{"sweep/nyc", ""},
	}
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 14, 0, 5, 0, time.UTC))
	for _, tt := range tests {
		l := New(rdb, Options{Prefix: prefix, Holder: tt.holder, Clock: clock})
		lk, err := l.Lock(ctx, tt.job)
		if err != nil {
			t.Fatalf("Lock(%s) = %v", tt.job, err)
		}
		if _, err := New(rdb, Options{Prefix: prefix, Holder: "other/1", Clock: clock}).Lock(ctx, tt.job); err == nil {
			t.Errorf("second Lock(%s) succeeded; want the run refused", tt.job)
		}
		if err := lk.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := rdb.Get(ctx, prefix+RunKey(tt.job, clock.Now())).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := HolderOf(v); got != tt.holder {
			t.Errorf("HolderOf(value of %s) = %q; want %q", tt.job, got, tt.holder)
		}
	}
}
