package scheduler

import (
	"math/rand/v2"
	"testing"
)

// repairTimeline is a one-unit timeline over a 1440-minute day with every mission at
// threat level lvl and 5 minutes between any two missions; the unit hands over at
// mission 1.
func repairTimeline(lvl int, visits []visitRec, missions ...*simMission) *timeline {
	profiles := DefaultProfiles()
	u := &simUnit{zu: zoneUnit{ID: "u", Mode: Vehicle}, visits: visits}
	if n := len(visits); n > 0 {
		u.pos, u.free = visits[n-1].Mission, visits[n-1].Depart
	}
	return &timeline{
		in:       Inputs{Force: RegionForce{Profiles: profiles}},
		dayMin:   1440,
		shiftEnd: []int{1440},
		rngs:     []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{1}))},
		threat:   func(int, int) int { return lvl },
		travel: func(_ Mode, a, b int) int {
			if a == b {
				return 0
			}
			return 5
		},
		missions: missions,
		units:    []*simUnit{u},
		endAt:    []int{1},
	}
}

// TestInsertLate: a mission owed its day-end presence (level 3: max gap 240, so a presence
// ending after minute 1320) gets a visit in the unit's idle stretch after its last visit,
// as late as the way back to the handover allows; one whose max gap from its last
// presence ends before that stretch gets none.
func TestInsertLate(t *testing.T) {
	m := &simMission{idx: 0, has: true, lastEnd: 1250, deadline: 1250 + 240, minimum: 0}
	tl := repairTimeline(3, []visitRec{{Mission: 1, Arrive: 1300, Depart: 1312}}, m, &simMission{idx: 1, has: true, lastEnd: 1312})
	if !tl.insertLate(m) {
		t.Fatalf("insertLate = false; want the visit in the idle stretch after minute 1312")
	}
	vs := tl.units[0].visits
	want := visitRec{Mission: 0, Arrive: 1440 - 5 - 10, Depart: 1440 - 5}
	if len(vs) != 2 || vs[1] != want || m.lastEnd != want.Depart || m.count != 1 {
		t.Errorf("visits %v, lastEnd %d, count %d; want %v appended (the latest start that leaves the 5 minutes back)", vs, m.lastEnd, m.count, want)
	}

	late := &simMission{idx: 0, has: true, lastEnd: 1100, deadline: 1100 + 240}
	tl = repairTimeline(3, []visitRec{{Mission: 1, Arrive: 1300, Depart: 1312}}, late, &simMission{idx: 1, has: true, lastEnd: 1312})
	if tl.insertLate(late) {
		t.Errorf("insertLate past the max gap (deadline %d) = true, visits %v; want false", late.deadline, tl.units[0].visits)
	}
}

// TestSpare: a visit can give way only where its mission keeps its minimum visits, its
// max gap and the boundary contract without it (level 1: max gap 720, 2 visits a day).
func TestSpare(t *testing.T) {
	m1 := &simMission{idx: 1, minimum: 2}
	visits := []visitRec{
		{Mission: 1, Arrive: 100, Depart: 110},
		{Mission: 1, Arrive: 600, Depart: 610},
		{Mission: 1, Arrive: 1000, Depart: 1010},
		{Mission: 1, Arrive: 1200, Depart: 1210},
		{Mission: 1, Arrive: 1400, Depart: 1410},
	}
	tl := repairTimeline(1, visits, m1)
	for j, want := range []bool{false, false, true, true, true} {
		if got := tl.spare(0, j); got != want {
			t.Errorf("spare(visit %d at %d) = %v; want %v", j, visits[j].Arrive, got, want)
		}
	}
	// Without the visit at 1200, the one at 1400 is the last within half the max gap of
	// the day's end: it cannot go.
	tl = repairTimeline(1, []visitRec{visits[0], visits[1], visits[2], visits[4]}, m1)
	if tl.spare(0, 3) {
		t.Errorf("spare(last visit, the previous ending 430 min before the day's end) = true; want false")
	}
	// Two visits for a minimum of two: neither can go.
	tl = repairTimeline(1, []visitRec{visits[0], visits[2]}, m1)
	if tl.spare(0, 0) || tl.spare(0, 1) {
		t.Errorf("spare with the minimum visits only = true; want false")
	}
}
