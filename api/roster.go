package api

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// rosterOf returns the duty roster of service date d under force f (the region's, or one
// about to replace it): the roster counts the posts of the missions as the day starts, as
// the planner does, so the roster shown and the plan's crews agree.
func (s *Server) rosterOf(ctx context.Context, f scheduler.RegionForce, loc *time.Location, d scheduler.Date) (scheduler.DayDuty, error) {
	in, err := s.rosterInputs(ctx, f, loc, d)
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	return scheduler.DutyRosterOf(in, d)
}

// rosterInputs returns the inputs the roster of date d is made from: f, and the region's
// missions as the day starts.
func (s *Server) rosterInputs(ctx context.Context, f scheduler.RegionForce, loc *time.Location, d scheduler.Date) (scheduler.Inputs, error) {
	o, ok := s.offices[f.Region]
	if !ok {
		o = scheduler.Office{ID: f.Region}
	}
	o.Location = loc
	in := scheduler.Inputs{Office: o, Force: f}
	recs, err := s.dayMissions(ctx, f.Region)
	if err != nil {
		return in, err
	}
	if loc == nil || len(f.Shifts) == 0 {
		return in, nil // DutyRosterOf names what is missing
	}
	start, _ := scheduler.ServiceDayBounds(d, f.Shifts, loc)
	in.Force.Leave = scheduler.LeaveAsOf(f.Leave, start)
	for _, r := range recs {
		if m, ok := r.MissionAt(start); ok && !slices.ContainsFunc(in.Missions, func(x scheduler.Mission) bool { return x.ID == m.ID }) {
			m.Threat = r.ThreatAt(start)
			in.Missions = append(in.Missions, m)
		}
	}
	slices.SortFunc(in.Missions, func(a, b scheduler.Mission) int { return strings.Compare(a.ID, b.ID) })
	return in, nil
}

// rosterRange returns shownRoster for every date from from to to, inclusive (callers bound
// the range).
func (s *Server) rosterRange(ctx context.Context, f scheduler.RegionForce, loc *time.Location, from, to scheduler.Date) ([]scheduler.DayDuty, error) {
	out := []scheduler.DayDuty{}
	for d := from; !to.Before(d); d = d.AddDays(1) {
		day, err := s.shownRoster(ctx, f, loc, d)
		if err != nil {
			return nil, err
		}
		out = append(out, day)
	}
	return out, nil
}

// DutyRoster returns the duty roster of a region's service date, as the plans staff it:
// the stored one of a begun or past day.
func (s *Server) DutyRoster(ctx context.Context, region string, d scheduler.Date) (scheduler.DayDuty, error) {
	o, f, err := s.region(ctx, region)
	if err != nil {
		return scheduler.DayDuty{}, err
	}
	return s.shownRoster(ctx, f, o.Location, d)
}

// hasCallOff reports whether any change is a call-off.
func hasCallOff(cs []scheduler.Change) bool {
	for _, c := range cs {
		if scheduler.IsCallOff(c) {
			return true
		}
	}
	return false
}

// planWithCallOffs plans a service day with its changes: the planner replays all but the
// call-offs, which then hand their officers' positions to replacements.
func planWithCallOffs(in scheduler.Inputs, key []byte, d scheduler.Date, changes []scheduler.Change) (scheduler.ServiceDay, error) {
	if !hasCallOff(changes) {
		return scheduler.PlanServiceDay(in, key, d, changes)
	}
	sd, err := scheduler.PlanServiceDay(in, key, d, scheduler.PlannerChanges(changes))
	if err != nil {
		return sd, err
	}
	sd, _, err = scheduler.ApplyCallOffs(in, d, sd, changes)
	return sd, err
}

// EventCallOff is the event of a call-off: to the supervisors of the region, the officer
// called off and each replacement.
const EventCallOff = "call_off"

// callOffIn is the body of POST /v1/officers/{id}/call-off.
type callOffIn struct {
	From   *time.Time `json:"from"`
	Reason string     `json:"reason"`
}

// maxReasonLen bounds a call-off's reason.
const maxReasonLen = 200

// callOffResult is what a call-off did.
type callOffResult struct {
	Officer      string                  `json:"officer"`
	From         time.Time               `json:"from"`
	Reason       string                  `json:"reason"`
	Replacements []scheduler.Replacement `json:"replacements"`
	// EmptyPositions are the positions no qualified officer free under the rules could
	// take; OutOfService the units taken out of service from From to absorb them (the
	// unit of an empty crew place, or one whose post-qualified officer took a post over).
	EmptyPositions []scheduler.Replacement `json:"empty_positions"`
	OutOfService   []string                `json:"out_of_service"`
	Replan         *replanSummary          `json:"replan"`
}

