package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
)

// acked runs write and, when the store waits for replicas (SetWait), WAITs on the
// connection that wrote: WAIT counts the replicas holding that connection's writes, so
// both must go through one connection, taken from the pool for the call.
func (s *Store) acked(ctx context.Context, write func(c redis.Cmdable) error) error {
	if s.waitReplicas <= 0 {
		return wrap(write(s.rdb))
	}
	conn := s.rdb.(*redis.Client).Conn() // SetWait checked the type
	defer conn.Close()
	if err := write(conn); err != nil {
		return wrap(err)
	}
	return s.wait(ctx, conn)
}

// waiter is a connection that can WAIT (redis.Conn, redis.Tx; Cmdable lacks it).
type waiter interface {
	Wait(ctx context.Context, numReplicas int, timeout time.Duration) *redis.IntCmd
}

// wait issues WAIT on c, the connection of the writes to confirm, and returns an error
// wrapping scheduler.ErrUnavailable when fewer replicas than required hold them in time.
func (s *Store) wait(ctx context.Context, c waiter) error {
	if s.waitReplicas <= 0 {
		return nil
	}
	n, err := c.Wait(ctx, s.waitReplicas, s.waitTimeout).Result()
	if err != nil {
		return wrap(err)
	}
	if n < int64(s.waitReplicas) {
		return fmt.Errorf("%w: the write reached %d of the %d replicas required within %s", scheduler.ErrUnavailable, n, s.waitReplicas, s.waitTimeout)
	}
	return nil
}
