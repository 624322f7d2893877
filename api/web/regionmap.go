package web

import (
	"fmt"
	"strings"

	"vigil/geo"
	"vigil/scheduler"
)

// Threat colours, level 1 to 5, from calm to alarm; index 0 is for an unknown level.
var threatColours = [scheduler.MaxThreat + 1]string{"#888888", "#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828"}

func threatColour(level int) string { return threatColours[min(max(level, 0), len(threatColours)-1)] }

// Zone fills, by zone index.
var zoneFills = []string{"#dbe9f6", "#e6f2dc", "#f6e8d8", "#ece0f3", "#f8f3d0", "#dcf0ef", "#f4dde4", "#e4e4e4"}

// Route colours when every unit of a shift is drawn.
var routeColours = []string{"#1b6ca8", "#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#a6761d", "#444444"}

// regionMap draws the day's zones, the missions coloured by threat level, and the chosen
// route (or all of the shift's routes) in order, its visits labelled with order and time.
func regionMap(p *scheduler.Plan, missions []missionRow, routes []scheduler.Route, chosen *scheduler.Route, title string) []byte {
	m := geo.Map{Title: title, Width: 760, Height: 560, Margin: 16}
	zoneAreas(&m, p, chosen)
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
				labels[v.Mission] = append(labels[v.Mission], visitLabel(j, v))
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

// zoneAreas adds the plan's zones to m, fitting the map to the chosen route's zone.
func zoneAreas(m *geo.Map, p *scheduler.Plan, chosen *scheduler.Route) {
	zones := make([]geo.Zone, len(p.Zones))
	for i, z := range p.Zones {
		zones[i] = geo.Zone{ID: z.ID, Cells: z.Cells, Sites: z.Missions}
	}
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
}

// visitLabel labels the j-th visit (from 0) of a route on a map: its number and time.
func visitLabel(j int, v scheduler.Visit) string {
	return fmt.Sprintf("%d·%s", j+1, v.Arrive.Format("15:04"))
}
