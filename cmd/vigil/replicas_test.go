package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"vigil/fixtures"
	"vigil/rediskit"
	"vigil/rediskit/rediskittest"
	"vigil/scheduler/storetest"
)

// runObs is what the test saw of one run key.
type runObs struct {
	values    []string  // distinct values seen: more than one means the run was taken twice
	firstSeen time.Time // when the key was first seen
	held      bool      // seen with the lease TTL (the run in progress)
	kept      bool      // seen with the keep TTL (the run finished and unlocked)
}

// runWatcher polls the sweep run keys of every region around the current minute.
type runWatcher struct {
	rdb     *redis.Client
	prefix  string
	regions []string
	obs     map[string]*runObs
}

func sweepKey(region string, minute time.Time) string {
	return rediskit.RunKey("sweep/"+region, minute)
}

// killGrace is how long after the kill a key of the victim may first be seen: a SET sent
// before the SIGKILL, or set between a poll's read and the kill, shows on a later poll
// (polls are milliseconds apart, but under the race detector and a loaded machine a
// poll can take hundreds).
const killGrace = time.Second

// poll reads the sweep keys of the previous, current and next minute once.
func (w *runWatcher) poll(ctx context.Context) error {
	now := time.Now()
	base := now.Truncate(time.Minute)
	var keys []string
	for _, m := range []time.Time{base.Add(-time.Minute), base, base.Add(time.Minute)} {
		for _, r := range w.regions {
			keys = append(keys, sweepKey(r, m))
		}
	}
	pipe := w.rdb.Pipeline()
	gets := make([]*redis.StringCmd, len(keys))
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		gets[i] = pipe.Get(ctx, w.prefix+k)
		ttls[i] = pipe.PTTL(ctx, w.prefix+k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	for i, k := range keys {
		v, err := gets[i].Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return err
		}
		o := w.obs[k]
		if o == nil {
			o = &runObs{firstSeen: now}
			w.obs[k] = o
		}
		if !slices.Contains(o.values, v) {
			o.values = append(o.values, v)
		}
		if ttl := ttls[i].Val(); ttl > rediskit.DefaultRunLease {
			o.kept = true
		} else if ttl > 0 {
			o.held = true
		}
	}
	return nil
}

