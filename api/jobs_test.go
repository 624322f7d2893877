package api

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"vigil/api/runlock"
	"vigil/scheduler"
	"vigil/scheduler/redisstore"
	"vigil/scheduler/storetest"
)

// runCounter counts the runs each job started, on all replicas together.
type runCounter struct {
	mu   sync.Mutex
	runs map[string]int
}

func (r *runCounter) add(job string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs[job]++
}

func (r *runCounter) get(job string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.runs[job]
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestJobsTwoReplicas runs two replicas' schedulers against one real Redis on one fake
// clock: each scheduled run happens once, on one replica; a replica stopped mid-run leaves
// the run's key, and the survivor's next run catches up on what it did not announce.
func TestJobsTwoReplicas(t *testing.T) {
	url := storetest.RedisURL(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	prefix := fmt.Sprintf("{vigil-jobs-test-%d-%d}:", os.Getpid(), time.Now().UnixNano())
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	defer storetest.DeletePrefix(ctx, rdb, prefix)
	store := redisstore.New(rdb, prefix)
	h := newHarness(t) // fixtures and offices; its bolt store seeds ours
	ms, _ := h.store.Missions(ctx, "bos")
	f, _ := h.store.Force(ctx, "bos")
	if _, err := store.Seed(ctx, ms, []scheduler.RegionForce{f}); err != nil {
		t.Fatal(err)
	}
	// 13:59:30: the evening shift (15:00) is released at 14:00.
	fc := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 13, 59, 30, 0, bosLoc))
	runs := &runCounter{runs: map[string]int{}}
	blockAt := "" // job@minute at which a run blocks until its replica is stopped
	var blockMu sync.Mutex
	blocked := make(chan int, 1)
	hookOf := func(replica int) func(ctx context.Context, job string) {
		return func(ctx context.Context, job string) {
			key := job + "@" + runlock.RunTime(fc.Now()).In(bosLoc).Format("15:04")
			runs.add(key)
			blockMu.Lock()
			b := key == blockAt
			blockMu.Unlock()
			if b {
				blocked <- replica
				<-ctx.Done() // stopped mid-run
			}
		}
	}
	var jobs [2]*Jobs
	for i := range jobs {
		srv := New(Config{Store: store, Offices: h.ds.Offices, MasterKey: testMaster, Now: fc.Now})
		lk := runlock.New(rdb, runlock.Options{Prefix: prefix, Clock: fc, Lease: 3 * time.Second})
		j, err := srv.StartJobs(ctx, JobsConfig{Clock: fc, Locker: lk, Regions: []string{"bos"}, hook: hookOf(i)})
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = j
	}
	defer func() {
		for _, j := range jobs {
			j.Stop()
		}
	}()
	time.Sleep(50 * time.Millisecond) // the schedulers arm their timers
	fc.Advance(30 * time.Second)      // 14:00
	waitFor(t, "the 14:00 runs", func() bool { return runs.get("release/bos@14:00") >= 1 && runs.get("sweep/bos@14:00") >= 1 })
	time.Sleep(100 * time.Millisecond) // a second run would have started by now
	for _, job := range []string{"release/bos@14:00", "sweep/bos@14:00"} {
		if n := runs.get(job); n != 1 {
			t.Errorf("runs of %s on two replicas = %d; want 1", job, n)
		}
	}
	count := func(typ string) (n int, keys map[string]int) {
		keys = map[string]int{}
		es, err := store.Events(ctx, "bos", "", EventsKept)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Type == typ {
				n++
				keys[string(e.Data)]++
			}
		}
		return n, keys
	}
	if n, _ := count(EventShiftReleased); n != 1 {
		t.Errorf("shift_released events = %d; want 1 (the evening shift)", n)
	}

	// 14:01: whichever replica takes the sweep is stopped in the middle of it.
	blockMu.Lock()
	blockAt = "sweep/bos@14:01"
	blockMu.Unlock()
	fc.Advance(time.Minute)
	var victim int
	select {
	case victim = <-blocked:
	case <-time.After(5 * time.Second):
		t.Fatal("the 14:01 sweep did not start")
	}
	time.Sleep(50 * time.Millisecond)
	if n := runs.get("sweep/bos@14:01"); n != 1 {
		t.Errorf("runs of sweep/bos@14:01 = %d; want 1 (the other replica finds the key held)", n)
	}
	if err := jobs[victim].Stop(); err != nil {
		t.Errorf("Stop of the replica mid-run: %v", err)
	}
	runKey := prefix + runlock.RunKey("sweep/bos", fc.Now())
	if n, _ := rdb.Exists(ctx, runKey).Result(); n != 1 {
		t.Errorf("run key %s after the stopped run: gone; want it left in place", runKey)
	}
	fc.Advance(time.Minute) // 14:02: the survivor's sweep catches up
	waitFor(t, "the 14:02 sweep", func() bool { return runs.get("sweep/bos@14:02") == 1 })
	time.Sleep(100 * time.Millisecond)

	// Every visit due (arrival + 15 min) from 13:00 to 14:02 is announced missed once.
	o := h.ds.Offices["bos"]
	d := scheduler.ServiceDateOf(fc.Now(), f.Shifts, o.Location)
	sd, err := jobs[1-victim].s.serviceDay(ctx, "bos", d)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			due := v.Arrive.Add(CheckInWindow)
			if !due.After(fc.Now()) && !due.Before(time.Date(2026, 11, 27, 13, 0, 0, 0, bosLoc)) {
				want++
			}
		}
	}
	n, keys := count(EventMissedVisit)
	if n != want || len(keys) != n {
		t.Errorf("missed_visit events = %d (%d distinct); want %d, each once", n, len(keys), want)
	}
	t.Logf("two replicas: release/bos@14:00 ran %d, sweep/bos@14:00 ran %d, sweep@14:01 ran %d (stopped mid-run on replica %d), sweep@14:02 ran %d; missed_visit events %d for %d visits due",
		runs.get("release/bos@14:00"), runs.get("sweep/bos@14:00"), runs.get("sweep/bos@14:01"), victim, runs.get("sweep/bos@14:02"), n, want)
}
