package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/scheduler"
)

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

// complianceData is the compliance section: planned against checked-in visits and the
// missed visits by name (as GET /v1/plans/{region}/{date}/compliance).
type complianceData struct {
	Report *scheduler.ComplianceReport
	Error  string
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
	Map                            template.HTML // the server-drawn SVG: the no-script fallback
	MapData                        template.JS   // what static/map.js draws
	mapData                        mapData
	Route                          *scheduler.Route
	Visits                         []visitRow
	Missions                       []missionRow
	Posts                          []postRow
	PostTimes                      []time.Time
	Roster                         []rosterRow
	Compliance                     complianceData
	Strip                          *strip // the compliance strip of the day's visits
	Replan                         *Replan
	Changed                        string // what the form changed
	FormError                      string
	OutOfService                   bool // the out-of-service route is served
	Live                           bool // the event stream is served
	Version                        string
	Revision                       int
}

// RegionPage is GET /regions/{region}: map, routes, posts, roster and compliance of a
// service day (?date=, ?shift=, ?unit= or unit=all).
func (p *Pages) RegionPage(c echo.Context) error {
	d, err := p.regionView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, "region", d)
}

// CompliancePart is GET /regions/{region}/compliance: the compliance section alone, which
// the page's script fetches again when the event stream says something happened.
func (p *Pages) CompliancePart(c echo.Context) error {
	d, err := p.regionView(c)
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

// regionView reads a region's day as the signed-in reader may see it (the service audits
// the read) and lays it out for the page.
func (p *Pages) regionView(c echo.Context) (*regionData, error) {
	region := c.Param("region")
	day, err := p.svc.Day(c, region, c.QueryParam("date"))
	if err != nil {
		return nil, err
	}
	o, date, sd := day.Office, day.Date, day.Plan.ServiceDays[0]
	f := p.svc.Features()
	d := &regionData{base: p.base(c, o.Name+" — "+date.String()), RegionID: region, RegionName: o.Name, Timezone: o.TZ,
		Date: date.String(), Prev: date.AddDays(-1).String(), Next: date.AddDays(1).String(),
		Version: sd.Version, Revision: sd.Revision, OutOfService: f.OutOfService, Live: f.Live,
	}
	if !d.Live {
		d.Refresh = 60
	}
	windows := scheduler.ShiftWindows(date, day.Force.Shifts, o.Location)
	if err := d.chooseShift(windows, day.Now, c.QueryParam("shift")); err != nil {
		return nil, err
	}
	defer func() {
		q := url.Values{"date": {d.Date}, "shift": {d.Shift}, "unit": {d.Unit}}
		d.RefreshURL = "/regions/" + url.PathEscape(region) + "?" + q.Encode()
	}()
	routes, err := d.chooseUnit(sd, c.QueryParam("unit"))
	if err != nil {
		return nil, err
	}
	names := d.missionRows(day)
	if d.Route != nil {
		for i, v := range d.Route.Visits {
			d.Visits = append(d.Visits, visitRow{N: i + 1, Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart})
		}
	}
	d.Map = template.HTML(regionMap(day.Plan, d.Missions, routes, d.Route, o.Name+" "+date.String()+" "+d.Shift))
	md := regionMapData(day, region, d.Missions, routes, d.Route, d.Live)
	q := url.Values{"date": {d.Date}, "shift": {d.Shift}}
	md.PositionURL = "/regions/" + url.PathEscape(region) + "/positions?" + q.Encode()
	d.mapData, d.MapData = md, mapJSON(md)
	d.Leaflet = true
	for _, w := range windows {
		if w.Name == d.Shift {
			d.postRows(sd, w, names)
		}
	}
	for i, sh := range day.Duty.Shifts {
		d.Roster = append(d.Roster, rosterRow{Shift: sh.Shift, Start: sh.Start, End: sh.End, ReleaseAt: day.Releases[i], Officers: sh.Officers})
	}
	d.Compliance = p.compliance(c, region, date)
	if r := d.Compliance.Report; r != nil {
		d.Strip = complianceStrip(r.Figures)
	}
	return d, nil
}

// chooseShift picks the shift asked for, else the one running now, else the first.
func (d *regionData) chooseShift(windows []scheduler.ShiftWindow, now time.Time, asked string) error {
	for _, w := range windows {
		d.Shifts = append(d.Shifts, w.Name)
		if !now.Before(w.Start) && now.Before(w.End) {
			d.Shift = w.Name
		}
	}
	if asked != "" {
		if !slices.Contains(d.Shifts, asked) {
			return invalid("shift %q: want one of %s", asked, strings.Join(d.Shifts, ", "))
		}
		d.Shift = asked
	}
	if d.Shift == "" && len(d.Shifts) > 0 {
		d.Shift = d.Shifts[0]
	}
	return nil
}

// chooseUnit lists the chosen shift's units and picks the one asked for (or all of them,
// or the first); it returns the shift's routes.
func (d *regionData) chooseUnit(sd scheduler.ServiceDay, asked string) ([]scheduler.Route, error) {
	var routes []scheduler.Route
	for _, r := range sd.Routes {
		if r.Shift == d.Shift {
			routes = append(routes, r)
			d.Units = append(d.Units, unitOption{ID: r.Unit, Zone: r.Zone, Visits: len(r.Visits)})
		}
	}
	d.Unit = asked
	if d.Unit == "" && len(routes) > 0 {
		d.Unit = routes[0].Unit
	}
	if d.Unit != "all" {
		i := slices.IndexFunc(routes, func(r scheduler.Route) bool { return r.Unit == d.Unit })
		if i < 0 {
			return nil, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("unit %s has no route in the %s shift of %s", d.Unit, d.Shift, d.Date)}
		}
		d.Route = &routes[i]
	}
	return routes, nil
}

