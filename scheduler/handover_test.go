package scheduler_test

import (
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// TestHandoverCoversDayStart checks the handover (DESIGN.md §3, independently planned days)
// where units are few for a wide city: in mia (three missions, two vehicle units, sectors
// tens of minutes across) each unit ends a day at a mission drawn by value and the next
// day starts it there, so the most threatened mission is no longer left alone for the first
// half hour of every day. Without the handover, con-slovenia-mia had no presence between
// 07:00 and 07:30 on any of 28 days.
func TestHandoverCoversDayStart(t *testing.T) {
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatalf("fixtures.Default() error: %v", err)
	}
	in, err := ds.Inputs("mia")
	if err != nil {
		t.Fatalf("Inputs(mia) error: %v", err)
	}
	top := in.Missions[0]
	for _, m := range in.Missions {
		if m.Threat > top.Threat {
			top = m
		}
	}
	for _, key := range []string{"k1", "k2"} {
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(key), From: scheduler.Date{Year: 2026, Month: 11, Day: 27}, Days: 28})
		if err != nil {
			t.Fatalf("PlanDays(mia, key %q) error: %v", key, err)
		}
		if vs := scheduler.Verify(in, p); len(vs) > 0 {
			t.Fatalf("key %q: %d violations, first %v", key, len(vs), vs[0])
		}
		covered := 0
		for _, d := range p.ServiceDays {
			end := d.Start.Add(30 * time.Minute)
			found := false
			for _, rt := range d.Routes {
				for _, v := range rt.Visits {
					found = found || v.Mission == top.ID && v.Arrive.Before(end)
				}
			}
			if found {
				covered++
			}
		}
		if covered < len(p.ServiceDays)/2 {
			t.Errorf("key %q: %s visited in the first 30 minutes of %d of %d days; want at least half", key, top.ID, covered, len(p.ServiceDays))
		}
		t.Logf("key %q: %s visited in the first 30 minutes of %d of %d days", key, top.ID, covered, len(p.ServiceDays))
	}
}
