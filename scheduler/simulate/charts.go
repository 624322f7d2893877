package simulate

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/paulmach/orb"

	"vigil/geo"
	"vigil/scheduler"
)

// Chart is one SVG picture of a simulation.
type Chart struct {
	Name string // file name, e.g. "interception.svg"
	SVG  []byte
}

// Colours of the three planners and of the memoryless reference.
var (
	plannerNames   = []string{"vigil", "fixed", "shuffled"}
	plannerColours = []string{"#1b6ca8", "#d95f02", "#7570b3"}
)

const referenceColour = "#444444"

// Charts draws the simulation's pictures: interception by attack length for the three
// planners, the survival of gaps after a departure against the memoryless curve with the
// same mean, presences by hour of day, and a map of the region's zones coloured by the
// mean live interception (D = 30) of their missions under Vigil's plan.
func Charts(r *Result) ([]Chart, error) {
	if r.Plans.Vigil == nil || r.Plans.Fixed == nil || r.Plans.Shuffled == nil {
		return nil, errors.New("charts: the result holds no plans")
	}
	zones, err := zonesChart(r)
	if err != nil {
		return nil, err
	}
	return []Chart{
		{"interception.svg", interceptionChart(r)},
		{"gaps.svg", gapsChart(r)},
		{"hours.svg", hoursChart(r)},
		{"zones.svg", zones},
	}, nil
}