// TestReplicasKilledMidJob runs two `vigil serve` processes on one Redis, waits for a
// sweep run, SIGKILLs the replica holding it while it runs, and checks the survivor runs
// the next scheduled runs, each once, with none missed.
func TestReplicasKilledMidJob(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real minute ticks")
	}
	if os.Getenv("VIGIL_SLOW") != "1" {
		t.Skip("takes 2–3 minutes of real minute ticks: set VIGIL_SLOW=1 (make reliability and .ci/run do); jobs.TestReplicaKilledMidRunFakeClock is its fake-clock version")
	}
	url := storetest.RedisURL(t)
	ctx := context.Background()
	prefix := fmt.Sprintf("{vigil-replicas-test-%d-%d}:", os.Getpid(), time.Now().UnixNano())
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() {
		storetest.DeletePrefix(ctx, rdb, prefix)
		rdb.Close()
	})
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	for r, f := range ds.Force.Regions {
		if _, ok := ds.Offices[r]; ok && len(f.Shifts) > 0 {
			regions = append(regions, r)
		}
	}
	slices.Sort(regions)
	if len(regions) == 0 {
		t.Fatal("the fixtures have no region with a force, shifts and an office: no job would run")
	}

	environ := map[string]string{"VIGIL_KEY": testKey, "VIGIL_RATE": "0", realClockEnv: "1"}
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown"
	}
	replicas := map[string]*child{}
	var ids []string
	for i := 0; i < 2; i++ {
		c := startChild(t, environ, "--redis", url, "--redis-prefix", prefix, "--rate", "0",
			"--data", filepath.Join(t.TempDir(), "vigil.db"))
		id := fmt.Sprintf("%s/%d", host, c.cmd.Process.Pid)
		replicas[id] = c
		ids = append(ids, id)
	}
	w := &runWatcher{rdb: rdb, prefix: prefix, regions: regions, obs: map[string]*runObs{}}
	started := time.Now()

	// Wait for the first sweep run to be taken, and kill its holder at once.
	var (
		victim, survivor string
		killKey          string
		killAt           time.Time
		minute           time.Time
	)
	deadline := started.Add(75 * time.Second)
	for victim == "" {
		if time.Now().After(deadline) {
			t.Fatalf("no sweep run was taken in 75 s; logs:\n%s\n%s", replicas[ids[0]].logs, replicas[ids[1]].logs)
		}
		if err := w.poll(ctx); err != nil {
			t.Fatal(err)
		}
		for k, o := range w.obs {
			if !o.held || o.kept {
				continue
			}
			h := rediskittest.HolderOf(o.values[0])
			c, ok := replicas[h]
			if !ok {
				t.Fatalf("run key %s names holder %q; want one of %v", k, h, ids)
			}
			c.kill()
			killAt, victim, killKey = time.Now(), h, k
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	for _, id := range ids {
		if id != victim {
			survivor = id
		}
	}
	minute = rediskit.RunTime(killAt)
	t.Logf("killed %s %v after %s was first seen held (run of %s), %v after the test started",
		victim, killAt.Sub(w.obs[killKey].firstSeen).Round(time.Millisecond), killKey, minute.Format("15:04"), killAt.Sub(started).Round(time.Second))

	// Watch the two next minutes' runs until each region's is finished.
	after := []time.Time{minute.Add(time.Minute), minute.Add(2 * time.Minute)}
	deadline = after[1].Add(45 * time.Second)
	done := func() bool {
		for _, m := range after {
			for _, r := range regions {
				if o := w.obs[sweepKey(r, m)]; o == nil || !o.kept {
					return false
				}
			}
		}
		return true
	}
	for !done() && time.Now().Before(deadline) {
		if err := w.poll(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The killed run's key is no longer extended: it expires after its lease.
	victimKeys := 0
	for k, o := range w.obs {
		if rediskittest.HolderOf(o.values[0]) != victim || !strings.HasSuffix(k, "@"+minute.UTC().Format(time.RFC3339)) {
			continue
		}
		victimKeys++
		n, err := rdb.Exists(ctx, prefix+k).Result()
		if err != nil {
			t.Fatal(err)
		}
		state := "finished before the kill"
		if !o.kept {
			state = "killed mid-run"
		}
		t.Logf("run %s on the killed replica: %s; key still present %v s after the kill: %v", k, state, int(time.Since(killAt).Seconds()), n == 1)
		if !o.kept && n == 1 && time.Since(killAt) > rediskit.DefaultRunLease+5*time.Second {
			t.Errorf("run key %s of the killed replica is still there %v after the kill; want it expired after the %v lease",
				k, time.Since(killAt).Round(time.Second), rediskit.DefaultRunLease)
		}
	}

	// Every run seen was taken once; every run after the kill is the survivor's, finished.
	runs, missed, twice := 0, 0, 0
	for k, o := range w.obs {
		if len(o.values) > 1 {
			twice++
			t.Errorf("run %s was taken %d times (values %q); want once", k, len(o.values), o.values)
		}
		// A key the victim set just before the SIGKILL landed (its SET in flight, or set
		// between the watcher's read and the kill) is first seen by the next poll:
		// killGrace covers that, not a run the victim could take once dead.
		if o.firstSeen.After(killAt.Add(killGrace)) && rediskittest.HolderOf(o.values[0]) == victim {
			t.Errorf("run %s first seen after the kill is held by the killed replica %s", k, victim)
		}
	}
	for _, m := range after {
		for _, r := range regions {
			k := sweepKey(r, m)
			o := w.obs[k]
			switch {
			case o == nil:
				missed++
				t.Errorf("run %s was never taken after the kill; want the survivor to run it", k)
				continue
			case rediskittest.HolderOf(o.values[0]) != survivor:
				t.Errorf("run %s held by %q; want the survivor %s", k, rediskittest.HolderOf(o.values[0]), survivor)
			case !o.kept:
				t.Errorf("run %s by the survivor never finished", k)
			}
			runs++
		}
	}
	// The keys left in Redis agree: one holder each, none of the victim's after the kill.
	kept := 0
	iter := rdb.Scan(ctx, 0, strings.ReplaceAll(prefix, "{", "\\{")+"run:*", 100).Iterator()
	for iter.Next(ctx) {
		v, err := rdb.Get(ctx, iter.Val()).Result()
		if err != nil {
			continue
		}
		kept++
		h := rediskittest.HolderOf(v)
		if _, ok := replicas[h]; !ok {
			t.Errorf("run key %s names holder %q; want one of %v", iter.Val(), h, ids)
		}
		if h == victim {
			at := iter.Val()[strings.LastIndexByte(iter.Val(), '@')+1:]
			if tm, err := time.Parse(time.RFC3339, at); err == nil && tm.After(minute) {
				t.Errorf("run key %s after the kill names the killed replica", iter.Val())
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + replicas[survivor].addr + "/healthz")
	if err != nil {
		t.Fatalf("survivor /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("survivor /healthz = %d; want 200", resp.StatusCode)
	}
	failed := strings.Count(replicas[survivor].logs.String(), `"job failed"`)
	t.Logf("two replicas, %d regions, SIGKILL of the run holder: %d sweep run keys watched, each taken once; %d runs of the %d minutes after the kill all by the survivor (%d of the killed replica's runs cut), %d missed, %d twice; %d run keys in Redis at the end; survivor job failures logged %d; test took %v",
		len(regions), len(w.obs), runs, len(after), victimKeys, missed, twice, kept, failed, time.Since(started).Round(time.Second))
}
