// Package storetest is the contract every scheduler.Store meets: one suite, run by each
// implementation's tests with storetest.Run(t, newStore).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"vigil/scheduler"
)

// t0 is a fixed instant the suite's records are stamped with.
var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mission(id, region string, threat int) scheduler.MissionRecord {
	return scheduler.NewMissionRecord(scheduler.Mission{
		ID: id, Name: "Embassy " + id, Kind: "embassy", Lat: 38.9, Lon: -77.05, Threat: threat, Region: region,
	}, "seed", t0)
}

func force(region string, vehicles int) scheduler.RegionForce {
	f := scheduler.NewRegionForce(region)
	f.Units[scheduler.Vehicle] = vehicles
	f.Officers = 40
	return f
}

// Run runs the contract suite; newStore returns an empty, never seeded store that the test
// may close (the suite closes it at the end).
func Run(t *testing.T, newStore func(t *testing.T) scheduler.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s scheduler.Store)
	}{
		{"Seed", testSeed},
		{"Missions", testMissions},
		{"UpdateMission", testUpdateMission},
		{"Force", testForce},
		{"Changes", testChanges},
		{"PlanCache", testPlanCache},
		{"Audit", testAudit},
		{"Revocations", testRevocations},
		{"CheckIns", testCheckIns},
		{"FeedTokens", testFeedTokens},
		{"Events", testEvents},
		{"Once", testOnce},
		{"DayRoster", testDayRoster},
		{"ForceHistory", testForceHistory},
		{"ForceChangeDay", testForceChangeDay},
		{"DeletedMissions", testDeletedMissions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			defer s.Close()
			tt.fn(t, s)
		})
	}
}

func testSeed(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	ms := []scheduler.MissionRecord{mission("b", "wfo", 2), mission("a", "wfo", 3), mission("c", "nyc", 1)}
	fs := []scheduler.RegionForce{force("wfo", 3), force("nyc", 2)}
	done, err := s.Seed(ctx, ms, fs)
	if err != nil || !done {
		t.Fatalf("Seed(empty store) = %v, %v; want true, nil", done, err)
	}
	done, err = s.Seed(ctx, []scheduler.MissionRecord{mission("z", "wfo", 1)}, nil)
	if err != nil || done {
		t.Fatalf("Seed(seeded store) = %v, %v; want false, nil", done, err)
	}
	got, err := s.Missions(ctx, "wfo")
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(got); !cmp.Equal(ids, []string{"a", "b"}) {
		t.Errorf("Missions(wfo) = %v; want [a b]", ids)
	}
	all, err := s.Missions(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids := idsOf(all); !cmp.Equal(ids, []string{"a", "b", "c"}) {
		t.Errorf("Missions(\"\") = %v; want [a b c]", ids)
	}
	if diff := cmp.Diff(ms[1], got[0]); diff != "" {
		t.Errorf("Missions(wfo)[0] differs from the seeded record (-want +got):\n%s", diff)
	}
	forces, err := s.Forces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(forces) != 2 || forces[0].Region != "nyc" || forces[1].Region != "wfo" {
		t.Errorf("Forces() regions = %v; want [nyc wfo]", forces)
	}
}

func idsOf(rs []scheduler.MissionRecord) []string {
	ids := []string{}
	for _, r := range rs {
		ids = append(ids, r.Mission.ID)
	}
	return ids
}

func testMissions(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if _, err := s.Mission(ctx, "nope"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("Mission(nope) error = %v; want ErrNotFound", err)
	}
	m := mission("emb-fr", "wfo", 3)
	posts := 2
	m.Mission.FixedPosts = &posts
	m.Contacts = []scheduler.Contact{{Name: "A", Phone: "+1 202 555 0100"}}
	if err := s.CreateMission(ctx, m); err != nil {
		t.Fatalf("CreateMission = %v", err)
	}
	if err := s.CreateMission(ctx, m); !errors.Is(err, scheduler.ErrConflict) {
		t.Errorf("CreateMission(twice) error = %v; want ErrConflict", err)
	}
	got, err := s.Mission(ctx, "emb-fr")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("Mission(emb-fr) (-want +got):\n%s", diff)
	}
	if err := s.DeleteMission(ctx, "emb-fr"); err != nil {
		t.Fatalf("DeleteMission = %v", err)
	}
	if err := s.DeleteMission(ctx, "emb-fr"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("DeleteMission(twice) error = %v; want ErrNotFound", err)
	}
	if _, err := s.Mission(ctx, "emb-fr"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("Mission(deleted) error = %v; want ErrNotFound", err)
	}
}

