package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// officerData is an officer's own page, phone first: the next visit, the check-in, the
// shift's visits, their own events; nothing else of the region.
type officerData struct {
	base
	Officer          string
	Date, Prev, Next string
	Now              time.Time
	Shifts           []AssignmentShift
	Routes           []officerRoute
	Posts            []PostBlock
	Map              template.HTML // the server-drawn SVG: the no-script fallback
	MapData          template.JS   // what static/map.js draws: the officer's routes only
	NextVisit        *nextVisit
	CheckIn          []checkInChoice // the missions of the released routes, in visit order
	Live             bool            // the event stream is served
	TZ               string          // the region's time zone, in which times are shown
}

type officerRoute struct {
	Unit, Shift string
	Start, End  time.Time
	Visits      []visitRow
	DistanceKm  float64
}

// nextVisit is the first visit still open for a check-in (its arrival less than
// scheduler.CheckInWindow ago).
type nextVisit struct {
	visitRow
	Unit, Address string
	Of            int          // visits in the route
	Geo           template.URL // a geo: URI for the phone's navigation app (html/template would refuse the scheme)
}

type checkInChoice struct {
	Mission, Name string
	Arrive        time.Time
	Next          bool
}

// OfficerPage is GET /me: the officer's next visit and check-in, the shift's visits, posts
// and events of a service day, once released; nothing else of the region. It works offline
// once loaded (static/sw.js keeps the last copy) and queues a check-in taken offline.
func (p *Pages) OfficerPage(c echo.Context) error {
	day, err := p.svc.OfficerDay(c, c.QueryParam("date"))
	if err != nil {
		return err
	}
	date, now := day.Date, p.svc.Viewer(c).Now
	d := officerData{base: p.base(c, "My shift — "+date.String()), Officer: day.Officer, Date: date.String(), Now: now,
		Prev: date.AddDays(-1).String(), Next: date.AddDays(1).String(), Shifts: day.Shifts, Posts: day.Posts,
		Live: p.svc.Features().Live}
	d.App = true
	if len(day.Shifts) > 0 {
		d.TZ = day.Shifts[0].Start.Location().String()
	}
	names, where, addr := map[string]string{}, map[string]geo.Point{}, map[string]string{}
	for _, r := range day.Missions {
		names[r.Mission.ID], where[r.Mission.ID] = r.Mission.Name, scheduler.MissionPoint(r.Mission)
		addr[r.Mission.ID] = strings.TrimSpace(strings.Join([]string{r.Mission.Address, r.Mission.City, r.Mission.State}, ", "))
	}
	m := geo.Map{Title: "My route " + date.String(), Width: 600, Height: 420, Margin: 16}
	labels := map[string][]string{}
	ids := map[string]bool{}
	for i, r := range day.Routes {
		or := officerRoute{Unit: r.Unit, Shift: r.Shift, Start: r.Start, End: r.End, DistanceKm: float64(r.DistanceM) / 1000}
		l := geo.Line{ID: r.Unit, Arrows: true, Style: geo.Style{Stroke: routeColours[i%len(routeColours)], Width: 2.5, Class: "route"}}
		for j, v := range r.Visits {
			row := visitRow{N: j + 1, Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart}
			or.Visits = append(or.Visits, row)
			l.Points = append(l.Points, where[v.Mission])
			labels[v.Mission] = append(labels[v.Mission], visitLabel(j, v))
			ids[v.Mission] = true
			if d.NextVisit == nil && now.Before(v.Arrive.Add(scheduler.CheckInWindow)) {
				pt := where[v.Mission]
				d.NextVisit = &nextVisit{visitRow: row, Unit: r.Unit, Address: addr[v.Mission], Of: len(r.Visits),
					Geo: geoURI(pt, names[v.Mission])}
			}
		}
		d.Routes = append(d.Routes, or)
		m.Lines = append(m.Lines, l)
	}
	d.CheckIn = checkInChoices(day.Routes, names, d.NextVisit, now)
	for _, b := range day.Posts {
		ids[b.Mission] = true
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
		d.MapData, d.Leaflet = mapJSON(officerMapData(day, mids, names, where)), true
	}
	return render(c, http.StatusOK, "officer", d)
}

// checkInChoices lists each mission of the routes once, at its first visit still open for
// a check-in at now (else its last), the next visit's mission marked.
func checkInChoices(routes []scheduler.Route, names map[string]string, next *nextVisit, now time.Time) []checkInChoice {
	at := map[string]int{} // mission → index in out
	var out []checkInChoice
	for _, r := range routes {
		for _, v := range r.Visits {
			i, seen := at[v.Mission]
			switch {
			case !seen:
				at[v.Mission] = len(out)
				out = append(out, checkInChoice{Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive,
					Next: next != nil && next.Mission == v.Mission})
			case !now.Before(out[i].Arrive.Add(scheduler.CheckInWindow)):
				out[i].Arrive = v.Arrive // the visit shown is closed: show the later one
			}
		}
	}
	return out
}

// geoURI is an RFC 5870 geo: URI with the place's name as the label phones show.
func geoURI(p geo.Point, name string) template.URL {
	return template.URL(fmt.Sprintf("geo:%.6f,%.6f?q=%.6f,%.6f(%s)", p.Lat, p.Lon, p.Lat, p.Lon, url.QueryEscape(name)))
}

// ServiceWorker is GET /sw.js: the officer page's service worker, served from the root so
// its scope can be /me (static/sw.js).
func (p *Pages) ServiceWorker(c echo.Context) error {
	data, err := files.ReadFile("static/sw.js")
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", data)
}

// officerMapData is the officer's map: the missions of their released routes and posts
// (no threat level: officers do not see it), their routes in order with stop times, the
// region's basemap.
func officerMapData(day *OfficerDay, mids []string, names map[string]string, where map[string]geo.Point) mapData {
	region, _, _ := scheduler.ParseOfficerID(day.Officer)
	d := mapData{Basemap: basemaps[region]}
	for _, id := range mids {
		d.Missions = append(d.Missions, mapMission{ID: id, Name: names[id], Lat: where[id].Lat, Lon: where[id].Lon})
	}
	for i, r := range day.Routes {
		loc := r.Start.Location()
		d.Routes = append(d.Routes, mapRoute{Unit: r.Unit, Colour: routeColours[i%len(routeColours)], Chosen: i == 0, Stops: routeStops(r, loc)})
	}
	return d
}
