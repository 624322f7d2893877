package geo

// The zoning's local plane: cell centres projected to km around the sites' mean, boxes,
// and the regions bisection cut.

import (
	"math"

	"github.com/uber/h3-go/v4"
)

// projection is the local plane the zoning cuts in: km east and north of the sites' mean.
type projection struct {
	lat0, lng0 float64                // reference latitude and longitude
	kx, ky     float64                // km per degree of longitude and latitude
	spacing    float64                // about the km between cell centres at the fill resolution
	xy         map[h3.Cell][2]float64 // cell centres, projected
}

// pos returns the centre of cell c in the local projection, in km.
func (p *projection) pos(c h3.Cell) (float64, float64) {
	xy, ok := p.xy[c]
	if !ok {
		xy[0], xy[1] = p.project(h3.CellToLatLng(c))
		p.xy[c] = xy
	}
	return xy[0], xy[1]
}

// inRegion reports whether the centre of cell c lies in the region of zone z.
func (p *partitioner) inRegion(z int, c h3.Cell) bool {
	x, y := p.pos(c)
	for _, r := range p.regions[z] {
		in := true
		for _, h := range r {
			if !h.has(x*cutDirs[h.dir][0]+y*cutDirs[h.dir][1], c) {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

func (p *projection) project(ll h3.LatLng) (x, y float64) {
	return (ll.Lng - p.lng0) * p.kx, (ll.Lat - p.lat0) * p.ky
}

// box is a rectangle in the local projection.
type box struct{ minX, maxX, minY, maxY float64 }

func (b box) has(x, y float64) bool {
	return x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY
}

// boxAround returns the box of the grains' centres grown by margin km on every side.
func (p *partitioner) boxAround(gs []int, margin float64) box {
	b := box{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	for _, i := range gs {
		g := p.grain[i]
		b.minX, b.maxX = min(b.minX, g.x), max(b.maxX, g.x)
		b.minY, b.maxY = min(b.minY, g.y), max(b.maxY, g.y)
	}
	return box{b.minX - margin, b.maxX + margin, b.minY - margin, b.maxY + margin}
}
