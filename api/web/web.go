// Package web is Vigil's dashboard: server-rendered pages over the same need to know as
// the JSON API (DESIGN.md §5). Its pages read and change through Service, the same service
// layer the API's handlers call; sign-in, sessions and roles stay with the API, which
// mounts these handlers behind them. Everything a page needs is embedded: it works with no
// internet.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
	"vigil/scheduler/simulate"
)

//go:embed *.html static
var files embed.FS

// pages are the dashboard's templates, each parsed with the layout.
var pages = func() map[string]*template.Template {
	funcs := template.FuncMap{
		"hm":   func(t time.Time) string { return t.Format("15:04") },
		"join": strings.Join,
		"pct":  func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) },
	}
	out := map[string]*template.Template{}
	names, err := fs.Glob(files, "page_*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		key := strings.TrimSuffix(strings.TrimPrefix(n, "page_"), ".html")
		out[key] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "layout.html", n))
	}
	return out
}()

// Viewer is who is signed in on a request, as the page header shows them.
type Viewer struct {
	Role   string // "" when nobody is signed in
	Who    string // the officer, "supervisor, <region>" or the role
	Region string // a supervisor's own region
	CSRF   string // the sign-out form's CSRF token
	Now    time.Time
}

// Day is a region's service day as the viewer may see it.
type Day struct {
	Office   scheduler.Office
	Force    scheduler.RegionForce
	Date     scheduler.Date
	Plan     *scheduler.Plan // one service day
	Missions []scheduler.MissionRecord
	Duty     scheduler.DayDuty
	Releases []time.Time // when each of Duty.Shifts reaches its officers
	Now      time.Time
}

// Replan is what a re-plan changed in one service day.
type Replan struct {
	Date          string
	Revision      int
	Version       string
	At            string
	VisitsKept    int
	VisitsDropped int
	VisitsAdded   int
	Units         []string
}

// AssignmentShift is one of an officer's shifts.
type AssignmentShift struct {
	Shift     string
	Start     time.Time
	End       time.Time
	ReleaseAt time.Time
	Released  bool
}

// PostBlock is one of an officer's released post blocks.
type PostBlock struct {
	Post    string
	Mission string
	Officer string
	Start   time.Time
	End     time.Time
}

// OfficerDay is an officer's own service day: shifts, and released routes and posts.
type OfficerDay struct {
	Officer  string
	Date     scheduler.Date
	Shifts   []AssignmentShift
	Routes   []scheduler.Route
	Posts    []PostBlock
	Missions []scheduler.MissionRecord // of the routes and posts
}

// Service is what the dashboard reads and changes, the same calls the JSON API makes. Each
// method applies the viewer's need to know and audits live reads; errors are the API's
// (Status classifies them).
type Service interface {
	// Viewer returns who is signed in on c.
	Viewer(c echo.Context) Viewer
	// Regions returns the regions with their current service dates, by id.
	Regions(c echo.Context) ([]Region, error)
	// Day returns a region's service day (date "" is the current one) and audits the read.
	Day(c echo.Context, region, date string) (*Day, error)
	// Compliance returns a region's compliance report of a day and audits the read.
	Compliance(c echo.Context, region string, d scheduler.Date) (*scheduler.ComplianceReport, error)
	// Mission returns a mission's record.
	Mission(c echo.Context, id string) (scheduler.MissionRecord, error)
	// SetThreat sets a mission's threat level, for hours (0: a lasting change), as
	// PATCH /v1/missions/{id} does; it returns the re-plan (nil when the day is not live).
	SetThreat(c echo.Context, mission string, level, hours int) (*Replan, error)
	// OutOfService takes a unit out of service, as POST /v1/units/{id}/out-of-service.
	OutOfService(c echo.Context, unit string) (*Replan, error)
	// Roster returns a region's duty roster for weeks from from ("" is the current service
	// date): on duty against positions per shift, leave, gaps.
	Roster(c echo.Context, region, from string, weeks int) (*RosterView, error)
	// CallOff calls an officer off from now, as POST /v1/officers/{id}/call-off.
	CallOff(c echo.Context, officer, reason string) (*CallOffDone, error)
	// OfficerDay returns the signed-in officer's day and audits the read.
	OfficerDay(c echo.Context, date string) (*OfficerDay, error)
	// Simulate runs a scenario on a region's current inputs; from "" is the region's
	// current service date.
	Simulate(c echo.Context, region, from string, d simulate.Draft) (*simulate.Result, error)
	// Status returns the HTTP status and the message the API gives err.
	Status(c echo.Context, err error) (int, string)
	// Features says which optional parts of the service are served.
	Features() Features
}

