package geo

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uber/h3-go/v4"
)

// weights are the visits per day of the profile minimums, given to sites cyclically.
var weights = []float64{2, 3, 6, 10, 12}

func site(i int, p Point) Site {
	v := weights[i%len(weights)]
	return Site{ID: fmt.Sprintf("s%04d", i), Point: p, Visits: v, Minutes: v * 12.5}
}

// dcSites reads the 177 DC embassy points of testdata/dc_points.csv.
func dcSites(tb testing.TB) []Site {
	tb.Helper()
	f, err := os.Open("testdata/dc_points.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var sites []Site
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "lat,lon" {
			continue
		}
		lat, lon, ok := strings.Cut(line, ",")
		if !ok {
			tb.Fatalf("dc_points.csv: bad line %q", line)
		}
		la, err1 := strconv.ParseFloat(lat, 64)
		lo, err2 := strconv.ParseFloat(lon, 64)
		if err := errors.Join(err1, err2); err != nil {
			tb.Fatal(err)
		}
		sites = append(sites, site(len(sites), Point{la, lo}))
	}
	if len(sites) != 177 {
		tb.Fatalf("dc_points.csv has %d points; want 177", len(sites))
	}
	return sites
}

// randomSites scatters n sites around Washington: a few clusters of various spreads and a
// thin background, as missions of a city are.
func randomSites(seed uint64, n int) []Site {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	r := rand.New(rand.NewChaCha8(key))
	type cluster struct {
		c     Point
		sigma float64 // km
	}
	var cs []cluster
	for range 1 + r.IntN(5) {
		cs = append(cs, cluster{
			Point{38.9 + r.NormFloat64()*0.04, -77.03 + r.NormFloat64()*0.05},
			0.3 + r.Float64()*3,
		})
	}
	sites := make([]Site, n)
	for i := range sites {
		var p Point
		if r.IntN(10) == 0 {
			p = Point{38.8 + r.Float64()*0.2, -77.15 + r.Float64()*0.25}
		} else {
			c := cs[r.IntN(len(cs))]
			p = Point{c.c.Lat + r.NormFloat64()*c.sigma/111, c.c.Lon + r.NormFloat64()*c.sigma/86.6}
		}
		v := weights[r.IntN(len(weights))]
		sites[i] = Site{ID: fmt.Sprintf("r%04d", i), Point: p, Visits: v, Minutes: v * 12.5}
	}
	return sites
}

// perUnit returns the workload per unit of each zone divided by the mean over zones.
func perUnit(zones []Zone) (lo, hi float64) {
	mean := 0.0
	for _, z := range zones {
		mean += z.WorkloadMinutes / float64(z.Units)
	}
	mean /= float64(len(zones))
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, z := range zones {
		r := z.WorkloadMinutes / float64(z.Units) / mean
		lo, hi = min(lo, r), max(hi, r)
	}
	return lo, hi
}

func mustCell(tb testing.TB, s string) h3.Cell {
	tb.Helper()
	c := h3.Cell(h3.IndexFromString(s))
	if !c.IsValid() || c.String() != s {
		tb.Fatalf("zone cell %q is not a valid H3 cell", s)
	}
	return c
}