// callOff is POST /v1/officers/{id}/call-off (takeCallOff).
func (s *Server) callOff(c echo.Context) error {
	var body callOffIn
	if err := decode(c, &body); err != nil {
		return err
	}
	out, err := s.takeCallOff(c, c.Param("id"), body.From, body.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// takeCallOff makes an officer unavailable from a time of the current service day (default
// now): each of their positions from then goes to a qualified replacement free under the
// roster rules, named in the answer. A position no one can take degrades the plan as an
// out-of-service unit would (scheduler.PlanCallOff): the answer names the empty position
// and the unit taken out, the supervisors get both events. Only when no unit can absorb it
// is the call-off refused (422) naming it; nothing is stored then. The dashboard's
// call-off form calls it too.
func (s *Server) takeCallOff(c echo.Context, officer string, from *time.Time, reason string) (*callOffResult, error) {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region := OfficerRegion(officer)
	if region == "" {
		return nil, errorf(KindNotFound, "no officer %q", officer)
	}
	if err := inRegion(cl, region); err != nil {
		return nil, err
	}
	if len(reason) > maxReasonLen {
		return nil, invalid("reason: at most %d characters", maxReasonLen)
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	if !f.HasOfficer(officer) {
		return nil, errorf(KindNotFound, "region %s has no officer %s", region, officer)
	}
	now := s.now()
	d := s.currentDate(o, f)
	at := now.Truncate(time.Minute)
	if from != nil {
		at = from.Truncate(time.Minute)
		if at.Before(now.Add(-time.Minute)) {
			return nil, invalid("from %s is in the past; a call-off starts now or later", from.Format(time.RFC3339))
		}
		if scheduler.ServiceDateOf(at, f.Shifts, o.Location) != d {
			return nil, invalid("from %s is not in the current service day %s (book leave for later days)", from.Format(time.RFC3339), d)
		}
	}
	in, changes, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return nil, err
	}
	for _, ch := range changes {
		if ch.Officer == officer {
			return nil, errorf(KindConflict, "officer %s is called off since %s", officer, ch.At.Format(time.RFC3339))
		}
	}
	if n := len(changes); n > 0 && at.Before(changes[n-1].At) {
		at = changes[n-1].At
	}
	change := scheduler.Change{At: at, Officer: officer, Reason: reason}
	// Find the replacements before storing anything. A position no one can take is
	// absorbed by taking a unit out of service from the same minute; a call-off even that
	// cannot cover is refused.
	oc, err := scheduler.PlanCallOff(in, s.planKey, d, changes, change)
	var ue *scheduler.UncoveredError
	if errors.As(err, &ue) {
		return nil, &Error{Kind: KindInfeasible, Msg: err.Error() + "; no unit can be taken out of service to absorb it: add officers"}
	}
	if err != nil {
		return nil, err
	}
	reps := oc.Replacements
	units := oc.Changes[:len(oc.Changes)-1]
	sum, err := s.applyChangeWith(ctx, region, d, change, true, func() error {
		for _, u := range units {
			if err := s.store.AddChange(ctx, region, d, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.audit(c, "call-off", region); err != nil {
		return nil, err
	}
	if len(oc.OutOfService) > 0 {
		if err := s.audit(c, "unit-out-of-service", region); err != nil {
			return nil, err
		}
		s.announceReplan(ctx, region, d, f, EventUnitOutOfService, map[string]any{"units": oc.OutOfService, "call_off": officer,
			"empty_positions": oc.Gaps, "by": cl.publicActor()}, sum)
	}
	for _, r := range reps {
		to := []string{r.By}
		if r.Officer != officer {
			to = append(to, r.Officer) // moved on to free the replacement
		}
		s.publish(ctx, region, EventCallOff, to, map[string]any{"date": d.String(), "officer": r.Officer, "replacement": r})
	}
	s.publish(ctx, region, EventCallOff, []string{officer}, map[string]any{"date": d.String(), "officer": officer, "from": at.UTC()})
	s.publish(ctx, region, EventCallOff, nil, map[string]any{"date": d.String(), "officer": officer, "from": at.UTC(), "reason": reason,
		"replacements": reps, "empty_positions": oc.Gaps, "out_of_service": oc.OutOfService, "by": cl.publicActor()})
	return &callOffResult{Officer: officer, From: at.UTC(), Reason: reason, Replacements: reps, EmptyPositions: nonNil(oc.Gaps),
		OutOfService: nonNil(oc.OutOfService), Replan: sum}, nil
}

// rosterOfficers returns the officers of f the reader may see: only officer's record when
// officer is set (an officer reads their own roster), else all of them.
func rosterOfficers(f scheduler.RegionForce, officer string) []scheduler.Officer {
	out := []scheduler.Officer{}
	for _, o := range f.OfficerList() {
		if officer == "" || o.ID == officer {
			out = append(out, o)
		}
	}
	return out
}

// leaveOn returns the leave covering d, of officer only when set.
func leaveOn(f scheduler.RegionForce, d scheduler.Date, officer string) []scheduler.Leave {
	out := []scheduler.Leave{}
	for _, l := range f.Leave {
		if l.Covers(d) && l.Cancelled.IsZero() && (officer == "" || l.Officer == officer) {
			out = append(out, l)
		}
	}
	return out
}
