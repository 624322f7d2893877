package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/api/web"
	"vigil/scheduler"
	"vigil/scheduler/simulate"
)

// The dashboard's pages live in package web; this file mounts them behind the API's
// sign-in and roles and gives them the service layer the JSON handlers use (dashboard).

// pages returns the dashboard's pages over this server.
func (s *Server) pages() *web.Pages { return web.New(dashboard{s}) }

// page is the middleware of a dashboard page: HTML errors, the session (or a bearer
// token), and the roles admitted.
func (s *Server) page(roles ...string) []echo.MiddlewareFunc {
	return []echo.MiddlewareFunc{s.pageErrors, s.authenticate, allow(roles...)}
}

// pageErrors turns a page's errors into HTML: no session sends the browser to sign in,
// any other error is a page saying what is wrong, with the status the API would give.
func (s *Server) pageErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if err == nil || c.Response().Committed {
			return err
		}
		var ae *Error
		if errors.As(err, &ae) && ae.Kind == KindUnauthorized && c.Request().Method == http.MethodGet {
			if _, err := c.Cookie(sessionCookie); err == nil {
				s.clearSession(c) // an expired or revoked session
			}
			return s.renderSignIn(c, http.StatusUnauthorized, "Sign in to see this page.")
		}
		return s.renderError(c, err)
	}
}

// renderError writes err as a page, with the status the API's error table gives it.
func (s *Server) renderError(c echo.Context, err error) error { return s.pages().RenderError(c, err) }

// renderSignIn writes the sign-in form with a message.
func (s *Server) renderSignIn(c echo.Context, status int, msg string) error {
	return s.pages().RenderSignIn(c, status, msg)
}

// signInPage is GET /: the sign-in form, or the role's home page when a session is on.
func (s *Server) signInPage(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && s.tokenKey != nil {
		if cl, err := ParseToken(s.tokenKey, ck.Value, s.now()); err == nil && cl.Parent != "" && s.checkCredential(c.Request().Context(), cl) == nil {
			return c.Redirect(http.StatusSeeOther, homeOf(cl))
		}
	}
	return s.renderSignIn(c, http.StatusOK, "")
}