// checkZones asserts the invariants of Partition that hold for every input.
func checkZones(t *testing.T, sites []Site, opt ZoneOptions, zones []Zone) {
	t.Helper()
	minRes, maxRes := opt.Resolution, opt.MaxResolution
	if minRes == 0 {
		minRes = DefaultResolution
	}
	if maxRes == 0 {
		maxRes = DefaultMaxResolution
	}
	if len(zones) == 0 {
		t.Fatal("no zones")
	}
	if !slices.IsSortedFunc(zones, func(a, b Zone) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("zones not sorted by id")
	}
	byID := map[string]Site{}
	for _, s := range sites {
		byID[s.ID] = s
	}
	seen := map[string]string{}
	owner := map[h3.Cell]string{} // every zone cell's descendants at maxRes
	units := 0
	for _, z := range zones {
		units += z.Units
		if z.Units < 1 {
			t.Errorf("zone %s has %d units; want at least 1", z.ID, z.Units)
		}
		if len(z.Sites) == 0 || len(z.Cells) == 0 {
			t.Errorf("zone %s has %d sites, %d cells; want some of each", z.ID, len(z.Sites), len(z.Cells))
			continue
		}
		if !slices.IsSorted(z.Cells) || !slices.IsSorted(z.Sites) {
			t.Errorf("zone %s: cells or sites not sorted", z.ID)
		}
		if want := "z-" + z.Cells[0]; z.ID != want {
			t.Errorf("zone id %s; want %s", z.ID, want)
		}
		var cells []h3.Cell
		for _, s := range z.Cells {
			c := mustCell(t, s)
			if c.Resolution() > maxRes || c.Resolution() < minRes {
				t.Errorf("zone %s: cell %s of resolution %d; want %d to %d", z.ID, s, c.Resolution(), minRes, maxRes)
			}
			cells = append(cells, c)
		}
		fine := h3.UncompactCells(cells, maxRes)
		for _, c := range fine {
			if o, ok := owner[c]; ok {
				t.Errorf("cell %s is in zones %s and %s", c, o, z.ID)
			}
			owner[c] = z.ID
		}
		if n := components(fine); n != 1 {
			t.Errorf("zone %s (%d cells) has %d connected parts at resolution %d; want 1", z.ID, len(z.Cells), n, maxRes)
		}
		w := 0.0
		for _, id := range z.Sites {
			if o, ok := seen[id]; ok {
				t.Errorf("site %s in zones %s and %s", id, o, z.ID)
			}
			seen[id] = z.ID
			s, ok := byID[id]
			if !ok {
				t.Errorf("zone %s holds unknown site %q", z.ID, id)
			}
			w += s.Minutes + s.Visits // at least a minute of travel a visit
		}
		if z.WorkloadMinutes < w-1e-6 {
			t.Errorf("zone %s workload %v; want at least %v", z.ID, z.WorkloadMinutes, w)
		}
	}
	if units != opt.Units {
		t.Errorf("Σ units = %d; want %d", units, opt.Units)
	}
	for _, s := range sites {
		z, ok := seen[s.ID]
		if !ok {
			t.Errorf("site %s in no zone", s.ID)
			continue
		}
		c := h3.LatLngToCell(h3.NewLatLng(s.Point.Lat, s.Point.Lon), maxRes)
		if owner[c] != z {
			t.Errorf("site %s: its cell %s is in zone %q; want its zone %s", s.ID, c, owner[c], z)
		}
	}
}

// components counts the connected parts of a set of cells of one resolution.
func components(cells []h3.Cell) int {
	in := map[h3.Cell]bool{}
	for _, c := range cells {
		in[c] = true
	}
	seen := map[h3.Cell]bool{}
	n := 0
	for _, c := range cells {
		if seen[c] {
			continue
		}
		n++
		stack := []h3.Cell{c}
		seen[c] = true
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, v := range u.GridDisk(1) {
				if in[v] && !seen[v] {
					seen[v] = true
					stack = append(stack, v)
				}
			}
		}
	}
	return n
}

