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
