package geo

import (
	"errors"
	"fmt"
	"sort"

	"github.com/uber/h3-go/v4"
)

// Site is a point to be zoned, with the work it asks for each service day.
type Site struct {
	ID     string
	Point  Point
	Visits float64 // visits per service day (profile minimums)
	// Minutes is the on-site work per service day: Visits × mean dwell.
	Minutes float64
}

// ZoneOptions tunes Partition.
type ZoneOptions struct {
	Resolution    int     // coarsest H3 resolution; 0 means 8
	MaxResolution int     // finest H3 resolution; 0 means 10
	Units         int     // units per shift to share among the zones (at least 1)
	UnitMinutes   float64 // minutes of work one unit can give per service day
	Travel        Traveler
}

// Zone is a contiguous set of H3 cells worked by one or more units in a shift.
type Zone struct {
	ID              string   // "z-" and the zone's first cell in sorted order
	Cells           []string // H3 cells, sorted
	Sites           []string // site ids, sorted
	Units           int      // units working the zone per shift
	WorkloadMinutes float64  // per service day: on-site minutes plus estimated travel
}

// ErrNoSites is returned by Partition when there is nothing to zone.
var ErrNoSites = errors.New("geo: no sites to zone")

// Partition groups sites into zones. This first version puts every site in one zone; the
// adaptive, balanced version replaces it.
func Partition(sites []Site, opt ZoneOptions) ([]Zone, error) {
	if len(sites) == 0 {
		return nil, ErrNoSites
	}
	res := opt.Resolution
	if res == 0 {
		res = 8
	}
	cells := map[string]bool{}
	z := Zone{Units: max(opt.Units, 1)}
	for _, s := range sites {
		c := h3.LatLngToCell(h3.NewLatLng(s.Point.Lat, s.Point.Lon), res)
		if !c.IsValid() {
			return nil, fmt.Errorf("geo: site %s: no H3 cell at resolution %d", s.ID, res)
		}
		cells[c.String()] = true
		z.Sites = append(z.Sites, s.ID)
		z.WorkloadMinutes += s.Minutes
	}
	for c := range cells {
		z.Cells = append(z.Cells, c)
	}
	sort.Strings(z.Cells)
	sort.Strings(z.Sites)
	z.ID = "z-" + z.Cells[0]
	return []Zone{z}, nil
}