func TestPartitionRandom(t *testing.T) {
	tests := []struct {
		seed  uint64
		n     int
		units int
	}{
		{1, 20, 1}, {2, 20, 5}, {3, 20, 30}, {4, 60, 3}, {5, 100, 12},
		{6, 150, 40}, {7, 200, 7}, {8, 300, 25}, {9, 500, 40}, {10, 500, 18},
		{11, 250, 33}, {12, 400, 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("seed%d-n%d-u%d", tt.seed, tt.n, tt.units), func(t *testing.T) {
			sites := randomSites(tt.seed, tt.n)
			opt := ZoneOptions{Units: tt.units, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}}
			zones, err := Partition(sites, opt)
			if err != nil {
				t.Fatalf("Partition = %v", err)
			}
			checkZones(t, sites, opt, zones)

			// Same sites in another order: the same zones.
			r := rand.New(rand.NewPCG(tt.seed, 7))
			shuffled := slices.Clone(sites)
			r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			again, err := Partition(shuffled, opt)
			if err != nil {
				t.Fatalf("Partition(shuffled) = %v", err)
			}
			if diff := cmp.Diff(zones, again); diff != "" {
				t.Errorf("Partition(shuffled) differs (-first +shuffled):\n%s", diff)
			}

			// Balance holds when every unit has several sites' worth of work: the mean
			// workload per unit is at least 4 times the heaviest site's.
			total, heaviest := 0.0, 0.0
			for _, z := range zones {
				total += z.WorkloadMinutes
			}
			for _, s := range sites {
				heaviest = max(heaviest, s.Minutes+s.Visits*3)
			}
			lo, hi := perUnit(zones)
			t.Logf("%d zones, workload per unit %.2f–%.2f of the mean", len(zones), lo, hi)
			if total/float64(opt.Units) >= 4*heaviest && (lo < 0.75 || hi > 1.25) {
				t.Errorf("workload per unit %.2f–%.2f of the mean; want within ±25%%", lo, hi)
			}
		})
	}
}

func TestPartitionDC(t *testing.T) {
	sites := dcSites(t)
	for _, units := range []int{18, 24, 30} {
		opt := ZoneOptions{Units: units, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}}
		zones, err := Partition(sites, opt)
		if err != nil {
			t.Fatalf("Partition(DC, %d units) = %v", units, err)
		}
		checkZones(t, sites, opt, zones)
		lo, hi := perUnit(zones)
		cells := 0
		for _, z := range zones {
			cells += len(z.Cells)
		}
		t.Logf("DC, %d units: %d zones, %d cells, workload per unit %.3f–%.3f of the mean", units, len(zones), cells, lo, hi)
		if lo < 0.75 || hi > 1.25 {
			t.Errorf("Partition(DC, %d units): workload per unit %.3f–%.3f of the mean; want within ±25%%", units, lo, hi)
		}
	}
}

