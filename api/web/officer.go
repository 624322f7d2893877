package web

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// officerData is an officer's own page: their shifts and released assignments.
type officerData struct {
	base
	Officer          string
	Date, Prev, Next string
	Shifts           []AssignmentShift
	Routes           []officerRoute
	Posts            []PostBlock
	Map              template.HTML
}

type officerRoute struct {
	Unit, Shift string
	Start, End  time.Time
	Visits      []visitRow
	DistanceKm  float64
}

// OfficerPage is GET /me: the officer's shifts of a service day and, once released, the
// routes with visit times and post blocks; nothing else of the region.
func (p *Pages) OfficerPage(c echo.Context) error {
	day, err := p.svc.OfficerDay(c, c.QueryParam("date"))
	if err != nil {
		return err
	}
	date := day.Date
	d := officerData{base: p.base(c, "My shift — "+date.String()), Officer: day.Officer, Date: date.String(),
		Prev: date.AddDays(-1).String(), Next: date.AddDays(1).String(), Shifts: day.Shifts, Posts: day.Posts}
	names, where := map[string]string{}, map[string]geo.Point{}
	for _, r := range day.Missions {
		names[r.Mission.ID], where[r.Mission.ID] = r.Mission.Name, scheduler.MissionPoint(r.Mission)
	}
	m := geo.Map{Title: "My route " + date.String(), Width: 600, Height: 420, Margin: 16}
	labels := map[string][]string{}
	ids := map[string]bool{}
	for i, r := range day.Routes {
		or := officerRoute{Unit: r.Unit, Shift: r.Shift, Start: r.Start, End: r.End, DistanceKm: float64(r.DistanceM) / 1000}
		l := geo.Line{ID: r.Unit, Arrows: true, Style: geo.Style{Stroke: routeColours[i%len(routeColours)], Width: 2.5, Class: "route"}}
		for j, v := range r.Visits {
			or.Visits = append(or.Visits, visitRow{N: j + 1, Mission: v.Mission, Name: names[v.Mission], Arrive: v.Arrive, Depart: v.Depart})
			l.Points = append(l.Points, where[v.Mission])
			labels[v.Mission] = append(labels[v.Mission], visitLabel(j, v))
			ids[v.Mission] = true
		}
		d.Routes = append(d.Routes, or)
		m.Lines = append(m.Lines, l)
	}
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
	}
	return render(c, http.StatusOK, "officer", d)
}
