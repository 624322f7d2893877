package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// outOfService takes a unit out of service from now: the current service day is
// re-planned from now (the other units of its zone take over its missions), and the
// officers whose released routes changed get an event.
func (s *Server) outOfService(c echo.Context) error {
	unit := c.Param("id")
	at, sum, err := s.takeOutOfService(c, unit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"unit": unit, "out_of_service_from": at.UTC(), "replan": sum})
}

// takeOutOfService takes a unit out of service from now for the signed-in editor and
// returns since when and the re-plan's summary. The dashboard's form calls it too.
func (s *Server) takeOutOfService(c echo.Context, unit string) (time.Time, *replanSummary, error) {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region, _, _, ok := scheduler.ParseUnitID(unit)
	if !ok {
		return time.Time{}, nil, errorf(KindNotFound, "no unit %q", unit)
	}
	if err := inRegion(cl, region); err != nil {
		return time.Time{}, nil, err
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return time.Time{}, nil, err
	}
	known := false
	for _, mode := range scheduler.Modes {
		for n := 1; n <= f.Units[mode]; n++ {
			known = known || scheduler.UnitID(region, mode, n) == unit
		}
	}
	if !known {
		return time.Time{}, nil, errorf(KindNotFound, "region %s has no unit %s", region, unit)
	}
	now := s.now()
	d := s.currentDate(o, f)
	_, changes, err := s.dayInputs(ctx, region, d)
	if err != nil {
		return time.Time{}, nil, err
	}
	for _, ch := range changes {
		if ch.Unit == unit {
			return time.Time{}, nil, errorf(KindConflict, "unit %s is out of service since %s", unit, ch.At.Format(time.RFC3339))
		}
	}
	at := now.Truncate(time.Minute)
	if n := len(changes); n > 0 && at.Before(changes[n-1].At) {
		at = changes[n-1].At
	}
	sum, err := s.applyChange(ctx, region, d, scheduler.Change{At: at, Unit: unit}, true)
	if err != nil {
		return time.Time{}, nil, err
	}
	if err := s.audit(c, "unit-out-of-service", region); err != nil {
		return time.Time{}, nil, err
	}
	s.announceReplan(ctx, region, d, f, EventUnitOutOfService, map[string]any{"unit": unit, "by": cl.publicActor()}, sum)
	return at, sum, nil
}

// announceReplan publishes a re-plan: the full summary (with extra) to the region's
// supervisors, and to each officer whose released, unfinished route changed an event
// naming only their own unit.
func (s *Server) announceReplan(ctx context.Context, region string, d scheduler.Date, f scheduler.RegionForce, typ string, extra map[string]any, sum *replanSummary) {
	if sum == nil {
		return
	}
	data := map[string]any{"replan": sum}
	for k, v := range extra {
		data[k] = v
	}
	s.publish(ctx, region, typ, nil, data)
	sd, err := s.serviceDay(ctx, region, d)
	if err != nil {
		s.logger.Warn("re-plan events not sent to officers", "region", region, "err", err)
		return
	}
	now := s.now()
	for _, r := range sd.Routes {
		if !slices.Contains(sum.Units, r.Unit) || now.Before(releaseAt(f, r.Start)) || !now.Before(r.End) {
			continue
		}
		s.publish(ctx, region, EventReplan, r.Officers, map[string]any{
			"date": sum.Date, "revision": sum.Revision, "unit": r.Unit, "shift": r.Shift, "at": sum.At,
		})
	}
}
