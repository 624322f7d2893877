package jobs

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"vigil/api"
	"vigil/fixtures"
	"vigil/rediskit"
	"vigil/rediskit/rediskittest"
	"vigil/scheduler"
	"vigil/scheduler/redisstore"
)

// testMaster is a fixed master key: tests are deterministic.
var testMaster = bytes.Repeat([]byte{0x42}, scheduler.MasterKeySize)

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

// seedBos returns the fixtures and a Redis store under prefix seeded with the small bos
// region (3 missions, 1 unit).
func seedBos(t *testing.T, store scheduler.Store) (*fixtures.Dataset, scheduler.RegionForce) {
	t.Helper()
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	var ms []scheduler.MissionRecord
	for _, m := range ds.Missions {
		if m.Region == "bos" {
			ms = append(ms, scheduler.NewMissionRecord(m, "fixtures", time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)))
		}
	}
	f := *ds.Force.Regions["bos"]
	if _, err := store.Seed(context.Background(), ms, []scheduler.RegionForce{f}); err != nil {
		t.Fatal(err)
	}
	return ds, f
}

// TestJobsTwoReplicas runs two replicas' schedulers against one real Redis on one fake
// clock: each scheduled run happens once, on one replica; a replica stopped mid-run leaves
// the run's key, and the survivor's next run catches up on what it did not announce.
func TestJobsTwoReplicas(t *testing.T) {
	rdb, prefix := rediskittest.Client(t, "jobs")
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	store := redisstore.New(rdb, prefix)
	ds, f := seedBos(t, store)
	bosLoc := ds.Offices["bos"].Location
	// 13:59:30: the evening shift (15:00) is released at 14:00.
	fc := clockwork.NewFakeClockAt(time.Date(2026, 11, 27, 13, 59, 30, 0, bosLoc))
	runs := &runCounter{runs: map[string]int{}}
	blockAt := "" // job@minute at which a run blocks until its replica is stopped
	var blockMu sync.Mutex
	blocked := make(chan int, 1)
	hookOf := func(replica int) func(ctx context.Context, job string) {
		return func(ctx context.Context, job string) {
			key := job + "@" + rediskit.RunTime(fc.Now()).In(bosLoc).Format("15:04")
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
	jobs, srvs := startReplicas(t, store, ds.Offices, fc, rdb, prefix, hookOf)
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
	if n, _ := countEvents(t, store, api.EventShiftReleased); n != 1 {
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
	runKey := prefix + rediskit.RunKey("sweep/bos", fc.Now())
	if n, _ := rdb.Exists(ctx, runKey).Result(); n != 1 {
		t.Errorf("run key %s after the stopped run: gone; want it left in place", runKey)
	}
	fc.Advance(time.Minute) // 14:02: the survivor's sweep catches up
	waitFor(t, "the 14:02 sweep", func() bool { return runs.get("sweep/bos@14:02") == 1 })
	time.Sleep(100 * time.Millisecond)

	// Every visit due (arrival + 15 min) from 13:00 to 14:02 is announced missed once.
	want := visitsDue(t, srvs[1-victim], f, bosLoc, time.Date(2026, 11, 27, 13, 0, 0, 0, bosLoc), fc.Now())
	if want == 0 {
		t.Fatal("no visit due from 13:00 to 14:02: the test checks nothing")
	}
	n, keys := countEvents(t, store, api.EventMissedVisit)
	if n != want || len(keys) != n {
		t.Errorf("missed_visit events = %d (%d distinct); want %d, each once", n, len(keys), want)
	}
	t.Logf("two replicas: release/bos@14:00 ran %d, sweep/bos@14:00 ran %d, sweep@14:01 ran %d (stopped mid-run on replica %d), sweep@14:02 ran %d; missed_visit events %d for %d visits due",
		runs.get("release/bos@14:00"), runs.get("sweep/bos@14:00"), runs.get("sweep/bos@14:01"), victim, runs.get("sweep/bos@14:02"), n, want)
}

// startReplicas starts two replicas' servers and jobs on one store, clock and Redis, each
// replica's tasks calling hookOf(replica).
func startReplicas(t *testing.T, store scheduler.Store, offices map[string]scheduler.Office, fc *clockwork.FakeClock,
	rdb redis.UniversalClient, prefix string, hookOf func(int) func(context.Context, string)) ([2]*Jobs, [2]*api.Server) {
	t.Helper()
	var jobs [2]*Jobs
	var srvs [2]*api.Server
	for i := range jobs {
		srvs[i] = api.New(api.Config{Store: store, Offices: offices, MasterKey: testMaster, Clock: fc})
		lk := rediskit.NewRunLocker(rdb, rediskit.RunLockOptions{Prefix: prefix, Clock: fc, Lease: 3 * time.Second})
		j, err := Start(context.Background(), Config{Service: srvs[i], Store: store, Offices: offices, Clock: fc, Locker: lk,
			Regions: []string{"bos"}, hook: hookOf(i)})
		if err != nil {
			t.Fatal(err)
		}
		jobs[i] = j
	}
	return jobs, srvs
}

// countEvents returns how many events of type typ bos's stream holds, and how many of
// each data.
func countEvents(t *testing.T, store scheduler.Store, typ string) (n int, keys map[string]int) {
	t.Helper()
	keys = map[string]int{}
	es, err := store.Events(context.Background(), "bos", "", api.EventsKept)
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

// visitsDue returns how many of bos's visits on the service day of to are due (arrival
// plus api.CheckInWindow) from from to to.
func visitsDue(t *testing.T, srv *api.Server, f scheduler.RegionForce, loc *time.Location, from, to time.Time) int {
	t.Helper()
	visits, err := srv.PlannedVisits(context.Background(), "bos", scheduler.ServiceDateOf(to, f.Shifts, loc))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range visits {
		if due := v.Arrive.Add(api.CheckInWindow); !due.After(to) && !due.Before(from) {
			n++
		}
	}
	return n
}
