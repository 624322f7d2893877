package scheduler

import (
	"math/rand/v2"
	"testing"
)

// deadlineTimeline is a last-resort (deadline-order) timeline over a 1440-minute day: one
// mission per entry of levels, at that threat level, 5 minutes from any other; units
// units, the k-th starting and handing over at mission k.
func deadlineTimeline(levels []int, units int) *timeline {
	profiles := DefaultProfiles()
	tl := &timeline{
		in:            Inputs{Force: RegionForce{Profiles: profiles}},
		dayMin:        1440,
		shiftEnd:      []int{1440},
		rngs:          []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{2}))},
		threat:        func(mi, _ int) int { return levels[mi] },
		conservative:  true,
		loose:         true,
		deadlineOrder: true,
		travel: func(_ Mode, a, b int) int {
			if a == b {
				return 0
			}
			return 5
		},
	}
	for mi, lvl := range levels {
		p := profiles[lvl]
		tl.missions = append(tl.missions, &simMission{idx: mi, minimum: int(MinimumVisits(p, 1440)), deadline: p.MaxGapMinutes / 2})
	}
	for k := 0; k < units; k++ {
		tl.units = append(tl.units, &simUnit{zu: zoneUnit{ID: string(rune('a' + k)), Mode: Vehicle, Home: k}, pos: k})
		tl.endAt = append(tl.endAt, k)
	}
	return tl
}

// TestDeadlineOrderKeepsRules runs the last resort's dispatch over a day and checks what
// it promises: no failure, every unit's day closed by a visit at its handover mission
// ending with the day, no unit in two places or faster than its travel, and every
// mission's presences within the boundary contract, its max gap and its minimum visits.
func TestDeadlineOrderKeepsRules(t *testing.T) {
	levels := []int{5, 4, 1, 2, 3, 5, 5, 1, 4, 3}
	tl := deadlineTimeline(levels, 2)
	tl.run(0)
	for _, f := range tl.failures {
		t.Errorf("failure at mission %d: %s", f.mission, f.what)
	}
	byMission := map[int][]visitRec{}
	for k, u := range tl.units {
		vs := u.visits
		if len(vs) == 0 {
			t.Fatalf("unit %d has no visits", k)
		}
		dw := tl.prof(k, 1439).DwellMinutes[0]
		if last := vs[len(vs)-1]; last != (visitRec{Mission: k, Arrive: 1440 - dw, Depart: 1440}) {
			t.Errorf("unit %d: last visit %v; want its closing visit at handover mission %d, minutes %d–1440", k, last, k, 1440-dw)
		}
		for i, v := range vs {
			if i > 0 && v.Arrive < vs[i-1].Depart+tl.travel(Vehicle, vs[i-1].Mission, v.Mission) {
				t.Errorf("unit %d: visit %v arrives before %v plus the trip", k, v, vs[i-1])
			}
			byMission[v.Mission] = append(byMission[v.Mission], v)
		}
	}
	for mi, lvl := range levels {
		p := DefaultProfiles()[lvl]
		vs := byMission[mi]
		sortVisits(vs)
		var pres []visitRec
		for _, v := range vs {
			if n := len(pres); n > 0 && v.Arrive <= pres[n-1].Depart {
				pres[n-1].Depart = max(pres[n-1].Depart, v.Depart)
				continue
			}
			pres = append(pres, v)
		}
		if len(pres) < int(MinimumVisits(p, 1440)) {
			t.Errorf("mission %d (level %d): %d presences; want at least %v", mi, lvl, len(pres), MinimumVisits(p, 1440))
			continue
		}
		if pres[0].Arrive > p.MaxGapMinutes/2 || 1440-pres[len(pres)-1].Depart > p.MaxGapMinutes/2 {
			t.Errorf("mission %d (level %d): presences from %d to %d; want within %d of the day's start and end", mi, lvl, pres[0].Arrive, pres[len(pres)-1].Depart, p.MaxGapMinutes/2)
		}
		for i := 1; i < len(pres); i++ {
			if g := pres[i].Arrive - pres[i-1].Depart; g > p.MaxGapMinutes {
				t.Errorf("mission %d (level %d): gap %d after minute %d; want at most %d", mi, lvl, g, pres[i-1].Depart, p.MaxGapMinutes)
			}
		}
	}
}

