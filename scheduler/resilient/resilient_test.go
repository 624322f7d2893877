package resilient

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/scheduler"
	"vigil/scheduler/boltstore"
	"vigil/scheduler/storetest"
)

// flaky is a store that fails every call with ErrUnavailable while down is set.
type flaky struct {
	scheduler.Store
	down  atomic.Bool
	calls atomic.Int64
}

var errDown = errors.Join(scheduler.ErrUnavailable, errors.New("fake outage"))

func (f *flaky) fail() error {
	f.calls.Add(1)
	if f.down.Load() {
		return errDown
	}
	return nil
}

func (f *flaky) Seed(ctx context.Context, m []scheduler.MissionRecord, fs []scheduler.RegionForce) (bool, error) {
	if err := f.fail(); err != nil {
		return false, err
	}
	return f.Store.Seed(ctx, m, fs)
}
func (f *flaky) Missions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.Missions(ctx, region)
}
func (f *flaky) Mission(ctx context.Context, id string) (scheduler.MissionRecord, error) {
	if err := f.fail(); err != nil {
		return scheduler.MissionRecord{}, err
	}
	return f.Store.Mission(ctx, id)
}
func (f *flaky) CreateMission(ctx context.Context, r scheduler.MissionRecord) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.CreateMission(ctx, r)
}
func (f *flaky) UpdateMission(ctx context.Context, id string, fn func(*scheduler.MissionRecord) error) (scheduler.MissionRecord, error) {
	if err := f.fail(); err != nil {
		return scheduler.MissionRecord{}, err
	}
	return f.Store.UpdateMission(ctx, id, fn)
}
func (f *flaky) DeleteMission(ctx context.Context, id string) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.DeleteMission(ctx, id)
}
func (f *flaky) Force(ctx context.Context, region string) (scheduler.RegionForce, error) {
	if err := f.fail(); err != nil {
		return scheduler.RegionForce{}, err
	}
	return f.Store.Force(ctx, region)
}
func (f *flaky) Forces(ctx context.Context) ([]scheduler.RegionForce, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.Forces(ctx)
}
func (f *flaky) PutForce(ctx context.Context, rf scheduler.RegionForce) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.PutForce(ctx, rf)
}
func (f *flaky) Changes(ctx context.Context, region string, d scheduler.Date) ([]scheduler.Change, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.Changes(ctx, region, d)
}
func (f *flaky) AddChange(ctx context.Context, region string, d scheduler.Date, c scheduler.Change) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.AddChange(ctx, region, d, c)
}
func (f *flaky) CachedPlan(ctx context.Context, region string, d scheduler.Date, v string) ([]byte, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.CachedPlan(ctx, region, d, v)
}
func (f *flaky) CachePlan(ctx context.Context, region string, d scheduler.Date, v string, p []byte) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.CachePlan(ctx, region, d, v, p)
}
func (f *flaky) Audit(ctx context.Context, r scheduler.AuditRecord) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Audit(ctx, r)
}
func (f *flaky) AuditLog(ctx context.Context, since time.Time, limit int) ([]scheduler.AuditRecord, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.AuditLog(ctx, since, limit)
}
func (f *flaky) Revoke(ctx context.Context, jti string, until time.Time) error {
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Revoke(ctx, jti, until)
}
func (f *flaky) Revoked(ctx context.Context, jti string) (bool, error) {
	if err := f.fail(); err != nil {
		return false, err
	}
	return f.Store.Revoked(ctx, jti)
}

func (f *flaky) DeletedMissions(ctx context.Context, region string) ([]scheduler.MissionRecord, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.DeletedMissions(ctx, region)
}
func (f *flaky) ForceHistory(ctx context.Context, region string) ([]scheduler.ForceEra, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	return f.Store.ForceHistory(ctx, region)
}

func newFlaky(t *testing.T) *flaky {
	t.Helper()
	b, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	return &flaky{Store: b}
}

