package api

import (
	"context"
	"errors"
	"time"

	"vigil/scheduler"
)

// Rosters are stored once made (DESIGN.md §2): the first time the service loads a region's
// service day after the day has begun, it stores the day's roster (the force at the day's
// start, its leave as of then, and who works each shift) and from then on plans the day,
// and shows its roster, from what it stored. A later change of the force or its officers
// re-derives neither a past day nor the begun part of today (today's force changes are in
// its change log). A day nobody loaded before a change is not lost either: every change of
// the force keeps the force it replaces in the store's force history, in the same
// transaction (Store.ReplaceForce), so such a day is stored, when first loaded, with the
// force it began with. A begun day that has no valid plan pins nothing that was served: a
// force change then stores its roster again with the new force, in the change's own write
// (rosterAgain, Store.ReplaceForce), so raising a force that could not plan today repairs
// today. Days not yet begun are derived from the current force, as the CLI does.

// begun reports whether service day d, starting at start, has begun.
func (s *Server) begun(start time.Time) bool { return !s.now().Before(start) }

// fixDayRoster returns the force day d of in's region is planned from: in.Force before the
// day begins; after, the stored roster's force, or, when none is stored, the force in
// effect at the day's start (startForce), stored with the day's roster as the first write
// (a concurrent replica's earlier write wins). A store that cannot be read or written
// costs the guarantee, never the plan: it is logged and in.Force used, and nothing is
// stored from a force the history could not confirm.
func (s *Server) fixDayRoster(ctx context.Context, in scheduler.Inputs, d scheduler.Date, start time.Time) scheduler.RegionForce {
	if !s.begun(start) {
		return in.Force // no day is stored before it begins
	}
	region := in.Office.ID
	r, err := s.store.DayRoster(ctx, region, d)
	if err == nil {
		return r.Force
	}
	if !errors.Is(err, scheduler.ErrNotFound) {
		s.logger.Warn("stored roster read failed", "region", region, "date", d.String(), "err", err)
		return in.Force
	}
	f, err := s.startForce(ctx, in.Force, start)
	if err != nil {
		s.logger.Warn("force history read failed", "region", region, "date", d.String(), "err", err)
		return in.Force
	}
	in.Force = f
	r = scheduler.DayRoster{Region: region, Date: d.String(), Force: cloneForce(f), StoredAt: s.now().UTC()}
	if duty, err := scheduler.DutyRosterOf(in, d); err == nil {
		r.Duty = &duty
	}
	ok, err := s.store.PutDayRoster(ctx, r)
	if err != nil {
		s.logger.Warn("stored roster write failed", "region", region, "date", d.String(), "err", err)
		return in.Force
	}
	if !ok {
		if won, err := s.store.DayRoster(ctx, region, d); err == nil {
			return won.Force
		}
	}
	return f
}

// startForce returns the force in effect at start, a begun day's start, with its leave as
// of then: from the region's force history (scheduler.ForceAt) when the force was replaced
// since start, else cur, the force the day's inputs hold (the region's force now, or the
// ForceBefore of a change during the day). So a past day first loaded after a force change
// is rostered with the force it began with, not the new one.
func (s *Server) startForce(ctx context.Context, cur scheduler.RegionForce, start time.Time) (scheduler.RegionForce, error) {
	h, err := s.store.ForceHistory(ctx, cur.Region)
	if err != nil {
		return cur, err
	}
	f, ok := scheduler.ForceAt(h, start)
	if !ok {
		return cur, nil
	}
	f.Leave = scheduler.LeaveAsOf(f.Leave, start)
	return f, nil
}

// storedDuty returns the stored duty roster of a region's service date, storing it first
// when the day has begun and has none (through the day's inputs), and whether there is one.
func (s *Server) storedDuty(ctx context.Context, region string, loc *time.Location, d scheduler.Date) (scheduler.DayDuty, bool) {
	r, err := s.store.DayRoster(ctx, region, d)
	if errors.Is(err, scheduler.ErrNotFound) {
		if _, err := s.day(ctx, region, d); err != nil {
			return scheduler.DayDuty{}, false
		}
		r, err = s.store.DayRoster(ctx, region, d)
	}
	if err != nil || r.Duty == nil {
		return scheduler.DayDuty{}, false
	}
	return r.Duty.InLocation(loc), true
}

// shownRoster is the duty roster of date d as the service shows it: the stored one of a
// begun or past day, else rosterOf f.
func (s *Server) shownRoster(ctx context.Context, f scheduler.RegionForce, loc *time.Location, d scheduler.Date) (scheduler.DayDuty, error) {
	if loc != nil && len(f.Shifts) > 0 {
		if start, _ := scheduler.ServiceDayBounds(d, f.Shifts, loc); s.begun(start) {
			if duty, ok := s.storedDuty(ctx, f.Region, loc, d); ok {
				return duty, nil
			}
		}
	}
	return s.rosterOf(ctx, f, loc, d)
}

// rosterAgain returns the roster begun day d of region is stored with when a force change
// to f finds it with no valid plan: f at the day's start, its leave as of then, and the
// duties it derives with the missions at the day's start, as fixDayRoster stores a day
// first loaded under f. Nothing of such a day was served, so it has nothing to keep.
func (s *Server) rosterAgain(ctx context.Context, region string, f scheduler.RegionForce, d scheduler.Date) (scheduler.DayRoster, error) {
	in, _, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return scheduler.DayRoster{}, err
	}
	start, _ := scheduler.ServiceDayBounds(d, f.Shifts, in.Office.Location)
	in.Force = cloneForce(f)
	in.Force.Leave = scheduler.LeaveAsOf(in.Force.Leave, start)
	r := scheduler.DayRoster{Region: region, Date: d.String(), Force: cloneForce(in.Force), StoredAt: s.now().UTC()}
	if duty, err := scheduler.DutyRosterOf(in, d); err == nil {
		r.Duty = &duty
	}
	return r, nil
}
