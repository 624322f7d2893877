package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

func wfoInputs(tb testing.TB) scheduler.Inputs {
	tb.Helper()
	ds, err := fixtures.Default()
	if err != nil {
		tb.Fatalf("fixtures.Default() error: %v", err)
	}
	in, err := ds.Inputs("wfo")
	if err != nil {
		tb.Fatalf("Inputs(wfo) error: %v", err)
	}
	return in
}

var wfoFrom = scheduler.Date{Year: 2026, Month: 11, Day: 2}

// measureWFO plans 56 days of in with key and measures the plan and its shuffled baseline.
func measureWFO(tb testing.TB, in scheduler.Inputs, key []byte) (vigil, shuffled scheduler.Report) {
	tb.Helper()
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: key, From: wfoFrom, Days: 56})
	if err != nil {
		tb.Fatalf("PlanDays(wfo, 56 days) error: %v", err)
	}
	vigil, err = scheduler.Measure(p, scheduler.MeasureOptions{Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		tb.Fatalf("Measure(vigil) error: %v", err)
	}
	sp, err := scheduler.ShuffledBaseline(p, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		tb.Fatalf("ShuffledBaseline error: %v", err)
	}
	shuffled, err = scheduler.Measure(sp, scheduler.MeasureOptions{Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		tb.Fatalf("Measure(shuffled) error: %v", err)
	}
	return vigil, shuffled
}

func reportLine(r scheduler.Report) string {
	s := fmt.Sprintf("compliance %.4f historical %.3f/%.3f=%.3f", r.Compliance, r.Historical.Interception, r.Historical.RandomWindow, r.Historical.Ratio)
	for _, d := range []string{"15", "30", "60"} {
		l := r.Live[d]
		s += fmt.Sprintf(" live%s %.3f/%.3f=%.3f", d, l.Interception, l.MemorylessReference, l.Ratio)
	}
	return s + fmt.Sprintf(" minimax %.3f/%.3f=%.3f", r.Minimax.Worst, r.Minimax.Optimum, r.Minimax.Ratio)
}

// TestWFOTargets measures 56 days of the shipped wfo inputs (26 vehicle and 4 foot units,
// about 2,790 visits a day) for three keys against the Planner's targets (DESIGN.md §4):
// compliance 1, historical ratio ≥ 0.9, live ratio ≥ 0.9 for each D, minimax ratio ≤ 1.25,
// and Vigil's interception above the shuffled baseline's on the historical adversary and
// the live adversary at each D.
func TestWFOTargets(t *testing.T) {
	in := wfoInputs(t)
	for _, key := range []string{"vigil-test-key-1", "vigil-test-key-2", "vigil-test-key-3"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			checkWFOTargets(t, in, []byte(key))
		})
	}
}

// checkWFOTargets is TestWFOTargets for one key.
func checkWFOTargets(t *testing.T, in scheduler.Inputs, key []byte) {
	t.Helper()
	vigil, shuffled := measureWFO(t, in, key)
	t.Logf("vigil:    %s", reportLine(vigil))
	t.Logf("shuffled: %s", reportLine(shuffled))
	if vigil.Compliance != 1 {
		t.Errorf("compliance = %v; want 1", vigil.Compliance)
	}
	if r := vigil.Historical.Ratio; r < 0.9 {
		t.Errorf("historical ratio = %.3f; want ≥ 0.9", r)
	}
	for _, d := range []string{"15", "30", "60"} {
		if r := vigil.Live[d].Ratio; r < 0.9 {
			t.Errorf("live D=%s ratio = %.3f; want ≥ 0.9", d, r)
		}
	}
	if r := vigil.Minimax.Ratio; r > 1.25 {
		t.Errorf("minimax ratio = %.3f; want ≤ 1.25", r)
	}
	// The plan declares the floor it kept and delivers it (DESIGN.md §4.4).
	if k := vigil.Minimax.VisitsPerMaxGap; k != in.Force.Randomization.VisitsPerMaxGap || len(vigil.Minimax.BelowFloor) > 0 {
		t.Errorf("floor %g (policy %g), below it: %v; want the policy kept and delivered", k, in.Force.Randomization.VisitsPerMaxGap, vigil.Minimax.BelowFloor)
	}
	for _, measure := range []string{"historical", "15", "30", "60"} {
		v, s := vigil.Historical.Interception, shuffled.Historical.Interception
		if measure != "historical" {
			v, s = vigil.Live[measure].Interception, shuffled.Live[measure].Interception
		}
		if v <= s {
			t.Errorf("%s interception %.3f; want above shuffled %.3f", measure, v, s)
		}
	}
}

