package scheduler

import (
	"context"
	"time"
)

// DayRoster is the roster of a region's service date as the service stored it when it first
// planned the day after the day had begun (DESIGN.md §2: rosters are stored once made, so
// the past never changes). The day is planned, and its roster shown, from it ever after: a
// later change of the force or its officers does not re-derive a begun or past day.
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
	// already: the first write wins and is never replaced. It reports whether it stored r.
	PutDayRoster(ctx context.Context, r DayRoster) (bool, error)
	// DayRoster returns the roster stored for a region's service date, or ErrNotFound.
	DayRoster(ctx context.Context, region string, d Date) (DayRoster, error)

	// ReplaceForce stores f as its region's force, as PutForce does, and in the same
	// transaction appends the force it replaces (if any) to the region's force history as
	// in effect until at. A change of the force goes through it, so a past day first
	// planned after the change is rostered with the force it began with (ForceAt).
	ReplaceForce(ctx context.Context, f RegionForce, at time.Time) error
	// ForceHistory returns the forces a region had before each ReplaceForce, in the order
	// they were replaced; empty, not an error, when its force was never replaced.
	ForceHistory(ctx context.Context, region string) ([]ForceEra, error)
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
