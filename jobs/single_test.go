package jobs

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"go.uber.org/goleak"

	"vigil/api"
	"vigil/fixtures"
	"vigil/scheduler"
	"vigil/scheduler/boltstore"
)

// fakeService records what the jobs ask of the service and answers PlannedVisits with
// fixed visits.
type fakeService struct {
	visits []api.PlannedVisit

	mu        sync.Mutex
	planned   []string // region/date of every PlanDay
	published []string // type/unit-or-shift of every Publish
}

func (s *fakeService) PlanDay(_ context.Context, region string, d scheduler.Date) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.planned = append(s.planned, region+"/"+d.String())
	return nil
}

func (s *fakeService) PlannedVisits(context.Context, string, scheduler.Date) ([]api.PlannedVisit, error) {
	return s.visits, nil
}

// shippedInputs loads the shipped fixtures once for the fake service.
var shippedInputs = sync.OnceValues(fixtures.Default)

// DutyRoster answers with the roster of the shipped inputs.
func (s *fakeService) DutyRoster(_ context.Context, region string, d scheduler.Date) (scheduler.DayDuty, error) {
	ds, err := shippedInputs()
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	in, err := ds.Inputs(region)
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	return scheduler.DutyRosterOf(in, d)
}

func (s *fakeService) Publish(_ context.Context, _, typ string, _ []string, data any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch d := data.(type) {
	case missedVisit:
		s.published = append(s.published, typ+"/"+d.Unit+"/"+d.Arrive.Format("15:04"))
	case map[string]any:
		s.published = append(s.published, typ+"/"+d["shift"].(string))
	}
}

func (s *fakeService) calls() (planned, published []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.planned), slices.Clone(s.published)
}

// TestJobsOneReplica runs one replica's jobs without a locker on a fake clock and a fake
// service: pregen plans the day about to start PregenLead before its first shift, the
// sweep announces a missed visit once however often it runs, and the release job plans
// the day and announces the day shift at its release time.
func TestJobsOneReplica(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ds, store := seedBolt(t)
	loc := ds.Offices["bos"].Location
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, loc) }
	svc := &fakeService{visits: []api.PlannedVisit{
		{Unit: "missed", Arrive: at(4, 30)},                   // due 04:45: missed by 05:00
		{Unit: "done", Arrive: at(4, 20), Done: true},         // checked in
		{Unit: "not-yet", Arrive: at(4, 50)},                  // due 05:05
		{Unit: "too-old", Arrive: at(3, 0).Add(-time.Minute)}, // due 03:14, before CatchUp
	}}
	fc := clockwork.NewFakeClockAt(at(4, 59).Add(30 * time.Second))
	j, err := Start(context.Background(), Config{Service: svc, Store: store, Offices: ds.Offices, Clock: fc, Regions: []string{"bos"}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Stop()
	time.Sleep(50 * time.Millisecond) // the scheduler arms its timers
	fc.Advance(30 * time.Second)      // 05:00: pregen (07:00 − 2 h) and a sweep
	waitFor(t, "the 05:00 runs", func() bool {
		planned, published := svc.calls()
		return len(planned) == 1 && len(published) == 1
	})
	fc.Advance(time.Minute) // 05:01: another sweep finds nothing new
	time.Sleep(100 * time.Millisecond)
	planned, published := svc.calls()
	if want := []string{"bos/2026-11-27"}; !slices.Equal(planned, want) {
		t.Errorf("days planned by 05:01 = %v; want %v (pregen of the day starting at 07:00)", planned, want)
	}
	if want := []string{api.EventMissedVisit + "/missed/04:30"}; !slices.Equal(published, want) {
		t.Errorf("events by 05:01 = %v; want %v", published, want)
	}
	fc.Advance(59 * time.Minute) // 06:00: the day shift (07:00) is released
	waitFor(t, "the 06:00 release", func() bool {
		_, published := svc.calls()
		return len(published) >= 3
	})
	time.Sleep(100 * time.Millisecond)
	planned, published = svc.calls()
	if want := []string{api.EventMissedVisit + "/missed/04:30", api.EventMissedVisit + "/not-yet/04:50", api.EventShiftReleased + "/day"}; !sameSet(published, want) {
		t.Errorf("events by 06:00 = %v; want %v", published, want)
	}
	if n := len(planned); n != 2 || planned[1] != "bos/2026-11-27" {
		t.Errorf("days planned by 06:00 = %v; want pregen's and the release's, both 2026-11-27", planned)
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// seedBolt returns the fixtures and an embedded store seeded with the bos force.
func seedBolt(t *testing.T) (*fixtures.Dataset, scheduler.Store) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ds, _ := seedBos(t, st)
	return ds, st
}