// TestWFOZones checks the zoning of the shipped wfo inputs (DESIGN.md §2, Foundation
// issue): every mission in exactly one zone, and the workload per vehicle unit of each
// zone within ±25 % of the mean across the zones (the Foundation issue). The reported
// workload is that of the profile minimums (DESIGN.md §5); the zones are cut so that it
// and the visits the allocation plans by value are balanced per unit at once. Units are
// counted as the vehicle units working the zone: the 4 foot units are placed on top (one
// or two a zone, where walking works) and cover only part of a zone's work. Measured with
// key "zones" (issue 19): the three zones' minimum workload per vehicle unit is 0.95, 0.96
// and 1.09 × the mean, so the test holds it within ±15 %, tighter than the ±25 % asked.
func TestWFOZones(t *testing.T) {
	in := wfoInputs(t)
	zs, err := scheduler.Zones(in)
	if err != nil {
		t.Fatalf("Zones(wfo) error: %v", err)
	}
	seen := map[string]int{}
	for _, z := range zs {
		for _, id := range z.Sites {
			seen[id]++
		}
	}
	for _, m := range in.Missions {
		if seen[m.ID] != 1 {
			t.Errorf("mission %s is in %d zones; want 1", m.ID, seen[m.ID])
		}
	}
	if len(seen) != len(in.Missions) || len(in.Missions) != 177 {
		t.Errorf("zones hold %d missions of %d; want all 177", len(seen), len(in.Missions))
	}
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("zones"), From: wfoFrom, Days: 1})
	if err != nil {
		t.Fatalf("PlanDays(wfo) error: %v", err)
	}
	vehicles := map[string]map[string]bool{}
	for _, r := range p.ServiceDays[0].Routes {
		if r.Mode == scheduler.Vehicle {
			if vehicles[r.Zone] == nil {
				vehicles[r.Zone] = map[string]bool{}
			}
			vehicles[r.Zone][r.Unit] = true
		}
	}
	per := map[string]float64{}
	mean := 0.0
	for _, z := range zs {
		n := len(vehicles[z.ID])
		if n == 0 {
			t.Fatalf("zone %s has no vehicle unit", z.ID)
		}
		per[z.ID] = z.WorkloadMinutes / float64(n)
		mean += per[z.ID] / float64(len(zs))
	}
	for id, w := range per {
		if w < 0.85*mean || w > 1.15*mean {
			t.Errorf("zone %s workload per vehicle unit %.0f min; want within ±15 %% of the mean %.0f", id, w, mean)
		}
	}
}

func BenchmarkPlanWFODay(b *testing.B) {
	in := wfoInputs(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlanWFO56Days(b *testing.B) {
	in := wfoInputs(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 56}); err != nil {
			b.Fatal(err)
		}
	}
}

// bigInputs returns a synthetic region of n missions spread over a metro area of about
// 60 × 60 km with the given vehicle units.
func bigInputs(tb testing.TB, n, vehicles int) scheduler.Inputs {
	tb.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5000, 400))
	f := scheduler.NewRegionForce("big")
	f.Units = map[scheduler.Mode]int{scheduler.Vehicle: vehicles, scheduler.Foot: 0}
	in := scheduler.Inputs{Office: scheduler.Office{ID: "big", TZ: "America/New_York", Location: loc}, Force: f}
	for i := 0; i < n; i++ {
		th := 1 + r.IntN(2)
		if r.Float64() < 0.05 {
			th = 3
		}
		in.Missions = append(in.Missions, scheduler.Mission{
			ID: fmt.Sprintf("m-%05d", i), Name: "m", Kind: "mission", Region: "big", Threat: th,
			Lat: 40.7 + (r.Float64()-0.5)*0.55, Lon: -74.0 + (r.Float64()-0.5)*0.7,
		})
	}
	in.Force.Officers = scheduler.Positions(in.Force, 0) * scheduler.RotationDays(3)
	return in
}