func mustNew(t *testing.T, inner scheduler.Store, queue string) *Store {
	t.Helper()
	s, err := New(inner, Options{QueueFile: queue, Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduler.Store {
		return mustNew(t, newFlaky(t), filepath.Join(t.TempDir(), "audit-queue.jsonl"))
	})
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mission(id, region string, threat int) scheduler.MissionRecord {
	return scheduler.NewMissionRecord(scheduler.Mission{
		ID: id, Name: "Embassy " + id, Kind: "embassy", Lat: 38.9, Lon: -77.05, Threat: threat, Region: region,
	}, "seed", t0)
}

func audit(n int) scheduler.AuditRecord {
	return scheduler.AuditRecord{At: t0.Add(time.Duration(n) * time.Second), Actor: "admin:x", Role: "admin", Action: "read-plan", Region: "wfo", Target: "/v1/plans/wfo"}
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestOutage(t *testing.T) {
	ctx := context.Background()
	f := newFlaky(t)
	queue := filepath.Join(t.TempDir(), "audit-queue.jsonl")
	s := mustNew(t, f, queue)
	defer s.Close()
	d, _ := scheduler.ParseDate("2026-11-27")
	unread := d.AddDays(3)
	wfo, bos := scheduler.NewRegionForce("wfo"), scheduler.NewRegionForce("bos")
	if _, err := s.Seed(ctx, []scheduler.MissionRecord{mission("emb-a", "wfo", 3), mission("emb-b", "bos", 2)}, []scheduler.RegionForce{wfo, bos}); err != nil {
		t.Fatal(err)
	}
	if err := s.Prime(ctx); err != nil {
		t.Fatalf("Prime() = %v", err)
	}
	change := scheduler.Change{At: t0, Mission: "emb-a", Threat: 5}
	if err := s.AddChange(ctx, "wfo", d, change); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Changes(ctx, "wfo", d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateMission(ctx, "emb-a", func(r *scheduler.MissionRecord) error { r.Mission.Name = "Renamed"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, "jti-revoked", t0.Add(1000*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, audit(0)); err != nil {
		t.Fatal(err)
	}
	if got := s.Outage(); got.Down || got.QueuedAudit != 0 {
		t.Fatalf("Outage() before = %+v; want up, nothing queued", got)
	}

	f.down.Store(true)

	// Reads are answered from memory.
	ms, err := s.Missions(ctx, "wfo")
	if err != nil || len(ms) != 1 || ms[0].Mission.Name != "Renamed" {
		t.Errorf("Missions(wfo) during outage = %v, %v; want [Renamed]", ms, err)
	}
	if all, err := s.Missions(ctx, ""); err != nil || len(all) != 2 {
		t.Errorf("Missions(\"\") during outage = %d records, %v; want 2", len(all), err)
	}
	if m, err := s.Mission(ctx, "emb-b"); err != nil || m.Mission.ID != "emb-b" {
		t.Errorf("Mission(emb-b) during outage = %v, %v; want emb-b", m.Mission.ID, err)
	}
	if _, err := s.Mission(ctx, "emb-none"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("Mission(emb-none) during outage error = %v; want ErrNotFound", err)
	}
	if got, err := s.Force(ctx, "bos"); err != nil || got.Region != "bos" {
		t.Errorf("Force(bos) during outage = %v, %v; want bos", got.Region, err)
	}
	if fs, err := s.Forces(ctx); err != nil || len(fs) != 2 || fs[0].Region != "bos" {
		t.Errorf("Forces() during outage = %v, %v; want bos, wfo", fs, err)
	}
	if cs, err := s.Changes(ctx, "wfo", d); err != nil || !cmp.Equal(cs, []scheduler.Change{change}) {
		t.Errorf("Changes(wfo, %s) during outage = %v, %v; want %v", d, cs, err, []scheduler.Change{change})
	}
	if _, err := s.Changes(ctx, "wfo", unread); !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("Changes of a day never read during outage error = %v; want ErrUnavailable", err)
	}
	if ok, err := s.Revoked(ctx, "jti-revoked"); err != nil || !ok {
		t.Errorf("Revoked(jti-revoked) during outage = %v, %v; want true", ok, err)
	}
	if ok, err := s.Revoked(ctx, "jti-other"); err != nil || ok {
		t.Errorf("Revoked(jti-other) during outage = %v, %v; want false", ok, err)
	}
	if _, err := s.CachedPlan(ctx, "wfo", d, "v"); !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("CachedPlan during outage error = %v; want ErrUnavailable", err)
	}

	// Writes fail.
	writes := []struct {
		name string
		fn   func() error
	}{
		{"CreateMission", func() error { return s.CreateMission(ctx, mission("emb-c", "wfo", 1)) }},
		{"UpdateMission", func() error {
			_, err := s.UpdateMission(ctx, "emb-a", func(*scheduler.MissionRecord) error { return nil })
			return err
		}},
		{"DeleteMission", func() error { return s.DeleteMission(ctx, "emb-a") }},
		{"PutForce", func() error { return s.PutForce(ctx, wfo) }},
		{"AddChange", func() error { return s.AddChange(ctx, "wfo", d, change) }},
		{"Revoke", func() error { return s.Revoke(ctx, "jti-2", t0) }},
	}
	for _, tt := range writes {
		if err := tt.fn(); !errors.Is(err, scheduler.ErrUnavailable) {
			t.Errorf("%s during outage error = %v; want ErrUnavailable", tt.name, err)
		}
	}

	// Audit records queue on disk.
	for i := 1; i <= 5; i++ {
		if err := s.Audit(ctx, audit(i)); err != nil {
			t.Fatalf("Audit(%d) during outage = %v; want queued", i, err)
		}
	}
	if got := s.Outage(); !got.Down || got.QueuedAudit != 5 {
		t.Errorf("Outage() during = %+v; want down with 5 queued", got)
	}
	if q, err := os.ReadFile(queue); err != nil {
		t.Fatal(err)
	} else if recs, _ := readQueue(bytes.NewReader(q)); len(recs) != 5 {
		t.Errorf("queue file holds %d records; want 5", len(recs))
	}

	// The store returns: the queue drains in order.
	f.down.Store(false)
	waitFor(t, "the audit queue to drain", func() bool { o := s.Outage(); return !o.Down && o.QueuedAudit == 0 })
	log, err := s.AuditLog(ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []scheduler.AuditRecord{audit(0), audit(1), audit(2), audit(3), audit(4), audit(5)}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("AuditLog after recovery (-want +got):\n%s", diff)
	}
	if st, err := os.Stat(queue); err != nil || st.Size() != 0 {
		t.Errorf("queue file after recovery: %v, %v; want empty", st, err)
	}
}

// TestOutageSkipsStore checks that, during an outage, reads answered from memory do not
// each wait for the store: only a probe now and then reaches it.
func TestOutageSkipsStore(t *testing.T) {
	ctx := context.Background()
	f := newFlaky(t)
	s, err := New(f, Options{QueueFile: filepath.Join(t.TempDir(), "q.jsonl"), Interval: time.Hour}) // no background probes
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Seed(ctx, nil, []scheduler.RegionForce{scheduler.NewRegionForce("wfo")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Prime(ctx); err != nil {
		t.Fatal(err)
	}
	f.down.Store(true)
	before := f.calls.Load()
	for i := 0; i < 1000; i++ {
		if _, err := s.Force(ctx, "wfo"); err != nil {
			t.Fatalf("Force(wfo) during outage = %v", err)
		}
	}
	if n := f.calls.Load() - before; n > 100 {
		t.Errorf("1000 reads during outage reached the store %d times; want a few probes", n)
	}
}

func TestQueueSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	f := newFlaky(t)
	queue := filepath.Join(t.TempDir(), "q.jsonl")
	f.down.Store(true)
	s := mustNew(t, f, queue)
	for i := 1; i <= 3; i++ {
		if err := s.Audit(ctx, audit(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Stop the flusher without closing the inner store (a crash, in effect).
	close(s.stop)
	<-s.done
	s.queue.close()

	// A torn last line, as a crash during a write leaves, is ignored.
	fh, err := os.OpenFile(queue, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	fh.WriteString(`{"at":"2026-`)
	fh.Close()

	f.down.Store(false)
	s2 := mustNew(t, f, queue)
	defer s2.Close()
	waitFor(t, "the queue of the earlier run to drain", func() bool { return s2.Outage().QueuedAudit == 0 })
	log, err := s2.AuditLog(ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]scheduler.AuditRecord{audit(1), audit(2), audit(3)}, log); diff != "" {
		t.Errorf("AuditLog after restart (-want +got):\n%s", diff)
	}
}

func TestQueueLocked(t *testing.T) {
	queue := filepath.Join(t.TempDir(), "q.jsonl")
	s := mustNew(t, newFlaky(t), queue)
	defer s.Close()
	if _, err := New(newFlaky(t), Options{QueueFile: queue}); err == nil {
		t.Errorf("New() on a queue file in use = nil error; want refused")
	}
}

// TestOutageKeepsPastInputs: the reads every plan of a begun day makes (the missions
// deleted since and the forces replaced since, so the past keeps its inputs) are answered
// from memory during an outage, as they were last read; a region never read is
// unavailable, not empty.
func TestOutageKeepsPastInputs(t *testing.T) {
	ctx := context.Background()
	f := newFlaky(t)
	s := mustNew(t, f, filepath.Join(t.TempDir(), "audit-queue.jsonl"))
	defer s.Close()
	wfo, bos := scheduler.NewRegionForce("wfo"), scheduler.NewRegionForce("bos")
	if _, err := s.Seed(ctx, []scheduler.MissionRecord{mission("emb-a", "wfo", 3), mission("emb-b", "wfo", 2)}, []scheduler.RegionForce{wfo, bos}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMissionAt(ctx, "emb-b", t0); err != nil {
		t.Fatal(err)
	}
	wfo.Officers += 10
	if err := s.ReplaceForce(ctx, wfo, t0, nil); err != nil {
		t.Fatal(err)
	}
	gone, err := s.DeletedMissions(ctx, "wfo")
	if err != nil || len(gone) != 1 {
		t.Fatalf("DeletedMissions(wfo) = %v, %v; want emb-b", gone, err)
	}
	// The history is not read before the outage: the change itself leaves it in memory.

	f.down.Store(true)
	if got, err := s.DeletedMissions(ctx, "wfo"); err != nil || len(got) != 1 || got[0].Mission.ID != "emb-b" {
		t.Errorf("DeletedMissions(wfo) during outage = %v, %v; want emb-b as read before", got, err)
	}
	if got, err := s.ForceHistory(ctx, "wfo"); err != nil || len(got) != 1 {
		t.Errorf("ForceHistory(wfo) during outage = %v, %v; want the one era read before", got, err)
	}
	if _, err := s.DeletedMissions(ctx, "bos"); !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("DeletedMissions(bos) never read, during outage: %v; want ErrUnavailable", err)
	}
	if _, err := s.ForceHistory(ctx, "bos"); !errors.Is(err, scheduler.ErrUnavailable) {
		t.Errorf("ForceHistory(bos) never read, during outage: %v; want ErrUnavailable", err)
	}
}
