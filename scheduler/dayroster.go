package scheduler

import (
	"context"
	"fmt"
	"time"
)

// DayRoster is the roster of a region's service date as the service stored it when it first
// planned the day after the day had begun (DESIGN.md §2: rosters are stored once made, so
// the past never changes). The day is planned, and its roster shown, from it ever after: a
// later change of the force or its officers does not re-derive a begun or past day, save
// a day with no valid plan, which a force change rosters again (ForceDay.Roster).
type DayRoster struct {
	Region string `json:"region"`
	Date   string `json:"date"`
	// Force is the force the day was rostered and planned from: the force at the day's
	// start, its leave as of then.
	Force RegionForce `json:"force"`
	// Duty is who works each shift of the day, as DutyRosterOf made it from Force and the
	// missions at the day's start; nil when the force could not staff the day.
	Duty *DayDuty `json:"duty,omitempty"`
	// StoredAt is when the roster was stored.
	StoredAt time.Time `json:"stored_at"`
}

// RosterStore keeps the stored rosters of service days. Every method may return an error
// wrapping ErrUnavailable.
type RosterStore interface {
	// PutDayRoster stores the roster of r.Region's service date r.Date unless one is stored
	// already: the first write wins, replaced only by a force change that finds the day
	// with no valid plan (ForceDay.Roster). It reports whether it stored r.
	PutDayRoster(ctx context.Context, r DayRoster) (bool, error)
	// DayRoster returns the roster stored for a region's service date, or ErrNotFound.
	DayRoster(ctx context.Context, region string, d Date) (DayRoster, error)

	// ReplaceForce stores f as its region's force, as PutForce does, and in the same
	// transaction appends the force it replaces (if any) to the region's force history as
	// in effect until at and, when day is not nil, writes what the change does to the
	// service day in progress (ForceDay). A change of the force goes through it, so a past
	// day first planned after the change is rostered with the force it began with
	// (ForceAt), and a change is either written whole or not at all.
	ReplaceForce(ctx context.Context, f RegionForce, at time.Time, day *ForceDay) error
	// ForceHistory returns the forces a region had before each ReplaceForce, in the order
	// they were replaced; empty, not an error, when its force was never replaced.
	ForceHistory(ctx context.Context, region string) ([]ForceEra, error)
}

// ForceDay is what a force change does to its region's service day in progress, written
// in the change's own transaction (RosterStore.ReplaceForce): with one write, a failure
// leaves neither a changed force with a day not re-planned nor the reverse. Exactly one of
// Change and Roster is set.
type ForceDay struct {
	Date Date
	// Change is appended to the day's change log: the day had a valid plan, and is
	// re-planned from the change's time (DESIGN.md §3), keeping the visits begun before.
	Change *Change
	// Roster replaces the day's stored roster, the one write that may: the day had no
	// valid plan, so nothing of it was served or can be kept, and it is rostered and
	// planned whole with the new force instead of pinning the force that could not plan it.
	Roster *DayRoster
}

// Check reports a ForceDay that sets both or neither of Change and Roster, or whose roster
// is of another region or date.
func (fd ForceDay) Check(region string) error {
	switch {
	case (fd.Change == nil) == (fd.Roster == nil):
		return fmt.Errorf("force change of %s on %s: want a change or a roster, not both or neither", region, fd.Date)
	case fd.Roster != nil && (fd.Roster.Region != region || fd.Roster.Date != fd.Date.String()):
		return fmt.Errorf("force change of %s on %s: roster of %s %s", region, fd.Date, fd.Roster.Region, fd.Roster.Date)
	case fd.Change != nil && fd.Change.Force == nil:
		return fmt.Errorf("force change of %s on %s: the change has no force", region, fd.Date)
	}
	return nil
}

// ForceEra is a force a region had until a change replaced it at Until.
type ForceEra struct {
	Until time.Time   `json:"until"`
	Force RegionForce `json:"force"`
}

// ForceAt returns the force of history in effect at instant t (a service day's start):
// the first era, in the order they were replaced, that t does not follow, and whether
// there is one; none means the force in effect at t is the current one. An era ending
// exactly at t covers t: a day begun by the change's instant is a day begun before it.
func ForceAt(history []ForceEra, t time.Time) (RegionForce, bool) {
	for _, e := range history {
		if !t.After(e.Until) {
			return e.Force, true
		}
	}
	return RegionForce{}, false
}

// InLocation returns the duty with its times in loc (a stored roster's times come back
// with a fixed offset).
func (d DayDuty) InLocation(loc *time.Location) DayDuty {
	if loc == nil {
		return d
	}
	out := DayDuty{Date: d.Date, Shifts: make([]ShiftDuty, len(d.Shifts))}
	for i, s := range d.Shifts {
		s.Start, s.End = s.Start.In(loc), s.End.In(loc)
		if !s.ReliefAt.IsZero() {
			s.ReliefAt = s.ReliefAt.In(loc)
		}
		out.Shifts[i] = s
	}
	return out
}
