package scheduler

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"vigil/geo"
)

// WritePlanJSON writes p as vigil.plan/v1 JSON, indented, with a final newline.
func WritePlanJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// PlanFeatureCollection draws p as GeoJSON (DESIGN.md §5): one feature per route (a
// LineString through its visits in order, or a Point with fewer than two visits), one Point
// per visit and one Point per post.
func PlanFeatureCollection(p *Plan) *geojson.FeatureCollection {
	at := make(map[string]orb.Point, len(p.Missions))
	for _, m := range p.Missions {
		at[m.ID] = geo.OrbPoint(geo.Point{Lat: m.Lat, Lon: m.Lon})
	}
	fc := geojson.NewFeatureCollection()
	for _, sd := range p.ServiceDays {
		for _, r := range sd.Routes {
			var g orb.Geometry
			switch len(r.Visits) {
			case 0:
				continue
			case 1:
				g = at[r.Visits[0].Mission]
			default:
				ls := make(orb.LineString, len(r.Visits))
				for i, v := range r.Visits {
					ls[i] = at[v.Mission]
				}
				g = ls
			}
			f := geojson.NewFeature(g)
			f.Properties = geojson.Properties{
				"date": sd.Date, "shift": r.Shift, "unit": r.Unit, "mode": string(r.Mode),
				"zone": r.Zone, "officers": r.Officers,
			}
			fc.Append(f)
			for _, v := range r.Visits {
				f := geojson.NewFeature(at[v.Mission])
				f.Properties = geojson.Properties{
					"date": sd.Date, "unit": r.Unit, "mission": v.Mission,
					"arrive": v.Arrive.Format(time.RFC3339), "depart": v.Depart.Format(time.RFC3339),
				}
				fc.Append(f)
			}
		}
		for _, post := range sd.Posts {
			f := geojson.NewFeature(at[post.Mission])
			f.Properties = geojson.Properties{"date": sd.Date, "post": post.Post, "mission": post.Mission, "blocks": post.Blocks}
			fc.Append(f)
		}
	}
	return fc
}

// WritePlanGeoJSON writes PlanFeatureCollection(p).
func WritePlanGeoJSON(w io.Writer, p *Plan) error {
	b, err := json.Marshal(PlanFeatureCollection(p))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// WritePlanCSV writes one row per visit under the header
// date,shift,unit,mode,zone,mission,arrive,depart,officers (officers joined by ";").
// With posts it writes the post blocks instead: date,post,mission,officer,start,end.
func WritePlanCSV(w io.Writer, p *Plan, posts bool) error {
	cw := csv.NewWriter(w)
	if posts {
		cw.Write([]string{"date", "post", "mission", "officer", "start", "end"})
		for _, sd := range p.ServiceDays {
			for _, post := range sd.Posts {
				for _, b := range post.Blocks {
					cw.Write([]string{sd.Date, post.Post, post.Mission, b.Officer, b.Start.Format(time.RFC3339), b.End.Format(time.RFC3339)})
				}
			}
		}
	} else {
		cw.Write([]string{"date", "shift", "unit", "mode", "zone", "mission", "arrive", "depart", "officers"})
		for _, sd := range p.ServiceDays {
			for _, r := range sd.Routes {
				for _, v := range r.Visits {
					cw.Write([]string{sd.Date, r.Shift, r.Unit, string(r.Mode), r.Zone, v.Mission,
						v.Arrive.Format(time.RFC3339), v.Depart.Format(time.RFC3339), strings.Join(r.Officers, ";")})
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WritePlanText writes a roster a person can read: each service day, each shift, each
// unit's visits in order, then the post rotations.
func WritePlanText(w io.Writer, p *Plan) error {
	ew := &errWriter{w: w}
	names := make(map[string]string, len(p.Missions))
	for _, m := range p.Missions {
		names[m.ID] = m.Name
	}
	ew.printf("Vigil plan for region %s (%s), %d service day(s) from %s\n", p.Region, p.Timezone, p.Days, p.From)
	for _, sd := range p.ServiceDays {
		visits := 0
		for _, r := range sd.Routes {
			visits += len(r.Visits)
		}
		ew.printf("\nService day %s  %s – %s  revision %d  %d routes, %d visits, %d posts\n",
			sd.Date, sd.Start.Format("Mon 15:04"), sd.End.Format("Mon 15:04 MST"), sd.Revision, len(sd.Routes), visits, len(sd.Posts))
		shift := ""
		for _, r := range sd.Routes {
			if r.Shift != shift {
				shift = r.Shift
				ew.printf("\n  Shift %s  %s – %s\n", r.Shift, r.Start.Format("15:04"), r.End.Format("15:04"))
			}
			ew.printf("    %-9s %-7s %-18s %-24s %3d visits %6.1f km\n", r.Unit, r.Mode, r.Zone, strings.Join(r.Officers, ","), len(r.Visits), float64(r.DistanceM)/1000)
			for _, v := range r.Visits {
				ew.printf("      %s–%s  %-28s %s\n", v.Arrive.Format("15:04"), v.Depart.Format("15:04"), v.Mission, names[v.Mission])
			}
		}
		if len(sd.Posts) > 0 {
			ew.printf("\n  Fixed posts\n")
		}
		for _, post := range sd.Posts {
			ew.printf("    %-20s", post.Post)
			for _, b := range post.Blocks {
				ew.printf(" %s %s", b.Start.Format("15:04"), b.Officer)
			}
			ew.printf("\n")
		}
	}
	return ew.err
}

// errWriter keeps the first write error so a long report needs one check.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