// WriteCharts writes Charts into dir, creating it if need be, and returns the paths
// written.
func WriteCharts(dir string, r *Result) ([]string, error) {
	cs, err := Charts(r)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	var paths []string
	for _, c := range cs {
		p := filepath.Join(dir, c.Name)
		if err := os.WriteFile(p, c.SVG, 0o644); err != nil {
			return paths, fmt.Errorf("charts: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func (r *Result) reports() []scheduler.Report {
	return []scheduler.Report{r.Planners.Vigil, r.Planners.Fixed, r.Planners.Shuffled}
}

func (r *Result) plans() []*scheduler.Plan {
	return []*scheduler.Plan{r.Plans.Vigil, r.Plans.Fixed, r.Plans.Shuffled}
}

// frame is a chart's plot area and value ranges.
type frame struct {
	s                      *svg
	left, top, w, h        float64
	xmin, xmax, ymin, ymax float64
}

func newFrame(title string, xmin, xmax, ymin, ymax float64) *frame {
	const W, H = 720.0, 420.0
	fr := &frame{s: newSVG(W, H, title), left: 70, top: 50, w: W - 70 - 160, h: H - 50 - 60,
		xmin: xmin, xmax: xmax, ymin: ymin, ymax: ymax}
	fr.s.text(W/2, 24, "middle", title, 15)
	return fr
}

func (fr *frame) x(v float64) float64 {
	return fr.left + (v-fr.xmin)/(fr.xmax-fr.xmin)*fr.w
}

func (fr *frame) y(v float64) float64 {
	return fr.top + fr.h - (v-fr.ymin)/(fr.ymax-fr.ymin)*fr.h
}

// axes draws the plot area's box, horizontal grid lines at yticks and the axis labels.
func (fr *frame) axes(yticks []float64, ylabel func(float64) string, xtitle, ytitle string) {
	s := fr.s
	for _, t := range yticks {
		y := fr.y(t)
		s.line(fr.left, y, fr.left+fr.w, y, "#dddddd", 1, "")
		s.text(fr.left-6, y+4, "end", ylabel(t), 11)
	}
	s.rect(fr.left, fr.top, fr.w, fr.h, "none", "#888888")
	s.text(fr.left+fr.w/2, fr.top+fr.h+42, "middle", xtitle, 12)
	s.vtext(18, fr.top+fr.h/2, ytitle, 12)
}

// legend draws coloured entries to the right of the plot area; a dash draws a dashed line.
func (fr *frame) legend(names, colours, dashes []string) {
	x := fr.left + fr.w + 16
	for i, n := range names {
		y := fr.top + 10 + float64(i)*20
		fr.s.line(x, y, x+22, y, colours[i], 4, dashes[i])
		fr.s.text(x+28, y+4, "start", n, 12)
	}
}

func ticks(max float64, n int) []float64 {
	out := make([]float64, n+1)
	for i := range out {
		out[i] = max * float64(i) / float64(n)
	}
	return out
}

func pctLabel(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v-1e-12 {
			return m * p
		}
	}
	return 10 * p
}

// interceptionChart draws bars: for each live attack length and the historical adversary,
// the interception of the three planners, with Vigil's memoryless reference dashed.
func interceptionChart(r *Result) []byte {
	type group struct {
		label string
		vals  []float64
		ref   float64
		hasRf bool
	}
	var groups []group
	for _, d := range r.Scenario.LiveMinutes {
		k := liveKey(d)
		g := group{label: fmt.Sprintf("live D=%d", d), ref: r.Planners.Vigil.Live[k].MemorylessReference, hasRf: true}
		for _, rep := range r.reports() {
			g.vals = append(g.vals, rep.Live[k].Interception)
		}
		groups = append(groups, g)
	}
	hg := group{label: fmt.Sprintf("historical D=%d", r.Scenario.AttackMinutes)}
	for _, rep := range r.reports() {
		hg.vals = append(hg.vals, rep.Historical.Interception)
	}
	groups = append(groups, hg)
	top := 0.0
	for _, g := range groups {
		top = max(top, g.ref, slices.Max(g.vals))
	}
	top = min(1, niceCeil(top*1.05))
	fr := newFrame("Attacks intercepted, by planner and attack length", 0, float64(len(groups)), 0, top)
	fr.axes(ticks(top, 5), pctLabel, "adversary and attack length (minutes)", "interception")
	bw := 0.8 / 3
	for gi, g := range groups {
		for pi, v := range g.vals {
			x0 := fr.x(float64(gi) + 0.1 + float64(pi)*bw)
			x1 := fr.x(float64(gi) + 0.1 + float64(pi+1)*bw)
			fr.s.rect(x0, fr.y(v), x1-x0-1, fr.y(0)-fr.y(v), plannerColours[pi], "none")
			fr.s.text((x0+x1)/2, fr.y(v)-3, "middle", fmt.Sprintf("%.0f", 100*v), 9)
		}
		if g.hasRf {
			fr.s.line(fr.x(float64(gi)+0.05), fr.y(g.ref), fr.x(float64(gi)+0.95), fr.y(g.ref), referenceColour, 1.5, "5,3")
		}
		fr.s.text(fr.x(float64(gi)+0.5), fr.top+fr.h+18, "middle", g.label, 11)
	}
	fr.legend(append(slices.Clone(plannerNames), "memoryless"),
		append(slices.Clone(plannerColours), referenceColour), []string{"", "", "", "5,3"})
	return fr.s.bytes()
}

// gapsChart draws the survival of gaps after a departure, P(gap > t), for the three
// planners, against e^(−t/g) for Vigil's mean gap g: memoryless visits would follow it.
func gapsChart(r *Result) []byte {
	var gapsBy [][]float64
	var pooled []float64
	for _, p := range r.plans() {
		g := scheduler.GapsAfterDeparture(p)
		sort.Float64s(g)
		gapsBy = append(gapsBy, g)
		pooled = append(pooled, g...)
	}
	sort.Float64s(pooled)
	// The axis ends past the 99th percentile of every planner's gaps: the long tail is
	// a few gaps near the max gaps of low-threat missions.
	tmax := 60.0
	if len(pooled) > 0 {
		tmax = max(tmax, niceCeil(pooled[int(0.99*float64(len(pooled)-1))]))
	}
	mean := 0.0
	if g := gapsBy[0]; len(g) > 0 {
		for _, x := range g {
			mean += x
		}
		mean /= float64(len(g))
	}
	fr := newFrame(fmt.Sprintf("Gaps after a departure: share longer than t (Vigil's mean %.0f min)", mean), 0, tmax, 0, 1)
	fr.axes(ticks(1, 5), pctLabel, "t, minutes from the end of a presence to the next start", "gaps longer than t")
	for _, t := range ticks(tmax, 5) {
		fr.s.text(fr.x(t), fr.top+fr.h+16, "middle", fmt.Sprintf("%.0f", t), 11)
	}
	const steps = 240
	for _, pi := range []int{1, 2, 0} { // Vigil on top
		g := gapsBy[pi]
		if len(g) == 0 {
			continue
		}
		var xs, ys []float64
		for i := 0; i <= steps; i++ {
			t := tmax * float64(i) / steps
			longer := len(g) - sort.Search(len(g), func(j int) bool { return g[j] > t })
			xs = append(xs, fr.x(t))
			ys = append(ys, fr.y(float64(longer)/float64(len(g))))
		}
		fr.s.polyline(xs, ys, plannerColours[pi], []float64{2.5, 2, 2}[pi], []string{"", "6,3", "2,2"}[pi])
	}
	if mean > 0 {
		var xs, ys []float64
		for i := 0; i <= steps; i++ {
			t := tmax * float64(i) / steps
			xs = append(xs, fr.x(t))
			ys = append(ys, fr.y(math.Exp(-t/mean)))
		}
		fr.s.polyline(xs, ys, referenceColour, 1.5, "5,3")
	}
	fr.legend(append(slices.Clone(plannerNames), "memoryless"),
		append(slices.Clone(plannerColours), referenceColour), []string{"", "6,3", "2,2", "5,3"})
	return fr.s.bytes()
}

// hoursChart draws the presences starting in each local hour, per service day, for the
// three planners: a flat line is what an observer can learn least from.
func hoursChart(r *Result) []byte {
	days := float64(r.Scenario.Days)
	var rows [][24]float64
	top := 0.0
	for _, p := range r.plans() {
		var row [24]float64
		for h, n := range scheduler.PresencesByHour(p) {
			row[h] = float64(n) / days
			top = max(top, row[h])
		}
		rows = append(rows, row)
	}
	top = niceCeil(top * 1.05)
	fr := newFrame("Presences starting in each hour of the day, per service day", 0, 24, 0, top)
	fr.axes(ticks(top, 5), func(v float64) string { return fmt.Sprintf("%.0f", v) }, "local hour of day", "presences per day")
	for h := 0; h <= 24; h += 3 {
		fr.s.text(fr.x(float64(h)), fr.top+fr.h+16, "middle", fmt.Sprintf("%02d:00", h%24), 11)
	}
	for pi, row := range rows {
		var xs, ys []float64
		for h, v := range row {
			// A step per hour: the hour's count drawn across it.
			xs = append(xs, fr.x(float64(h)), fr.x(float64(h+1)))
			ys = append(ys, fr.y(v), fr.y(v))
		}
		fr.s.polyline(xs, ys, plannerColours[pi], 2, []string{"", "6,3", "2,2"}[pi])
	}
	fr.legend(plannerNames, plannerColours, []string{"", "6,3", "2,2"})
	return fr.s.bytes()
}

// zonesChart draws the region's zones, projected equirectangular, each filled by the mean
// live interception (D = 30) of its missions under Vigil's plan; grey where no mission
// of the zone had an attack to score (posts or no test-day departures). Missions are dots.
func zonesChart(r *Result) ([]byte, error) {
	zones, err := scheduler.Zones(r.Inputs)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	live, err := scheduler.MissionLive(r.Plans.Vigil, r.Options, 30)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	fc := geo.ZonesFeatureCollection(zones, nil)

	// Bounds over zone outlines and missions.
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(p orb.Point) {
		minLon, maxLon = min(minLon, p[0]), max(maxLon, p[0])
		minLat, maxLat = min(minLat, p[1]), max(maxLat, p[1])
	}
	type zoneShape struct {
		id    string
		rings []orb.Ring
		mean  float64
		n     int
		miss  []string
	}
	var shapes []zoneShape
	for _, ft := range fc.Features {
		var polys []orb.Polygon
		switch g := ft.Geometry.(type) {
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		default:
			continue
		}
		zs := zoneShape{id: fmt.Sprint(ft.Properties["id"])}
		for _, pg := range polys {
			for _, ring := range pg {
				zs.rings = append(zs.rings, ring)
				for _, p := range ring {
					grow(p)
				}
			}
		}
		if ms, ok := ft.Properties["missions"].([]string); ok {
			zs.miss = ms
		}
		sum := 0.0
		for _, id := range zs.miss {
			if l, ok := live[id]; ok && !l.Staffed && l.Attempts > 0 {
				sum += l.Interception
				zs.n++
			}
		}
		if zs.n > 0 {
			zs.mean = sum / float64(zs.n)
		}
		shapes = append(shapes, zs)
	}
	for _, m := range r.Inputs.Missions {
		grow(orb.Point{m.Lon, m.Lat})
	}
	if math.IsInf(minLon, 0) {
		return nil, errors.New("charts: the region has no zones to draw")
	}
	// Pad degenerate bounds (one mission) to about a kilometre.
	if maxLon-minLon < 0.01 {
		minLon, maxLon = minLon-0.005, maxLon+0.005
	}
	if maxLat-minLat < 0.01 {
		minLat, maxLat = minLat-0.005, maxLat+0.005
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX, spanY := (maxLon-minLon)*kx, maxLat-minLat
	const mapW, margin, legendW, titleH = 640.0, 20.0, 150.0, 40.0
	scale := mapW / spanX
	mapH := spanY * scale
	if mapH > 720 {
		scale = 720 / spanY
		mapH = 720
	}
	W := mapW + 2*margin + legendW
	H := max(mapH, 220) + 2*margin + titleH
	px := func(p orb.Point) [2]float64 {
		return [2]float64{margin + (p[0]-minLon)*kx*scale, titleH + margin + (maxLat-p[1])*scale}
	}

	top := 0.0
	for _, z := range shapes {
		top = max(top, z.mean)
	}
	top = min(1, math.Ceil(max(top, 0.1)*10-1e-9)/10)
	s := newSVG(W, H, "Zones by mean live interception")
	s.text(W/2, 24, "middle", fmt.Sprintf("%s: zones by Vigil's mean live interception, D=30 min", r.Scenario.Region), 15)
	for _, z := range shapes {
		var rings [][][2]float64
		for _, ring := range z.rings {
			var pts [][2]float64
			for _, p := range ring {
				pts = append(pts, px(p))
			}
			rings = append(rings, pts)
		}
		fill, label := "#cccccc", fmt.Sprintf("%s: no attacks to score", z.id)
		if z.n > 0 {
			fill = ramp(z.mean / top)
			label = fmt.Sprintf("%s: %s mean live interception over %d missions", z.id, pctLabel(z.mean), z.n)
		}
		s.path(rings, fill, "#333333", label)
	}
	for _, m := range r.Inputs.Missions {
		p := px(orb.Point{m.Lon, m.Lat})
		label := m.ID
		if l, ok := live[m.ID]; ok && !l.Staffed && l.Attempts > 0 {
			label = fmt.Sprintf("%s: %s", m.ID, pctLabel(l.Interception))
		}
		s.circle(p[0], p[1], 2, "#111111", label)
	}
	// Legend: swatches from 0 to top.
	lx, ly := mapW+2*margin+10, titleH+margin
	s.text(lx, ly, "start", "live interception", 12)
	const swatches = 5
	for i := 0; i <= swatches; i++ {
		v := top * float64(swatches-i) / swatches
		y := ly + 10 + float64(i)*22
		s.rect(lx, y, 20, 18, ramp(v/top), "#333333")
		s.text(lx+28, y+13, "start", pctLabel(v), 11)
	}
	y := ly + 10 + float64(swatches+1)*22
	s.rect(lx, y, 20, 18, "#cccccc", "#333333")
	s.text(lx+28, y+13, "start", "no attacks", 11)
	return s.bytes(), nil
}

// ramp maps 0..1 to red, yellow, green.
func ramp(t float64) string {
	t = max(0, min(1, t))
	stops := [][3]float64{{215, 48, 39}, {254, 224, 139}, {26, 152, 80}}
	seg := t * 2
	i := min(int(seg), 1)
	u := seg - float64(i)
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(stops[i][k] + (stops[i+1][k]-stops[i][k])*u))
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2])
}
