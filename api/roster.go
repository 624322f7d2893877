package api

import (
	"context"
	"time"

	"vigil/scheduler"
)

// rosterOf returns the duty roster of service date d under force f (the region's, or one
// about to replace it): the roster counts the posts of the missions as the day starts, as
// the planner does, so the roster shown and the plan's crews agree.
func (s *Server) rosterOf(ctx context.Context, f scheduler.RegionForce, loc *time.Location, d scheduler.Date) (scheduler.DayDuty, error) {
	o, ok := s.offices[f.Region]
	if !ok {
		o = scheduler.Office{ID: f.Region}
	}
	o.Location = loc
	in := scheduler.Inputs{Office: o, Force: f}
	recs, err := s.regionMissions(ctx, f.Region)
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	if loc == nil || len(f.Shifts) == 0 {
		return scheduler.DutyRosterOf(in, d) // which names what is missing
	}
	start, _ := scheduler.ServiceDayBounds(d, f.Shifts, loc)
	for _, r := range recs {
		if m, ok := r.MissionAt(start); ok {
			m.Threat = r.ThreatAt(start)
			in.Missions = append(in.Missions, m)
		}
	}
	return scheduler.DutyRosterOf(in, d)
}

// rosterRange returns rosterOf for every date from from to to, inclusive (callers bound
// the range).
func (s *Server) rosterRange(ctx context.Context, f scheduler.RegionForce, loc *time.Location, from, to scheduler.Date) ([]scheduler.DayDuty, error) {
	out := []scheduler.DayDuty{}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		day, err := s.rosterOf(ctx, f, loc, d)
		if err != nil {
			return nil, err
		}
		out = append(out, day)
	}
	return out, nil
}

// DutyRoster returns the duty roster of a region's service date, as the plans staff it.
func (s *Server) DutyRoster(ctx context.Context, region string, d scheduler.Date) (scheduler.DayDuty, error) {
	o, f, err := s.region(ctx, region)
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	return s.rosterOf(ctx, f, o.Location, d)
}
