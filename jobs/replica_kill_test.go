package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"

	"vigil/api"
	"vigil/rediskit"
	"vigil/rediskit/rediskittest"
	"vigil/scheduler/redisstore"
	"vigil/scheduler/storetest"
)

// TestReplicaKilledMidRunFakeClock is the fake-clock version of cmd/vigil's
// TestReplicasKilledMidJob (which waits for real minute ticks and runs with VIGIL_SLOW=1):
// two replicas' jobs on one Redis and one fake clock; the replica that takes the 14:01
// sweep dies in the middle of it, as under SIGKILL: its run never returns and it loses
// Redis (its own connection is closed), so the run's lease is no longer extended and
// nothing is unlocked. The run's key must expire after its lease, the survivor must run
// the next minutes' sweeps once each and catch up on every missed visit, and no run may
// be taken twice. Only the lease's expiry waits on the wall clock (a 2 s lease).
func TestReplicaKilledMidRunFakeClock(t *testing.T) {
	rdb, prefix := rediskittest.Client(t, "jobs-kill")
	ctx := context.Background()
	store := redisstore.New(rdb, prefix)
	ds, f := seedBos(t, store)
	bosLoc := ds.Offices["bos"].Location
	fc := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 13, 59, 30, 0, bosLoc))
	const lease = 2 * time.Second

	runs := &runCounter{runs: map[string]int{}}
	var mu sync.Mutex
	blockAt := ""
	blocked := make(chan int, 1)
	dead := make(chan struct{}) // closed at the end: the dead run's goroutine may return
	var jobs [2]*Jobs
	var srvs [2]*api.Server
	var lockClients [2]redis.UniversalClient
	for i := range jobs {
		c, err := rediskit.NewClient(storetest.RedisURL(t))
		if err != nil {
			t.Fatal(err)
		}
		lockClients[i] = c
		srvs[i] = api.New(api.Config{Store: store, Offices: ds.Offices, MasterKey: testMaster, Clock: fc})
		lk := rediskit.NewRunLocker(c, rediskit.RunLockOptions{Prefix: prefix, Clock: fc, Lease: lease, Holder: fmt.Sprint("r", i)})
		replica := i
		hook := func(ctx context.Context, job string) {
			key := job + "@" + rediskit.RunTime(fc.Now()).In(bosLoc).Format("15:04")
			runs.add(key)
			mu.Lock()
			b := key == blockAt
			mu.Unlock()
			if b {
				blocked <- replica
				<-dead // killed: the run never returns
			}
		}
		j, err := Start(ctx, Config{Service: srvs[i], Store: store, Offices: ds.Offices, Clock: fc, Locker: lk,
			Regions: []string{"bos"}, hook: hook})
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = j
	}
	victim := -1
	defer func() {
		close(dead)
		for i, j := range jobs {
			j.Stop()
			if i != victim {
				lockClients[i].Close()
			}
		}
	}()

	time.Sleep(50 * time.Millisecond) // the schedulers arm their timers
	fc.Advance(30 * time.Second)      // 14:00
	waitFor(t, "the 14:00 sweep", func() bool { return runs.get("sweep/bos@14:00") >= 1 })
	finished(t, rdb, prefix+rediskit.RunKey("sweep/bos", fc.Now()), lease)
	time.Sleep(100 * time.Millisecond) // the schedulers arm the next minute's timers

	mu.Lock()
	blockAt = "sweep/bos@14:01"
	mu.Unlock()
	fc.Advance(time.Minute) // 14:01
	select {
	case victim = <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("the 14:01 sweep did not start")
	}
	survivor := 1 - victim
	killedKey := prefix + rediskit.RunKey("sweep/bos", fc.Now())
	if v, err := rdb.Get(ctx, killedKey).Result(); err != nil || rediskittest.HolderOf(v) != fmt.Sprint("r", victim) {
		t.Fatalf("run key %s = %q, %v; want held by the victim r%d", killedKey, v, err, victim)
	}
	lockClients[victim].Close() // the kill: the victim's lease is no longer extended
	killedAt := time.Now()

	// The killed run's key expires after its lease (Redis's clock, not the fake one).
	for {
		n, err := rdb.Exists(ctx, killedKey).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Since(killedAt) > lease+3*time.Second {
			t.Fatalf("run key %s of the killed run still there %v after the kill; want it gone after the %v lease", killedKey, time.Since(killedAt).Round(time.Millisecond), lease)
		}
		time.Sleep(20 * time.Millisecond)
	}
	expiredAfter := time.Since(killedAt)

	// The next two minutes: the survivor runs each sweep once, finishes it, and keeps its key.
	for _, m := range []string{"14:02", "14:03"} {
		fc.Advance(time.Minute)
		key := "sweep/bos@" + m
		waitFor(t, key, func() bool { return runs.get(key) == 1 })
		runKey := prefix + rediskit.RunKey("sweep/bos", fc.Now())
		finished(t, rdb, runKey, lease)
		time.Sleep(100 * time.Millisecond) // the schedulers arm the next minute's timers
		v, err := rdb.Get(ctx, runKey).Result()
		if err != nil || rediskittest.HolderOf(v) != fmt.Sprint("r", survivor) {
			t.Errorf("run key %s = %q, %v; want the survivor r%d's", runKey, v, err, survivor)
		}
	}
	time.Sleep(100 * time.Millisecond) // a second run of any minute would have started
	for _, key := range []string{"sweep/bos@14:00", "sweep/bos@14:01", "sweep/bos@14:02", "sweep/bos@14:03"} {
		if n := runs.get(key); n != 1 {
			t.Errorf("runs of %s = %d; want 1", key, n)
		}
	}
	// The victim, without Redis, takes no run.
	if _, err := lockClients[victim].Ping(ctx).Result(); !errors.Is(err, redis.ErrClosed) {
		t.Errorf("victim's Redis client after the kill: %v; want closed", err)
	}

	// Every visit due from 13:00 to 14:03 is announced missed once: the survivor caught up
	// on what the killed run did not announce.
	want := visitsDue(t, srvs[survivor], f, bosLoc, time.Date(2026, 11, 27, 13, 0, 0, 0, bosLoc), fc.Now())
	if want == 0 {
		t.Fatal("no visit due from 13:00 to 14:03: the test checks nothing")
	}
	n, keys := countEvents(t, store, api.EventMissedVisit)
	if n != want || len(keys) != n {
		t.Errorf("missed_visit events = %d (%d distinct); want %d, each once", n, len(keys), want)
	}
	t.Logf("replica r%d killed mid-run of sweep@14:01: its key expired %v after the kill (lease %v); sweeps 14:02 and 14:03 by the survivor r%d, once each; missed_visit events %d for %d visits due",
		victim, expiredAfter.Round(time.Millisecond), lease, survivor, n, want)
}

// finished waits until the run key is kept (its TTL beyond the lease): the run ended.
func finished(t *testing.T, rdb redis.UniversalClient, runKey string, lease time.Duration) {
	t.Helper()
	waitFor(t, runKey+" finished", func() bool {
		ttl, err := rdb.PTTL(context.Background(), runKey).Result()
		return err == nil && ttl > lease
	})
}
