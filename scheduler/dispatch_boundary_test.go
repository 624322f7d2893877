package scheduler

import (
	"math/rand/v2"
	"testing"
)

// TestDayBoundaryWithinHalfCap checks the boundary of a service day against the cap a
// mission's gaps are drawn under (DESIGN.md §3 boundary contract, held tighter): the first
// due time of a day lies within half the cap of its start and the last presence must end
// within half the cap of its end, so the gap across two independently planned days is no
// longer than the gaps inside them. Half the max gap, the contract's own bound, would let
// a level-3 mission with a mean gap of 30 minutes (cap 150) go 240 minutes across midnight.
func TestDayBoundaryWithinHalfCap(t *testing.T) {
	profiles := DefaultProfiles()
	tl := &timeline{
		in:       Inputs{Force: RegionForce{Profiles: profiles}},
		dayMin:   1440,
		shiftEnd: []int{1440},
		rngs:     []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{1}))},
		threat:   func(int, int) int { return 3 },
	}
	M := profiles[3].MaxGapMinutes
	for _, mean := range []float64{12, 30, 45, 80} {
		capMin := min(M-slackFor(M, 0), int(capFor(mean)))
		half := min(M/2, capMin/2)
		m := &simMission{meanGap: mean, minimum: 6, deadline: M / 2}
		if got, want := tl.endNeed(m), 1440-half; got != want {
			t.Errorf("mean %v: endNeed = %d; want %d (half the cap %d)", mean, got, want, capMin)
		}
		for i := 0; i < 2000; i++ {
			m := &simMission{meanGap: mean, minimum: 6, deadline: M / 2}
			tl.scheduleNext(m, 0)
			if m.done || m.due < 1 || m.due > half {
				t.Fatalf("mean %v: first due %d (done %v); want 1..%d, half the cap %d", mean, m.due, m.done, half, capMin)
			}
		}
	}
}
