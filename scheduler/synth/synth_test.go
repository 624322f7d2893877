package synth_test

import (
	"reflect"
	"sort"
	"testing"

	"vigil/scheduler"
	"vigil/scheduler/synth"
)

// TestInputs checks that a generated region is deterministic, has the missions asked for
// sorted by id, and a force that passes the check at about Ratio × the minimums.
func TestInputs(t *testing.T) {
	tests := []struct{ n int }{{177}, {1000}}
	for _, tt := range tests {
		in, err := synth.Inputs(tt.n)
		if err != nil {
			t.Fatalf("Inputs(%d) error: %v", tt.n, err)
		}
		if len(in.Missions) != tt.n {
			t.Errorf("Inputs(%d) has %d missions; want %d", tt.n, len(in.Missions), tt.n)
		}
		if !sort.SliceIsSorted(in.Missions, func(a, b int) bool { return in.Missions[a].ID < in.Missions[b].ID }) {
			t.Errorf("Inputs(%d) missions are not sorted by id", tt.n)
		}
		h, err := scheduler.CheckRegion(in, scheduler.TravelModel(in.Force))
		if err != nil {
			t.Errorf("CheckRegion(Inputs(%d)) error: %v", tt.n, err)
		}
		if r := h.Ratio(); r < synth.Ratio || r > synth.Ratio*1.2 {
			t.Errorf("Inputs(%d) headroom %.2f×; want %v× to 1.2 × that", tt.n, r, synth.Ratio)
		}
		again, err := synth.Inputs(tt.n)
		if err != nil || !reflect.DeepEqual(in.Missions, again.Missions) || !reflect.DeepEqual(in.Force, again.Force) {
			t.Errorf("Inputs(%d) is not deterministic", tt.n)
		}
	}
	if _, err := synth.Inputs(0); err == nil {
		t.Errorf("Inputs(0) error = nil; want an error")
	}
}
