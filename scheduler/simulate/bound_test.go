package simulate

import (
	"math"
	"testing"
	"time"

	"vigil/scheduler"
)

// boundPlan is one 1,440-minute service day with one unit visiting two missions (values
// vHigh and 1) alternately every 60 minutes for 10 minutes each.
func boundPlan(vHigh float64) *scheduler.Plan {
	t0 := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	r := scheduler.Route{Unit: "u1", Mode: scheduler.Vehicle, Shift: "day", Start: t0, End: t0.Add(24 * time.Hour)}
	for k := 0; k < 24; k++ {
		id := []string{"a", "b"}[k%2]
		a := t0.Add(time.Duration(k*60) * time.Minute)
		r.Visits = append(r.Visits, scheduler.Visit{Mission: id, Arrive: a, Depart: a.Add(10 * time.Minute)})
	}
	return &scheduler.Plan{
		Region: "x", Timezone: "UTC", From: "2026-11-02", Days: 1,
		Missions: []scheduler.PlanMission{
			{ID: "a", Value: vHigh, VisitsPerDay: 2, MaxGapMinutes: 720},
			{ID: "b", Value: 1, VisitsPerDay: 2, MaxGapMinutes: 720},
		},
		ServiceDays: []scheduler.ServiceDay{{Date: "2026-11-02", Start: t0, End: t0.Add(24 * time.Hour), Routes: []scheduler.Route{r}}},
	}
}

// TestMemorylessBoundTwoMissions: with equal values the plan's even split is already the
// best; with one mission worth 8 the bound moves presences to it and matches a brute
// force over every split of the same minutes; the floor (here 6 visits per max gap,
// 12 a day each) binds the split and raises the bound.
func TestMemorylessBoundTwoMissions(t *testing.T) {
	const d = 30
	b, own := MemorylessBound(boundPlan(1), d, 0)
	if math.Abs(b-own) > 1e-9 {
		t.Errorf("equal values: bound %.6f, as planned %.6f; want equal (12 + 12 is the best split)", b, own)
	}

	p := boundPlan(8)
	b, own = MemorylessBound(p, d, 0)
	// 24 presences of 10 minutes, 50 minutes between: each costs 60 of 1,440 minutes.
	best := math.Inf(1)
	for na := 2; na <= 22; na++ {
		nb := 24 - na
		s := 8*math.Exp(-d/(1440/float64(na)-10)) + math.Exp(-d/(1440/float64(nb)-10))
		best = min(best, s/9)
	}
	if math.Abs(b-best) > 1e-9 || b >= own {
		t.Errorf("values 8 and 1: bound %.6f, brute force %.6f, as planned %.6f; want the bound equal to the brute force and below the plan", b, best, own)
	}
	floored, _ := MemorylessBound(p, d, 6)
	even := (8*math.Exp(-d/(1440.0/12-10)) + math.Exp(-d/(1440.0/12-10))) / 9
	if math.Abs(floored-even) > 1e-9 {
		t.Errorf("floor 6 per 720 min (12 a day each): bound %.6f; want the even split's %.6f", floored, even)
	}
}

// TestMemorylessBoundWFO: on a wfo run, at each D the bound under the plan's floor is no
// higher than the plan's own figure under the same model, and no lower than the bound
// without the floor.
func TestMemorylessBoundWFO(t *testing.T) {
	res := mustRun(t, mustInputs(t, "wfo"), Scenario{From: mustDate(t, "2026-11-27"), Days: 4, Train: 2})
	p := res.Plans.Vigil
	for _, d := range []int{15, 30, 60} {
		b, own := MemorylessBound(p, d, p.Policy.VisitsPerMaxGap)
		free, _ := MemorylessBound(p, d, 0)
		if b <= 0 || b > own+1e-9 || free > b+1e-9 {
			t.Errorf("D=%d: bound %.4f (no floor %.4f), as planned %.4f; want 0 < no floor ≤ bound ≤ as planned", d, b, free, own)
		}
	}
}

// TestRoundsAgainstBoundWFO reports, on wfo over 56 days, how far below `rounds` Vigil's
// value-weighted attack success is at each D and how far the memoryless bound with the
// same unit minutes (MemorylessBound) could be, with the declared floor and without
// (BENCHMARKS.md, "Against rounds"). It asserts that rounds is above the bound and that
// Vigil is within 5 % of it at D = 30, the attack length its allocation is computed for.
func TestRoundsAgainstBoundWFO(t *testing.T) {
	if testing.Short() {
		t.Skip("56 service days of wfo")
	}
	seed, err := ParseSeed("5eed")
	if err != nil {
		t.Fatal(err)
	}
	res := mustRun(t, mustInputs(t, "wfo"), Scenario{From: mustDate(t, "2026-11-27"), Days: 56, Seed: seed})
	p := res.Plans.Vigil
	for _, d := range []int{15, 30, 60} {
		key := liveKey(d)
		vig := res.Planners.Vigil.Live[key].WeightedSuccess
		rnd := res.Planners.Rounds.Live[key].WeightedSuccess
		b, _ := MemorylessBound(p, d, p.Policy.VisitsPerMaxGap)
		free, _ := MemorylessBound(p, d, 0)
		t.Logf("D=%d: Vigil %.3f (%.0f %% below rounds %.3f); memoryless bound %.3f with floor %g (%.0f %% below), %.3f without (%.0f %% below)",
			d, vig, 100*(1-vig/rnd), rnd, b, p.Policy.VisitsPerMaxGap, 100*(1-b/rnd), free, 100*(1-free/rnd))
		if rnd <= free {
			t.Errorf("D=%d: rounds %.3f at or below the memoryless bound %.3f", d, rnd, free)
		}
		if d == 30 && vig > 1.05*b {
			t.Errorf("D=30: Vigil %.3f more than 5 %% above the memoryless bound %.3f", vig, b)
		}
	}
}
