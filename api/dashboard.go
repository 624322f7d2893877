package api

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
	"vigil/scheduler/simulate"
)

// The dashboard: server-rendered pages over the same need to know as the API (DESIGN.md
// §5). Everything it needs is embedded: it works with no internet.

//go:embed web
var webFS embed.FS

// pages are the dashboard's templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"hm":   func(t time.Time) string { return t.Format("15:04") },
		"join": strings.Join,
		"pct":  func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) },
	}
	out := map[string]*template.Template{}
	names, err := fs.Glob(webFS, "web/page_*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		key := strings.TrimSuffix(strings.TrimPrefix(n, "web/page_"), ".html")
		out[key] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/layout.html", n))
	}
	return out
}()

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

// base is what every page shows: who is signed in, the sign-out form's CSRF token.
type base struct {
	Title      string
	Role       string
	Who        string
	Region     string // the supervisor's own region
	CSRF       string
	Refresh    int    // seconds; 0 means no meta refresh
	RefreshURL string // the page to reload (never the answer to a form)
}

func (s *Server) base(c echo.Context, title string) base {
	b := base{Title: title}
	if cl := claimsOf(c); cl != nil {
		// Who is signed in, without the token's id.
		b.Role, b.Who, b.Region = cl.Role, cl.Role, cl.Region
		switch cl.Role {
		case RoleOfficer:
			b.Who = cl.Officer
		case RoleSupervisor:
			b.Who = "supervisor, " + cl.Region
		}
		if tok := s.rawToken(c); tok != "" {
			b.CSRF = s.csrfToken(tok)
		}
	}
	return b
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

func (s *Server) render(c echo.Context, status int, name string, data any) error {
	var b bytes.Buffer
	if err := pages[name].Execute(&b, data); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
	return c.HTMLBlob(status, b.Bytes())
}

type errorPage struct {
	base
	Status  int
	Heading string
	Message string
}

// renderError writes err as a page, with the status the API's error table gives it.
func (s *Server) renderError(c echo.Context, err error) error {
	status, msg := http.StatusInternalServerError, "internal error"
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status, msg = he.Code, fmt.Sprint(he.Message)
	} else {
		kind, m := classify(err)
		status, msg = statusOf[kind].status, m
		if kind == KindInternal {
			s.logger.Error("internal error", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
	}
	p := errorPage{base: s.base(c, http.StatusText(status)), Status: status, Heading: http.StatusText(status), Message: msg}
	if status == http.StatusForbidden {
		p.Heading = "Not for this sign-in"
	}
	return s.render(c, status, "error", p)
}

type signInPage struct {
	base
	Message string
}

func (s *Server) renderSignIn(c echo.Context, status int, msg string) error {
	return s.render(c, status, "signin", signInPage{base: base{Title: "Sign in"}, Message: msg})
}

// signInPage is GET /: the sign-in form, or the role's home page when a session is on.
func (s *Server) signInPage(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && s.tokenKey != nil {
		if cl, err := ParseToken(s.tokenKey, ck.Value, s.now()); err == nil {
			return c.Redirect(http.StatusSeeOther, homeOf(cl))
		}
	}
	return s.renderSignIn(c, http.StatusOK, "")
}

// static serves the embedded style sheet and script.
func (s *Server) static(c echo.Context) error {
	name := c.Param("name")
	data, err := webFS.ReadFile("web/static/" + name)
	if err != nil || strings.Contains(name, "/") {
		return echo.ErrNotFound
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	c.Response().Header().Set("Cache-Control", "max-age=3600")
	return c.Blob(http.StatusOK, ct, data)
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

// callAPI makes a request to the server's own API on the caller's token, so that a form
// goes through exactly the API's checks, re-plans, audit and events. It returns the status
// and body.
func (s *Server) callAPI(c echo.Context, method, path string, body any) (int, []byte, error) {
	var rd *bytes.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(data)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(c.Request().Context(), method, path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Host, req.RemoteAddr = c.Request().Host, c.Request().RemoteAddr
	req.Header.Set(echo.HeaderAuthorization, "Bearer "+s.rawToken(c))
	if body != nil {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	rec := httptest.NewRecorder()
	s.echo.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes(), nil
}

// apiError turns an API error answer into an error of the same kind.
func apiError(status int, body []byte) error {
	var eb errorBody
	_ = json.Unmarshal(body, &eb)
	msg := eb.Error.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	for k, v := range statusOf {
		if v.status == status {
			return &Error{Kind: k, Msg: msg}
		}
	}
	return &Error{Kind: KindInternal, Msg: msg}
}

// Threat colours by level, MinThreat to MaxThreat, from calm to alarm; index 0 is unused.
var threatColours = [scheduler.MaxThreat + 1]string{"#888888", "#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828"}

// Zone fills, by zone index.
var zoneFills = []string{"#dbe9f6", "#e6f2dc", "#f6e8d8", "#ece0f3", "#f8f3d0", "#dcf0ef", "#f4dde4", "#e4e4e4"}

// Route colours when every unit of a shift is drawn.
var routeColours = []string{"#1b6ca8", "#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#a6761d", "#444444"}

// regionsPage lists the regions (admins) or sends a supervisor to their own.
func (s *Server) regionsPage(c echo.Context) error {
	cl := claimsOf(c)
	if cl.Role == RoleSupervisor {
		return c.Redirect(http.StatusSeeOther, homeOf(cl))
	}
	forces, err := s.store.Forces(c.Request().Context())
	if err != nil {
		return err
	}
	type row struct{ ID, Name, City, State, Date string }
	data := struct {
		base
		Regions []row
	}{base: s.base(c, "Regions")}
	for _, f := range forces {
		o, ok := s.offices[f.Region]
		if !ok {
			continue
		}
		data.Regions = append(data.Regions, row{o.ID, o.Name, o.City, o.State, s.currentDate(o, f).String()})
	}
	return s.render(c, http.StatusOK, "regions", data)
}

// visitRow is one visit of a route, numbered in order.
type visitRow struct {
	N              int
	Mission, Name  string
	Arrive, Depart time.Time
}

type missionRow struct {
	ID, Name, Zone string
	Threat, Visits int
	Posts          int
	Colour         string
}

type postRow struct {
	Post, Mission, Name string
	Blocks              []scheduler.Block
}

type rosterRow struct {
	Shift                 string
	Start, End, ReleaseAt time.Time
	Officers              []string
}

type unitOption struct {
	ID, Zone string
	Visits   int
}

// regionData is the region and service day page.
type regionData struct {
	base
	RegionID, RegionName, Timezone string
	Date, Prev, Next               string
	Shifts                         []string
	Shift                          string
	Units                          []unitOption
	Unit                           string
	Map                            template.HTML
	Route                          *scheduler.Route
	Visits                         []visitRow
	Missions                       []missionRow
	Posts                          []postRow
	PostTimes                      []time.Time
	Roster                         []rosterRow
	Compliance                     complianceData
	Replan                         *replanSummary
	Changed                        string // what the form changed
	FormError                      string
	OutOfService                   bool // the out-of-service route is served
	Live                           bool // the event stream is served
	Version                        string
	Revision                       int
}

// regionPage is GET /regions/{region}: map, routes, posts, roster and compliance of a
// service day (?date=, ?shift=, ?unit= or unit=all).
func (s *Server) regionPage(c echo.Context) error {
	d, err := s.regionView(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "region", d)
}

// regionView reads a region's day as the signed-in reader may see it, and audits the read.
func (s *Server) regionView(c echo.Context) (*regionData, error) {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region := c.Param("region")
	if err := inRegion(cl, region); err != nil {
		return nil, err
	}
	o, f, err := s.region(ctx, region)
	if err != nil {
		return nil, err
	}
	date, err := s.parseDate(c, o, f, "date", c.QueryParam("date"))
	if err != nil {
		return nil, err
	}
	if err := s.liveDay(cl, region, o, f, date); err != nil {
		return nil, err
	}
	p, err := s.dayPlan(ctx, region, date)
	if err != nil {
		return nil, err
	}
	if err := s.audit(c, "read-plan", region); err != nil {
		return nil, err
	}
	sd := p.ServiceDays[0]
	recs, err := s.store.Missions(ctx, region)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &regionData{base: s.base(c, o.Name+" — "+date.String()), RegionID: region, RegionName: o.Name, Timezone: o.TZ,
		Date: date.String(), Prev: date.AddDays(-1).String(), Next: date.AddDays(1).String(),
		Version: sd.Version, Revision: sd.Revision,
		OutOfService: s.hasRoute(http.MethodPost, "/v1/units/:id/out-of-service"),
		Live:         s.hasRoute(http.MethodGet, "/v1/events"),
	}
	if !d.Live {
		d.Refresh = 60
	}
	// Shift: the one asked for, else the one running now, else the first.
	windows := scheduler.ShiftWindows(date, f.Shifts, o.Location)
	for _, w := range windows {
		d.Shifts = append(d.Shifts, w.Name)
		if !now.Before(w.Start) && now.Before(w.End) {
			d.Shift = w.Name
		}
	}
	if v := c.QueryParam("shift"); v != "" {
		if !slices.Contains(d.Shifts, v) {
			return nil, invalid("shift %q: want one of %s", v, strings.Join(d.Shifts, ", "))
		}
		d.Shift = v
	}
	if d.Shift == "" && len(d.Shifts) > 0 {
		d.Shift = d.Shifts[0]
	}
	var routes []scheduler.Route
	defer func() {
		q := url.Values{"date": {d.Date}, "shift": {d.Shift}, "unit": {d.Unit}}
		d.RefreshURL = "/regions/" + url.PathEscape(region) + "?" + q.Encode()
	}()
	for _, r := range sd.Routes {
		if r.Shift == d.Shift {
			routes = append(routes, r)
			d.Units = append(d.Units, unitOption{ID: r.Unit, Zone: r.Zone, Visits: len(r.Visits)})
		}
	}
	d.Unit = c.QueryParam("unit")
	if d.Unit == "" && len(routes) > 0 {
		d.Unit = routes[0].Unit
	}
	if d.Unit != "all" {
		i := slices.IndexFunc(routes, func(r scheduler.Route) bool { return r.Unit == d.Unit })
		if i < 0 {
			return nil, &Error{Kind: KindNotFound, Msg: fmt.Sprintf("unit %s has no route in the %s shift of %s", d.Unit, d.Shift, date)}
		}
		d.Route = &routes[i]
	}

	names, threat := map[string]string{}, map[string]int{}
	for _, r := range recs {
		names[r.Mission.ID], threat[r.Mission.ID] = r.Mission.Name, r.ThreatAt(now)
	}
	visits := map[string]int{}
	for _, r := range sd.Routes {
		for _, v := range r.Visits {
			visits[v.Mission]++
		}
	}
	posts := map[string]int{}
	for _, p := range sd.Posts {
		posts[p.Mission]++
	}
	for _, m := range p.Missions {
		t := threat[m.ID]
		if t == 0 {
			t = m.Threat
		}
		d.Missions = append(d.Missions, missionRow{ID: m.ID, Name: m.Name, Zone: m.Zone, Threat: t, Visits: visits[m.ID], Posts: posts[m.ID], Colour: threatColours[min(max(t, 0), scheduler.MaxThreat)]})
	}
	if d.Route != nil {
		for i, v := range d.Route.Visits {
			d.Visits = append(d.Visits, visitRow{N: i + 1, Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart})
		}
	}
	d.Map = template.HTML(regionMap(p, d.Missions, routes, d.Route, o.Name+" "+date.String()+" "+d.Shift))

	// Fixed posts: the blocks of the chosen shift.
	var win scheduler.ShiftWindow
	for _, w := range windows {
		if w.Name == d.Shift {
			win = w
		}
	}
	times := map[int64]time.Time{}
	for _, p := range sd.Posts {
		row := postRow{Post: p.Post, Mission: p.Mission, Name: names[p.Mission]}
		for _, b := range p.Blocks {
			if b.Start.Before(win.End) && b.End.After(win.Start) {
				row.Blocks = append(row.Blocks, b)
				times[b.Start.Unix()] = b.Start
			}
		}
		d.Posts = append(d.Posts, row)
	}
	for _, t := range times {
		d.PostTimes = append(d.PostTimes, t)
	}
	sort.Slice(d.PostTimes, func(i, j int) bool { return d.PostTimes[i].Before(d.PostTimes[j]) })

	duty, err := scheduler.DutyRoster(f, o.Location, date)
	if err != nil {
		return nil, &Error{Kind: KindInfeasible, Msg: err.Error()}
	}
	for _, sh := range duty.Shifts {
		d.Roster = append(d.Roster, rosterRow{Shift: sh.Shift, Start: sh.Start, End: sh.End, ReleaseAt: releaseAt(f, sh.Start), Officers: sh.Officers})
	}
	d.Compliance = s.compliance(c, region, date)
	return d, nil
}

// regionMap draws the day's zones, the missions coloured by threat level, and the chosen
// route (or all of the shift's routes) in order, its visits labelled with order and time.
func regionMap(p *scheduler.Plan, missions []missionRow, routes []scheduler.Route, chosen *scheduler.Route, title string) []byte {
	zones := make([]geo.Zone, len(p.Zones))
	for i, z := range p.Zones {
		zones[i] = geo.Zone{ID: z.ID, Cells: z.Cells, Sites: z.Missions}
	}
	m := geo.Map{Title: title, Width: 760, Height: 560, Margin: 16}
	for i, ft := range geo.ZonesFeatureCollection(zones, nil).Features {
		id := fmt.Sprint(ft.Properties["id"])
		rings := geo.RingsOf(ft.Geometry)
		m.Areas = append(m.Areas, geo.Area{ID: id, Title: "zone " + id, Rings: rings,
			Style: geo.Style{Fill: zoneFills[i%len(zoneFills)], Stroke: "#7a8ca0", Width: 1, Class: "zone"}})
		if chosen != nil && id == chosen.Zone {
			for _, r := range rings { // zoom to the chosen route's zone
				m.Fit = append(m.Fit, r...)
			}
		}
	}
	where := map[string]geo.Point{}
	for _, pm := range p.Missions {
		where[pm.ID] = geo.Point{Lat: pm.Lat, Lon: pm.Lon}
	}
	draw := routes
	if chosen != nil {
		draw = []scheduler.Route{*chosen}
	}
	labels := map[string][]string{}
	for i, r := range draw {
		l := geo.Line{ID: r.Unit, Title: fmt.Sprintf("%s: %d visits", r.Unit, len(r.Visits)), Arrows: chosen != nil,
			Style: geo.Style{Stroke: routeColours[i%len(routeColours)], Width: 1.5, Class: "route"}}
		if chosen != nil {
			l.Style = geo.Style{Stroke: "#1b3a6b", Width: 2.5, Class: "route chosen"}
		}
		for j, v := range r.Visits {
			l.Points = append(l.Points, where[v.Mission])
			if chosen != nil {
				m.Fit = append(m.Fit, where[v.Mission])
				labels[v.Mission] = append(labels[v.Mission], fmt.Sprintf("%d·%s", j+1, v.Arrive.Format("15:04")))
			}
		}
		m.Lines = append(m.Lines, l)
	}
	for _, mr := range missions {
		mk := geo.Marker{ID: mr.ID, Point: where[mr.ID], Radius: 2.5 + 0.7*float64(mr.Threat),
			Title: fmt.Sprintf("%s (%s): threat %d, %d visits", mr.Name, mr.ID, mr.Threat, mr.Visits),
			Style: geo.Style{Fill: mr.Colour, Stroke: "#ffffff", Width: 1, Class: fmt.Sprintf("mission threat-%d", mr.Threat)}}
		if ls := labels[mr.ID]; len(ls) > 0 {
			mk.Label = strings.Join(ls, " ")
			mk.Style.Stroke, mk.Style.Width = "#1b3a6b", 2
		}
		m.Markers = append(m.Markers, mk)
	}
	return m.SVG()
}

// complianceData is the compliance section: planned against checked-in visits and the
// missed visits by name (complianceReport, as GET /v1/plans/{region}/{date}/compliance).
type complianceData struct {
	Report *complianceOut
	Error  string
}

// compliance reads the day's compliance and audits the read; an error is shown in the
// section rather than failing the page.
func (s *Server) compliance(c echo.Context, region string, date scheduler.Date) complianceData {
	rep, err := s.complianceReport(c.Request().Context(), region, date)
	if err == nil {
		err = s.audit(c, "read-compliance", region)
	}
	if err != nil {
		_, msg := classify(err)
		return complianceData{Error: msg}
	}
	return complianceData{Report: &rep}
}

// compliancePart is GET /regions/{region}/compliance: the compliance section alone, which
// the page's script fetches again when the event stream says something happened.
func (s *Server) compliancePart(c echo.Context) error {
	d, err := s.regionView(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := pages["region"].ExecuteTemplate(&b, "compliance", d); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}

// threatForm is POST /regions/{region}/threat: it changes a mission's threat level through
// PATCH /v1/missions/{id} and shows the page with what the re-plan changed.
func (s *Server) threatForm(c echo.Context) error {
	ctx := c.Request().Context()
	region := c.Param("region")
	id := c.FormValue("mission")
	level, err := strconv.Atoi(c.FormValue("threat"))
	if err != nil {
		return invalid("threat %q: want %d to %d", c.FormValue("threat"), scheduler.MinThreat, scheduler.MaxThreat)
	}
	rec, err := s.store.Mission(ctx, id)
	if err != nil {
		return err
	}
	if rec.Mission.Region != region {
		return invalid("mission %s is not of region %s", id, region)
	}
	patch := map[string]any{"threat": level}
	if h := c.FormValue("hours"); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 || n > 24*14 {
			return invalid("hours %q: want 1 to 336, or empty for a lasting change", h)
		}
		patch["until"] = s.now().Truncate(time.Minute).Add(time.Duration(n) * time.Hour)
	}
	status, body, err := s.callAPI(c, http.MethodPatch, "/v1/missions/"+url.PathEscape(id), patch)
	if err != nil {
		return err
	}
	return s.afterChange(c, status, body, fmt.Sprintf("Threat level of %s set from %d to %d.", rec.Mission.Name, rec.ThreatAt(s.now()), level))
}

// outOfServiceForm is POST /regions/{region}/out-of-service: it takes a unit out of
// service through POST /v1/units/{id}/out-of-service (when that route is served).
func (s *Server) outOfServiceForm(c echo.Context) error {
	unit := c.FormValue("unit")
	if !s.hasRoute(http.MethodPost, "/v1/units/:id/out-of-service") {
		return errorf(KindUnavailable, "this server does not take units out of service yet")
	}
	if r := c.Param("region"); !strings.HasPrefix(unit, r+"-") {
		return invalid("unit %q is not of region %s", unit, r)
	}
	status, body, err := s.callAPI(c, http.MethodPost, "/v1/units/"+url.PathEscape(unit)+"/out-of-service", map[string]any{})
	if err != nil {
		return err
	}
	return s.afterChange(c, status, body, fmt.Sprintf("Unit %s taken out of service.", unit))
}

// afterChange shows the region page after a change through the API: the re-plan's
// summary, or the API's refusal.
func (s *Server) afterChange(c echo.Context, status int, body []byte, done string) error {
	var out struct {
		Replan *replanSummary `json:"replan"`
	}
	var changeErr error
	if status >= 300 {
		changeErr = apiError(status, body)
	} else {
		_ = json.Unmarshal(body, &out)
	}
	// The page is drawn for the date, shift and unit the form came from.
	q := c.Request().URL.Query()
	for _, k := range []string{"date", "shift", "unit"} {
		if v := c.FormValue(k); v != "" {
			q.Set(k, v)
		}
	}
	c.Request().URL.RawQuery = q.Encode()
	d, err := s.regionView(c)
	if err != nil {
		return err
	}
	if changeErr != nil {
		_, d.FormError = classify(changeErr)
		return s.render(c, status, "region", d)
	}
	d.Changed, d.Replan = done, out.Replan
	return s.render(c, http.StatusOK, "region", d)
}

// officerData is an officer's own page: their shifts and released assignments.
type officerData struct {
	base
	Officer          string
	Date, Prev, Next string
	Shifts           []assignmentShift
	Routes           []officerRoute
	Posts            []postBlock
	Map              template.HTML
}

type officerRoute struct {
	Unit, Shift string
	Start, End  time.Time
	Visits      []visitRow
	DistanceKm  float64
}

// officerPage is GET /me: the officer's shifts of a service day and, once released, the
// routes with visit times and post blocks; nothing else of the region.
func (s *Server) officerPage(c echo.Context) error {
	ctx := c.Request().Context()
	cl := claimsOf(c)
	region := OfficerRegion(cl.Officer)
	o, f, err := s.region(ctx, region)
	if err != nil {
		return err
	}
	date, err := s.parseDate(c, o, f, "date", c.QueryParam("date"))
	if err != nil {
		return err
	}
	day, err := s.officerDay(ctx, cl.Officer, date)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read-assignments", region); err != nil {
		return err
	}
	d := officerData{base: s.base(c, "My shift — "+date.String()), Officer: cl.Officer, Date: date.String(),
		Prev: date.AddDays(-1).String(), Next: date.AddDays(1).String(), Shifts: day.Shifts, Posts: day.Posts}
	ids := map[string]bool{}
	for _, r := range day.Routes {
		for _, v := range r.Visits {
			ids[v.Mission] = true
		}
	}
	for _, b := range day.Posts {
		ids[b.Mission] = true
	}
	names, where := map[string]string{}, map[string]geo.Point{}
	if len(ids) > 0 {
		recs, err := s.store.Missions(ctx, region)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if ids[r.Mission.ID] {
				names[r.Mission.ID], where[r.Mission.ID] = r.Mission.Name, scheduler.MissionPoint(r.Mission)
			}
		}
	}
	m := geo.Map{Title: "My route " + date.String(), Width: 600, Height: 420, Margin: 16}
	labels := map[string][]string{}
	for i, r := range day.Routes {
		or := officerRoute{Unit: r.Unit, Shift: r.Shift, Start: r.Start, End: r.End, DistanceKm: float64(r.DistanceM) / 1000}
		l := geo.Line{ID: r.Unit, Arrows: true, Style: geo.Style{Stroke: routeColours[i%len(routeColours)], Width: 2.5, Class: "route"}}
		for j, v := range r.Visits {
			or.Visits = append(or.Visits, visitRow{N: j + 1, Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart})
			l.Points = append(l.Points, where[v.Mission])
			labels[v.Mission] = append(labels[v.Mission], fmt.Sprintf("%d·%s", j+1, v.Arrive.Format("15:04")))
		}
		d.Routes = append(d.Routes, or)
		m.Lines = append(m.Lines, l)
	}
	mids := make([]string, 0, len(ids))
	for id := range ids {
		mids = append(mids, id)
	}
	sort.Strings(mids)
	for _, id := range mids {
		m.Markers = append(m.Markers, geo.Marker{ID: id, Title: names[id], Point: where[id], Radius: 5,
			Label: strings.Join(labels[id], " "), Style: geo.Style{Fill: "#1b3a6b", Stroke: "#ffffff", Width: 1.5, Class: "mission"}})
	}
	if len(ids) > 0 {
		d.Map = template.HTML(m.SVG())
	}
	return s.render(c, http.StatusOK, "officer", d)
}

// Simulation bounds of the dashboard: a page waits for the run, so it stays short.
const (
	maxPageSimDays    = 60
	pageSimTimeout    = 60 * time.Second
	defaultPageSimDay = 14
)

type simData struct {
	base
	Regions   []string
	Region    string
	From      string
	Days      int
	Train     int
	Vehicle   string
	Foot      string
	Threat    string
	Seed      string
	Incidents int
	Error     string
	Summary   string
	Report    string
	Charts    []template.HTML
}

// simulatePage is GET /simulate: the scenario form.
func (s *Server) simulatePage(c echo.Context) error {
	d := s.simForm(c)
	return s.render(c, http.StatusOK, "simulate", d)
}

func (s *Server) simForm(c echo.Context) simData {
	d := simData{base: s.base(c, "Simulate a scenario"), Days: defaultPageSimDay, Train: 7, Seed: simulate.DefaultSeed, Incidents: 50}
	for id := range s.offices {
		d.Regions = append(d.Regions, id)
	}
	sort.Strings(d.Regions)
	d.Region = "wfo"
	if !slices.Contains(d.Regions, d.Region) && len(d.Regions) > 0 {
		d.Region = d.Regions[0]
	}
	return d
}

// simulateRun is POST /simulate: it runs the scenario (simulate.Run, bounded in days and
// time) on the region's current missions and force, and shows the report and charts.
// Simulations use their own seed, never the live key.
func (s *Server) simulateRun(c echo.Context) error {
	d := s.simForm(c)
	d.Region, d.From, d.Vehicle, d.Foot = c.FormValue("region"), c.FormValue("from"), c.FormValue("vehicle"), c.FormValue("foot")
	d.Threat, d.Seed = c.FormValue("threat"), c.FormValue("seed")
	status := http.StatusOK
	res, err := s.runSimulation(c, &d)
	if err != nil {
		kind, msg := classify(err)
		var se *simulate.ScenarioError
		if errors.As(err, &se) {
			kind, msg = KindInvalid, se.Error()
		}
		status, d.Error = statusOf[kind].status, msg
		return s.render(c, status, "simulate", d)
	}
	var b bytes.Buffer
	if err := simulate.WriteText(&b, res); err != nil {
		return err
	}
	d.Report, d.Summary = b.String(), simulate.Summary(res)
	charts, err := simulate.Charts(res)
	if err != nil {
		return err
	}
	for _, ch := range charts {
		svg := ch.SVG
		if i := bytes.Index(svg, []byte("<svg")); i >= 0 {
			svg = svg[i:] // drop the XML declaration to inline it
		}
		d.Charts = append(d.Charts, template.HTML(svg))
	}
	return s.render(c, status, "simulate", d)
}

func (s *Server) runSimulation(c echo.Context, d *simData) (*simulate.Result, error) {
	atoi := func(name string, def, lo, hi int) (int, error) {
		v := strings.TrimSpace(c.FormValue(name))
		if v == "" {
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, invalid("%s %q: want %d to %d", name, v, lo, hi)
		}
		return n, nil
	}
	var err error
	if d.Days, err = atoi("days", defaultPageSimDay, 2, maxPageSimDays); err != nil {
		return nil, err
	}
	if d.Train, err = atoi("train", 7, 1, maxPageSimDays-1); err != nil {
		return nil, err
	}
	if d.Incidents, err = atoi("incidents", 50, 0, 1000); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), pageSimTimeout)
	defer cancel()
	o, f, err := s.region(ctx, d.Region)
	if err != nil {
		return nil, err
	}
	sc := simulate.Scenario{Days: d.Days, Train: d.Train, Incidents: d.Incidents, From: s.currentDate(o, f)}
	if d.From != "" {
		if sc.From, err = scheduler.ParseDate(d.From); err != nil {
			return nil, invalid("from: %v", err)
		}
	}
	d.From = sc.From.String()
	if sc.Seed, err = simulate.ParseSeed(d.Seed); err != nil {
		return nil, err
	}
	units := map[scheduler.Mode]int{}
	for mode, v := range map[scheduler.Mode]string{scheduler.Vehicle: d.Vehicle, scheduler.Foot: d.Foot} {
		if v = strings.TrimSpace(v); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 999 {
				return nil, invalid("%s units %q: want 0 to 999", mode, v)
			}
			units[mode] = n
		}
	}
	if len(units) > 0 {
		sc.Units = units
	}
	if t := strings.TrimSpace(d.Threat); t != "" {
		sc.Threat = map[string]int{}
		for _, part := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\r' }) {
			id, lv, ok := strings.Cut(part, "=")
			n, err := strconv.Atoi(lv)
			if !ok || err != nil {
				return nil, invalid("threat %q: want mission=level, e.g. emb-france=5", part)
			}
			sc.Threat[id] = n
		}
	}
	// The scenario starts from the missions as they are now.
	in, _, err := s.dayInputs(ctx, d.Region, sc.From)
	if err != nil {
		return nil, err
	}
	return simulate.Run(ctx, in, sc)
}
