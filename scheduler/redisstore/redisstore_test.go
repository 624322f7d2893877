package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"vigil/scheduler"
	"vigil/scheduler/storetest"
)

var seq atomic.Int64

// NewTestStore returns a store under a fresh prefix whose keys are deleted when the test
// ends; it never flushes the database.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	prefix := fmt.Sprintf("{vigil-test-%d-%d}:", os.Getpid(), seq.Add(1))
	s, err := Open(context.Background(), storetest.RedisURL(t), prefix)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CleanupPrefix(t, storetest.RedisURL(t), prefix)
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduler.Store { return newTestStore(t) })
}

func TestOpenUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, err = Open(context.Background(), "redis://"+addr+"/", "")
	if !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("Open(unreachable) error = %v; want ErrUnavailable", err)
	}
}

func TestRevision(t *testing.T) {
	storetest.Revision(t, newTestStore(t))
}

// TestWaitRefusesUnreplicated: with a replica required and none attached (the test Redis
// has none), an acknowledged write is refused as unavailable once the wait times out,
// while a store that does not wait accepts it.
func TestWaitRefusesUnreplicated(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	ci := scheduler.CheckIn{ID: "ci-1", Region: "bos", Date: "2026-11-27", Officer: "o-bos-001", Mission: "m"}
	if err := s.AddCheckIn(ctx, ci); err != nil {
		t.Fatalf("AddCheckIn without waiting = %v", err)
	}
	if err := s.SetWait(1, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := s.AddCheckIn(ctx, ci)
	if !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("AddCheckIn waiting for a replica that is not there = %v; want ErrUnavailable", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Errorf("the refused write took %v; want about the 50ms wait", d)
	}
	if err := s.Audit(ctx, scheduler.AuditRecord{At: time.Now(), Actor: "a", Action: "read"}); !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("Audit waiting for a replica = %v; want ErrUnavailable", err)
	}
	if _, err := s.UpdateMission(ctx, "nope", func(*scheduler.MissionRecord) error { return nil }); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("UpdateMission(missing) = %v; want ErrNotFound before any wait", err)
	}
	if _, err := s.Missions(ctx, ""); err != nil {
		t.Errorf("reads do not wait: Missions = %v", err)
	}
}
