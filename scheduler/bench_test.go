package scheduler_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"vigil/scheduler"
	"vigil/scheduler/synth"
)

// benchSizes are the mission counts of the scale benchmarks: the shipped wfo region
// (n=177) and synthetic regions (synth.Inputs) of 1,000, 5,000 and 20,000 missions.
var benchSizes = []int{177, 1000, 5000, 20000}

var (
	benchMu     sync.Mutex
	benchInputs = map[int]scheduler.Inputs{}
	benchPlans  = map[int]*scheduler.Plan{}
)

// scaleInputs returns the wfo inputs for n = 177 and synth.Inputs(n) otherwise, made once.
func scaleInputs(b *testing.B, n int) scheduler.Inputs {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if in, ok := benchInputs[n]; ok {
		return in
	}
	var in scheduler.Inputs
	if n == 177 {
		in = wfoInputs(b)
	} else {
		var err error
		if in, err = synth.Inputs(n); err != nil {
			b.Fatalf("synth.Inputs(%d) error: %v", n, err)
		}
	}
	benchInputs[n] = in
	return in
}

// measurePlan returns a two-day plan of scaleInputs(n) for the measure benchmark, made once.
func measurePlan(b *testing.B, n int) *scheduler.Plan {
	b.Helper()
	in := scaleInputs(b, n)
	benchMu.Lock()
	defer benchMu.Unlock()
	if p, ok := benchPlans[n]; ok {
		return p
	}
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 2})
	if err != nil {
		b.Fatalf("PlanDays(n=%d, 2 days) error: %v", n, err)
	}
	benchPlans[n] = p
	return p
}

// reportScale reports the per-mission time and the memory the Go runtime holds from the
// OS (MemStats.Sys, a ceiling on the peak heap so far in the process).
func reportScale(b *testing.B, n int) {
	b.Helper()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/mission")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
}

// BenchmarkZones partitions a region into zones and places its units (Zones).
func BenchmarkZones(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			in := scaleInputs(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scheduler.Zones(in); err != nil {
					b.Fatal(err)
				}
			}
			reportScale(b, n)
		})
	}
}

// BenchmarkPlanDay plans one service day (zoning, allocation, dispatch, staffing and
// Verify). Targets: n=177 ≤ 50 ms, n=5000 ≤ 3 s, n=20000 ≤ 15 s.
func BenchmarkPlanDay(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			in := scaleInputs(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 1}); err != nil {
					b.Fatal(err)
				}
			}
			reportScale(b, n)
		})
	}
}

// BenchmarkPlan56Days plans 56 service days of wfo, the measures' usual horizon.
func BenchmarkPlan56Days(b *testing.B) {
	in := scaleInputs(b, 177)
	b.Run("n=177", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 56}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMeasureDay measures one service day (a two-day plan, one training day) with
// every measure and 100 incidents.
func BenchmarkMeasureDay(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			p := measurePlan(b, n)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				opt := scheduler.MeasureOptions{Train: 1, Incidents: 100, Rand: rand.New(rand.NewPCG(uint64(i), 1))}
				if _, err := scheduler.Measure(p, opt); err != nil {
					b.Fatal(err)
				}
			}
			reportScale(b, n)
		})
	}
}

// BenchmarkMeasure56Days measures a 56-day wfo plan (28 training days) with every measure.
func BenchmarkMeasure56Days(b *testing.B) {
	in := scaleInputs(b, 177)
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 56})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("n=177", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			opt := scheduler.MeasureOptions{Incidents: 100, Rand: rand.New(rand.NewPCG(uint64(i), 1))}
			if _, err := scheduler.Measure(p, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