func BenchmarkPlan5000Missions(b *testing.B) {
	in := bigInputs(b, 5000, 400)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWFOEvenServicePerLevel checks the dispatch's delay correction: missions of one
// threat level without a post are planned the same visits, and a visit arrives when a unit
// can get there, later at a zone's edge than at its centre; the corrected dispatch draws
// each mission's gaps shorter by its measured delay, so realised mean gaps over 14 days stay
// within ±12 % of the level's mean. (Without the correction the level-3 missions of key "a"
// reach 1.23 × the mean.)
func TestWFOEvenServicePerLevel(t *testing.T) {
	in := wfoInputs(t)
	for _, key := range []string{"a", "b", "c"} {
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(key), From: wfoFrom, Days: 14})
		if err != nil {
			t.Fatalf("PlanDays(wfo, key %q) error: %v", key, err)
		}
		gaps := missionMeanGaps(p)
		for _, level := range []int{3, 4} {
			var ids []string
			sum := 0.0
			for _, m := range in.Missions {
				if m.Threat == level && m.Posts(in.Force.Profiles) == 0 {
					ids = append(ids, m.ID)
					sum += gaps[m.ID]
				}
			}
			if len(ids) < 5 {
				t.Fatalf("key %q level %d: %d missions without a post; want at least 5", key, level, len(ids))
			}
			mean := sum / float64(len(ids))
			for _, id := range ids {
				if r := gaps[id] / mean; r < 0.88 || r > 1.12 {
					t.Errorf("key %q: level-%d mission %s mean gap %.1f min = %.2f × the level's %.1f; want within ±12 %%", key, level, id, gaps[id], r, mean)
				}
			}
		}
	}
}

// missionMeanGaps returns each mission's mean gap (end of a presence to the start of the
// next, touching visits merged) over the plan, in minutes.
func missionMeanGaps(p *scheduler.Plan) map[string]float64 {
	type span struct{ a, b time.Time }
	by := map[string][]span{}
	for _, d := range p.ServiceDays {
		for _, rt := range d.Routes {
			for _, v := range rt.Visits {
				by[v.Mission] = append(by[v.Mission], span{v.Arrive, v.Depart})
			}
		}
	}
	out := map[string]float64{}
	for id, ss := range by {
		slices.SortFunc(ss, func(x, y span) int { return x.a.Compare(y.a) })
		var sum time.Duration
		n := 0
		end := ss[0].b
		for _, s := range ss[1:] {
			if !s.a.After(end) {
				end = later(end, s.b)
				continue
			}
			sum += s.a.Sub(end)
			n++
			end = s.b
		}
		if n > 0 {
			out[id] = sum.Minutes() / float64(n)
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestWFOEighteenVehicles plans wfo with 18 vehicles instead of 26 (issue 14: a force
// shrunk toward its minimum workload degrades smoothly): on three keys, 56 days, the plan
// keeps every hard rule (compliance 1), declares the floor it keeps (the policy's, or a
// lower one the force affords) and delivers it, and its worst mission's value × attack
// success at D = 30 is within 1.30 of the optimum under that floor. Before issue 14 the
// ratio was 2.70 on this force.
func TestWFOEighteenVehicles(t *testing.T) {
	if testing.Short() {
		t.Skip("three 56-day plans of wfo")
	}
	in := wfoInputs(t)
	units := map[scheduler.Mode]int{}
	for m, n := range in.Force.Units {
		units[m] = n
	}
	units[scheduler.Vehicle] = 18
	in.Force.Units = units
	for _, key := range []string{"vigil-test-key-1", "vigil-test-key-2", "vigil-test-key-3"} {
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(key), From: wfoFrom, Days: 56})
			if err != nil {
				t.Fatalf("PlanDays(wfo with 18 vehicles) error: %v", err)
			}
			rep, err := scheduler.Measure(p, scheduler.MeasureOptions{Rand: rand.New(rand.NewPCG(1, 2))})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s; floor %g", key, reportLine(rep), p.Policy.VisitsPerMaxGap)
			if rep.Compliance != 1 {
				t.Errorf("compliance %v; want 1", rep.Compliance)
			}
			if k := p.Policy.VisitsPerMaxGap; k > in.Force.Randomization.VisitsPerMaxGap || k <= 0 || rep.Minimax.VisitsPerMaxGap != k {
				t.Errorf("declared floor %g, measured under %g (policy %g); want one floor in (0, policy]", k, rep.Minimax.VisitsPerMaxGap, in.Force.Randomization.VisitsPerMaxGap)
			}
			if len(rep.Minimax.BelowFloor) > 0 {
				t.Errorf("below the declared floor: %v; want none", rep.Minimax.BelowFloor)
			}
			if r := rep.Minimax.Ratio; r > 1.30 {
				t.Errorf("minimax ratio %.3f; want ≤ 1.30", r)
			}
		})
	}
}
