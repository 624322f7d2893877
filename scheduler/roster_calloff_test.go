package scheduler

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// calloffDay plans one day of a synthetic DC region with 12-hour shifts and named officers,
// and returns its inputs and the day.
func calloffDay(t *testing.T, officers int) (Inputs, Date, ServiceDay) {
	t.Helper()
	return calloffDayOn(t, officers, 40, 8, "2026-12-09")
}

// calloffDayWith is calloffDay with missions missions and vehicles vehicle units.
func calloffDayWith(t *testing.T, officers, missions, vehicles int) (Inputs, Date, ServiceDay) {
	t.Helper()
	return calloffDayOn(t, officers, missions, vehicles, "2026-12-09")
}

// calloffDayOn is calloffDayWith on service date date.
func calloffDayOn(t *testing.T, officers, missions, vehicles int, date string) (Inputs, Date, ServiceDay) {
	t.Helper()
	in := synthInputs(t, 3, missions, 4, vehicles, 2, "America/New_York")
	in.Force.Shifts = twelveHour()
	five := 1
	in.Missions[0].FixedPosts = &five
	in.Missions[1].FixedPosts = &five
	in.Force.Capabilities = map[string]int{CanineCapability: 1}
	in.Force = namedForce(in.Force, officers, func(i int) ([]Qualification, int) {
		if i%4 == 1 {
			return []Qualification{QualVehicle, QualCanine, QualPost}, 0
		}
		return []Qualification{QualVehicle, QualFoot, QualPost}, 0
	})
	d := rosterDate(t, date)
	sd, err := PlanServiceDay(in, staffKey, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	return in, d, sd
}

// TestCallOff: an officer called off at 10:00 hands each position to one qualified
// replacement free under the rules; nothing before 10:00 moves, no other officer's
// assignments change, and the day still passes the verifier.
func TestCallOff(t *testing.T) {
	in, d, sd := calloffDay(t, 90)
	at := time.Date(2026, 12, 9, 10, 0, 0, 0, in.Office.Location)
	// The officer of the first vehicle route of the day shift.
	var who string
	for _, r := range sd.Routes {
		if r.Shift == "day" && r.Mode == Vehicle {
			who = r.Officers[0]
			break
		}
	}
	changes := []Change{{At: at, Officer: who, Reason: "sick"}}
	got, reps, err := ApplyCallOffs(in, d, sd, changes)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) == 0 {
		t.Fatalf("ApplyCallOffs named no replacement for %s", who)
	}
	by := map[string]bool{}
	for _, r := range reps {
		if r.By == "" || r.By == who {
			t.Errorf("replacement %+v; want another officer", r)
		}
		by[r.By] = true
		o := in.Force.Roster[slices.IndexFunc(in.Force.Roster, func(o Officer) bool { return o.ID == r.By })]
		if r.Unit != "" && !o.Has(QualVehicle) && !o.Has(QualFoot) {
			t.Errorf("replacement %s for unit %s holds %v", r.By, r.Unit, o.Quals)
		}
	}
	if got.Revision != 1 || got.Version != InputsVersion(in, d, changes) {
		t.Errorf("revision %d version %s; want 1 and the version with the call-off", got.Revision, got.Version)
	}
	// Who stands where, per officer, before and after.
	type slot struct {
		where      string
		start, end time.Time
	}
	assign := func(s ServiceDay) map[string][]slot {
		m := map[string][]slot{}
		for _, r := range s.Routes {
			for _, o := range r.Officers {
				end := r.End
				for _, x := range r.Reliefs {
					if x.Off == o {
						end = x.At
					}
				}
				m[o] = append(m[o], slot{r.Unit, r.Start, end})
			}
			for _, x := range r.Reliefs {
				m[x.On] = append(m[x.On], slot{r.Unit, x.At, r.End})
			}
		}
		for _, p := range s.Posts {
			for _, b := range p.Blocks {
				m[b.Officer] = append(m[b.Officer], slot{p.Post, b.Start, b.End})
			}
		}
		return m
	}
	before, after := assign(sd), assign(got)
	for o, sl := range after {
		if o == who {
			for _, x := range sl {
				if x.end.After(at) {
					t.Errorf("%s called off at 10:00 still holds %s until %s", who, x.where, x.end.Format("15:04"))
				}
			}
			continue
		}
		if by[o] {
			continue
		}
		if len(sl) != len(before[o]) {
			t.Errorf("%s: %d assignments after the call-off, %d before; want unchanged", o, len(sl), len(before[o]))
		}
	}
	if visitsBefore(sd, at) != visitsBefore(got, at) {
		t.Errorf("visits before 10:00 changed")
	}
	p, err := NewPlan(in, d, []ServiceDay{got})
	if err != nil {
		t.Fatal(err)
	}
	if vs := Verify(in, p); len(vs) > 0 {
		t.Errorf("Verify after the call-off: %v", vs)
	}
}

