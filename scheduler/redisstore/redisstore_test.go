package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"

	"vigil/scheduler"
	"vigil/scheduler/storetest"
)

// testURL returns the Redis the integration tests use: $VIGIL_TEST_REDIS, else a server on
// 127.0.0.1:6379 if one answers; the test is skipped, saying why, only when none does.
func testURL(t *testing.T) string {
	t.Helper()
	return storetest.RedisURL(t)
}

var seq atomic.Int64

// NewTestStore returns a store under a fresh prefix whose keys are deleted when the test
// ends; it never flushes the database.
func newTestStore(t *testing.T) *Store {
	t.Helper()
	prefix := fmt.Sprintf("{vigil-test-%d-%d}:", os.Getpid(), seq.Add(1))
	s, err := Open(context.Background(), testURL(t), prefix)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CleanupPrefix(t, testURL(t), prefix)
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
