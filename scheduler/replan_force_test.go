package scheduler

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// forceAt returns, for the tests, the force in effect after the given changes: the last force change's, or
// the day's own.
func forceAt(in Inputs, changes []Change) RegionForce {
	f := in.Force
	for _, c := range changes {
		if c.Force != nil {
			f = *c.Force
		}
	}
	return f
}

// withUnits returns f with vehicles vehicle units and officers sized for them.
func withUnits(f RegionForce, missions []Mission, vehicles int) RegionForce {
	g := f
	g.Units = maps.Clone(f.Units)
	g.Units[Vehicle] = vehicles
	posts := 0
	for _, m := range missions {
		posts += m.Posts(f.Profiles)
	}
	g.Officers = max(f.Officers, Positions(g, posts)*RotationDays(len(g.Shifts))+5)
	return g
}

// TestReplanForce changes the force during a day (units added, then removed, then a
// threat change): every visit that started before each change is kept, the hard rules hold
// across the join, removed units have no visit after their removal and added units none
// before their addition, and the chain of re-plans equals planning with the changes.
func TestReplanForce(t *testing.T) {
	tests := []struct {
		name  string
		delta []int // vehicle units added (+) or removed (−) at each force change
	}{
		{"add", []int{+3}},
		{"remove", []int{-2}},
		{"add-then-remove", []int{+2, -4}},
	}
	for s := 0; s < 3; s++ {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", tt.name, s), func(t *testing.T) {
				in := synthInputs(t, uint64(700+s), 40+5*s, 2, -30, 1, "America/New_York")
				d := Date{2026, 11, 27}
				key := []byte(fmt.Sprintf("force-replan-%d", s))
				base, err := PlanServiceDay(in, key, d, nil)
				if err != nil {
					t.Fatalf("PlanServiceDay error: %v", err)
				}
				var changes []Change
				f := in.Force
				at := base.Start.Add(3*time.Hour + 7*time.Minute) // 10:07, mid day shift
				for _, dv := range tt.delta {
					before := f
					f = withUnits(f, in.Missions, f.Units[Vehicle]+dv)
					after := f
					changes = append(changes, Change{At: at, Force: &after, ForceBefore: &before})
					at = at.Add(4 * time.Hour) // the next one in the evening shift
				}
				changes = append(changes, Change{At: at.Add(-time.Hour), Mission: in.Missions[0].ID, Threat: 5})
				sd := base
				for i, c := range changes {
					prev := sd
					if sd, err = Replan(in, key, prev, changes[:i+1]); err != nil {
						t.Fatalf("Replan(change %d at %s) error: %v", i+1, c.At.Format("15:04"), err)
					}
					if got, want := visitsBefore(sd, c.At), visitsBefore(prev, c.At); got != want {
						t.Errorf("change %d at %s: visits before it changed:\n got %s\nwant %s", i+1, c.At.Format("15:04"), got, want)
					}
					if sd.Version == prev.Version {
						t.Errorf("change %d: version unchanged", i+1)
					}
					if vs := verifyDay(in, sd, changes[:i+1]); len(vs) > 0 {
						t.Errorf("change %d: verifyDay = %v; want none", i+1, vs)
					}
					if c.Force == nil {
						continue
					}
					units := unitModes(*c.Force, "wfo")
					for _, r := range sd.Routes {
						_, now := units[r.Unit]
						_, before := unitModes(*c.ForceBefore, "wfo")[r.Unit]
						for _, v := range r.Visits {
							if !now && !v.Arrive.Before(c.At) {
								t.Errorf("unit %s removed at %s has a visit at %s", r.Unit, c.At.Format("15:04"), v.Arrive.Format("15:04"))
							}
							if !before && v.Arrive.Before(c.At) {
								t.Errorf("unit %s added at %s has a visit at %s", r.Unit, c.At.Format("15:04"), v.Arrive.Format("15:04"))
							}
						}
						if !before && len(r.Officers) != c.Force.Crew[r.Mode] {
							t.Errorf("added unit %s shift %s crew %v; want %d officers", r.Unit, r.Shift, r.Officers, c.Force.Crew[r.Mode])
						}
					}
				}
				if tt.delta[0] > 0 {
					added := UnitID("wfo", Vehicle, in.Force.Units[Vehicle]+1)
					if n := strings.Count(visitsBefore(sd, sd.End), added+" "); n == 0 {
						t.Errorf("added unit %s has no visits", added)
					}
				}
				folded, err := PlanServiceDay(in, key, d, changes)
				if err != nil {
					t.Fatalf("PlanServiceDay(changes) error: %v", err)
				}
				if !bytes.Equal(mustJSON(t, folded), mustJSON(t, sd)) {
					t.Errorf("PlanServiceDay(changes) differs from the chain of re-plans")
				}
				// The next day, planned with the new force, joins the changed one: Verify
				// checks gaps and every unit's move across the boundary.
				next := in
				next.Force = forceAt(in, changes[:len(tt.delta)])
				sd2, err := PlanServiceDay(next, key, d.AddDays(1), nil)
				if err != nil {
					t.Fatalf("PlanServiceDay(next day) error: %v", err)
				}
				// Verify knows the units of its inputs: give it every unit of the two days.
				all := in
				all.Force = withUnits(in.Force, in.Missions, max(in.Force.Units[Vehicle], next.Force.Units[Vehicle], f.Units[Vehicle]+2))
				first := sd
				first.Routes = nil
				for _, r := range sd.Routes {
					r.Officers = []string{} // the crews of one day are checked by verifyDay above
					first.Routes = append(first.Routes, r)
				}
				p, err := NewPlan(in, d, []ServiceDay{first, sd2})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range Verify(all, p) {
					if v.Rule == "max gap" || v.Rule == "travel" || v.Rule == "days" {
						t.Errorf("across the day boundary: %v", v)
					}
				}
			})
		}
	}
}

