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

// TestFillTail: a unit idle before its way back makes one more visit, as late as it fits
// (level 3: dwell 10–15, 5 minutes to the handover), never at the mission it just
// left; a unit with no idle minutes makes none; and a unit whose idle
// stretch is shorter than its minutes per visit makes one with that probability.
func TestFillTail(t *testing.T) {
	busy := func(last int) []visitRec {
		var vs []visitRec
		for a := 0; a+10 <= last; a += 30 {
			vs = append(vs, visitRec{Mission: 2, Arrive: a, Depart: a + 10})
		}
		return vs
	}
	m0 := &simMission{idx: 0, has: true, lastEnd: 100}
	m1 := &simMission{idx: 1, has: true, lastEnd: 600}
	m2 := &simMission{idx: 2, has: true, lastEnd: 1200}
	tl := repairTimeline(3, busy(1200), m0, m1, m2)
	tl.in.Missions = make([]Mission, 3)
	n := len(tl.units[0].visits)
	tl.fillTail()
	vs := tl.units[0].visits
	if len(vs) != n+1 {
		t.Fatalf("%d visits after fillTail; want %d (one more in the idle stretch after 1200)", len(vs), n+1)
	}
	got := vs[n]
	if got.Mission == 2 || got.Arrive != 1440-5-10 || got.Depart != 1440-5 {
		t.Errorf("added visit %+v; want mission 0 or 1 at %d–%d (the latest that leaves the 5 minutes back)", got, 1440-15, 1440-5)
	}
	if m := []*simMission{m0, m1}[got.Mission]; m.count != 1 || m.lastEnd != got.Depart {
		t.Errorf("mission %d: count %d, lastEnd %d; want 1, %d", got.Mission, m.count, m.lastEnd, got.Depart)
	}

	full := append(busy(1200), visitRec{Mission: 1, Arrive: 1420, Depart: 1435})
	tl = repairTimeline(3, full, &simMission{idx: 0, has: true, lastEnd: 100}, &simMission{idx: 1, has: true, lastEnd: 1435}, &simMission{idx: 2, has: true, lastEnd: 1200})
	tl.in.Missions = make([]Mission, 3)
	tl.fillTail()
	if len(tl.units[0].visits) != len(full) {
		t.Errorf("a unit busy to its way back got %v; want no visit added", tl.units[0].visits[len(full):])
	}

	// Two visits in 1,010 minutes: 505 minutes a visit; idle 1440−1010−5 = 425 → 0.84.
	added := 0
	const runs = 400
	for s := range runs {
		sparse := []visitRec{{Mission: 2, Arrive: 0, Depart: 10}, {Mission: 2, Arrive: 1000, Depart: 1010}}
		tl = repairTimeline(3, sparse, &simMission{idx: 0, has: true, lastEnd: 100}, &simMission{idx: 1, has: true, lastEnd: 600}, &simMission{idx: 2, has: true, lastEnd: 1010})
		tl.in.Missions = make([]Mission, 3)
		tl.rngs = []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{byte(s), byte(s >> 8), 7}))}
		tl.fillTail()
		added += len(tl.units[0].visits) - 2
	}
	if p := float64(added) / runs; p < 0.84-0.07 || p > 0.84+0.07 {
		t.Errorf("a visit added in %.2f of runs; want about 0.84 (idle 425 over 505 minutes a visit)", p)
	}
}
