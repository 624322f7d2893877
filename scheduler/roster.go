package scheduler

import (
	"fmt"
	"time"
)

// The duty roster (DESIGN.md §2 Duty roster) is a fixed forward rotation, computed from the
// date and the force alone, so officers know it weeks ahead and the rest rules hold across
// service days that are planned independently.
//
// With S ≥ 3 shifts the cycle is one shift a day in shift order, then one day off:
// D E N off for the default three shifts. Each rest between two duties is a whole number of
// days of the wall clock (24 h, or 23/25 h across a DST change), so there is never a quick
// return, and a duty period is one shift. Six consecutive duties of the default cycle are
// two full rotations, 48 h of work starting and ending at the same clock seven days apart,
// so no rolling 168 h holds more than 48 h, a 9-hour DST night included (the extra hour
// makes the span 169 h). The rotation D D E E N N off off, with the same 4 officers per
// position, would put all six duties (49 h with a DST night) within 145 h.
//
// With 2 shifts the cycle is D off N off: four duties in any rolling week, each at most 12 h.
// Regions with one shift, or with a shift longer than 12 h on an ordinary day, are refused:
// a duty period spans at most 12 h. The 13-hour autumn DST night of two 12-hour shifts is
// staffed by a relief in place after 12 h (roster_relief.go).
//
// Officer i (0-based) works cycle[(i + days since rosterEpoch) mod L] on a service date, so
// officers fall evenly into L phase groups and each shift is worked by exactly one group:
// a force needs L officers per position (RotationDays).

// rosterEpoch is the fixed date the rotation counts days from (a Monday).
var rosterEpoch = Date{2024, time.January, 1}

// MaxDutyMinutes is the longest duty period allowed (DESIGN.md §2: at most 12 h).
const MaxDutyMinutes = 12 * 60

// MaxRosterDays is the longest range RosterRange returns at once.
const MaxRosterDays = 400

const offDuty = -1

// ShiftDuty is who works one shift of a service day: its window (in the region's location)
// and the on-duty officers, sorted by id. Officers beyond the shift's units and posts are
// its reserve; StaffDay says who stands where.
type ShiftDuty struct {
	Shift      string
	Start, End time.Time
	Officers   []string
	// On a shift longer than a duty period (the autumn DST night of a 12-hour set), the
	// officers work until ReliefAt and Relief (sorted) take their positions over in place
	// to End; otherwise ReliefAt is zero and Relief nil.
	ReliefAt time.Time
	Relief   []string
}

// DayDuty is the duty roster of one service date, its shifts in order.
type DayDuty struct {
	Date   Date
	Shifts []ShiftDuty
}

// rotationCycle returns the duty cycle for n shifts: entry q is the shift index worked at
// phase q, or offDuty.
func rotationCycle(n int) ([]int, error) {
	switch {
	case n < 2:
		return nil, fmt.Errorf("duty rotation needs at least 2 shifts a day, got %d (a duty period spans at most 12 h)", n)
	case n == 2:
		return []int{0, offDuty, 1, offDuty}, nil
	}
	c := make([]int, n+1)
	for i := range n {
		c[i] = i
	}
	c[n] = offDuty
	return c, nil
}

// RotationDays returns the length in days of the duty rotation of a region with the given
// number of shifts, which is also the number of officers each position needs: 4 for 2 or 3
// shifts, shifts+1 for more. It returns 0 when no rotation exists (fewer than 2 shifts).
func RotationDays(shifts int) int {
	c, err := rotationCycle(shifts)
	if err != nil {
		return 0
	}
	return len(c)
}