// TestScheduleByDeadline checks the order the last resort serves missions in: a mission
// whose max gap asks for a visit is ready at once and due by its deadline; one owed only
// its day-end presence is ready when the contract's window opens, and first from then on;
// a handover mission whose max gap reaches its closing visit needs nothing more.
func TestScheduleByDeadline(t *testing.T) {
	tl := deadlineTimeline([]int{5, 1, 5}, 1)
	tl.closings()
	dw := DefaultProfiles()[5].DwellMinutes[0]
	if tl.closing[0] != 1440-dw || tl.missions[0].closeAt != 1440-dw {
		t.Fatalf("closing %v, closeAt %d; want the unit's closing visit at minute %d", tl.closing, tl.missions[0].closeAt, 1440-dw)
	}

	gap := tl.missions[2] // level 5: max gap 120
	gap.has, gap.lastEnd, gap.count, gap.deadline = true, 1000, 12, 1120
	tl.scheduleByDeadline(gap, 1000)
	if gap.done || gap.due != 1001 || gap.edf != 1120 {
		t.Errorf("max gap owed: done %v, due %d, edf %d; want due 1001, edf 1120", gap.done, gap.due, gap.edf)
	}

	end := tl.missions[1] // level 1: max gap 720, dwell from 5
	end.has, end.lastEnd, end.count, end.deadline = true, 900, 2, 1620
	tl.scheduleByDeadline(end, 900)
	open := 1440 - 720/2 - 5
	if end.done || end.due != open || end.edf != open {
		t.Errorf("day end owed: done %v, due %d, edf %d; want both %d, the contract's window opening", end.done, end.due, end.edf, open)
	}
	if want := 1440 - dw - 5 - 5; end.latest != want {
		t.Errorf("latest start %d; want %d (the closing visit less the trip back and the dwell)", end.latest, want)
	}

	h := tl.missions[0]
	h.has, h.lastEnd, h.count, h.deadline = true, 1330, 11, 1450
	tl.scheduleByDeadline(h, 1330)
	if !h.done {
		t.Errorf("handover mission with its max gap past its closing visit: done false (due %d); want done", h.due)
	}

	a := &simMission{idx: 4, edf: 1300, latest: 1420}
	b := &simMission{idx: 3, edf: 1300, latest: 1400}
	c := &simMission{idx: 1, edf: 1310, latest: 1300}
	if got := earliestDeadline([]*simMission{a, c, b}); got != 2 {
		t.Errorf("earliestDeadline = %d; want 2 (edf first, then the window that closes first)", got)
	}
}

// TestInsertSwapping: a mission owed its day-end presence whose max gap closes before the
// unit's idle stretch at the end (level 1: max gap 720, so a presence ending after minute
// 1080, starting by 1325), where no idle stretch fits it and no late visit can be spared,
// takes the place of another mission's day-end visit, and that mission gets a visit of its
// own elsewhere: every mission keeps its rules and the unit its travel.
func TestInsertSwapping(t *testing.T) {
	v := func(mi, a int) visitRec { return visitRec{Mission: mi, Arrive: a, Depart: a + 5} }
	// Missions: 0 owes its day end; 1 is the handover; 2 and 3 have their day ends late.
	visits := []visitRec{v(1, 100), v(0, 150), v(3, 200), v(2, 250), v(0, 600), v(3, 650), v(1, 700), v(2, 750), v(3, 1076), v(2, 1088), v(1, 1101)}
	m := &simMission{idx: 0, has: true, lastEnd: 605, deadline: 605 + 720, count: 2}
	tl := repairTimeline(1, visits, m, &simMission{idx: 1}, &simMission{idx: 2}, &simMission{idx: 3})
	for mi := 1; mi < 4; mi++ {
		if !tl.keeps(mi, -1, -1) {
			t.Fatalf("mission %d breaks its rules before the repair", mi)
		}
	}
	if tl.insertLate(m) || tl.insertDisplacing(m) {
		t.Fatalf("insertLate or insertDisplacing found a place; want the case only a swap mends")
	}
	if !tl.insertSwapping(m) {
		t.Fatalf("insertSwapping = false; want mission 0 in mission 2's place at minute 1088")
	}
	if m.lastEnd < 1080 || !tl.keeps(0, -1, -1) {
		t.Errorf("mission 0: last presence ends %d; want its rules kept, ending after 1080", m.lastEnd)
	}
	for mi := 1; mi < 4; mi++ {
		if !tl.keeps(mi, -1, -1) {
			t.Errorf("mission %d breaks its rules after the swap: visits %v", mi, tl.units[0].visits)
		}
	}
	vs := tl.units[0].visits
	for i := 1; i < len(vs); i++ {
		if vs[i].Arrive < vs[i-1].Depart+tl.travel(Vehicle, vs[i-1].Mission, vs[i].Mission) {
			t.Errorf("visit %v arrives before %v plus the trip", vs[i], vs[i-1])
		}
	}
	if last := vs[len(vs)-1]; last.Depart+tl.sectorBack(0, last.Mission) > 1440 {
		t.Errorf("last visit %v leaves no way back to the handover by the day's end", last)
	}
}
