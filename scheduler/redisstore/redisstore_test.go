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
