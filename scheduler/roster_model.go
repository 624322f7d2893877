package scheduler

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// posKind is the kind of a position a shift must fill; each asks for one qualification set.
type posKind int

// The position kinds, in the order StaffDay fills them (posts, then crews by unit id, whose
// canine units come first).
const (
	kindPost posKind = iota
	kindCanine
	kindVehicle
	kindFoot
	numKinds
)

var kindNames = [numKinds]string{"post", "canine", "vehicle", "foot"}

// kindQuals returns what an officer must hold for a position of kind k.
func kindQuals(k posKind) []Qualification {
	switch k {
	case kindPost:
		return []Qualification{QualPost}
	case kindCanine:
		return []Qualification{QualVehicle, QualCanine}
	case kindFoot:
		return []Qualification{QualFoot}
	}
	return []Qualification{QualVehicle}
}

// demand is the positions of one shift by kind.
type demand [numKinds]int

func (d demand) total() int {
	n := 0
	for _, v := range d {
		n += v
	}
	return n
}

// shiftDemand returns the positions every shift of f must fill with posts fixed posts:
// a post team per post, a crew per unit, the first canine units' crews needing canine.
func shiftDemand(f RegionForce, posts int) demand {
	var d demand
	d[kindPost] = posts * PostTeam
	c := CanineUnits(f, f.Units[Vehicle])
	d[kindCanine] = c * f.Crew[Vehicle]
	d[kindVehicle] = (f.Units[Vehicle] - c) * f.Crew[Vehicle]
	d[kindFoot] = f.Units[Foot] * f.Crew[Foot]
	return d
}

// sig is a qualification signature: bit i set when the officer holds Qualifications[i].
type sig uint8

func sigOf(o Officer) sig {
	var s sig
	for i, q := range Qualifications {
		if o.Has(q) {
			s |= 1 << i
		}
	}
	return s
}

// fits reports whether an officer of signature s may fill a position of kind k.
func (s sig) fits(k posKind) bool {
	for _, q := range kindQuals(k) {
		if s&(1<<slices.Index(Qualifications, q)) == 0 {
			return false
		}
	}
	return true
}

// rosterModel is one region's roster problem: officers, nominal shift windows of an
// ordinary day (minutes from the service day's start) and the positions of each shift.
type rosterModel struct {
	region   string
	officers []Officer
	sigs     []sig
	caps     []int // minutes in any 7 days
	shifts   []Shift
	starts   []int // nominal start of each shift, minutes from the service day's start
	ends     []int
	night    []bool // the shift is mostly within 22:00–06:00
	need     demand
}

// newRosterModel builds the model of f with posts fixed posts.
func newRosterModel(f RegionForce, posts int) *rosterModel {
	m := &rosterModel{region: f.Region, officers: f.OfficerList(), shifts: f.Shifts, need: shiftDemand(f, posts)}
	m.sigs = make([]sig, len(m.officers))
	m.caps = make([]int, len(m.officers))
	for i, o := range m.officers {
		m.sigs[i] = sigOf(o)
		m.caps[i] = o.WeekCapMinutes()
	}
	first := f.Shifts[0].Start.Minutes()
	for i, s := range f.Shifts {
		a := rotMod(s.Start.Minutes()-first, 24*60)
		b := 24 * 60
		if i+1 < len(f.Shifts) {
			b = rotMod(f.Shifts[i+1].Start.Minutes()-first, 24*60)
		}
		m.starts = append(m.starts, a)
		m.ends = append(m.ends, b)
		m.night = append(m.night, nightMinutes(first+a, first+b)*2 > b-a)
	}
	return m
}

// nightMinutes returns the minutes of [a, b) (minutes from a midnight, b ≤ a + 24 h + …)
// within 22:00–06:00 local.
func nightMinutes(a, b int) int {
	n := 0
	for t := a; t < b; t++ {
		h := rotMod(t, 24*60) / 60
		if h >= 22 || h < 6 {
			n++
		}
	}
	return n
}

// key identifies the model for the roster caches.
func (m *rosterModel) key() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%v|%v|", m.region, m.shifts, m.need)
	for i, o := range m.officers {
		fmt.Fprintf(&b, "%s:%d:%d;", o.ID, m.sigs[i], m.caps[i])
	}
	return b.String()
}