// rotMod returns a mod m in [0, m).
func rotMod(a, m int) int {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

// rotDiv returns ⌊a/m⌋ for m > 0.
func rotDiv(a, m int) int {
	q := a / m
	if a%m != 0 && a < 0 {
		q--
	}
	return q
}

// shiftCrew is the phase group working one shift of one date.
type shiftCrew struct {
	// officers are 0-based officer indices, ascending.
	officers []int
	// turn counts the duties the group has worked since rosterEpoch (negative before it);
	// it advances by one with each of the group's duties and orders the within-shift
	// rotation of posts and units.
	turn int
}

// rosterCrews returns, for each shift of f on date d, the group on duty.
func rosterCrews(f RegionForce, d Date) ([]shiftCrew, error) {
	cycle, err := rotationCycle(len(f.Shifts))
	if err != nil {
		return nil, fmt.Errorf("region %s: %w", f.Region, err)
	}
	L, S := len(cycle), len(f.Shifts)
	k := d.DaysSince(rosterEpoch)
	out := make([]shiftCrew, S)
	for q, s := range cycle {
		if s == offDuty {
			continue
		}
		// Officer i is at phase q when (i + k) ≡ q (mod L).
		g := rotMod(q-k, L)
		// Duties the group worked in whole cycles, plus the work phases before q.
		before := 0
		for _, x := range cycle[:q] {
			if x != offDuty {
				before++
			}
		}
		c := shiftCrew{officers: []int{}, turn: rotDiv(g+k, L)*S + before}
		for i := g; i < f.Officers; i += L {
			c.officers = append(c.officers, i)
		}
		out[s] = c
	}
	return out, nil
}

// DutyRoster returns who works each shift of service date d under f's duty roster, for a
// caller without the region's missions: the roster is made as if the region had no fixed
// posts (DutyRosterOf counts them). It needs no key: the roster follows from the date, the
// force and its officers' leave.
func DutyRoster(f RegionForce, loc *time.Location, d Date) (DayDuty, error) {
	return DutyRosterOf(Inputs{Office: Office{ID: f.Region, Location: loc}, Force: f}, d)
}

// DutyRosterOf returns who works each shift of service date d: the officers on duty in
// each shift, sorted by id. It returns an error when a shift is longer than a duty period
// may last, when the force cannot staff its positions under the roster rules (naming the
// qualification or position that runs short), or when leave leaves a position that no
// officer free under the rules can fill.
func DutyRosterOf(in Inputs, d Date) (DayDuty, error) {
	f := in.Force
	wins, err := checkShiftLengths(f, in.Office.Location, d)
	if err != nil {
		return DayDuty{}, err
	}
	p, err := rosterPlanFor(f, in.Office.Location, len(PostSites(in.Missions, f.Profiles)))
	if err != nil {
		return DayDuty{}, err
	}
	rd, err := p.day(d)
	if err != nil {
		return DayDuty{}, err
	}
	if len(rd.gaps) > 0 {
		return DayDuty{}, gapError(f.Region, rd.gaps)
	}
	day := DayDuty{Date: d, Shifts: make([]ShiftDuty, len(wins))}
	for i, w := range wins {
		day.Shifts[i] = ShiftDuty{Shift: w.Name, Start: w.Start, End: w.End, Officers: p.officerIDs(rd.onDuty[i])}
		if at, ok := reliefAt(w); ok && i < len(rd.relief) {
			day.Shifts[i].ReliefAt, day.Shifts[i].Relief = at, p.officerIDs(rd.relief[i])
		}
	}
	return day, nil
}

// RosterRange returns the duty roster of every service date from from to to, inclusive,
// at most MaxRosterDays of them, as DutyRoster makes it.
func RosterRange(f RegionForce, loc *time.Location, from, to Date) ([]DayDuty, error) {
	return RosterRangeOf(Inputs{Office: Office{ID: f.Region, Location: loc}, Force: f}, from, to)
}

// RosterRangeOf returns the duty roster of every service date from from to to, inclusive,
// at most MaxRosterDays of them. It returns DutyRosterOf's errors, and an error for an
// empty or too long range.
func RosterRangeOf(in Inputs, from, to Date) ([]DayDuty, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("roster range %s to %s ends before it starts", from, to)
	}
	if n := to.DaysSince(from) + 1; n > MaxRosterDays {
		return nil, fmt.Errorf("roster range %s to %s holds %d days; at most %d", from, to, n, MaxRosterDays)
	}
	out := []DayDuty{}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		day, err := DutyRosterOf(in, d)
		if err != nil {
			return nil, err
		}
		out = append(out, day)
	}
	return out, nil
}
