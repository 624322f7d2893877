package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
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
	if v := os.Getenv("VIGIL_WFO_VEHICLES"); v != "" {
		n, _ := strconv.Atoi(v)
		in.Force.Units[scheduler.Vehicle] = n
		in.Force.Officers = 1000
	}
	return in
}

var wfoFrom = scheduler.Date{Year: 2026, Month: 11, Day: 2}

// measureWFO plans 56 days of wfo with key and measures the plan and the shuffled baseline.
func measureWFO(tb testing.TB, key []byte) (vigil, shuffled scheduler.Report) {
	tb.Helper()
	in := wfoInputs(tb)
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
	s += fmt.Sprintf(" minimax %.3f/%.3f=%.3f onsite %.3f km/visit %.2f", r.Minimax.Worst, r.Minimax.Optimum, r.Minimax.Ratio, r.Efficiency.OnSiteShare, r.Efficiency.KmPerVisit)
	return s
}

// TestWFOTargets checks the §4 targets on 56 days of the shipped wfo inputs.
func TestWFOTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("56-day measure of wfo: skipped with -short")
	}
	vigil, shuffled := measureWFO(t, []byte("vigil-test-key-1"))
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
		if v, s := vigil.Live[d].Interception, shuffled.Live[d].Interception; v <= s {
			t.Errorf("live D=%s interception %.3f; want above shuffled %.3f", d, v, s)
		}
	}
	if r := vigil.Minimax.Ratio; r > 1.25 {
		t.Errorf("minimax ratio = %.3f; want ≤ 1.25", r)
	}
	if v, s := vigil.Historical.Interception, shuffled.Historical.Interception; v <= s {
		t.Errorf("historical interception %.3f; want above shuffled %.3f", v, s)
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
