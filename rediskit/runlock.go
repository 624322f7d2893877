package rediskit

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/go-redsync/redsync/v4"
	"github.com/go-redsync/redsync/v4/redis/goredis/v9"
	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"
)

// Defaults of RunLockOptions.
const (
	DefaultRunLease = 30 * time.Second
	DefaultRunKeep  = 48 * time.Hour
)

// RunLockOptions tune a RunLocker.
type RunLockOptions struct {
	// Prefix starts every key (e.g. the store's prefix, with its hash tag).
	Prefix string
	// Clock gives the scheduled minute of a run; nil means the wall clock. Use the
	// scheduler's clock.
	Clock clockwork.Clock
	// Lease is how long a run's key is held without extension (DefaultRunLease); it is
	// extended every third of it while the run lasts.
	Lease time.Duration
	// Keep is how long a finished run's key stays (DefaultRunKeep).
	Keep time.Duration
	// Holder, when set, names this replica (e.g. host/pid) in the value of every key it
	// takes, as "<Holder>#<random>", so an operator or a test can see who ran a run.
	// Empty leaves the value random only.
	Holder string
}

// RunLocker is a gocron distributed Locker on Redis (redsync): a replica takes the key of
// one scheduled run of a job (its name and scheduled minute), extends the lease while the
// run lasts, and leaves the key in place after the run, so clock skew between replicas
// cannot run it twice (DESIGN.md §6, Jobs).
type RunLocker struct {
	rs  *redsync.Redsync
	opt RunLockOptions
}

var _ gocron.Locker = (*RunLocker)(nil)

// NewRunLocker returns a RunLocker on a client the caller owns.
func NewRunLocker(rdb redis.UniversalClient, opt RunLockOptions) *RunLocker {
	if opt.Clock == nil {
		opt.Clock = clockwork.NewRealClock()
	}
	if opt.Lease <= 0 {
		opt.Lease = DefaultRunLease
	}
	if opt.Keep <= 0 {
		opt.Keep = DefaultRunKeep
	}
	return &RunLocker{rs: redsync.New(goredis.NewPool(rdb)), opt: opt}
}

// RunTime returns the scheduled minute of a run started at t: the nearest whole minute,
// so replicas whose clocks differ by less than 30 s agree on it.
func RunTime(t time.Time) time.Time { return t.Add(30 * time.Second).Truncate(time.Minute) }

// RunKey returns the key of the run of job scheduled at t.
func RunKey(job string, t time.Time) string {
	return "run:" + job + "@" + RunTime(t).UTC().Format(time.RFC3339)
}

// Lock takes the key of the run of job now scheduled. It fails when another replica holds
// or has finished that run.
func (l *RunLocker) Lock(ctx context.Context, job string) (gocron.Lock, error) {
	key := l.opt.Prefix + RunKey(job, l.opt.Clock.Now())
	opts := []redsync.Option{redsync.WithExpiry(l.opt.Lease), redsync.WithTries(1)}
	if l.opt.Holder != "" {
		opts = append(opts, redsync.WithGenValueFunc(l.holderValue))
	}
	m := l.rs.NewMutex(key, opts...)
	if err := m.TryLockContext(ctx); err != nil {
		return nil, fmt.Errorf("run %s: %w", key, err)
	}
	lk := &runLock{l: l, m: m, key: key, stop: make(chan struct{}), done: make(chan struct{})}
	go lk.extend()
	return lk, nil
}

// holderValue returns a key value naming the holder: "<Holder>#<16 random bytes, base64>".
func (l *RunLocker) holderValue() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return l.opt.Holder + "#" + base64.StdEncoding.EncodeToString(b), nil
}

type runLock struct {
	l    *RunLocker
	m    *redsync.Mutex
	key  string
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// extend renews the lease every third of it until the run ends. It ticks on the wall
// clock, as the lease's expiry in Redis does.
func (lk *runLock) extend() {
	defer close(lk.done)
	t := time.NewTicker(lk.l.opt.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-lk.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), lk.l.opt.Lease/3)
			_, _ = lk.m.ExtendContext(ctx) // a failure shows as a lost lease; the run is idempotent
			cancel()
		}
	}
}

// Unlock ends the run: the lease stops being extended and the key is kept for Keep, so
// no replica runs the same scheduled run again.
func (lk *runLock) Unlock(ctx context.Context) error {
	lk.once.Do(func() { close(lk.stop) })
	<-lk.done
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	keep := lk.l.rs.NewMutex(lk.key, redsync.WithExpiry(lk.l.opt.Keep), redsync.WithValue(lk.m.Value()))
	if ok, err := keep.ExtendContext(ctx); err != nil || !ok {
		return fmt.Errorf("keep run key %s: %v", lk.key, err)
	}
	return nil
}
