package scheduler

import (
	"fmt"
	"testing"
	"time"
)

func TestDebugSeed24(t *testing.T) {
	seed := uint64(24)
	in := synthInputs(t, seed, 20+int(seed)*5, 2+float64(seed%4), -12-int(seed%4), int(seed%3), "America/New_York")
	zn, _ := makeZoning(in)
	d := Date{2026, 10, 30}
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
	version := InputsVersion(in, d, nil)
	for zi, z := range zn.Zones {
		if z.ID != "z-882aa845a1fffff" {
			continue
		}
		res, err := dispatchGroup(in, []byte(fmt.Sprintf("key-%d", seed)), d, version, z.ID, wins, shiftEnd, dayMin, 0, zn.Missions[zi], zn.Units[zi], nil, nil, th, tt, tr, 0)
		t.Logf("zone %s err %v", z.ID, err)
		for _, u := range res {
			n := len(u.visits)
			t.Logf(" unit %s visits %d", u.zu.ID, n)
			for _, v := range u.visits[max(0, n-8):] {
				t.Logf("   %s th%d %d-%d", in.Missions[v.Mission].ID, in.Missions[v.Mission].Threat, v.Arrive, v.Depart)
			}
		}
	}
}