// Features are the optional parts of the service the pages offer only when served.
type Features struct {
	OutOfService bool // POST /v1/units/{id}/out-of-service
	Live         bool // GET /v1/events
}

// Region is one row of the regions page.
type Region struct{ ID, Name, City, State, Date string }

// Error is bad input to a page: an error with its HTTP status.
type Error struct {
	Status int
	Msg    string
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Msg: fmt.Sprintf(format, args...)}
}

// Pages serves the dashboard's pages over a service.
type Pages struct {
	svc Service
}

// New returns the pages over svc.
func New(svc Service) *Pages { return &Pages{svc: svc} }

// base is what every page shows: who is signed in, the sign-out form's CSRF token.
type base struct {
	Title      string
	Role       string
	Who        string
	Region     string // the supervisor's own region
	CSRF       string
	Refresh    int    // seconds; 0 means no meta refresh
	RefreshURL string // the page to reload (never the answer to a form)
	Leaflet    bool   // the page draws the interactive map (static/map.js)
	App        bool   // the officer's installable page: manifest, service worker, check-in
}

func (p *Pages) base(c echo.Context, title string) base {
	v := p.svc.Viewer(c)
	return base{Title: title, Role: v.Role, Who: v.Who, Region: v.Region, CSRF: v.CSRF}
}

func render(c echo.Context, status int, name string, data any) error {
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

// status classifies a page's error: its own bad input, else as the API would.
func (p *Pages) status(c echo.Context, err error) (int, string) {
	var we *Error
	if errors.As(err, &we) {
		return we.Status, we.Msg
	}
	var se *simulate.ScenarioError
	if errors.As(err, &se) {
		return http.StatusBadRequest, se.Msg
	}
	return p.svc.Status(c, err)
}

type errorPage struct {
	base
	Status  int
	Heading string
	Message string
}

// RenderError writes err as a page, with the status the API's error table gives it.
func (p *Pages) RenderError(c echo.Context, err error) error {
	status, msg := p.status(c, err)
	e := errorPage{base: p.base(c, http.StatusText(status)), Status: status, Heading: http.StatusText(status), Message: msg}
	if status == http.StatusForbidden {
		e.Heading = "Not for this sign-in"
	}
	return render(c, status, "error", e)
}

type signInPage struct {
	base
	Message string
}

// RenderSignIn writes the sign-in form with a message.
func (p *Pages) RenderSignIn(c echo.Context, status int, msg string) error {
	return render(c, status, "signin", signInPage{base: base{Title: "Sign in"}, Message: msg})
}

// staticTypes are the content types of the embedded static files, by suffix.
var staticTypes = []struct{ suffix, ctype string }{
	{".css", "text/css; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".json", "application/json"},
	{".webmanifest", "application/manifest+json"},
	{".png", "image/png"},
	{".svg", "image/svg+xml"},
	{"LICENSE", "text/plain; charset=utf-8"},
}

// Static serves the embedded style sheets, scripts, icons, the vendored Leaflet and the
// basemaps (GET /static/*). A file stored gzipped (name.gz) is sent as is to a browser
// that accepts gzip, and unpacked for one that does not.
func (p *Pages) Static(c echo.Context) error {
	name := c.Param("*")
	if !fs.ValidPath(name) || strings.HasSuffix(name, ".gz") {
		return echo.ErrNotFound
	}
	ctype := ""
	for _, t := range staticTypes {
		if strings.HasSuffix(name, t.suffix) {
			ctype = t.ctype
		}
	}
	if ctype == "" {
		return echo.ErrNotFound
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	if data, err := files.ReadFile("static/" + name); err == nil {
		return c.Blob(http.StatusOK, ctype, data)
	}
	data, err := files.ReadFile("static/" + name + ".gz")
	if err != nil {
		return echo.ErrNotFound
	}
	h.Add("Vary", "Accept-Encoding")
	if strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(http.StatusOK, ctype, data)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, ctype, plain)
}

// RegionsPage is GET /regions: the regions with their current service dates.
func (p *Pages) RegionsPage(c echo.Context) error {
	if v := p.svc.Viewer(c); v.Role == "supervisor" { // the layout's role names
		return c.Redirect(http.StatusSeeOther, "/regions/"+url.PathEscape(v.Region))
	}
	rs, err := p.svc.Regions(c)
	if err != nil {
		return err
	}
	data := struct {
		base
		Regions []Region
	}{base: p.base(c, "Regions"), Regions: rs}
	return render(c, http.StatusOK, "regions", data)
}
