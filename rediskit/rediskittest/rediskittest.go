// Package rediskittest helps tests of what runs on Redis: a client on the test Redis
// under a prefix of the test's own, and who holds a run key.
package rediskittest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/rediskit"
	"vigil/scheduler/storetest"
)

// Client returns a client on the test Redis (storetest.RedisURL: the test is skipped
// without one) and a hash-tagged key prefix of the test's own, named after name. Every key
// under the prefix is deleted and the client closed when the test ends.
func Client(tb testing.TB, name string) (redis.UniversalClient, string) {
	tb.Helper()
	rdb, err := rediskit.NewClient(storetest.RedisURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	prefix := fmt.Sprintf("{vigil-%s-test-%d-%d}:", name, os.Getpid(), time.Now().UnixNano())
	tb.Cleanup(func() {
		storetest.DeletePrefix(context.Background(), rdb, prefix)
		rdb.Close()
	})
	return rdb, prefix
}

// HolderOf returns the holder named in the value of a run key taken by a
// rediskit.RunLocker with RunLockOptions.Holder ("<Holder>#<random>"), or "" when it
// names none.
func HolderOf(value string) string {
	i := strings.LastIndexByte(value, '#')
	if i < 0 {
		return ""
	}
	return value[:i]
}
