package api

import (
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// Leave through the API (DESIGN.md §5: POST|DELETE /v1/officers/{id}/leave). Leave is kept
// on the region's force with the time it was booked (and cancelled); a service day is
// rostered with the leave as of its start (scheduler.LeaveAsOf), so booking or cancelling
// never changes a past or begun day's plan. Leave covering the current service day calls
// the officer off from now (takeCallOff), as a call-off would.

// EventLeave is the event of leave booked or cancelled: to the officer and the region's
// supervisors.
const EventLeave = "leave"

// leaveIn is the body of POST /v1/officers/{id}/leave.
type leaveIn struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

// leaveResult is what booking leave did.
type leaveResult struct {
	Leave   scheduler.Leave `json:"leave"`
	CallOff *callOffResult  `json:"call_off,omitempty"`
}

// leaveOfficer checks the officer of a leave request and returns its region's office and
// force: the officer exists and the reader may act in the region.
func (s *Server) leaveOfficer(c echo.Context, officer string) (scheduler.Office, scheduler.RegionForce, error) {
	region := OfficerRegion(officer)
	if region == "" {
		return scheduler.Office{}, scheduler.RegionForce{}, errorf(KindNotFound, "no officer %q", officer)
	}
	if err := inRegion(claimsOf(c), region); err != nil {
		return scheduler.Office{}, scheduler.RegionForce{}, err
	}
	o, f, err := s.region(c.Request().Context(), region)
	if err != nil {
		return o, f, err
	}
	if !f.HasOfficer(officer) {
		return o, f, errorf(KindNotFound, "region %s has no officer %s", region, officer)
	}
	return o, f, nil
}

// parseLeaveDates reads a leave's from and to (YYYY-MM-DD, inclusive).
func parseLeaveDates(from, to string) (scheduler.Date, scheduler.Date, error) {
	a, err := scheduler.ParseDate(from)
	if err != nil {
		return a, a, invalid("from: %v (want YYYY-MM-DD)", err)
	}
	b, err := scheduler.ParseDate(to)
	if err != nil {
		return a, b, invalid("to: %v (want YYYY-MM-DD)", err)
	}
	if b.Before(a) {
		return a, b, invalid("to %s is before from %s", b, a)
	}
	if n := b.DaysSince(a) + 1; n > scheduler.MaxLeaveDays {
		return a, b, invalid("leave of %d days; at most %d", n, scheduler.MaxLeaveDays)
	}
	return a, b, nil
}

// postLeave is POST /v1/officers/{id}/leave (a supervisor of the officer's region).
func (s *Server) postLeave(c echo.Context) error {
	ctx := c.Request().Context()
	officer := c.Param("id")
	var body leaveIn
	if err := decode(c, &body); err != nil {
		return err
	}
	o, f, err := s.leaveOfficer(c, officer)
	if err != nil {
		return err
	}
	from, to, err := parseLeaveDates(body.From, body.To)
	if err != nil {
		return err
	}
	if body.Kind == "" {
		body.Kind = "other"
	}
	if !slices.Contains(scheduler.LeaveKinds, body.Kind) {
		return invalid("kind %q: want one of %v", body.Kind, scheduler.LeaveKinds)
	}
	if len(body.Reason) > maxReasonLen {
		return invalid("reason: at most %d characters", maxReasonLen)
	}
	d := s.currentDate(o, f)
	if to.Before(d) {
		return invalid("leave %s to %s ends before the current service day %s", from, to, d)
	}
	for _, l := range f.Leave {
		if l.Officer == officer && l.Cancelled.IsZero() && !l.To.Before(from) && !to.Before(l.From) {
			return errorf(KindConflict, "officer %s already has leave %s to %s", officer, l.From, l.To)
		}
	}
	l := scheduler.Leave{Officer: officer, From: from, To: to, Kind: body.Kind, Reason: body.Reason, Created: s.now().UTC()}
	next := f
	next.Leave = append(slices.Clone(f.Leave), l)
	// The days after today must still be rostered with the leave (a fortnight is checked).
	first := from
	if !d.Before(first) {
		first = d.AddDays(1)
	}
	for day := first; !to.Before(day) && day.DaysSince(first) < 14; day = day.AddDays(1) {
		if _, err := s.rosterOf(ctx, next, o.Location, day); err != nil {
			return &Error{Kind: KindInfeasible, Msg: "leave " + from.String() + " to " + to.String() + ": " + err.Error()}
		}
	}
	out := leaveResult{Leave: l}
	if l.Covers(d) {
		co, err := s.takeCallOff(c, officer, nil, "leave: "+body.Reason)
		var ae *Error
		if err != nil && !(errors.As(err, &ae) && ae.Kind == KindConflict) {
			return err
		}
		out.CallOff = co
	}
	if err := s.store.PutForce(ctx, next); err != nil {
		return err
	}
	if err := s.audit(c, "leave", f.Region); err != nil {
		return err
	}
	s.publish(ctx, f.Region, EventLeave, []string{officer}, map[string]any{"leave": l})
	s.publish(ctx, f.Region, EventLeave, nil, map[string]any{"leave": l, "by": claimsOf(c).publicActor()})
	return c.JSON(http.StatusOK, out)
}

// deleteLeave is DELETE /v1/officers/{id}/leave?from=&to= (a supervisor of the officer's
// region): the leave is cancelled from now, so days that have begun keep it.
func (s *Server) deleteLeave(c echo.Context) error {
	ctx := c.Request().Context()
	officer := c.Param("id")
	_, f, err := s.leaveOfficer(c, officer)
	if err != nil {
		return err
	}
	from, to, err := parseLeaveDates(c.QueryParam("from"), c.QueryParam("to"))
	if err != nil {
		return err
	}
	next := f
	next.Leave = slices.Clone(f.Leave)
	i := slices.IndexFunc(next.Leave, func(l scheduler.Leave) bool {
		return l.Officer == officer && l.From == from && l.To == to && l.Cancelled.IsZero()
	})
	if i < 0 {
		return errorf(KindNotFound, "officer %s has no leave %s to %s", officer, from, to)
	}
	next.Leave[i].Cancelled = s.now().UTC()
	if err := s.store.PutForce(ctx, next); err != nil {
		return err
	}
	if err := s.audit(c, "leave-cancel", f.Region); err != nil {
		return err
	}
	l := next.Leave[i]
	s.publish(ctx, f.Region, EventLeave, []string{officer}, map[string]any{"leave": l})
	s.publish(ctx, f.Region, EventLeave, nil, map[string]any{"leave": l, "by": claimsOf(c).publicActor()})
	return c.JSON(http.StatusOK, map[string]any{"leave": l})
}

// getLeave is GET /v1/officers/{id}/leave: the officer's leave, booked and cancelled, to
// the officer themself and the supervisors of the region.
func (s *Server) getLeave(c echo.Context) error {
	officer := c.Param("id")
	cl := claimsOf(c)
	if cl.Role == RoleOfficer && cl.Officer != officer {
		return forbidden("officer %s may not see the leave of %s", cl.Officer, officer)
	}
	_, f, err := s.leaveOfficer(c, officer)
	if err != nil {
		return err
	}
	out := []scheduler.Leave{}
	for _, l := range f.Leave {
		if l.Officer == officer {
			out = append(out, l)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"officer": officer, "leave": out})
}