func testUpdateMission(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if err := s.CreateMission(ctx, mission("m1", "wfo", 2)); err != nil {
		t.Fatal(err)
	}
	until := t0.Add(6 * time.Hour)
	raise := scheduler.ThreatChange{Threat: 5, SetBy: "supervisor:wfo", SetAt: t0, From: t0.Add(time.Hour), Until: &until}
	got, err := s.UpdateMission(ctx, "m1", func(r *scheduler.MissionRecord) error {
		r.History = append(r.History, raise)
		r.Contacts = []scheduler.Contact{{Name: "A", Phone: "1"}, {Name: "B", Phone: "2"}}
		return nil
	})
	if err != nil {
		t.Fatalf("UpdateMission = %v", err)
	}
	again, err := s.Mission(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, again); diff != "" {
		t.Errorf("Mission after UpdateMission differs from its answer (-answer +stored):\n%s", diff)
	}
	if len(again.History) != 2 || len(again.Contacts) != 2 {
		t.Fatalf("history %d entries, contacts %d; want 2, 2", len(again.History), len(again.Contacts))
	}
	tests := []struct {
		at   time.Time
		want int
	}{
		{t0, 2}, {t0.Add(time.Hour), 5}, {until.Add(-time.Minute), 5}, {until, 2},
	}
	for _, tt := range tests {
		if got := again.ThreatAt(tt.at); got != tt.want {
			t.Errorf("ThreatAt(%v) = %d; want %d", tt.at, got, tt.want)
		}
	}
	boom := errors.New("boom")
	if _, err := s.UpdateMission(ctx, "m1", func(r *scheduler.MissionRecord) error {
		r.Mission.Name = "changed"
		return boom
	}); !errors.Is(err, boom) {
		t.Errorf("UpdateMission(fn fails) error = %v; want fn's error", err)
	}
	if r, _ := s.Mission(ctx, "m1"); r.Mission.Name == "changed" {
		t.Errorf("UpdateMission stored a record its fn refused")
	}
	if _, err := s.UpdateMission(ctx, "nope", func(*scheduler.MissionRecord) error { return nil }); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("UpdateMission(nope) error = %v; want ErrNotFound", err)
	}
	// Concurrent updates are serialised: none is lost.
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := s.UpdateMission(ctx, "m1", func(r *scheduler.MissionRecord) error {
				r.Contacts = append(r.Contacts, scheduler.Contact{Name: fmt.Sprint(i), Phone: "x"})
				return nil
			})
			if err != nil {
				t.Errorf("concurrent UpdateMission = %v", err)
			}
		}(i)
	}
	wg.Wait()
	if r, _ := s.Mission(ctx, "m1"); len(r.Contacts) != 10 {
		t.Errorf("after 8 concurrent appends: %d contacts; want 10", len(r.Contacts))
	}
}

func testForce(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if _, err := s.Force(ctx, "wfo"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("Force(wfo) on an empty store error = %v; want ErrNotFound", err)
	}
	f := force("wfo", 7)
	f.Capabilities["canine"] = 2
	f.Profiles[5].VisitsPerDay = 16
	if err := s.PutForce(ctx, f); err != nil {
		t.Fatal(err)
	}
	got, err := s.Force(ctx, "wfo")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("Force(wfo) (-want +got):\n%s", diff)
	}
	f.Units[scheduler.Foot] = 3
	if err := s.PutForce(ctx, f); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Force(ctx, "wfo"); got.Units[scheduler.Foot] != 3 {
		t.Errorf("Force(wfo) after PutForce: foot units %d; want 3", got.Units[scheduler.Foot])
	}
}

