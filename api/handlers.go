package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// audit records a live read; the read is refused if it cannot be recorded. The record is
// stored before audit returns.
func (s *Server) audit(c echo.Context, action, region string) error {
	cl := claimsOf(c)
	rec := scheduler.AuditRecord{
		At: s.now().UTC(), Actor: cl.actor(), Role: cl.Role, Action: action, Region: region, Target: c.Request().URL.Path,
	}
	if !strings.HasPrefix(rec.Target, "/v1/") && !s.pageViews.first(cl.ID+"|"+action+"|"+rec.Target, rec.At) {
		return nil // a dashboard page's reads are audited once per session and minute
	}
	return s.store.Audit(c.Request().Context(), rec)
}

// pageViews remembers the page reads audited in the current minute (Server.audit).
type pageViews struct {
	mu     sync.Mutex
	minute int64
	seen   map[string]bool
}

// first reports whether key is seen for the first time in t's minute.
func (p *pageViews) first(key string, t time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if m := t.Unix() / 60; m != p.minute || p.seen == nil || len(p.seen) > 100000 {
		p.minute, p.seen = m, map[string]bool{}
	}
	if p.seen[key] {
		return false
	}
	p.seen[key] = true
	return true
}

func (s *Server) parseDate(c echo.Context, o scheduler.Office, f scheduler.RegionForce, param string, v string) (scheduler.Date, error) {
	if v == "" {
		return s.currentDate(o, f), nil
	}
	d, err := scheduler.ParseDate(v)
	if err != nil {
		return d, invalid("%s: %v", param, err)
	}
	return d, s.inDateWindow(o, f, param, d)
}

// DateWindow is how many days before or after the current service date a plan, roster or
// assignment may be asked for. Nothing is planned years ahead, and dates far off reach
// times that RFC 3339 cannot write (years outside 0000–9999).
const DateWindow = 400

// inDateWindow refuses a service date more than DateWindow days from the current one.
func (s *Server) inDateWindow(o scheduler.Office, f scheduler.RegionForce, param string, d scheduler.Date) error {
	cur := s.currentDate(o, f)
	if n := d.DaysSince(cur); n > DateWindow || n < -DateWindow {
		return invalid("%s %s is out of range: want a service date within %d days of the current one (%s)", param, d, DateWindow, cur)
	}
	return nil
}

func (s *Server) listRegions(c echo.Context) error {
	ctx := c.Request().Context()
	forces, err := s.store.Forces(ctx)
	if err != nil {
		return err
	}
	out := []regionOut{}
	for _, f := range forces {
		o, ok := s.offices[f.Region]
		if !ok {
			continue
		}
		out = append(out, regionOut{ID: o.ID, Name: o.Name, City: o.City, State: o.State, Timezone: o.TZ,
			ServiceDate: s.currentDate(o, f).String()})
	}
	return c.JSON(http.StatusOK, map[string]any{"regions": out})
}

func (s *Server) getForce(c echo.Context) error {
	region := c.Param("region")
	if err := inRegion(claimsOf(c), region); err != nil {
		return err
	}
	_, f, err := s.region(c.Request().Context(), region)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, forceView(f))
}

