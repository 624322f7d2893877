package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

// The check-in rules live in scheduler (checkin.go); the API names them too.
const (
	CheckInWindow = scheduler.CheckInWindow

	ReasonNotOnDuty      = scheduler.ReasonNotOnDuty
	ReasonUnknownMission = scheduler.ReasonUnknownMission
	ReasonNoPlannedVisit = scheduler.ReasonNoPlannedVisit
	ReasonTooEarly       = scheduler.ReasonTooEarly
	ReasonTooLate        = scheduler.ReasonTooLate
	ReasonOutsideArea    = scheduler.ReasonOutsideArea
)

// EventCheckIn is the event of a verified check-in (a flagged one is EventCheckInFlagged):
// the supervisor's live board shows both as they arrive.
const EventCheckIn = "checkin"

// checkInIn is the body of POST /v1/checkins.
type checkInIn struct {
	Mission    string     `json:"mission"`
	Lat        *float64   `json:"lat"`
	Lon        *float64   `json:"lon"`
	ClientTime *time.Time `json:"client_time"`
}

// checkIn records an officer's check-in: verified or flagged, always stored before it is
// acknowledged (a store that cannot take it answers 503).
func (s *Server) checkIn(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	var in checkInIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if !scheduler.IDPattern.MatchString(in.Mission) {
		return invalid("mission %q: want a mission id (%s)", in.Mission, scheduler.IDPattern)
	}
	if ct := in.ClientTime; ct != nil && (ct.Sub(s.now()) > DateWindow*24*time.Hour || s.now().Sub(*ct) > DateWindow*24*time.Hour) {
		return invalid("client_time %s is more than %d days from the server's clock", ct.Format(time.RFC3339), DateWindow)
	}
	if in.Lat == nil || in.Lon == nil {
		return invalid("lat and lon are required")
	}
	if err := validPlace(*in.Lat, *in.Lon); err != nil {
		return err
	}
	now := s.now()
	region := OfficerRegion(cl.Officer)
	o, f, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	d := scheduler.ServiceDateOf(now, f.Shifts, o.Location)
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	ci := scheduler.CheckIn{ID: hex.EncodeToString(id[:]), Region: region, Date: d.String(), Officer: cl.Officer,
		Mission: in.Mission, Lat: *in.Lat, Lon: *in.Lon, At: now.UTC(), ClientTime: in.ClientTime,
		LateDelivered: scheduler.IsLateDelivered(in.ClientTime, now)}
	if err := s.verify(ctx, &ci, o, f, d); err != nil {
		return err
	}
	if err := s.store.AddCheckIn(ctx, ci); err != nil {
		return &Error{Kind: KindUnavailable, Msg: "the check-in was not stored; send it again", Err: err}
	}
	typ := EventCheckIn
	if !ci.Verified {
		typ = EventCheckInFlagged
	}
	s.publish(ctx, region, typ, []string{cl.Officer}, ci)
	return c.JSON(http.StatusCreated, ci)
}

// verify reads what a check-in is verified against (the routes of the days it may match
// and its mission) and lets scheduler.VerifyCheckIn judge it.
func (s *Server) verify(ctx context.Context, ci *scheduler.CheckIn, o scheduler.Office, f scheduler.RegionForce, d scheduler.Date) error {
	var routes []scheduler.Route
	for _, day := range scheduler.CheckInDays(d, ci.At, f.Shifts, o.Location) {
		sd, err := s.serviceDay(ctx, ci.Region, day)
		if err != nil {
			return err
		}
		routes = append(routes, sd.Routes...)
	}
	var mission *scheduler.Mission
	rec, err := s.store.Mission(ctx, ci.Mission)
	switch {
	case err == nil && rec.Mission.Region == ci.Region:
		mission = &rec.Mission
	case err != nil && !errors.Is(err, scheduler.ErrNotFound):
		return err
	}
	scheduler.VerifyCheckIn(ci, routes, mission)
	return nil
}

// complianceOut is GET /v1/plans/{region}/{date}/compliance.
type complianceOut = scheduler.ComplianceReport

// complianceReport computes planned against done for a region's service day as of now.
func (s *Server) complianceReport(ctx context.Context, region string, d scheduler.Date) (complianceOut, error) {
	now := s.now()
	p, err := s.dayPlan(ctx, region, d)
	if err != nil {
		return complianceOut{}, err
	}
	cis, err := s.store.CheckIns(ctx, region, d)
	if err != nil {
		return complianceOut{}, err
	}
	return scheduler.Compliance(region, d, p, cis, now), nil
}

func (s *Server) getCompliance(c echo.Context) error {
	region, d, _, err := s.planDay(c)
	if err != nil {
		return err
	}
	out, err := s.complianceReport(c.Request().Context(), region, d)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read-compliance", region); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
