package scheduler_test

import (
	"fmt"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// dstKeys are the master keys the clock-edge tests plan with.
var dstKeys = [][]byte{
	[]byte("dst-master-key-0-0123456789abcde"),
	[]byte("dst-master-key-1-0123456789abcde"),
	[]byte("dst-master-key-2-0123456789abcde"),
}

// phoenixInputs is a small mission set for the Phoenix office (no fixture region uses
// America/Phoenix, which keeps standard time all year).
func phoenixInputs(t *testing.T, ds *fixtures.Dataset) scheduler.Inputs {
	t.Helper()
	o, ok := ds.Offices["phx"]
	if !ok || o.TZ != "America/Phoenix" {
		t.Fatalf("offices.csv has no phx office in America/Phoenix: %+v", o)
	}
	f := scheduler.NewRegionForce("phx")
	f.Units = map[scheduler.Mode]int{scheduler.Vehicle: 4, scheduler.Foot: 1}
	in := scheduler.Inputs{Office: o, Force: f}
	posts := 0
	for i := 0; i < 10; i++ {
		m := scheduler.Mission{
			ID: fmt.Sprintf("phx-m-%02d", i), Name: fmt.Sprintf("Phoenix mission %d", i), Kind: "consulate",
			Lat: o.Lat + float64(i%4-2)*0.012, Lon: o.Lon + float64(i%5-2)*0.015, Threat: 1 + i%5, Region: "phx",
		}
		in.Missions = append(in.Missions, m)
		posts += m.Posts(f.Profiles)
	}
	in.Force.Officers = scheduler.Positions(in.Force, posts)*scheduler.RotationDays(len(f.Shifts)) + 5
	return in
}

// TestClockEdges plans the shipped regions across the nights the clocks change in the
// United States (service days 2026-10-31, 25 hours where clocks fall back, and
// 2027-03-13, 23 hours where they spring forward) and a Phoenix region that never
// changes, with several keys: every plan keeps every hard rule (Verify), and each service
// day is as long as the clocks make it.
func TestClockEdges(t *testing.T) {
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	type region struct {
		name string
		in   scheduler.Inputs
	}
	var regions []region
	for _, r := range ds.Regions() {
		in, err := ds.Inputs(r)
		if err != nil {
			t.Fatalf("Inputs(%s): %v", r, err)
		}
		regions = append(regions, region{r, in})
	}
	regions = append(regions, region{"phx", phoenixInputs(t, ds)})
	edges := []struct {
		from scheduler.Date // planned for 3 days: the day before, the edge, the day after
		edge scheduler.Date
	}{
		{scheduler.Date{Year: 2026, Month: 10, Day: 30}, scheduler.Date{Year: 2026, Month: 10, Day: 31}},
		{scheduler.Date{Year: 2027, Month: 3, Day: 12}, scheduler.Date{Year: 2027, Month: 3, Day: 13}},
	}
	seen := map[string]bool{}
	for _, rg := range regions {
		loc := rg.in.Office.Location
		for _, e := range edges {
			// The hours of the edge day follow from the zone: 25/23 where clocks change.
			s, end := scheduler.ServiceDayBounds(e.edge, rg.in.Force.Shifts, loc)
			hours := end.Sub(s).Hours()
			seen[fmt.Sprintf("%s %.0fh", rg.in.Office.TZ, hours)] = true
			for k, master := range dstKeys {
				if testing.Short() && k > 0 {
					break
				}
				t.Run(fmt.Sprintf("%s/%s/key%d", rg.name, e.edge, k), func(t *testing.T) {
					p, err := scheduler.PlanDays(rg.in, scheduler.PlanOptions{Key: scheduler.PlanKey(master), From: e.from, Days: 3})
					if err != nil {
						t.Fatalf("PlanDays(%s, %s, 3 days) error: %v", rg.name, e.from, err)
					}
					if vs := scheduler.Verify(rg.in, p); len(vs) > 0 {
						t.Fatalf("Verify(%s from %s) = %v; want none", rg.name, e.from, vs)
					}
					sd := p.ServiceDays[1]
					if got := sd.End.Sub(sd.Start).Hours(); got != hours {
						t.Errorf("%s service day %s lasts %v h; want %v", rg.name, sd.Date, got, hours)
					}
					for _, r := range sd.Routes {
						if r.Start.Before(sd.Start) || r.End.After(sd.End) {
							t.Errorf("%s %s route %s %s runs %s–%s outside its day %s–%s", rg.name, sd.Date, r.Unit, r.Shift,
								r.Start.Format(time.RFC3339), r.End.Format(time.RFC3339), sd.Start.Format(time.RFC3339), sd.End.Format(time.RFC3339))
						}
					}
				})
			}
		}
	}
	// The fixtures and Phoenix between them cover both kinds of day.
	for _, want := range []string{"America/New_York 25h", "America/New_York 23h", "Pacific/Honolulu 24h", "America/Phoenix 24h"} {
		if !seen[want] {
			t.Errorf("no region planned a %s service day; regions seen: %v", want, seen)
		}
	}
}