// shortfall returns, when the force cannot staff the model's positions under the rules
// whatever the pattern, a sentence per qualification that runs short: on which shifts, by
// how many officers. Each position holds an officer for its shift every day, and an officer
// works at most their weekly cap in 7 days, so a qualification q needs
// Σ_shifts positions_q × shift hours × 7 ÷ cap officers holding it.
func (m *rosterModel) shortfall() []string {
	var out []string
	check := func(name string, holds func(sig) bool, need func(k posKind) bool) {
		perShift := make([]int, len(m.shifts))
		weekMin := 0
		for s := range m.shifts {
			for k := range numKinds {
				if need(posKind(k)) {
					perShift[s] += m.need[k]
				}
			}
			weekMin += perShift[s] * (m.ends[s] - m.starts[s]) * 7
		}
		if weekMin == 0 {
			return
		}
		capMin := 0
		have := 0
		for i, s := range m.sigs {
			if holds(s) {
				capMin += m.caps[i]
				have++
			}
		}
		if capMin >= weekMin {
			return
		}
		missing := (weekMin - capMin + MaxWeekMinutes - 1) / MaxWeekMinutes
		var parts []string
		for s, sh := range m.shifts {
			parts = append(parts, fmt.Sprintf("%s %d", sh.Name, perShift[s]))
		}
		out = append(out, fmt.Sprintf("%s runs short by %d officers: on duty per shift %s need %.0f officer-hours a week, the %d officers holding it give %.0f under their weekly caps",
			name, missing, strings.Join(parts, ", "), float64(weekMin)/60, have, float64(capMin)/60))
	}
	for qi, q := range Qualifications {
		bit := sig(1 << qi)
		check(string(q), func(s sig) bool { return s&bit != 0 }, func(k posKind) bool {
			return slices.Contains(kindQuals(k), q)
		})
	}
	check("the force", func(sig) bool { return true }, func(posKind) bool { return true })
	return out
}

// maxReliefMinutes is how much longer than a duty period a shift may run: the autumn DST
// change makes a 12-hour night 13 hours long (30 minutes more where the change is half an
// hour). Its officers work the first MaxDutyMinutes; a relief crew (rosterDay.relief)
// takes every position over in place for the rest, so no duty period exceeds 12 h.
const maxReliefMinutes = 60

// reliefAt returns when the relief crew of window w takes over: MaxDutyMinutes after its
// start, for a window longer than that; ok is false for a window one duty period covers.
func reliefAt(w ShiftWindow) (time.Time, bool) {
	if w.Minutes() <= MaxDutyMinutes {
		return time.Time{}, false
	}
	return w.Start.Add(MaxDutyMinutes * time.Minute), true
}

// checkShiftLengths refuses a day whose shift would make a duty period over 12 h that a
// relief crew cannot cut down (more than maxReliefMinutes over).
func checkShiftLengths(f RegionForce, loc *time.Location, d Date) ([]ShiftWindow, error) {
	if loc == nil {
		return nil, fmt.Errorf("region %s: no time zone for the duty roster", f.Region)
	}
	if len(f.Shifts) < 2 {
		return nil, fmt.Errorf("region %s: the duty roster needs at least 2 shifts a day, got %d (a duty period spans at most 12 h)", f.Region, len(f.Shifts))
	}
	wins := ShiftWindows(d, f.Shifts, loc)
	for i, w := range wins {
		nominal := rotMod(f.Shifts[(i+1)%len(f.Shifts)].Start.Minutes()-f.Shifts[i].Start.Minutes(), 24*60)
		if m := w.Minutes(); m > MaxDutyMinutes+maxReliefMinutes || m <= 0 || nominal > MaxDutyMinutes {
			return nil, fmt.Errorf("region %s: shift %s on %s lasts %d min; a duty period spans at most %d min (a relief in place covers at most %d min more), so no roster can staff it",
				f.Region, w.Name, d, m, MaxDutyMinutes, maxReliefMinutes)
		}
	}
	return wins, nil
}