// TestForceChangeVersion checks that a force change alters the inputs version and that a
// day without one keeps the version it had.
func TestForceChangeVersion(t *testing.T) {
	in := synthInputs(t, 9, 20, 2, -28, 0, "America/New_York")
	d := Date{2026, 11, 27}
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	f := withUnits(in.Force, in.Missions, in.Force.Units[Vehicle]+1)
	g := withUnits(in.Force, in.Missions, in.Force.Units[Vehicle]+2)
	tests := []struct {
		name string
		a, b []Change
	}{
		{"force change vs none", nil, []Change{{At: at, Force: &f}}},
		{"two forces", []Change{{At: at, Force: &f}}, []Change{{At: at, Force: &g}}},
		{"two times", []Change{{At: at, Force: &f}}, []Change{{At: at.Add(time.Minute), Force: &f}}},
	}
	for _, tt := range tests {
		if InputsVersion(in, d, tt.a) == InputsVersion(in, d, tt.b) {
			t.Errorf("%s: InputsVersion equal; want different", tt.name)
		}
	}
	// ForceBefore is bookkeeping, not an input.
	if a, b := InputsVersion(in, d, []Change{{At: at, Force: &f}}), InputsVersion(in, d, []Change{{At: at, Force: &f, ForceBefore: &in.Force}}); a != b {
		t.Errorf("InputsVersion depends on ForceBefore: %s != %s", a, b)
	}
}

func TestReplanForceErrors(t *testing.T) {
	in, base, at := replanBase(t)
	shifts := in.Force
	shifts.Shifts = []Shift{{Name: "day", Start: Clock{7, 0}}, {Name: "night", Start: Clock{19, 0}}}
	profiles := in.Force
	profiles.Profiles[3].MaxGapMinutes = 200
	noOfficers := withUnits(in.Force, in.Missions, in.Force.Units[Vehicle]+4)
	noOfficers.Officers = in.Force.Officers
	tests := []struct {
		name string
		f    RegionForce
		want string
	}{
		{"shifts", shifts, "shifts"},
		{"profiles", profiles, "profiles"},
		{"no officers for added units", noOfficers, "missing"},
	}
	for _, tt := range tests {
		_, err := Replan(in, testKey, base, []Change{{At: at, Force: &tt.f}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Replan error = %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}
