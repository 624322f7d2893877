package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// agreeInputs returns the i-th generated input of TestCheckAcceptsPlanPlans: a small
// region whose missions, threat spread, units and shifts vary with i.
func agreeInputs(t *testing.T, i int) Inputs {
	r := rand.New(rand.NewPCG(uint64(i), 14))
	n := 3 + r.IntN(28)
	radius := 0.5 + 7.5*r.Float64()
	in := synthInputs(t, uint64(1000+i), n, radius, 1+r.IntN(6), r.IntN(3), "America/New_York")
	// Threat spread: as generated (DC-like), heavy (levels 3–5) or light (levels 1–2).
	switch r.IntN(3) {
	case 1:
		for k := range in.Missions {
			in.Missions[k].Threat = 3 + r.IntN(3)
		}
	case 2:
		for k := range in.Missions {
			in.Missions[k].Threat = 1 + r.IntN(2)
		}
	}
	if r.IntN(2) == 1 {
		in.Force.Shifts = []Shift{{Name: "day", Start: Clock{Hour: 6}}, {Name: "night", Start: Clock{Hour: 18}}}
	}
	in.Force.Randomization.VisitsPerMaxGap = []float64{0, 2, 3, 4}[r.IntN(4)]
	posts := 0
	for _, m := range in.Missions {
		posts += m.Posts(in.Force.Profiles)
	}
	in.Force.Officers = OfficersNeeded(in.Force, posts) + 5
	return in
}

// TestCheckAcceptsPlanPlans checks DESIGN.md §3's promise over 200 generated inputs:
// whatever the check accepts (CheckRegion and its trial plan, as vigil check runs them),
// PlanDays plans, with the floor it declares no higher than the policy; and where the
// check refuses a force for its units, UnitsNeeded's count is found by trying: that many
// more units plan, one fewer do not.
func TestCheckAcceptsPlanPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("200 generated regions")
	}
	d := Date{2026, 11, 1} // a DST day: the 25-hour day is the hardest
	accepted, lowered, refused, failed := 0, 0, 0, 0
	for i := 0; i < 200; i++ {
		in := agreeInputs(t, i)
		name := fmt.Sprintf("input %d (%d missions, %v units, %d shifts, k %g)", i, len(in.Missions), in.Force.Units, len(in.Force.Shifts), in.Force.Randomization.VisitsPerMaxGap)
		_, err := CheckRegion(in, nil)
		if err == nil {
			err = CheckPlan(in, d)
		}
		if err != nil {
			refused++
			if refused%8 == 1 {
				checkUnitsNeeded(t, name, in, d)
			}
			continue
		}
		accepted++
		p, err := PlanDays(in, PlanOptions{Key: testKey, From: d, Days: 2})
		if err != nil {
			failed++
			t.Errorf("%s: check accepts it, PlanDays = %v; want a plan", name, err)
			continue
		}
		if k := p.Policy.VisitsPerMaxGap; k > in.Force.Randomization.VisitsPerMaxGap || k < 0 {
			t.Errorf("%s: plan policy %g; want within [0, %g]", name, k, in.Force.Randomization.VisitsPerMaxGap)
		} else if k < in.Force.Randomization.VisitsPerMaxGap {
			lowered++
		}
	}
	t.Logf("%d accepted (%d with the floor lowered), %d refused, %d accepted but not planned", accepted, lowered, refused, failed)
	if accepted < 100 || refused == 0 || lowered == 0 {
		t.Errorf("%d accepted, %d lowered, %d refused; want a mix with at least 100 accepted", accepted, lowered, refused)
	}
}

func checkUnitsNeeded(t *testing.T, name string, in Inputs, d Date) {
	t.Helper()
	if !unitsAfford(in) || CheckPlan(withOfficers(in, 0, Vehicle), d) != nil {
		mode, n, err := UnitsNeeded(in, d)
		if err != nil {
			t.Errorf("%s: UnitsNeeded = %v", name, err)
			return
		}
		if n < 1 || CheckPlan(withOfficers(in, n, mode), d) != nil || (n > 1 && unitsAfford(withOfficers(in, n-1, mode)) && CheckPlan(withOfficers(in, n-1, mode), d) == nil) {
			t.Errorf("%s: UnitsNeeded = %d %s; want the fewest more units that plan", name, n, mode)
		}
	}
}

// withOfficers returns in with extra more units of mode and officers enough for them.
func withOfficers(in Inputs, extra int, mode Mode) Inputs {
	t := in
	t.Force.Units = map[Mode]int{Vehicle: in.Force.Units[Vehicle], Foot: in.Force.Units[Foot]}
	t.Force.Units[mode] += extra
	posts := 0
	for _, m := range t.Missions {
		posts += m.Posts(t.Force.Profiles)
	}
	t.Force.Officers = max(t.Force.Officers, OfficersNeeded(t.Force, posts))
	return t
}
