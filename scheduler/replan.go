package scheduler

import (
	"fmt"
	"math"
	"time"
)

// Replan re-plans a service day after a change (DESIGN.md §3). changes are all the changes
// of that day so far, ordered by time; the last is the new one, made at its At. Every visit
// of prev that started before At is kept unchanged (a visit in progress is kept whole), the
// rest is drawn again with the new requirements and the new inputs version, and a mission
// whose threat changed gets its next presence within its new max gap of At. Units out of
// service get no visits after At; the other units of their zone take over their missions
// (the nearest zone's units when none is left). The revision is prev's plus one.
func Replan(in Inputs, key []byte, prev ServiceDay, changes []Change) (ServiceDay, error) {
	if len(changes) == 0 {
		return ServiceDay{}, fmt.Errorf("re-plan of %s: no change", prev.Date)
	}
	if in.Office.Location == nil {
		return ServiceDay{}, fmt.Errorf("re-plan: region %s has no time zone", regionOf(in))
	}
	d, err := ParseDate(prev.Date)
	if err != nil {
		return ServiceDay{}, fmt.Errorf("re-plan: %w", err)
	}
	if err := checkChanges(in, changes); err != nil {
		return ServiceDay{}, err
	}
	zs, err := newZonings(in)
	if err != nil {
		return ServiceDay{}, err
	}
	sd, err := planDay(in, key, d, zs, changes, &prev)
	if err != nil {
		return ServiceDay{}, err
	}
	if vs := verifyDay(in, sd, changes); len(vs) > 0 {
		return ServiceDay{}, violationsError(regionOf(in), vs)
	}
	return sd, nil
}

// checkChanges reports a change naming an unknown mission or unit, a threat outside 1..5,
// or changes out of time order. A mission edit (Change.Edit) only re-draws the day from its
// time: it may name a mission the day did not start with (created during it).
func checkChanges(in Inputs, changes []Change) error {
	if err := checkEdits(in, changes); err != nil {
		return err
	}
	missions := map[string]bool{}
	for _, m := range in.Missions {
		missions[m.ID] = true
	}
	for _, c := range changes {
		if c.Edit != "" && c.After != nil {
			missions[c.Edit] = true // created during the day: its threat may change too
		}
	}
	region := regionOf(in)
	units := map[string]bool{}
	for u := range unitModes(in.Force, region) {
		units[u] = true
	}
	for i, c := range changes {
		if c.Force == nil {
			continue
		}
		if err := checkForceChange(in, i, c); err != nil {
			return err
		}
		for u := range unitModes(*c.Force, region) {
			units[u] = true
		}
	}
	for i, c := range changes {
		if i > 0 && c.At.Before(changes[i-1].At) {
			return fmt.Errorf("change %d at %s is before the change before it", i+1, c.At.Format(time.RFC3339))
		}
		switch {
		case c.Edit != "" && (c.Unit != "" || c.Mission != "" || c.Force != nil):
			return fmt.Errorf("change %d: a mission edit names no unit, threat or force", i+1)
		case c.Edit != "":
			continue
		case c.Force != nil && (c.Unit != "" || c.Mission != ""):
			return fmt.Errorf("change %d: a force change names no unit or mission", i+1)
		case c.Force != nil:
			continue
		case c.Unit != "" && !units[c.Unit]:
			return fmt.Errorf("change %d: region %s has no unit %s", i+1, region, c.Unit)
		case c.Unit == "" && !missions[c.Mission]:
			return fmt.Errorf("change %d: region %s has no mission %q", i+1, region, c.Mission)
		case c.Unit == "" && !ValidThreat(c.Threat):
			return fmt.Errorf("change %d: mission %s: threat %d is not in %d..%d", i+1, c.Mission, c.Threat, MinThreat, MaxThreat)
		case c.Until != nil && !c.Until.After(c.At):
			return fmt.Errorf("change %d: mission %s: until %s is not after %s", i+1, c.Mission, c.Until.Format(time.RFC3339), c.At.Format(time.RFC3339))
		}
	}
	return nil
}

// threats is the threat level of each mission through one service day under its changes.
type threats struct {
	in     Inputs
	dayMin int
	steps  map[int][]threatStep // mission index → changes in order
}

type threatStep struct {
	from, until int // minutes from the day's start; until = MaxInt when permanent
	threat      int
}

func newThreats(in Inputs, S time.Time, dayMin int, changes []Change) *threats {
	th := &threats{in: in, dayMin: dayMin, steps: map[int][]threatStep{}}
	if len(changes) == 0 {
		return th
	}
	// A mission edited during the day has one entry per edit (missionSpans): a threat
	// change applies to each.
	index := map[string][]int{}
	for i, m := range in.Missions {
		index[m.ID] = append(index[m.ID], i)
	}
	minute := func(t time.Time) int { return int(math.Ceil(t.Sub(S).Minutes() - 1e-9)) }
	for _, c := range changes {
		mis, ok := index[c.Mission]
		if c.Unit != "" || c.Force != nil || c.Edit != "" || !ok {
			continue
		}
		st := threatStep{from: minute(c.At), until: math.MaxInt, threat: c.Threat}
		if c.Until != nil {
			st.until = minute(*c.Until)
		}
		for _, mi := range mis {
			th.steps[mi] = append(th.steps[mi], st)
		}
	}
	return th
}

// at returns mission mi's threat level at the given minute of the day: the latest change
// in effect, else the mission's own level.
func (th *threats) at(mi, minute int) int {
	level := th.in.Missions[mi].Threat
	for _, st := range th.steps[mi] {
		if st.from <= minute && minute < st.until {
			level = st.threat
		}
	}
	return level
}

// points returns the minutes at which mission mi's threat level may change.
func (th *threats) points(mi int) []int {
	var out []int
	for _, st := range th.steps[mi] {
		out = append(out, st.from)
		if st.until != math.MaxInt {
			out = append(out, st.until)
		}
	}
	return out
}

// minimum returns the visits mission mi needs in the day: the smallest minimum of the
// levels in effect during it (a raise late in the day cannot demand the visits the
// morning did not make; its max gap applies from the change).
func (th *threats) minimum(mi int) int {
	p := th.in.Force.Profiles
	n := MinimumVisits(p[th.at(mi, 0)], float64(th.dayMin))
	for _, c := range th.points(mi) {
		if c >= 0 && c < th.dayMin {
			n = min(n, MinimumVisits(p[th.at(mi, c)], float64(th.dayMin)))
		}
	}
	return int(n)
}
