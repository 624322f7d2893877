package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"vigil/geo"
	"vigil/scheduler"
)

// The interactive map (static/map.js over the vendored Leaflet) reads its data from a JSON
// block in the page, so it needs no second request; the server-drawn SVG stays in the page
// for browsers without script.

// mapData is what static/map.js draws.
type mapData struct {
	// Basemap is the URL of the region's embedded street basemap, "" when none is shipped.
	Basemap  string       `json:"basemap,omitempty"`
	Missions []mapMission `json:"missions"`
	Zones    any          `json:"zones,omitempty"` // GeoJSON FeatureCollection
	Routes   []mapRoute   `json:"routes"`
	// Positions is where the shift's units are now (GET …/positions gives it afresh).
	Positions   []unitPosition `json:"positions,omitempty"`
	PositionURL string         `json:"position_url,omitempty"`
	Events      string         `json:"events,omitempty"` // the SSE stream, "" when not live
	// Changed are the units whose routes the re-plan just made changed (highlighted).
	Changed []string `json:"changed,omitempty"`
}

type mapMission struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Threat int     `json:"threat,omitempty"`
	Visits int     `json:"visits"`
}

type mapRoute struct {
	Unit   string    `json:"unit"`
	Colour string    `json:"colour"`
	Chosen bool      `json:"chosen"`
	Stops  []mapStop `json:"stops"`
}

type mapStop struct {
	N       int    `json:"n"`
	Mission string `json:"mission"`
	Arrive  string `json:"arrive"` // HH:MM, the region's time
	Depart  string `json:"depart"`
}

// unitPosition is a unit's planned place now (scheduler.PositionAt).
type unitPosition struct {
	Unit  string  `json:"unit"`
	Zone  string  `json:"zone"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	State string  `json:"state"`
}

// basemaps are the regions with an embedded street basemap (tools/genbasemap).
var basemaps = map[string]string{"wfo": "/static/basemap-wfo.json"}

// mapJSON encodes d for a <script type="application/json"> block: html/template escapes
// nothing inside it, so the encoder's HTML escaping (<, >, &) keeps it inert.
func mapJSON(d mapData) template.JS {
	raw, err := json.Marshal(d)
	if err != nil {
		return "{}"
	}
	return template.JS(raw)
}

// routeStops lists a route's visits as the map labels them.
func routeStops(r scheduler.Route, loc *time.Location) []mapStop {
	out := make([]mapStop, len(r.Visits))
	for i, v := range r.Visits {
		out[i] = mapStop{N: i + 1, Mission: v.Mission, Arrive: v.Arrive.In(loc).Format("15:04"), Depart: v.Depart.In(loc).Format("15:04")}
	}
	return out
}

// regionMapData is the region page's map: zones, missions by threat, the shift's routes
// (the chosen one with its stops), the units' planned positions now.
func regionMapData(day *Day, region string, missions []missionRow, routes []scheduler.Route, chosen *scheduler.Route, live bool) mapData {
	p, loc := day.Plan, day.Office.Location
	d := mapData{Basemap: basemaps[region]}
	visits := map[string]int{}
	for _, m := range missions {
		visits[m.ID] = m.Visits
	}
	threat := map[string]int{}
	for _, m := range missions {
		threat[m.ID] = m.Threat
	}
	for _, m := range p.Missions {
		d.Missions = append(d.Missions, mapMission{ID: m.ID, Name: m.Name, Lat: m.Lat, Lon: m.Lon, Threat: threat[m.ID], Visits: visits[m.ID]})
	}
	zones := make([]geo.Zone, len(p.Zones))
	for i, z := range p.Zones {
		zones[i] = geo.Zone{ID: z.ID, Cells: z.Cells, Sites: z.Missions}
	}
	d.Zones = geo.ZonesFeatureCollection(zones, nil)
	for i, r := range routes {
		mr := mapRoute{Unit: r.Unit, Colour: routeColours[i%len(routeColours)], Chosen: chosen != nil && r.Unit == chosen.Unit}
		if chosen == nil || mr.Chosen {
			mr.Stops = routeStops(r, loc)
		}
		d.Routes = append(d.Routes, mr)
	}
	d.Positions = positionsNow(day, routes)
	if live {
		d.Events = "/v1/events?region=" + region
	}
	return d
}

// positionsNow places each route's unit at day.Now along its route, for the routes
// running now.
func positionsNow(day *Day, routes []scheduler.Route) []unitPosition {
	where := map[string]geo.Point{}
	for _, m := range day.Plan.Missions {
		where[m.ID] = geo.Point{Lat: m.Lat, Lon: m.Lon}
	}
	travel := scheduler.TravelModel(day.Force)
	out := []unitPosition{}
	for _, r := range routes {
		if day.Now.Before(r.Start) || !day.Now.Before(r.End) {
			continue
		}
		pt, state, ok := scheduler.PositionAt(r, day.Now, func(m string) geo.Point { return where[m] }, travel(r.Mode))
		if ok {
			out = append(out, unitPosition{Unit: r.Unit, Zone: r.Zone, Lat: pt.Lat, Lon: pt.Lon, State: string(state)})
		}
	}
	return out
}

// PositionsJSON is GET /regions/{region}/positions (?date=, ?shift=): the planned
// positions of the shift's units now, for the live board. A live position read: the
// service audits it with the day.
func (p *Pages) PositionsJSON(c echo.Context) error {
	d, day, routes, err := p.regionDay(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, struct {
		Shift     string         `json:"shift"`
		At        time.Time      `json:"at"`
		Positions []unitPosition `json:"positions"`
	}{d.Shift, day.Now.UTC(), positionsNow(day, routes)})
}

// regionDay reads a region's day and picks the shift and unit as the page does.
func (p *Pages) regionDay(c echo.Context) (*regionData, *Day, []scheduler.Route, error) {
	day, err := p.svc.Day(c, c.Param("region"), c.QueryParam("date"))
	if err != nil {
		return nil, nil, nil, err
	}
	d := &regionData{Date: day.Date.String()}
	windows := scheduler.ShiftWindows(day.Date, day.Force.Shifts, day.Office.Location)
	if err := d.chooseShift(windows, day.Now, c.QueryParam("shift")); err != nil {
		return nil, nil, nil, err
	}
	routes, err := d.chooseUnit(day.Plan.ServiceDays[0], "all")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("positions: %w", err)
	}
	return d, day, routes, nil
}
