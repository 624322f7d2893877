package scheduler

import (
	"testing"
	"time"
)

func TestDebugZone(t *testing.T) {
	in := synthInputs(t, 1, 40, 3, 6, 1, "America/New_York")
	zn, err := makeZoning(in)
	if err != nil {
		t.Fatal(err)
	}
	for zi, z := range zn.Zones {
		t.Logf("zone %s units %v missions %d", z.ID, zn.Units[zi], len(zn.Missions[zi]))
		al, err := allocate(in, z.ID, zn.Missions[zi], zn.Units[zi], func(mi int) Profile { return in.Force.Profiles[in.Missions[mi].Threat] }, 1440, TravelModel(in.Force))
		t.Logf("  alloc cap %.1f %v mins %v err %v", al.Capacity, al.Visits, al.Minimums, err)
	}
	d := Date{2026, 11, 28}
	S, _ := ServiceDayBounds(d, in.Force.Shifts, in.Office.Location)
	_ = S
	_ = time.Minute
}

func TestDebugDispatch(t *testing.T) {
	in := synthInputs(t, 1, 40, 3, 6, 1, "America/New_York")
	zn, _ := makeZoning(in)
	d := Date{2026, 11, 28}
	f := in.Force
	S, E := ServiceDayBounds(d, f.Shifts, in.Office.Location)
	wins := ShiftWindows(d, f.Shifts, in.Office.Location)
	dayMin := int(E.Sub(S) / time.Minute)
	shiftEnd := []int{}
	for _, w := range wins {
		shiftEnd = append(shiftEnd, int(w.End.Sub(S)/time.Minute))
	}
	tr := TravelModel(f)
	tt := func(mode Mode, a, b int) int {
		if a == b {
			return 0
		}
		return tr(mode).Minutes(MissionPoint(in.Missions[a]), MissionPoint(in.Missions[b]))
	}
	th := newThreats(in, S, dayMin, nil)
	for zi, z := range zn.Zones {
		res, err := dispatchGroup(in, testKey, d, "v", z.ID, wins, shiftEnd, dayMin, 0, zn.Missions[zi], zn.Units[zi], nil, nil, th, tt, tr, 0)
		t.Logf("zone %s err %v", z.ID, err)
		for _, u := range res {
			n := len(u.visits)
			t.Logf(" unit %s visits %d", u.zu.ID, n)
			for _, v := range u.visits[max(0, n-12):] {
				t.Logf("   %s th%d %d-%d", in.Missions[v.Mission].ID, in.Missions[v.Mission].Threat, v.Arrive, v.Depart)
			}
		}
	}
}
