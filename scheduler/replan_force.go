package scheduler

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"time"
)

// Force changes during a service day (DESIGN.md §2, §3). A change with Force set replaces
// the region's force from its At: the day is re-planned from At with the new units and
// zones, every visit that started before At is kept, a removed unit is treated like a unit
// out of service from At, and an added unit starts free at At from anywhere in its new
// sector. The day keeps the duty roster it was released with: crews and posts stay those of
// the force in effect when the day started, and added units are crewed from that shift's
// reserve, then from officers the change added who are on duty in the shift.

// hasForceChange reports whether any change replaces the force.
func hasForceChange(changes []Change) bool {
	for _, c := range changes {
		if c.Force != nil {
			return true
		}
	}
	return false
}

// unitModes returns every unit of a force with its mode.
func unitModes(f RegionForce, region string) map[string]Mode {
	out := map[string]Mode{}
	for _, mode := range Modes {
		for n := 1; n <= f.Units[mode]; n++ {
			out[UnitID(region, mode, n)] = mode
		}
	}
	return out
}

// checkForceChange reports a force change that changes more than a force change may: units,
// officers, capabilities, the zoning resolution and the release lead. The rest shapes the
// service day itself (its shifts and rules) and cannot change inside it.
func checkForceChange(in Inputs, i int, c Change) error {
	a, b := in.Force, *c.Force
	region := regionOf(in)
	switch {
	case b.Region != "" && b.Region != a.Region:
		return fmt.Errorf("change %d: force of region %s given for region %s", i+1, b.Region, region)
	case !reflect.DeepEqual(a.Shifts, b.Shifts):
		return fmt.Errorf("change %d: a force change cannot change the shifts during a service day", i+1)
	case a.Profiles != b.Profiles:
		return fmt.Errorf("change %d: a force change cannot change the protection profiles during a service day", i+1)
	case !maps.Equal(a.Crew, b.Crew) || !maps.Equal(a.SpeedsKmh, b.SpeedsKmh) || a.Circuity != b.Circuity || a.PostBlockMinutes != b.PostBlockMinutes:
		return fmt.Errorf("change %d: a force change cannot change crews, speeds, circuity or post blocks during a service day", i+1)
	}
	for _, mode := range Modes {
		if b.Units[mode] < 0 {
			return fmt.Errorf("change %d: %d %s units", i+1, b.Units[mode], mode)
		}
	}
	return nil
}

// zonings is the zoning of a day's inputs and of the force its changes put in effect,
// remembered across the re-plans of one call.
type zonings struct {
	in   Inputs
	base *zoning
	f    *RegionForce // the force of zn, nil for the base
	zn   *zoning
}

func newZonings(in Inputs) (*zonings, error) {
	zn, err := makeZoning(in)
	if err != nil {
		return nil, err
	}
	return &zonings{in: in, base: zn}, nil
}

// at returns the inputs in effect after changes and their zoning.
func (zs *zonings) at(changes []Change) (Inputs, *zoning, error) {
	var last *RegionForce
	for _, c := range changes {
		if c.Force != nil {
			last = c.Force
		}
	}
	if last == nil {
		return zs.in, zs.base, nil
	}
	eff := zs.in
	eff.Force = *last
	if zs.f != nil && reflect.DeepEqual(*zs.f, *last) {
		return eff, zs.zn, nil
	}
	zn, err := makeZoning(eff)
	if err != nil {
		return Inputs{}, nil, fmt.Errorf("force change at %s: %w", changeTimeOf(changes, last), err)
	}
	zs.f, zs.zn = last, zn
	return eff, zn, nil
}

func changeTimeOf(changes []Change, f *RegionForce) string {
	for _, c := range changes {
		if c.Force == f {
			return c.At.Format(time.RFC3339)
		}
	}
	return "?"
}

// unitSpans says, for units a day's force changes add or remove, from when a unit works
// (added) and until when (removed), so their routes cover only the shifts they work.
type unitSpans struct {
	added   map[string]time.Time // unit not in the day's force → when it was (last) added
	removed map[string]time.Time // unit not in the force in effect → when it was removed
}