// rawToken is the request's token, from the Authorization header or the session cookie.
func (s *Server) rawToken(c echo.Context) string {
	if tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer "); ok {
		return tok
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// hasRoute reports whether the server routes method and path (Echo's form, :param): the
// dashboard offers what other parts of the service provide only once they are there.
func (s *Server) hasRoute(method, path string) bool {
	for _, r := range s.echo.Routes() {
		if r.Method == method && r.Path == path {
			return true
		}
	}
	return false
}

// dashboard is the service layer as the dashboard's pages see it (web.Service): the same
// calls, need to know and audit as the JSON handlers.
type dashboard struct{ s *Server }

var _ web.Service = dashboard{}

// Viewer returns who is signed in, without the token's id.
func (d dashboard) Viewer(c echo.Context) web.Viewer {
	v := web.Viewer{Now: d.s.now()}
	if cl := claimsOf(c); cl != nil {
		v.Role, v.Who, v.Region = cl.Role, cl.Role, cl.Region
		switch cl.Role {
		case RoleOfficer:
			v.Who = cl.Officer
		case RoleSupervisor:
			v.Who = "supervisor, " + cl.Region
		}
		if tok := d.s.rawToken(c); tok != "" {
			v.CSRF = d.s.csrfToken(tok)
		}
	}
	return v
}

// Regions returns the regions with a force and an office, with their current dates.
func (d dashboard) Regions(c echo.Context) ([]web.Region, error) {
	forces, err := d.s.store.Forces(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []web.Region
	for _, f := range forces {
		if o, ok := d.s.offices[f.Region]; ok {
			out = append(out, web.Region{ID: o.ID, Name: o.Name, City: o.City, State: o.State, Date: d.s.currentDate(o, f).String()})
		}
	}
	return out, nil
}

// Day reads a region's service day as GET /v1/plans/{region}/{date} does, and audits it.
func (d dashboard) Day(c echo.Context, region, date string) (*web.Day, error) {
	s, ctx, cl := d.s, c.Request().Context(), claimsOf(c)
	if err := inRegion(cl, region); err != nil {
		return nil, err
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	day, err := s.parseDate(c, o, f, "date", date)
	if err != nil {
		return nil, err
	}
	if err := s.liveDay(cl, region, o, f, day); err != nil {
		return nil, err
	}
	p, err := s.dayPlan(ctx, region, day)
	if err != nil {
		return nil, err
	}
	if err := s.audit(c, "read-plan", region); err != nil {
		return nil, err
	}
	recs, err := s.store.Missions(ctx, region)
	if err != nil {
		return nil, err
	}
	duty, err := s.shownRoster(ctx, f, o.Location, day)
	if err != nil {
		return nil, &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	out := &web.Day{Office: o, Force: f, Date: day, Plan: p, Missions: recs, Duty: duty, Now: s.now()}
	for _, sh := range duty.Shifts {
		out.Releases = append(out.Releases, releaseAt(f, sh.Start))
	}
	return out, nil
}

// Compliance reads a day's compliance as GET /v1/plans/{region}/{date}/compliance does.
func (d dashboard) Compliance(c echo.Context, region string, date scheduler.Date) (*scheduler.ComplianceReport, error) {
	rep, err := d.s.complianceReport(c.Request().Context(), region, date)
	if err == nil {
		err = d.s.audit(c, "read-compliance", region)
	}
	if err != nil {
		return nil, err
	}
	return &rep, nil
}

// Mission returns a mission's record.
func (d dashboard) Mission(c echo.Context, id string) (scheduler.MissionRecord, error) {
	return d.s.store.Mission(c.Request().Context(), id)
}

// SetThreat changes a threat level as PATCH /v1/missions/{id} does.
func (d dashboard) SetThreat(c echo.Context, mission string, level, hours int) (*web.Replan, error) {
	p := missionPatch{Threat: &level}
	if hours > 0 {
		until := d.s.now().Truncate(time.Minute).Add(time.Duration(hours) * time.Hour)
		p.Until = &until
	}
	_, sum, err := d.s.updateMission(c, mission, p)
	return replanView(sum), err
}

// OutOfService takes a unit out of service as POST /v1/units/{id}/out-of-service does.
func (d dashboard) OutOfService(c echo.Context, unit string) (*web.Replan, error) {
	_, sum, err := d.s.takeOutOfService(c, unit)
	return replanView(sum), err
}

func replanView(sum *replanSummary) *web.Replan {
	if sum == nil {
		return nil
	}
	r := web.Replan(*sum)
	return &r
}

// OfficerDay reads the signed-in officer's day as GET /me/assignments does, and audits it.
func (d dashboard) OfficerDay(c echo.Context, date string) (*web.OfficerDay, error) {
	s, ctx, cl := d.s, c.Request().Context(), claimsOf(c)
	region := OfficerRegion(cl.Officer)
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	day, err := s.parseDate(c, o, f, "date", date)
	if err != nil {
		return nil, err
	}
	a, err := s.officerDay(ctx, cl.Officer, day)
	if err != nil {
		return nil, err
	}
	if err := s.audit(c, "read-assignments", region); err != nil {
		return nil, err
	}
	out := &web.OfficerDay{Officer: cl.Officer, Date: day, Routes: a.Routes}
	ids := map[string]bool{}
	for _, sh := range a.Shifts {
		out.Shifts = append(out.Shifts, web.AssignmentShift(sh))
	}
	for _, b := range a.Posts {
		out.Posts = append(out.Posts, web.PostBlock(b))
		ids[b.Mission] = true
	}
	for _, r := range a.Routes {
		for _, v := range r.Visits {
			ids[v.Mission] = true
		}
	}
	if len(ids) > 0 {
		recs, err := s.store.Missions(ctx, region)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if ids[r.Mission.ID] {
				out.Missions = append(out.Missions, r)
			}
		}
	}
	return out, nil
}

// Simulate runs a scenario under simulate.PageLimits on a region's current inputs, from
// its current service date unless from is given.
func (d dashboard) Simulate(c echo.Context, region, from string, dr simulate.Draft) (*simulate.Result, error) {
	dr.Date = from
	return d.s.runSimulation(c.Request().Context(), region, dr, simulate.PageLimits)
}

// Status returns the status and message the API's error table gives err.
func (d dashboard) Status(c echo.Context, err error) (int, string) {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code, fmt.Sprint(he.Message)
	}
	kind, msg := classify(err)
	if kind == KindInternal {
		d.s.logger.Error("internal error", "method", c.Request().Method, "path", c.Path(), "err", err)
	}
	return statusOf[kind].status, msg
}

// Features says whether units can be taken out of service and events are streamed.
func (d dashboard) Features() web.Features {
	return web.Features{
		OutOfService: d.s.hasRoute(http.MethodPost, "/v1/units/:id/out-of-service"),
		Live:         d.s.hasRoute(http.MethodGet, "/v1/events"),
	}
}

// Roster shows a region's duty roster for the weeks ahead, as GET /v1/roster does for a
// supervisor, with the positions of each shift, the qualifications on duty and the leave.
func (d dashboard) Roster(c echo.Context, region, from string, weeks int) (*web.RosterView, error) {
	s, ctx, cl := d.s, c.Request().Context(), claimsOf(c)
	if err := inRegion(cl, region); err != nil {
		return nil, err
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	start, err := s.parseDate(c, o, f, "from", from)
	if err != nil {
		return nil, err
	}
	quals := map[string][]scheduler.Qualification{}
	for _, x := range f.OfficerList() {
		quals[x.ID] = x.Quals
	}
	v := &web.RosterView{Region: region, From: start.String(), Weeks: weeks, Officers: f.Officers}
	if now, err := s.shownRoster(ctx, f, o.Location, s.currentDate(o, f)); err == nil {
		// The form offers those on duty now who are not called off already.
		changes, err := s.store.Changes(ctx, region, s.currentDate(o, f))
		if err != nil {
			return nil, err
		}
		for _, sh := range now.Shifts {
			if !s.now().Before(sh.Start) && s.now().Before(sh.End) {
				v.OnDuty = slices.DeleteFunc(slices.Clone(sh.Officers), func(id string) bool {
					return slices.ContainsFunc(changes, func(ch scheduler.Change) bool { return ch.Officer == id })
				})
			}
		}
	}
	for day := start; day.DaysSince(start) < 7*weeks; day = day.AddDays(1) {
		row := web.RosterDayRow{Date: day.String()}
		for _, l := range leaveOn(f, day, "") {
			row.Leave = append(row.Leave, l.Officer+" ("+l.Kind+")")
		}
		in, err := s.rosterInputs(ctx, f, o.Location, day)
		if err != nil {
			return nil, err
		}
		duty, err := s.shownRoster(ctx, f, o.Location, day)
		if err != nil {
			row.Gap = err.Error()
			v.Days = append(v.Days, row)
			continue
		}
		positions := scheduler.Positions(f, len(scheduler.PostSites(in.Missions, f.Profiles)))
		for _, sh := range duty.Shifts {
			count := map[scheduler.Qualification]int{}
			for _, id := range sh.Officers {
				for _, q := range quals[id] {
					count[q]++
				}
			}
			var parts []string
			for _, q := range scheduler.Qualifications {
				parts = append(parts, fmt.Sprintf("%s %d", q, count[q]))
			}
			row.Shifts = append(row.Shifts, web.RosterShiftRow{Shift: sh.Shift, Start: sh.Start, OnDuty: len(sh.Officers),
				Positions: positions, Quals: strings.Join(parts, " · ")})
		}
		v.Days = append(v.Days, row)
	}
	return v, nil
}

// CallOff calls an officer off from now as POST /v1/officers/{id}/call-off does.
func (d dashboard) CallOff(c echo.Context, officer, reason string) (*web.CallOffDone, error) {
	r, err := d.s.takeCallOff(c, officer, nil, reason)
	if err != nil {
		return nil, err
	}
	loc := d.s.offices[OfficerRegion(officer)].Location
	out := &web.CallOffDone{Officer: r.Officer, From: r.From.In(loc)}
	for _, x := range r.Replacements {
		where := "unit " + x.Unit
		if x.Post != "" {
			where = "post " + x.Post
		}
		if x.Officer != r.Officer {
			where += " (moved from " + x.Officer + ")"
		}
		out.Replacements = append(out.Replacements, fmt.Sprintf("%s, %s shift, from %s: %s", where, x.Shift, x.From.In(loc).Format("15:04"), x.By))
	}
	return out, nil
}