// missionRows lists the plan's missions with their threat level now and their visits and
// posts of the day; it returns the missions' names by id.
func (d *regionData) missionRows(day *Day) map[string]string {
	sd := day.Plan.ServiceDays[0]
	names, threat := map[string]string{}, map[string]int{}
	for _, r := range day.Missions {
		names[r.Mission.ID], threat[r.Mission.ID] = r.Mission.Name, r.ThreatAt(day.Now)
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
	for _, m := range day.Plan.Missions {
		t := threat[m.ID]
		if t == 0 {
			t = m.Threat
		}
		d.Missions = append(d.Missions, missionRow{ID: m.ID, Name: m.Name, Zone: m.Zone, Threat: t, Visits: visits[m.ID], Posts: posts[m.ID], Colour: threatColour(t)})
	}
	return names
}

// postRows lists the fixed posts' blocks overlapping the shift window win.
func (d *regionData) postRows(sd scheduler.ServiceDay, win scheduler.ShiftWindow, names map[string]string) {
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
}

// compliance reads the day's compliance (the service audits the read); an error is shown
// in the section rather than failing the page.
func (p *Pages) compliance(c echo.Context, region string, date scheduler.Date) complianceData {
	rep, err := p.svc.Compliance(c, region, date)
	if err != nil {
		_, msg := p.status(c, err)
		return complianceData{Error: msg}
	}
	return complianceData{Report: rep}
}

// ThreatForm is POST /regions/{region}/threat: it changes a mission's threat level as
// PATCH /v1/missions/{id} does and shows the page with what the re-plan changed.
func (p *Pages) ThreatForm(c echo.Context) error {
	level, err := strconv.Atoi(c.FormValue("threat"))
	if err != nil {
		return invalid("threat %q: want 1 to 5", c.FormValue("threat"))
	}
	hours := 0
	if h := c.FormValue("hours"); h != "" {
		if hours, err = strconv.Atoi(h); err != nil || hours < 1 || hours > 24*14 {
			return invalid("hours %q: want 1 to 336, or empty for a lasting change", h)
		}
	}
	region, id := c.Param("region"), c.FormValue("mission")
	rec, err := p.svc.Mission(c, id)
	if err != nil {
		return err
	}
	if rec.Mission.Region != region {
		return invalid("mission %s is not of region %s", id, region)
	}
	was := rec.ThreatAt(p.svc.Viewer(c).Now)
	r, err := p.svc.SetThreat(c, id, level, hours)
	return p.afterChange(c, r, err, fmt.Sprintf("Threat level of %s set from %d to %d.", rec.Mission.Name, was, level))
}

// OutOfServiceForm is POST /regions/{region}/out-of-service: it takes a unit out of
// service as POST /v1/units/{id}/out-of-service does (when that route is served).
func (p *Pages) OutOfServiceForm(c echo.Context) error {
	unit := c.FormValue("unit")
	if !p.svc.Features().OutOfService {
		return &Error{Status: http.StatusServiceUnavailable, Msg: "this server does not take units out of service yet"}
	}
	if r := c.Param("region"); !strings.HasPrefix(unit, r+"-") {
		return invalid("unit %q is not of region %s", unit, r)
	}
	r, err := p.svc.OutOfService(c, unit)
	return p.afterChange(c, r, err, fmt.Sprintf("Unit %s taken out of service.", unit))
}

// afterChange shows the region page after a change: the re-plan's summary, or the
// service's refusal with its status.
func (p *Pages) afterChange(c echo.Context, r *Replan, changeErr error, done string) error {
	// The page is drawn for the date, shift and unit the form came from.
	q := c.Request().URL.Query()
	for _, k := range []string{"date", "shift", "unit"} {
		if v := c.FormValue(k); v != "" {
			q.Set(k, v)
		}
	}
	c.Request().URL.RawQuery = q.Encode()
	d, err := p.regionView(c)
	if err != nil {
		return err
	}
	if changeErr != nil {
		var status int
		status, d.FormError = p.status(c, changeErr)
		return render(c, status, "region", d)
	}
	d.Changed, d.Replan = done, r
	if r != nil { // the map highlights the routes the re-plan changed
		d.mapData.Changed = r.Units
		d.MapData = mapJSON(d.mapData)
	}
	return render(c, http.StatusOK, "region", d)
}

// strip is the compliance strip: the day's planned visits as one bar, done, missed, due and
// still open, and later, drawn as SVG rectangles (the page's policy refuses style
// attributes, not SVG geometry). Label says the same in words.
type strip struct {
	Parts []stripPart
	Label string
}

type stripPart struct {
	Class, Title string
	X, W         int // in a viewBox 1000 wide
}

func complianceStrip(f scheduler.ComplianceFigures) *strip {
	if f.Planned <= 0 {
		return nil
	}
	open := max(0, f.Due-f.Done-f.Missed)
	later := max(0, f.Planned-f.Done-f.Missed-open)
	s := &strip{Label: fmt.Sprintf("%d planned visits: %d done, %d missed, %d due now, %d later", f.Planned, f.Done, f.Missed, open, later)}
	x := 0
	for _, p := range []struct {
		class, what string
		n           int
	}{{"done", "done", f.Done}, {"missed", "missed", f.Missed}, {"open", "due now", open}, {"later", "later", later}} {
		if p.n == 0 {
			continue
		}
		w := 1000 * p.n / f.Planned
		s.Parts = append(s.Parts, stripPart{Class: p.class, Title: fmt.Sprintf("%d %s", p.n, p.what), X: x, W: w})
		x += w
	}
	if n := len(s.Parts); n > 0 {
		s.Parts[n-1].W = 1000 - s.Parts[n-1].X // rounding: the bar ends at the edge
	}
	return s
}