// TestCallOffUncovered: with no one free to take the position, the call-off is an
// *UncoveredError naming it, never a silent gap.
func TestCallOffUncovered(t *testing.T) {
	in, d, sd := calloffDay(t, 90)
	at := time.Date(2026, 12, 9, 10, 0, 0, 0, in.Office.Location)
	var canine string
	for _, r := range sd.Routes {
		if r.Shift == "day" && kindOfUnit(in.Force, r.Unit, r.Mode) == kindCanine {
			canine = r.Officers[0]
		}
	}
	if canine == "" {
		t.Fatal("no canine unit on the day shift")
	}
	// Call off every canine-qualified officer but the one on the unit first.
	var cs []Change
	for _, o := range in.Force.Roster {
		if o.Has(QualCanine) && o.ID != canine {
			cs = append(cs, Change{At: at, Officer: o.ID})
		}
	}
	cs = append(cs, Change{At: at, Officer: canine})
	_, _, err := ApplyCallOffs(in, d, sd, cs)
	var ue *UncoveredError
	if !errors.As(err, &ue) || len(ue.Gaps) == 0 {
		t.Fatalf("ApplyCallOffs = %v; want an *UncoveredError", err)
	}
}

// TestPlanCallOffDegrades: the call-off TestCallOffUncovered cannot cover is accepted by
// PlanCallOff: the canine unit is taken out of service from the call-off's minute (its
// routes from then are gone, its missions re-planned), the empty position is named, and
// the officer called off holds nothing after it.
func TestPlanCallOffDegrades(t *testing.T) {
	in, d, sd := calloffDayWith(t, 110, 25, 10)
	at := time.Date(2026, 12, 9, 10, 0, 0, 0, in.Office.Location)
	var canine, unit string
	for _, r := range sd.Routes {
		if r.Shift == "day" && kindOfUnit(in.Force, r.Unit, r.Mode) == kindCanine {
			canine, unit = r.Officers[0], r.Unit
		}
	}
	var cs []Change
	for _, o := range in.Force.Roster {
		if o.Has(QualCanine) && o.ID != canine {
			cs = append(cs, Change{At: at, Officer: o.ID})
		}
	}
	oc, err := PlanCallOff(in, staffKey, d, cs, Change{At: at, Officer: canine, Reason: "sick"})
	if err != nil {
		t.Fatalf("PlanCallOff = %v; want the unit taken out of service", err)
	}
	if !slices.Equal(oc.OutOfService, []string{unit}) {
		t.Errorf("out of service %v; want [%s]", oc.OutOfService, unit)
	}
	if len(oc.Gaps) == 0 || oc.Gaps[0].Unit != unit || oc.Gaps[0].By != "" {
		t.Errorf("empty positions %+v; want a place on %s", oc.Gaps, unit)
	}
	if n := len(oc.Changes); n != 2 || oc.Changes[0].Unit != unit || !oc.Changes[0].At.Equal(at) || oc.Changes[1].Officer != canine {
		t.Errorf("changes %+v; want the unit out of service at %s, then the call-off", oc.Changes, at)
	}
	for _, r := range oc.Day.Routes {
		for _, v := range r.Visits {
			if r.Unit == unit && !v.Arrive.Before(at) {
				t.Errorf("%s out of service from %s visits %s at %s", unit, at, v.Mission, v.Arrive)
			}
		}
		if onRoute(r, canine, at, r.End) && at.Before(r.End) {
			t.Errorf("%s called off at %s still crews %s %s–%s", canine, at, r.Unit, r.Start, r.End)
		}
	}
	for _, p := range oc.Day.Posts {
		for _, b := range p.Blocks {
			if b.Officer == canine && at.Before(b.End) {
				t.Errorf("%s called off still stands post %s until %s", canine, p.Post, b.End)
			}
		}
	}
	// Before the call-off nothing moved.
	for _, r := range sd.Routes {
		if !r.End.After(at) && !slices.ContainsFunc(oc.Day.Routes, func(x Route) bool {
			return x.Unit == r.Unit && x.Start.Equal(r.Start) && slices.Equal(x.Visits, r.Visits)
		}) {
			t.Errorf("route %s %s–%s before the call-off changed", r.Unit, r.Start, r.End)
		}
	}
}

// TestCallOffOnReliefNight: on the 13-hour fall-back night, an officer called off at 22:00
// hands the place to a replacement, and the relief in place at 05:00 EST then relieves the
// replacement: no one holds a place past the relief, no duty period exceeds 12 h.
func TestCallOffOnReliefNight(t *testing.T) {
	in, d, sd := calloffDayOn(t, 110, 40, 8, "2026-10-31")
	ny := in.Office.Location
	at := time.Date(2026, 10, 31, 22, 0, 0, 0, ny)
	relief := time.Date(2026, 11, 1, 5, 0, 0, 0, ny)
	var who, unit string
	for _, r := range sd.Routes {
		if r.Shift == "night" && r.Start.Before(at) && r.End.After(relief) && len(r.Reliefs) > 0 {
			who, unit = r.Officers[0], r.Unit
			break
		}
	}
	if who == "" {
		t.Fatal("no night route across both 22:00 and the 05:00 relief")
	}
	got, reps, err := ApplyCallOffs(in, d, sd, []Change{{At: at, Officer: who}})
	if err != nil {
		t.Fatal(err)
	}
	by := ""
	for _, r := range reps {
		if r.Unit == unit {
			by = r.By
		}
	}
	if by == "" {
		t.Fatalf("no replacement for %s on %s: %+v", who, unit, reps)
	}
	for _, r := range got.Routes {
		if r.Unit != unit || !r.Start.Before(at) || !r.End.After(relief) {
			continue
		}
		if onRoute(r, by, relief, relief.Add(time.Minute)) {
			t.Errorf("replacement %s still on %s after the 05:00 relief: %+v", by, unit, r.Reliefs)
		}
		if onRoute(r, who, at, at.Add(time.Minute)) {
			t.Errorf("%s called off at 22:00 still on %s: %+v", who, unit, r.Reliefs)
		}
	}
}
