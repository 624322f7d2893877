package scheduler_test

import (
	"fmt"
	"math/rand/v2"
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

// TestWFOTargets measures 56 days of the shipped wfo inputs (DESIGN.md §4) for one key,
// with the shipped force and with 36 vehicle units.
//
// With the shipped force (20 vehicle, 4 foot units) compliance and the live adversary's
// targets hold, but the force cannot buy both the randomization floors and the visits the
// high-value missions need: the historical ratio stays near 0.89, the minimax ratio near
// 2.5, and the shuffled baseline's D=60 and historical interception stay above Vigil's.
// With 36 vehicle units everything but the minimax ratio (about 1.35–1.45) holds. The
// bounds below assert what holds and guard the rest against regressions.
func TestWFOTargets(t *testing.T) {
	shipped := wfoInputs(t)
	more := wfoInputs(t)
	more.Force.Units = map[scheduler.Mode]int{scheduler.Vehicle: 36, scheduler.Foot: 4}
	more.Force.Officers = scheduler.OfficersNeeded(more.Force, 8) * 2
	tests := []struct {
		name string
		in   scheduler.Inputs
		// minHistorical is the least historical ratio; maxMinimax the largest minimax ratio.
		minHistorical, maxMinimax float64
		// beatShuffled lists the measures where Vigil must intercept more than shuffled.
		beatShuffled []string
	}{
		{"shipped", shipped, 0.85, 2.8, []string{"15", "30"}},
		{"36 vehicles", more, 0.9, 1.5, []string{"historical", "15", "30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vigil, shuffled := measureWFO(t, tt.in, []byte("vigil-test-key-1"))
			t.Logf("vigil:    %s", reportLine(vigil))
			t.Logf("shuffled: %s", reportLine(shuffled))
			if vigil.Compliance != 1 {
				t.Errorf("compliance = %v; want 1", vigil.Compliance)
			}
			if r := vigil.Historical.Ratio; r < tt.minHistorical {
				t.Errorf("historical ratio = %.3f; want ≥ %v", r, tt.minHistorical)
			}
			for _, d := range []string{"15", "30", "60"} {
				if r := vigil.Live[d].Ratio; r < 0.9 {
					t.Errorf("live D=%s ratio = %.3f; want ≥ 0.9", d, r)
				}
			}
			if r := vigil.Minimax.Ratio; r > tt.maxMinimax {
				t.Errorf("minimax ratio = %.3f; want ≤ %v", r, tt.maxMinimax)
			}
			for _, m := range tt.beatShuffled {
				v, s := vigil.Historical.Interception, shuffled.Historical.Interception
				if m != "historical" {
					v, s = vigil.Live[m].Interception, shuffled.Live[m].Interception
				}
				if v <= s {
					t.Errorf("%s interception %.3f; want above shuffled %.3f", m, v, s)
				}
			}
		})
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
