package api

import (
	"slices"
	"time"

	"vigil/scheduler"
)

// Need to know (DESIGN.md §5), in one place: the access decisions that depend only on the
// reader's claims, dates and times. They are pure, so tests call them directly and
// `make mutate` mutates this file under "access rules" (TESTING.md); the handlers ask
// them and hold no rule of their own.

// inRegion refuses a reader limited to another region.
func inRegion(cl *Claims, region string) error {
	if r := cl.regionScope(); r != "" && r != region {
		return forbidden("a %s of region %s may not see region %s", cl.Role, r, region)
	}
	return nil
}

// liveDay refuses a live plan read the reader may not make: planners and officers never
// see a region's plan; supervisors see their region's current and next service day and
// the past.
func (s *Server) liveDay(cl *Claims, region string, o scheduler.Office, f scheduler.RegionForce, d scheduler.Date) error {
	return liveDayAt(cl, region, s.currentDate(o, f), d)
}

// liveDayAt is liveDay with the region's current service date given.
func liveDayAt(cl *Claims, region string, current, d scheduler.Date) error {
	switch cl.Role {
	case RoleAdmin:
		return nil
	case RoleSupervisor:
		if err := inRegion(cl, region); err != nil {
			return err
		}
		if next := current.AddDays(1); next.Before(d) {
			return forbidden("supervisors see plans up to the next service day (%s), not %s", next, d)
		}
		return nil
	}
	return forbidden("role %s may not see live plans", cl.Role)
}

// threatInReach refuses a threat change in service day d that the editor may not make:
// supervisors change threat levels for the current and the next service day only (the
// day a temporary change ends in included); admins for any day.
func threatInReach(cl *Claims, current, d scheduler.Date) error {
	if cl.Role == RoleSupervisor && current.AddDays(1).Before(d) {
		return forbidden("supervisors change threat levels for the current and next service day, not %s", d)
	}
	return nil
}

// releaseAt is when a shift starting at start reaches its officers.
func releaseAt(f scheduler.RegionForce, start time.Time) time.Time {
	return start.Add(-time.Duration(f.ReleaseBeforeMinutes) * time.Minute)
}

// routeReleasedTo reports whether an officer may see route r at now: the officer is on
// its crew (from its start, or from a relief: a call-off's replacement, the relief crew
// of a 13-hour night) and the route has been released to them.
func routeReleasedTo(officer string, f scheduler.RegionForce, r scheduler.Route, now time.Time) bool {
	at, ok := joinsRoute(officer, r)
	return ok && !now.Before(releaseAt(f, at))
}

// joinsRoute returns when an officer joins route r: its start for the crew it starts
// with, the relief's time for an officer who relieves one of them; false when the
// officer never crews it. A route is released to an officer as a shift is, ahead of the
// minute they join it.
func joinsRoute(officer string, r scheduler.Route) (time.Time, bool) {
	if slices.Contains(r.Officers, officer) {
		return r.Start, true
	}
	for _, rl := range r.Reliefs {
		if rl.On == officer {
			return rl.At, true
		}
	}
	return time.Time{}, false
}