func (s *Server) patchForce(c echo.Context) error {
	ctx := c.Request().Context()
	region := c.Param("region")
	if err := inRegion(claimsOf(c), region); err != nil {
		return err
	}
	var p forcePatch
	if err := decode(c, &p); err != nil {
		return err
	}
	o, before, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	f := before
	f.Units, f.Capabilities = maps.Clone(before.Units), maps.Clone(before.Capabilities)
	if err := p.apply(&f); err != nil {
		return err
	}
	// The roster must still run: a force too small for its units is refused.
	d := s.currentDate(o, f)
	if _, err := s.rosterOf(ctx, f, o.Location, d); err != nil {
		return &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	// The day in progress is re-planned from now (DESIGN.md §3): visits begun before now
	// are kept, the rest drawn with the new force. A day with no valid plan (its force could
	// not plan it) has served nothing and has no visit to keep: it is rostered again and
	// planned whole with the new force, its stored roster replaced, so the force that could
	// not plan it no longer pins it.
	day := &scheduler.ForceDay{Date: d}
	var sum *replanSummary
	var next scheduler.ServiceDay
	var in scheduler.Inputs
	prev, prevErr := s.serviceDay(ctx, region, d)
	switch {
	case prevErr == nil:
		var changes []scheduler.Change
		if in, changes, err = s.dayInputs(ctx, region, d); err != nil {
			return err
		}
		at := s.now().Truncate(time.Minute)
		if n := len(changes); n > 0 && at.Before(changes[n-1].At) {
			at = changes[n-1].At
		}
		ch := scheduler.Change{At: at, Force: &f, ForceBefore: &before}
		t0 := time.Now()
		next, err = scheduler.Replan(in, s.planKey, prev, append(changes, ch))
		if err != nil {
			return err
		}
		s.metrics.planSeconds.Observe(time.Since(t0).Seconds())
		diff := diffDays(prev, next, at)
		sum, day.Change = &diff, &ch
	case errors.Is(prevErr, scheduler.ErrInfeasible):
		r, err := s.rosterAgain(ctx, region, f, d)
		if err != nil {
			return err
		}
		day.Roster = &r
	default:
		return prevErr // the store, not the plan, failed: nothing is known of the day
	}
	// One write makes the whole change (Store.ReplaceForce): the new force, the force it
	// replaces kept in the force history (so a past day first loaded after this change is
	// still rostered with the force it began with, dayroster.go) and the day in progress's
	// change log entry or new roster. When it fails nothing is written and the change is
	// refused; when it succeeds nothing of the change is left to write.
	if err := s.store.ReplaceForce(ctx, f, s.now(), day); err != nil {
		return err
	}
	if day.Change != nil {
		if _, err := s.cache(ctx, in, d, next); err != nil {
			return err
		}
	} else if sd, err := s.serviceDay(ctx, region, d); err == nil {
		diff := diffDays(scheduler.ServiceDay{}, sd, s.now().Truncate(time.Minute))
		sum = &diff
	} else {
		s.logger.Warn("day with no plan still has none after a force change", "region", region, "date", d.String(), "err", err)
	}
	s.announceReplan(ctx, region, d, f, EventForceChanged, map[string]any{"force": forceView(f)}, sum)
	return c.JSON(http.StatusOK, forceView(f))
}

func (s *Server) zones(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region, err := scopedRegion(cl, c.QueryParam("region"))
	if err != nil {
		return err
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	in, _, err := s.dayInputs(ctx, region, s.currentDate(o, f))
	if err != nil {
		return err
	}
	zones, err := scheduler.Zones(in)
	if err != nil {
		return err
	}
	sites := make([]geo.Site, len(in.Missions))
	for i, m := range in.Missions {
		sites[i] = geo.Site{ID: m.ID, Point: scheduler.MissionPoint(m)}
	}
	return c.JSON(http.StatusOK, geo.ZonesFeatureCollection(zones, sites))
}

// planDay resolves a plan route's region and date and applies need to know.
func (s *Server) planDay(c echo.Context) (string, scheduler.Date, scheduler.RegionForce, error) {
	ctx := c.Request().Context()
	region := c.Param("region")
	cl := claimsOf(c)
	if err := inRegion(cl, region); err != nil {
		return "", scheduler.Date{}, scheduler.RegionForce{}, err
	}
	d, err := scheduler.ParseDate(c.Param("date"))
	if err != nil {
		return "", d, scheduler.RegionForce{}, invalid("date: %v", err)
	}
	o, f, err := s.regionShared(ctx, region)
	if err != nil {
		return "", d, f, err
	}
	if err := s.inDateWindow(o, f, "date", d); err != nil {
		return "", d, f, err
	}
	if cl.Role != RoleOfficer {
		if err := s.liveDay(cl, region, o, f, d); err != nil {
			return "", d, f, err
		}
	}
	return region, d, f, nil
}

func (s *Server) getPlan(c echo.Context) error {
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "geojson" && format != "csv" {
		return invalid("format %q: want json, geojson or csv", format)
	}
	c.SetRequest(c.Request().WithContext(s.pin(c.Request().Context())))
	region, d, _, err := s.planDay(c)
	if err != nil {
		return err
	}
	e, err := s.dayPlanEntry(c.Request().Context(), region, d)
	if err != nil {
		return err
	}
	p := e.plan
	if err := s.audit(c, "read-plan", region); err != nil {
		return err
	}
	w := c.Response()
	switch format {
	case "geojson":
		w.Header().Set(echo.HeaderContentType, "application/geo+json")
		w.WriteHeader(http.StatusOK)
		return scheduler.WritePlanGeoJSON(w, p)
	case "csv":
		w.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		return scheduler.WritePlanCSV(w, p, false)
	}
	data, err := e.JSON() // encoded once per plan version
	if err != nil {
		return err
	}
	return blobJSON(c, data)
}

func (s *Server) getPlanUnit(c echo.Context) error {
	c.SetRequest(c.Request().WithContext(s.pin(c.Request().Context())))
	cl := claimsOf(c)
	region, d, f, err := s.planDay(c)
	if err != nil {
		return err
	}
	unit := c.Param("unit")
	sd, err := s.serviceDay(c.Request().Context(), region, d)
	if err != nil {
		return err
	}
	out := unitOut{Region: region, Date: d.String(), Unit: unit, Routes: []scheduler.Route{}}
	for _, r := range sd.Routes {
		if r.Unit != unit {
			continue
		}
		if cl.Role == RoleOfficer && !routeReleasedTo(cl.Officer, f, r, s.now()) {
			continue
		}
		out.Routes = append(out.Routes, r)
	}
	if cl.Role == RoleOfficer && len(out.Routes) == 0 {
		return forbidden("%s has no released route on unit %s on %s", cl.Officer, unit, d)
	}
	if cl.Role != RoleOfficer && len(out.Routes) == 0 {
		return errorf(KindNotFound, "unit %s has no route on %s", unit, d)
	}
	if err := s.audit(c, "read-unit", region); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getPlanPosts(c echo.Context) error {
	if claimsOf(c).Role == RoleOfficer {
		return forbidden("officers see their own post blocks in /v1/me/assignments")
	}
	c.SetRequest(c.Request().WithContext(s.pin(c.Request().Context())))
	region, d, _, err := s.planDay(c)
	if err != nil {
		return err
	}
	sd, err := s.serviceDay(c.Request().Context(), region, d)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read-posts", region); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, postsOut{Region: region, Date: d.String(), Posts: nonNil(sd.Posts)})
}

func (s *Server) roster(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	officer := c.QueryParam("officer")
	region, err := scopedRegion(cl, c.QueryParam("region"))
	if err != nil {
		return err
	}
	if cl.Role == RoleOfficer {
		if officer != "" && officer != cl.Officer {
			return forbidden("officer %s may not see the roster of %s", cl.Officer, officer)
		}
		officer = cl.Officer
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	if officer != "" {
		if OfficerRegion(officer) != region {
			return invalid("officer %q: want an officer id of region %s, like %s", officer, region, scheduler.OfficerID(region, 1))
		}
		if !f.HasOfficer(officer) {
			return errorf(KindNotFound, "region %s has no officer %s (its roster has %d)", region, officer, f.Officers)
		}
	}
	from, err := s.parseDate(c, o, f, "from", c.QueryParam("from"))
	if err != nil {
		return err
	}
	to := from.AddDays(13)
	if v := c.QueryParam("to"); v != "" {
		if to, err = s.parseDate(c, o, f, "to", v); err != nil {
			return err
		}
	}
	if to.Before(from) || to.DaysSince(from) >= scheduler.MaxRosterDays {
		return invalid("from %s to %s: want at most %d days, in order", from, to, scheduler.MaxRosterDays)
	}
	days, err := s.rosterRange(ctx, f, o.Location, from, to)
	if err != nil {
		return &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	out := rosterOut{Region: region, From: from.String(), To: to.String(), Days: []rosterDay{}, Officers: rosterOfficers(f, officer)}
	for _, day := range days {
		rd := rosterDay{Date: day.Date.String(), Shifts: []rosterShift{}, Leave: leaveOn(f, day.Date, officer)}
		for _, sh := range day.Shifts {
			officers, relief := sh.Officers, sh.Relief
			if officer != "" {
				onShift, onRelief := slices.Contains(officers, officer), slices.Contains(relief, officer)
				if !onShift && !onRelief {
					continue
				}
				officers, relief = ownOnly(onShift, officer), ownOnly(onRelief, officer)
			}
			rs := rosterShift{Shift: sh.Shift, Start: sh.Start, End: sh.End, ReleaseAt: releaseAt(f, sh.Start), Officers: officers}
			if !sh.ReliefAt.IsZero() {
				at := sh.ReliefAt
				rs.ReliefAt, rs.Relief = &at, relief
			}
			rd.Shifts = append(rd.Shifts, rs)
		}
		out.Days = append(out.Days, rd)
	}
	return c.JSON(http.StatusOK, out)
}

// ownOnly returns []string{officer} when in, else an empty list.
func ownOnly(in bool, officer string) []string {
	if in {
		return []string{officer}
	}
	return []string{}
}

// officerDay is an officer's released assignments of one service day. The day is planned
// only once one of its shifts is released, so asking about far days costs nothing.
func (s *Server) officerDay(ctx context.Context, officer string, d scheduler.Date) (assignmentsOut, error) {
	out, _, err := s.officerDayAt(ctx, officer, d, s.now())
	return out, err
}

// officerDayAt is officerDay at the time now, with the release times the answer depends on:
// at the same store revision, two times on the same side of each of them get the same
// answer.
func (s *Server) officerDayAt(ctx context.Context, officer string, d scheduler.Date, now time.Time) (out assignmentsOut, releases []time.Time, err error) {
	ctx = s.pin(ctx) // the force and its roster of one revision
	region := OfficerRegion(officer)
	out = assignmentsOut{Officer: officer, Region: region, Date: d.String(),
		Shifts: []assignmentShift{}, Routes: []scheduler.Route{}, Posts: []postBlock{}, Missions: []missionOut{}}
	o, f, err := s.regionShared(ctx, region)
	if err != nil {
		return out, nil, err
	}
	duty, err := s.dutyRoster(ctx, f, o.Location, d)
	if err != nil {
		return out, nil, &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	released := false
	for _, sh := range duty.Shifts {
		start := sh.Start
		switch {
		case slices.Contains(sh.Officers, officer):
		case slices.Contains(sh.Relief, officer):
			start = sh.ReliefAt // the relief crew of a night longer than a duty period
		default:
			continue
		}
		rel := releaseAt(f, start)
		releases = append(releases, rel)
		out.Shifts = append(out.Shifts, assignmentShift{Shift: sh.Shift, Start: start, End: sh.End, ReleaseAt: rel, Released: !now.Before(rel)})
		released = released || !now.Before(rel)
	}
	if !released {
		// A call-off's replacement joins a begun day's route or post by a relief the day's
		// roster does not hold; any other officer has nothing released yet.
		if start, _ := scheduler.ServiceDayBounds(d, f.Shifts, o.Location); !s.begun(start) {
			return out, releases, nil
		}
	}
	e, err := s.dayPlanEntry(ctx, region, d)
	if err != nil {
		return out, nil, err
	}
	sd := e.plan.ServiceDays[0]
	windows := scheduler.ShiftWindows(d, f.Shifts, o.Location)
	for _, w := range windows {
		releases = append(releases, releaseAt(f, w.Start))
	}
	shiftReleased := func(t time.Time) bool {
		for _, w := range windows {
			if !t.Before(w.Start) && t.Before(w.End) {
				return !now.Before(releaseAt(f, w.Start))
			}
		}
		return false
	}
	for _, r := range sd.Routes {
		if at, ok := joinsRoute(officer, r); ok {
			rel := releaseAt(f, at)
			releases = append(releases, rel)
			if !now.Before(rel) {
				out.Routes = append(out.Routes, r)
			}
		}
	}
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			if b.Officer == officer && shiftReleased(b.Start) {
				out.Posts = append(out.Posts, postBlock{Post: p.Post, Mission: p.Mission, Officer: officer, Start: b.Start, End: b.End})
			}
		}
	}
	return out, releases, nil
}

// officerMissions returns the missions on the officer's released routes and posts that
// have not yet ended, in the current and next service day.
func (s *Server) officerMissions(ctx context.Context, cl *Claims) ([]scheduler.MissionRecord, error) {
	ctx = s.pin(ctx)
	region := OfficerRegion(cl.Officer)
	o, f, err := s.regionShared(ctx, region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	ids := map[string]bool{}
	cur := s.currentDate(o, f)
	for _, d := range []scheduler.Date{cur, cur.AddDays(1)} {
		day, err := s.officerDay(ctx, cl.Officer, d)
		if err != nil {
			return nil, err
		}
		for _, r := range day.Routes {
			if now.Before(r.End) {
				for _, v := range r.Visits {
					ids[v.Mission] = true
				}
			}
		}
		for _, b := range day.Posts {
			if now.Before(b.End) {
				ids[b.Mission] = true
			}
		}
	}
	out := []scheduler.MissionRecord{}
	if len(ids) == 0 {
		return out, nil
	}
	recs, err := s.regionMissions(ctx, region)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if ids[r.Mission.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Server) myAssignments(c echo.Context) error {
	ctx := s.pin(c.Request().Context())
	cl := claimsOf(c)
	region := OfficerRegion(cl.Officer)
	o, f, err := s.regionShared(ctx, region)
	if err != nil {
		return err
	}
	d, err := s.parseDate(c, o, f, "date", c.QueryParam("date"))
	if err != nil {
		return err
	}
	// At the same store revision, the same officer's day reads the same until the next of
	// its release times: its JSON is kept in the revision's generation (readcache.go).
	now := s.now()
	var g *readGen
	if _, pretty := c.QueryParams()["pretty"]; !pretty {
		g = s.gen(ctx)
	}
	if data, ok := g.officerView(cl.Officer, d, now); ok {
		if err := s.audit(c, "read-assignments", region); err != nil {
			return err
		}
		return blobJSON(c, data)
	}
	out, releases, err := s.officerDayAt(ctx, cl.Officer, d, now)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, r := range out.Routes {
		for _, v := range r.Visits {
			ids[v.Mission] = true
		}
	}
	for _, b := range out.Posts {
		ids[b.Mission] = true
	}
	if len(ids) > 0 {
		recs, err := s.regionMissions(ctx, region)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if ids[r.Mission.ID] {
				out.Missions = append(out.Missions, missionView(r, cl, now))
			}
		}
	}
	if err := s.audit(c, "read-assignments", region); err != nil {
		return err
	}
	if g != nil {
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(out); err != nil { // as c.JSON writes it
			return err
		}
		g.putOfficerView(cl.Officer, d, releases, now, b.Bytes())
		return blobJSON(c, b.Bytes())
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) auditLog(c echo.Context) error {
	var since time.Time
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return invalid("since %q: want RFC 3339", v)
		}
		since = t
	}
	limit := 1000
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return invalid("limit %q: want 1 to 10000", v)
		}
		limit = n
	}
	recs, err := s.store.AuditLog(c.Request().Context(), since, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"records": recs})
}

func (s *Server) revokeToken(c echo.Context) error {
	var in revokeIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.JTI == "" || len(in.JTI) > 128 {
		return invalid("jti is required (at most 128 characters)")
	}
	until := s.now().Add(MaxTokenTTL)
	if in.Until != nil {
		until = *in.Until
		if !until.After(s.now()) || until.Sub(s.now()) > DateWindow*24*time.Hour {
			return invalid("until %s: want a time after now and within %d days (tokens live at most %s)", until.Format(time.RFC3339), DateWindow, MaxTokenTTL)
		}
	}
	if err := s.store.Revoke(c.Request().Context(), in.JTI, until); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"revoked": in.JTI})
}