func TestPartitionStableIDs(t *testing.T) {
	sites := dcSites(t)
	opt := ZoneOptions{Units: 24, UnitMinutes: 1440 * 0.85}
	a, err := Partition(sites, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Partition(slices.Clone(sites), opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("Partition twice differs:\n%s", diff)
	}
}

func TestPartitionSeveralUnitsPerZone(t *testing.T) {
	// Three sites in one building: a single zone cell, so one zone with every unit.
	p := Point{38.9072, -77.0369}
	sites := []Site{site(0, p), site(1, p), site(2, p)}
	zones, err := Partition(sites, ZoneOptions{Units: 4, UnitMinutes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones) != 1 || zones[0].Units != 4 {
		t.Fatalf("Partition(one building, 4 units) = %+v; want one zone with 4 units", zones)
	}
	c, _ := CellOf(p, 10)
	if want := []string{c.String()}; !slices.Equal(zones[0].Cells, want) {
		t.Errorf("cells = %v; want %v", zones[0].Cells, want)
	}
	// A lone site travels a minute per visit; the others are 0 minutes away, floored to 1.
	want := 0.0
	for _, s := range sites {
		want += s.Minutes + s.Visits
	}
	if zones[0].WorkloadMinutes != want {
		t.Errorf("workload = %v; want %v", zones[0].WorkloadMinutes, want)
	}
}

func TestPartitionErrors(t *testing.T) {
	ok := []Site{site(0, Point{38.9, -77.0})}
	tests := []struct {
		name  string
		sites []Site
		opt   ZoneOptions
		want  string
	}{
		{"no sites", nil, ZoneOptions{Units: 1}, "no sites"},
		{"no units", ok, ZoneOptions{}, "units"},
		{"lat", []Site{site(0, Point{91, 0})}, ZoneOptions{Units: 1}, "bad coordinates"},
		{"lon", []Site{site(0, Point{0, -181})}, ZoneOptions{Units: 1}, "bad coordinates"},
		{"nan", []Site{site(0, Point{math.NaN(), 0})}, ZoneOptions{Units: 1}, "bad coordinates"},
		{"resolution", ok, ZoneOptions{Units: 1, Resolution: 16}, "resolution 16"},
		{"max resolution", ok, ZoneOptions{Units: 1, MaxResolution: -1}, "max resolution -1"},
		{"coarse max", ok, ZoneOptions{Units: 1, Resolution: 9, MaxResolution: 8}, "finer than max resolution"},
		{"duplicate", []Site{site(0, Point{38.9, -77}), site(0, Point{38.8, -77})}, ZoneOptions{Units: 1}, "duplicate"},
		{"empty id", []Site{{Point: Point{38.9, -77}}}, ZoneOptions{Units: 1}, "empty id"},
		{"negative", []Site{{ID: "a", Point: Point{38.9, -77}, Minutes: -1}}, ZoneOptions{Units: 1}, "not negative"},
		{"negative planned", []Site{{ID: "a", Point: Point{38.9, -77}, PlannedVisits: -1}}, ZoneOptions{Units: 1}, "planned visits"},
		{"unit minutes", ok, ZoneOptions{Units: 1, UnitMinutes: -5}, "unit minutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Partition(tt.sites, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Partition(%v, %+v) = %v; want an error containing %q", tt.sites, tt.opt, err, tt.want)
			}
		})
	}
	if _, err := Partition(nil, ZoneOptions{Units: 1}); !errors.Is(err, ErrNoSites) {
		t.Errorf("Partition(nil) = %v; want ErrNoSites", err)
	}
}

func TestCellOf(t *testing.T) {
	p := Point{38.9072, -77.0369}
	c, err := CellOf(p, 8)
	if err != nil {
		t.Fatal(err)
	}
	if want := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lon), 8); c != want || c.Resolution() != 8 {
		t.Errorf("CellOf(%v, 8) = %v; want %v", p, c, want)
	}
	for _, res := range []int{-1, 16} {
		if _, err := CellOf(p, res); err == nil {
			t.Errorf("CellOf(%v, %d) = nil error; want one", p, res)
		}
	}
	if _, err := CellOf(Point{100, 0}, 8); err == nil {
		t.Error("CellOf(lat 100) = nil error; want one")
	}
}

func TestZoneOf(t *testing.T) {
	zones := []Zone{{ID: "z-a", Sites: []string{"a", "b"}}, {ID: "z-c", Sites: []string{"c"}}}
	want := map[string]string{"a": "z-a", "b": "z-a", "c": "z-c"}
	if got := ZoneOf(zones); !cmp.Equal(got, want) {
		t.Errorf("ZoneOf = %v; want %v", got, want)
	}
}

