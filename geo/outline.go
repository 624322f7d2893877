package geo

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"
)

// OrbPoint converts p to an orb.Point, which is [longitude, latitude]. It is the one place
// where Vigil's points meet orb's.
func OrbPoint(p Point) orb.Point { return orb.Point{p.Lon, p.Lat} }

// outlineMinResolution is the coarsest resolution outlines are drawn at: a site's cell at
// the default MaxResolution then lies inside its zone's outline.
const outlineMinResolution = 10

// ZonesFeatureCollection draws zones as GeoJSON: one Polygon, or MultiPolygon if the cells
// do not join up, per zone in id order, with properties id, missions (site ids), units and
// workload_minutes (rounded to 0.1), then one Point per site in id order with properties
// mission (the site id) and zone (its zone id, "" if no zone holds it).
//
// A zone's outline is the union of its cells, drawn at the finest resolution of any zone
// cell and at least 10: every cell is replaced by its descendants at that resolution, so
// that the zones tile without gaps or overlaps, and the edges shared by two cells of the
// zone are dissolved. Outer rings run counter-clockwise and holes clockwise, closed, with
// coordinates rounded to 1e-7 degrees (about a centimetre). Cells that are not valid H3
// cells are left out.
func ZonesFeatureCollection(zones []Zone, sites []Site) *geojson.FeatureCollection {
	zs := slices.Clone(zones)
	slices.SortFunc(zs, func(a, b Zone) int { return cmp.Compare(a.ID, b.ID) })
	cells := make([][]h3.Cell, len(zs))
	res := outlineMinResolution
	for i, z := range zs {
		for _, s := range z.Cells {
			c := h3.Cell(h3.IndexFromString(s))
			if !c.IsValid() {
				continue
			}
			cells[i] = append(cells[i], c)
			res = max(res, c.Resolution())
		}
	}
	fc := geojson.NewFeatureCollection()
	for i, z := range zs {
		f := geojson.NewFeature(outline(cells[i], res))
		f.Properties["id"] = z.ID
		f.Properties["missions"] = append([]string{}, z.Sites...)
		f.Properties["units"] = z.Units
		f.Properties["workload_minutes"] = math.Round(z.WorkloadMinutes*10) / 10
		fc.Append(f)
	}
	of := ZoneOf(zs)
	ss := slices.Clone(sites)
	slices.SortFunc(ss, func(a, b Site) int { return cmp.Compare(a.ID, b.ID) })
	for _, s := range ss {
		f := geojson.NewFeature(OrbPoint(s.Point))
		f.Properties["mission"] = s.ID
		f.Properties["zone"] = of[s.ID]
		fc.Append(f)
	}
	return fc
}

// vkey is a vertex snapped to 1e-7 degrees, so that the corners two cells share compare
// equal.
type vkey struct{ lng, lat int64 }

func snap(ll h3.LatLng) vkey {
	return vkey{int64(math.Round(ll.Lng * 1e7)), int64(math.Round(ll.Lat * 1e7))}
}

func (v vkey) point() orb.Point { return orb.Point{float64(v.lng) / 1e7, float64(v.lat) / 1e7} }

func (v vkey) cmp(w vkey) int {
	if c := cmp.Compare(v.lng, w.lng); c != 0 {
		return c
	}
	return cmp.Compare(v.lat, w.lat)
}

type vedge struct{ from, to vkey }

// outline returns the union of cells drawn at resolution res (no coarser than any cell).
func outline(cells []h3.Cell, res int) orb.Geometry {
	if len(cells) == 0 {
		return orb.Polygon{}
	}
	fine := h3.UncompactCells(cells, res)
	slices.Sort(fine)
	fine = slices.Compact(fine)
	// Cell boundaries run counter-clockwise; an edge shared by two cells of the set runs
	// once each way, so it cancels.
	edges := map[vedge]bool{}
	for _, c := range fine {
		b := c.Boundary()
		for i := range b {
			e := vedge{snap(b[i]), snap(b[(i+1)%len(b)])}
			if e.from == e.to {
				continue
			}
			if edges[vedge{e.to, e.from}] {
				delete(edges, vedge{e.to, e.from})
				continue
			}
			edges[e] = true
		}
	}
	out := make([]vedge, 0, len(edges))
	for e := range edges {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b vedge) int {
		if c := a.from.cmp(b.from); c != 0 {
			return c
		}
		return a.to.cmp(b.to)
	})
	next := map[vkey][]vedge{}
	for _, e := range out {
		next[e.from] = append(next[e.from], e)
	}
	used := map[vedge]bool{}
	var outers, holes []orb.Ring
	for _, e0 := range out {
		if used[e0] {
			continue
		}
		ring := orb.Ring{e0.from.point()}
		for e := e0; ; {
			used[e] = true
			ring = append(ring, e.to.point())
			if e.to == e0.from {
				break
			}
			var nx vedge
			found := false
			for _, c := range next[e.to] {
				if !used[c] {
					nx, found = c, true
					break
				}
			}
			if !found { // an open chain would mean a broken snap: close it here
				ring = append(ring, e0.from.point())
				break
			}
			e = nx
		}
		if len(ring) < 4 {
			continue
		}
		if signedArea(ring) > 0 {
			outers = append(outers, ring)
		} else {
			holes = append(holes, ring)
		}
	}
	polys := make([]orb.Polygon, len(outers))
	for i, r := range outers {
		polys[i] = orb.Polygon{r}
	}
	for _, h := range holes {
		best, bestA := -1, math.Inf(1)
		for i, r := range outers {
			if a := signedArea(r); a < bestA && planar.RingContains(r, h[0]) {
				best, bestA = i, a
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], h)
		}
	}
	if len(polys) == 1 {
		return polys[0]
	}
	return orb.MultiPolygon(polys)
}

// signedArea is the shoelace area of a closed ring in (lng, lat): positive when the ring
// runs counter-clockwise.
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}