// revokeOfficer revokes every credential of an officer issued up to now in one call: their
// bearer tokens and the dashboard sessions and calendar feeds issued under them (by the
// revocation entries officerKeys names: every UTC day of the last MaxTokenTTL before
// today, and today's hours up to this one), and their feed URL. Open event streams on them
// close within streamCheck. A token issued for the officer later in this hour is refused
// too: issue the replacement from the next hour.
func (s *Server) revokeOfficer(c echo.Context) error {
	ctx := c.Request().Context()
	officer := c.Param("id")
	if OfficerRegion(officer) == "" {
		return errorf(KindNotFound, "no officer %q", officer)
	}
	now := s.now().UTC()
	until := now.Add(MaxTokenTTL + 24*time.Hour)
	keys := []string{"officer:" + officer + ":no-iat"}
	today := now.Truncate(24 * time.Hour)
	for d := today.Add(-MaxTokenTTL - 24*time.Hour); d.Before(today); d = d.Add(24 * time.Hour) {
		keys = append(keys, "officer:"+officer+":"+d.Format("2006-01-02"))
	}
	for h := today; !h.After(now); h = h.Add(time.Hour) {
		keys = append(keys, "officer:"+officer+":"+h.Format("2006-01-02T15"))
	}
	for _, k := range keys {
		if err := s.store.Revoke(ctx, k, until); err != nil {
			return err
		}
	}
	if err := s.store.RevokeFeedToken(ctx, officer); err != nil {
		return err
	}
	if err := s.audit(c, "revoke-officer", OfficerRegion(officer)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"officer": officer, "revoked_issued_before": now.Truncate(time.Hour).Add(time.Hour), "feed_revoked": true})
}