// BenchmarkPartition zones the DC sites (177) and random sites: 5,000 with 40 units and
// 20,000 with 160 (the same sites per unit, to show how the cost grows with the sites).
func BenchmarkPartition(b *testing.B) {
	for _, n := range []int{177, 5000, 20000} {
		sites := dcSites(b)
		units := 24
		if n != len(sites) {
			sites = randomSites(42, n)
			units = 40 * n / 5000
		}
		opt := ZoneOptions{Units: units, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}}
		b.Run(fmt.Sprintf("sites=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Partition(sites, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// twoLoadSites gives sites a second, planned load that differs from the first from site
// to site the way a value-based allocation does: a hash of the id picks a few sites that
// get five times their minimum visits, and some twice.
func twoLoadSites(sites []Site) []Site {
	out := slices.Clone(sites)
	for i, s := range out {
		f := 1.0
		switch h := mix(uint64(i)*0x9e37 + uint64(len(s.ID))); {
		case h%7 == 0:
			f = 5
		case h%3 == 0:
			f = 2
		}
		out[i].PlannedVisits = s.Visits * f
		out[i].PlannedMinutes = s.Minutes * f
	}
	return out
}

// plannedLoads returns each zone's planned workload: planned on-site minutes plus planned
// visits × the travel to the nearest other site of the zone (at least a minute).
func plannedLoads(sites []Site, tr Traveler, zones []Zone) []float64 {
	byID := map[string]Site{}
	for _, s := range sites {
		byID[s.ID] = s
	}
	out := make([]float64, len(zones))
	for z, zn := range zones {
		for _, a := range zn.Sites {
			sa := byID[a]
			m := 1.0
			near := math.Inf(1)
			for _, b := range zn.Sites {
				if d := Haversine(sa.Point, byID[b].Point); b != a && d < near {
					near, m = d, max(1, float64(tr.Minutes(sa.Point, byID[b].Point)))
				}
			}
			out[z] += sa.PlannedMinutes + sa.PlannedVisits*m
		}
	}
	return out
}

// perUnitOf returns the smallest and largest load per unit of the zones, relative to the
// mean over zones.
func perUnitOf(zones []Zone, load []float64) (lo, hi float64) {
	mean := 0.0
	for z, zn := range zones {
		mean += load[z] / float64(zn.Units) / float64(len(zones))
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for z, zn := range zones {
		r := load[z] / float64(zn.Units) / mean
		lo, hi = min(lo, r), max(hi, r)
	}
	return lo, hi
}

// TestPartitionTwoLoads balances two loads at once: the minimums (Minutes, what
// WorkloadMinutes reports) and a planned load that is up to five times the minimums at
// some sites (twoLoadSites). Both must stay within ±25 % of their mean per unit.
func TestPartitionTwoLoads(t *testing.T) {
	tests := []struct {
		name  string
		sites []Site
		units int
	}{
		{"dc-3", twoLoadSites(dcSites(t)), 3},
		{"dc-4", twoLoadSites(dcSites(t)), 4},
		{"dc-6", twoLoadSites(dcSites(t)), 6},
		{"dc-8", twoLoadSites(dcSites(t)), 8},
		{"r4-95-3", twoLoadSites(randomSites(4, 95)), 3},
		{"r6-270-12", twoLoadSites(randomSites(6, 270)), 12},
		{"r12-480-27", twoLoadSites(randomSites(12, 480)), 27},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := ZoneOptions{Units: tt.units, Travel: Crow{1.35, 25}}
			zones, err := Partition(tt.sites, opt)
			if err != nil {
				t.Fatalf("Partition = %v", err)
			}
			checkZones(t, tt.sites, opt, zones)
			lo, hi := perUnit(zones)
			plo, phi := perUnitOf(zones, plannedLoads(tt.sites, opt.Travel, zones))
			t.Logf("%d zones: minimum workload per unit %.3f–%.3f, planned %.3f–%.3f of the mean", len(zones), lo, hi, plo, phi)
			if lo < 0.75 || hi > 1.25 || plo < 0.75 || phi > 1.25 {
				t.Errorf("workload per unit %.3f–%.3f, planned %.3f–%.3f of the mean; want both within ±25%%", lo, hi, plo, phi)
			}
		})
	}
	// A planned load equal to the minimums is the same as none.
	sites := dcSites(t)
	same := slices.Clone(sites)
	for i := range same {
		same[i].PlannedVisits, same[i].PlannedMinutes = same[i].Visits, same[i].Minutes
	}
	opt := ZoneOptions{Units: 6, Travel: Crow{1.35, 25}}
	a, err := Partition(sites, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Partition(same, opt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("Partition(planned = minimums) differs from Partition(no planned load):\n%s", diff)
	}
}

func pointsOf(sites []Site) []Point {
	pts := make([]Point, len(sites))
	for i, s := range sites {
		pts[i] = s.Point
	}
	return pts
}