func testChanges(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.November, Day: 27}
	got, err := s.Changes(ctx, "wfo", d)
	if err != nil || len(got) != 0 {
		t.Fatalf("Changes(empty) = %v, %v; want [], nil", got, err)
	}
	until := t0.Add(3 * time.Hour)
	cs := []scheduler.Change{
		{At: t0.Add(2 * time.Hour), Mission: "a", Threat: 4},
		{At: t0, Mission: "b", Threat: 5, Until: &until},
		{At: t0.Add(2 * time.Hour), Unit: "wfo-v01"},
	}
	for _, c := range cs {
		if err := s.AddChange(ctx, "wfo", d, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddChange(ctx, "wfo", d.AddDays(1), scheduler.Change{At: t0.Add(30 * time.Hour), Mission: "c", Threat: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddChange(ctx, "nyc", d, scheduler.Change{At: t0, Mission: "n", Threat: 1}); err != nil {
		t.Fatal(err)
	}
	got, err = s.Changes(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	want := []scheduler.Change{cs[1], cs[0], cs[2]}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Changes(wfo, %s) (-want +got):\n%s", d, diff)
	}
}

func testPlanCache(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.November, Day: 27}
	if _, err := s.CachedPlan(ctx, "wfo", d, "sha256:1"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("CachedPlan(miss) error = %v; want ErrNotFound", err)
	}
	if err := s.CachePlan(ctx, "wfo", d, "sha256:1", []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.CachePlan(ctx, "wfo", d, "sha256:2", []byte(`{"v":2}`)); err != nil {
		t.Fatal(err)
	}
	got, err := s.CachedPlan(ctx, "wfo", d, "sha256:2")
	if err != nil || string(got) != `{"v":2}` {
		t.Errorf("CachedPlan(v2) = %s, %v; want {\"v\":2}", got, err)
	}
	if _, err := s.CachedPlan(ctx, "wfo", d.AddDays(1), "sha256:2"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("CachedPlan(other date) error = %v; want ErrNotFound", err)
	}
	if _, err := s.CachedPlan(ctx, "nyc", d, "sha256:2"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("CachedPlan(other region) error = %v; want ErrNotFound", err)
	}
}

func testAudit(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	const n = 20
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := scheduler.AuditRecord{At: t0.Add(time.Duration(i) * time.Minute), Actor: "o-wfo-001", Role: "officer", Action: "read", Target: fmt.Sprintf("/v1/x/%d", i)}
			if err := s.Audit(ctx, r); err != nil {
				t.Errorf("Audit = %v", err)
			}
		}(i)
	}
	wg.Wait()
	all, err := s.AuditLog(ctx, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("AuditLog(all) = %d records; want %d", len(all), n)
	}
	for i := 1; i < len(all); i++ {
		if all[i].At.Before(all[i-1].At) {
			t.Errorf("AuditLog not in time order at %d: %v after %v", i, all[i].At, all[i-1].At)
		}
	}
	since, err := s.AuditLog(ctx, t0.Add(15*time.Minute), 1000)
	if err != nil || len(since) != 5 {
		t.Errorf("AuditLog(since +15m) = %d records, %v; want 5", len(since), err)
	}
	limited, err := s.AuditLog(ctx, time.Time{}, 3)
	if err != nil || len(limited) != 3 {
		t.Errorf("AuditLog(limit 3) = %d records, %v; want 3", len(limited), err)
	}
}

func testRevocations(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if r, err := s.Revoked(ctx, "jti-1"); err != nil || r {
		t.Errorf("Revoked(unknown) = %v, %v; want false, nil", r, err)
	}
	// Revocations outlive the test's run time: the until is far in the future.
	if err := s.Revoke(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Revoked(ctx, "jti-1"); err != nil || !r {
		t.Errorf("Revoked(jti-1) = %v, %v; want true, nil", r, err)
	}
	if r, _ := s.Revoked(ctx, "jti-2"); r {
		t.Errorf("Revoked(jti-2) = true; want false")
	}
}

// RedisURL returns the Redis the integration tests use: $VIGIL_TEST_REDIS, else a server
// on 127.0.0.1:6379 if one answers. It skips the test, saying why, only when none does
// (.ci/run always starts one). Tests use a key prefix of their own and delete its keys.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	if u := os.Getenv("VIGIL_TEST_REDIS"); u != "" {
		return u
	}
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		tb.Skipf("no Redis: VIGIL_TEST_REDIS is unset and nothing answers on 127.0.0.1:6379 (%v)", err)
	}
	c.Close()
	return "redis://127.0.0.1:6379/"
}

// DeletePrefix deletes every key under prefix (a hash-tagged prefix such as
// "{vigil-x}:"), never the whole database.
func DeletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) {
	iter := rdb.Scan(ctx, 0, strings.ReplaceAll(prefix, "{", "\\{")+"*", 100).Iterator()
	for iter.Next(ctx) {
		rdb.Del(ctx, iter.Val())
	}
}

// CleanupPrefix deletes, when the test ends, every key under prefix on the Redis at url.
func CleanupPrefix(tb testing.TB, url, prefix string) {
	tb.Helper()
	tb.Cleanup(func() {
		opt, err := redis.ParseURL(url)
		if err != nil {
			tb.Errorf("CleanupPrefix(%s): %v", url, err)
			return
		}
		c := redis.NewClient(opt)
		defer c.Close()
		DeletePrefix(context.Background(), c, prefix)
	})
}
