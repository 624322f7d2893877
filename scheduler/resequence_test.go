package scheduler

import (
	"fmt"
	"testing"
)

// TestRepairEndsResequences: in the last resort, a mission owed its day-end presence
// (level 3: max gap 240, so a presence ending after minute 1320, and starting by 1380 after
// its last one ended at 1140) finds unit 0's last minutes full of other missions' day-end
// visits: its only idle stretch, before the closing visit at minute 1430, comes too late for
// the max gap, and every visit the mission could take the place of is its own mission's
// only day-end presence, whose max gap ends before that stretch too. No single insertion
// mends it; putting the mission before the tail's last visit does. repairEnds must clear
// the failure, every mission keep its rules and the unit its travel and closing visit.
func TestRepairEndsResequences(t *testing.T) {
	v := func(mi, a int) visitRec { return visitRec{Mission: mi, Arrive: a, Depart: a + 10} }
	// Missions 0 (missed), 1 (unit 0's handover) and 2–6, whose presences before the day's
	// end are made by a unit each (units 1–7): every 220 minutes from minute 40, the last
	// ending at 1150 (mission 0: 1140; mission 1: 1200).
	tail := []visitRec{v(1, 1300), v(2, 1315), v(3, 1330), v(4, 1345), v(5, 1360), v(6, 1375), v(1, 1430)}
	m0 := &simMission{idx: 0, has: true, lastEnd: 1140, deadline: 1140 + 240, count: 6}
	ms := []*simMission{m0}
	for mi := 1; mi <= 6; mi++ {
		ms = append(ms, &simMission{idx: mi, has: true, lastEnd: 1440})
	}
	tl := repairTimeline(3, tail, ms...)
	tl.deadlineOrder = true
	tl.closing = []int{1430}
	for mi := 0; mi <= 6; mi++ {
		last := 1150
		switch mi {
		case 0:
			last = 1140
		case 1:
			last = 1200
		}
		var vs []visitRec
		for a := last - 10; a >= 0; a -= 220 {
			vs = append([]visitRec{v(mi, a)}, vs...)
		}
		tl.units = append(tl.units, &simUnit{zu: zoneUnit{ID: fmt.Sprint(mi), Mode: Vehicle}, visits: vs, pos: mi, free: last})
		tl.endAt = append(tl.endAt, 1)
		tl.closing = append(tl.closing, 0)
	}
	if tl.keeps(0, -1, -1) {
		t.Fatalf("mission 0 keeps its rules before the repair; want the missed day end")
	}
	for mi := 1; mi <= 6; mi++ {
		if !tl.keeps(mi, -1, -1) {
			t.Fatalf("mission %d breaks its rules before the repair", mi)
		}
	}
	tl.failures = []failure{{mission: 0, what: "missed day end", end: true, m: m0}}
	tl.repairEnds()
	if len(tl.failures) != 0 {
		t.Fatalf("failures after repairEnds: %v; want none (unit 0's tail reordered)", tl.failures)
	}
	for mi := 0; mi <= 6; mi++ {
		if !tl.keeps(mi, -1, -1) {
			t.Errorf("mission %d breaks its rules after the repair: unit 0's visits %v", mi, tl.units[0].visits)
		}
	}
	if m0.lastEnd < 1320 {
		t.Errorf("mission 0: last presence ends %d; want after 1320", m0.lastEnd)
	}
	vs := tl.units[0].visits
	if vs[len(vs)-1] != v(1, 1430) {
		t.Errorf("unit 0's last visit %v; want its closing visit %v", vs[len(vs)-1], v(1, 1430))
	}
	for i := 1; i < len(vs); i++ {
		if vs[i].Arrive < vs[i-1].Depart+tl.travel(Vehicle, vs[i-1].Mission, vs[i].Mission) {
			t.Errorf("unit 0: visit %v arrives before %v plus the trip", vs[i], vs[i-1])
		}
		if vs[i].Mission == vs[i-1].Mission && vs[i].Arrive == vs[i-1].Depart {
			t.Errorf("unit 0: visits %v and %v at one mission touch (one visit too long)", vs[i-1], vs[i])
		}
	}
}

// TestLastResortPlansTightEnds plans generated inputs of TestCheckAcceptsPlanPlans (and
// keys) that vigil check accepts and whose zones every retry failed at the day's end, so
// the last resort planned them: a day-end presence only another order of a unit's last
// visits keeps, a max gap missed by a minute at a unit's own closing mission. Each must
// still be accepted by the check, and plan.
func TestLastResortPlansTightEnds(t *testing.T) {
	d := Date{2026, 11, 1}
	tests := []struct {
		input int
		key   string // "" for testKey
	}{{439, ""}, {727, ""}, {967, ""}, {161, "sweep key 4"}, {233, "sweep key 4"}, {532, "sweep key 3"}}
	for _, tt := range tests {
		in := agreeInputs(t, tt.input)
		_, err := CheckRegion(in, nil)
		if err == nil {
			err = CheckPlan(in, d)
		}
		if err != nil {
			t.Errorf("input %d: check = %v; want it accepted", tt.input, err)
			continue
		}
		key := testKey
		if tt.key != "" {
			key = []byte(tt.key)
		}
		if _, err := PlanDays(in, PlanOptions{Key: key, From: d, Days: 2}); err != nil {
			t.Errorf("input %d, key %q: check accepts it, PlanDays = %v; want a plan", tt.input, tt.key, err)
		}
	}
}
