package scheduler

import (
	"bytes"
	"testing"
)

// TestPlanJSONCarriesPolicy checks that plan JSON declares the randomization floor in
// effect (DESIGN.md §5 policy.visits_per_max_gap) and that the measure reads it back.
func TestPlanJSONCarriesPolicy(t *testing.T) {
	for _, k := range []float64{0, 2} {
		in := synthInputs(t, 42, 6, 1, 2, 0, "America/New_York")
		in.Force.Randomization.VisitsPerMaxGap = k
		p := mustPlan(t, in, testKey, Date{2026, 11, 27}, 1)
		want := []byte(`"policy":{"visits_per_max_gap":` + map[float64]string{0: "0", 2: "2"}[k] + `}`)
		if b := mustJSON(t, p); !bytes.Contains(b, want) {
			t.Errorf("k=%g: plan JSON lacks %s", k, want)
		}
		if got := planFloor(p); got != k {
			t.Errorf("k=%g: planFloor = %g", k, got)
		}
	}
}
