package scheduler

import (
	"errors"
	"slices"
	"sort"
	"time"
)

// A call-off no qualified officer free under the rules can cover degrades the plan as an
// out-of-service unit would (DESIGN.md §2, issue 15), never silently: PlanCallOff takes out
// of service, from the call-off's time, the unit whose crew place stays empty, or for an
// empty post place a unit of the shift with a post-qualified officer, who then takes the
// post over (an on-duty officer without a position). The planner re-plans the day without
// the unit (its missions go to the other units of its zone), and the answer names the
// empty positions and the units taken out.

// CallOffOutcome is what a call-off does to its day.
type CallOffOutcome struct {
	Day          ServiceDay
	Replacements []Replacement // every position handed over
	Gaps         []Replacement // positions no one could take (By ""), each absorbed by a unit out of service
	OutOfService []string      // units taken out of service at the call-off's time, sorted
	Changes      []Change      // the changes to store after changes: the units' first, then c
}

// maxDegradeRounds bounds the units one call-off may take out.
const maxDegradeRounds = 8

// busy is busy without the routes of units out of service at a.
func (co *callOffs) busy(sd *ServiceDay, id string, a, b time.Time) bool {
	if len(co.units) == 0 {
		return busy(sd, id, a, b)
	}
	kept := ServiceDay{Posts: sd.Posts}
	for _, r := range sd.Routes {
		if t, ok := co.units[r.Unit]; !ok || a.Before(t) {
			kept.Routes = append(kept.Routes, r)
		}
	}
	return busy(&kept, id, a, b)
}

// leaveOutUnit takes officer id off the routes of units out of service that overlap
// [from, end) (to take a called-off officer's place from from).
func (co *callOffs) leaveOutUnit(sd *ServiceDay, id string, from, end time.Time) {
	for ri, r := range sd.Routes {
		if t, ok := co.units[r.Unit]; ok && !from.Before(t) && r.Start.Before(end) && from.Before(r.End) {
			co.dropFromOutRoute(sd, ri, id, from)
		}
	}
}

// dropFromOutRoute takes officer id off route ri of a unit out of service from at: a route
// in progress records a relief with no one coming on, a later one loses the place.
func (co *callOffs) dropFromOutRoute(sd *ServiceDay, ri int, id string, at time.Time) {
	r := sd.Routes[ri]
	switch {
	case !onRoute(r, id, at, r.End):
		return
	case at.After(r.Start):
		r.Reliefs = append(slices.Clone(r.Reliefs), Relief{At: at, Off: id})
	default:
		r.Officers = slices.DeleteFunc(slices.Clone(r.Officers), func(o string) bool { return o == id })
	}
	sd.Routes[ri] = r
}

// PlanCallOff plans day d with changes and then call-off c. Positions of c's officer no one
// can take are absorbed by taking units out of service at c.At, as above; an error is
// returned when even that cannot cover them (*UncoveredError) or the day cannot be planned
// without the units (the planner's error).
func PlanCallOff(in Inputs, key []byte, d Date, changes []Change, c Change) (CallOffOutcome, error) {
	var out CallOffOutcome
	for round := 0; ; round++ {
		all := slices.Concat(changes, out.Changes, []Change{c})
		base, err := PlanServiceDay(in, key, d, PlannerChanges(all))
		if err != nil {
			return CallOffOutcome{}, err
		}
		day, reps, err := ApplyCallOffs(in, d, base, all)
		var ue *UncoveredError
		if err == nil {
			out.Day, out.Replacements = day, reps
			out.Changes = append(out.Changes, c)
			sort.Strings(out.OutOfService)
			return out, nil
		}
		if !errors.As(err, &ue) || round == maxDegradeRounds {
			return CallOffOutcome{}, err
		}
		took := false
		for _, g := range ue.Gaps {
			u := g.Unit
			if g.Post != "" {
				u = unitFreeingPost(in.Force, base, g, out.OutOfService, c.Officer)
			}
			if u == "" || slices.Contains(out.OutOfService, u) {
				continue
			}
			out.OutOfService = append(out.OutOfService, u)
			out.Changes = append(out.Changes, Change{At: c.At, Unit: u})
			out.Gaps = append(out.Gaps, g)
			took = true
		}
		if !took {
			return CallOffOutcome{}, err
		}
	}
}

// unitFreeingPost returns the unit of gap g's shift, not yet out, whose crew at g.From holds
// a post-qualified officer other than the one called off (lowest unit id), or "".
func unitFreeingPost(f RegionForce, sd ServiceDay, g Replacement, out []string, called string) string {
	quals := map[string]Officer{}
	for _, o := range f.OfficerList() {
		quals[o.ID] = o
	}
	var units []string
	for _, r := range sd.Routes {
		if r.Shift != g.Shift || !g.From.Before(r.End) || slices.Contains(out, r.Unit) || slices.Contains(units, r.Unit) {
			continue
		}
		at := g.From
		if at.Before(r.Start) {
			at = r.Start
		}
		for _, o := range slices.Concat(r.Officers, reliefOns(r)) {
			if o != called && quals[o].Has(QualPost) && onRoute(r, o, at, at.Add(time.Minute)) {
				units = append(units, r.Unit)
				break
			}
		}
	}
	if len(units) == 0 {
		return ""
	}
	sort.Strings(units)
	return units[0]
}

// reliefOns returns the officers who join route r by a relief.
func reliefOns(r Route) []string {
	var out []string
	for _, x := range r.Reliefs {
		if x.On != "" {
			out = append(out, x.On)
		}
	}
	return out
}