func newUnitSpans(in Inputs, changes []Change) unitSpans {
	region := regionOf(in)
	base := unitModes(in.Force, region)
	sp := unitSpans{added: map[string]time.Time{}, removed: map[string]time.Time{}}
	cur := base
	for _, c := range changes {
		if c.Force == nil {
			continue
		}
		next := unitModes(*c.Force, region)
		for u := range next {
			if _, ok := cur[u]; !ok {
				delete(sp.removed, u)
				if _, ok := base[u]; !ok {
					sp.added[u] = c.At
				}
			}
		}
		for u := range cur {
			if _, ok := next[u]; !ok {
				sp.removed[u] = c.At
			}
		}
		cur = next
	}
	return sp
}

// works reports whether a unit has a route in the shift window w.
func (sp unitSpans) works(u string, w ShiftWindow) bool {
	if t, ok := sp.added[u]; ok && !w.End.After(t) {
		return false
	}
	if t, ok := sp.removed[u]; ok && !w.Start.Before(t) {
		return false
	}
	return true
}

// staffChanged staffs the routes of a day whose force changed during it. The day keeps
// the roster it was released with: every unit of the day's own force is crewed, and every
// post staffed, exactly as StaffDay does for the day without changes, and each unit the
// changes added is crewed from its shift's reserve (on-duty officers of the day's roster
// in neither a post team nor a crew, in rotation order), then from officers the changes
// added to the force who are on duty in that shift under the new force's rotation. Not
// enough of them is an *InfeasibleError naming the shift and the officers missing.
func staffChanged(in Inputs, eff RegionForce, key []byte, d Date, routes []Route) ([]Route, []Post, error) {
	f := in.Force
	region := regionOf(in)
	wins := ShiftWindows(d, f.Shifts, in.Office.Location)
	baseUnits := unitModes(f, region)
	ids := slices.Sorted(maps.Keys(baseUnits))
	var stubs []Route
	for _, w := range wins {
		for _, u := range ids {
			stubs = append(stubs, Route{Unit: u, Mode: baseUnits[u], Shift: w.Name})
		}
	}
	staffed, posts, err := StaffDay(in, key, d, InputsVersion(in, d, nil), stubs)
	if err != nil {
		return nil, nil, err
	}
	crew := map[string][]string{} // unit|shift → officers
	for _, r := range staffed {
		crew[r.Unit+"|"+r.Shift] = r.Officers
	}
	// Added units: crews from each shift's reserve.
	added := map[string][]Route{} // shift → routes of added units
	for _, r := range routes {
		if _, ok := baseUnits[r.Unit]; !ok {
			added[r.Shift] = append(added[r.Shift], r)
		}
	}
	if len(added) > 0 {
		baseCrews, err := rosterCrews(f, d)
		if err != nil {
			return nil, nil, err
		}
		effCrews, err := rosterCrews(eff, d)
		if err != nil {
			return nil, nil, err
		}
		used := map[string]bool{}
		for _, c := range crew {
			for _, o := range c {
				used[o] = true
			}
		}
		for _, p := range posts {
			for _, b := range p.Blocks {
				used[b.Officer] = true
			}
		}
		for s, w := range wins {
			rs := added[w.Name]
			if len(rs) == 0 {
				continue
			}
			// An officer works one shift a day, so the ones used anywhere in the day are
			// the ones used in this shift.
			var reserve []int
			for _, o := range baseCrews[s].officers {
				if !used[OfficerID(region, o+1)] {
					reserve = append(reserve, o)
				}
			}
			for _, o := range effCrews[s].officers {
				if o >= f.Officers {
					reserve = append(reserve, o)
				}
			}
			sort.Slice(rs, func(a, b int) bool { return rs[a].Unit < rs[b].Unit })
			need := 0
			for _, r := range rs {
				need += eff.Crew[r.Mode]
			}
			if need > len(reserve) {
				return nil, nil, &InfeasibleError{Region: region, Missing: fmt.Sprintf(
					"shift %s on %s: the %d units added during the day need %d officers, and only %d on duty are free (the day keeps its released roster); %d missing",
					w.Name, d, len(rs), need, len(reserve), need-len(reserve))}
			}
			next := 0
			for _, r := range rs {
				c := make([]string, eff.Crew[r.Mode])
				for i := range c {
					c[i] = OfficerID(region, reserve[next]+1)
					next++
				}
				sort.Strings(c)
				crew[r.Unit+"|"+r.Shift] = c
			}
		}
	}
	out := make([]Route, len(routes))
	for i, r := range routes {
		r.Officers = slices.Clone(crew[r.Unit+"|"+r.Shift])
		if r.Officers == nil {
			r.Officers = []string{}
		}
		out[i] = r
	}
	return out, posts, nil
}
