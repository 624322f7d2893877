package api

import (
	"context"
	"slices"
	"time"

	"vigil/scheduler"
)

// The methods below are what the background jobs (package jobs) need of the server: its
// cached plans, its compliance figures and its event stream.

// PlanDay plans and caches a region's service day, unless the plan of its inputs is
// cached already.
func (s *Server) PlanDay(ctx context.Context, region string, d scheduler.Date) error {
	_, err := s.dayPlan(ctx, region, d)
	return err
}

// PlannedVisit is one visit of a region's service-day plan, and whether a verified
// check-in did it.
type PlannedVisit struct {
	Unit        string
	Officers    []string
	Mission     string
	MissionName string
	Arrive      time.Time
	Done        bool
}

// PlannedVisits returns the visits of a region's service day d, in order of arrival, each
// with whether a verified check-in did it.
func (s *Server) PlannedVisits(ctx context.Context, region string, d scheduler.Date) ([]PlannedVisit, error) {
	out, err := s.complianceReport(ctx, region, d)
	if err != nil {
		return nil, err
	}
	vs := make([]PlannedVisit, len(out.Visits))
	for i, v := range out.Visits {
		vs[i] = PlannedVisit{Unit: v.Unit, Officers: slices.Clone(v.Officers), Mission: v.Mission,
			MissionName: v.MissionName, Arrive: v.Arrive, Done: v.Status == "done"}
	}
	return vs, nil
}

// Publish appends an event of type typ to a region's stream, for officers (none:
// supervisors and admins only); data must hold only what they may see. A failure is
// logged, never returned.
func (s *Server) Publish(ctx context.Context, region, typ string, officers []string, data any) {
	s.publish(ctx, region, typ, officers, data)
}
