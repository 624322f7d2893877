package simulate

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"vigil/geo"
	"vigil/scheduler"
)

// Chart is one SVG picture of a simulation.
type Chart struct {
	Name string // file name, e.g. "interception.svg"
	SVG  []byte
}

// The four planners and the memoryless reference, as every chart paints them: Vigil
// solid and on top, the baselines dashed, dotted and dash-dotted.
var (
	plannerSeries = []series{
		{name: "vigil", colour: rgb("#1b6ca8"), width: 2.5},
		{name: "fixed", colour: rgb("#d95f02"), width: 2, dash: []vg.Length{6, 3}},
		{name: "shuffled", colour: rgb("#7570b3"), width: 2, dash: []vg.Length{2, 2}},
		{name: "rounds", colour: rgb("#1b9e77"), width: 2, dash: []vg.Length{7, 2, 2, 2}},
	}
	referenceSeries = series{name: "memoryless", colour: rgb("#444444"), width: 1.5, dash: []vg.Length{5, 3}}
)

// Charts draws the simulation's pictures: interception by attack length for the four
// planners, the survival of gaps after a departure against the memoryless curve with the
// same mean, presences by hour of day, and a map of the region's zones coloured by the
// mean live interception (D = 30) of their missions under Vigil's plan.
func Charts(r *Result) ([]Chart, error) {
	if r.Plans.Vigil == nil || r.Plans.Fixed == nil || r.Plans.Shuffled == nil || r.Plans.Rounds == nil {
		return nil, errors.New("charts: the result holds no plans")
	}
	var out []Chart
	for _, c := range []struct {
		name string
		draw func(*Result) ([]byte, error)
	}{
		{"interception.svg", interceptionChart},
		{"gaps.svg", gapsChart},
		{"hours.svg", hoursChart},
		{"zones.svg", zonesChart},
	} {
		b, err := c.draw(r)
		if err != nil {
			return nil, err
		}
		out = append(out, Chart{Name: c.name, SVG: b})
	}
	return out, nil
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
	return []scheduler.Report{r.Planners.Vigil, r.Planners.Fixed, r.Planners.Shuffled, r.Planners.Rounds}
}

func (r *Result) plans() []*scheduler.Plan {
	return []*scheduler.Plan{r.Plans.Vigil, r.Plans.Fixed, r.Plans.Shuffled, r.Plans.Rounds}
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

// barGroup is one adversary's bars: the four planners' interception, and Vigil's
// memoryless reference when the adversary has one.
type barGroup struct {
	label string
	vals  []float64
	ref   float64
	hasRf bool
}

func interceptionGroups(r *Result) []barGroup {
	var groups []barGroup
	for _, d := range r.Scenario.LiveMinutes {
		k := liveKey(d)
		g := barGroup{label: fmt.Sprintf("live D=%d", d), ref: r.Planners.Vigil.Live[k].MemorylessReference, hasRf: true}
		for _, rep := range r.reports() {
			g.vals = append(g.vals, rep.Live[k].Interception)
		}
		groups = append(groups, g)
	}
	hg := barGroup{label: fmt.Sprintf("historical D=%d", r.Scenario.AttackMinutes)}
	for _, rep := range r.reports() {
		hg.vals = append(hg.vals, rep.Historical.Interception)
	}
	return append(groups, hg)
}

// interceptionChart draws bars: for each live attack length and the historical adversary,
// the interception of the four planners, with Vigil's memoryless reference dashed.
func interceptionChart(r *Result) ([]byte, error) {
	groups := interceptionGroups(r)
	top := 0.0
	var labels []string
	for _, g := range groups {
		top = max(top, g.ref, slices.Max(g.vals))
		labels = append(labels, g.label)
	}
	top = min(1, niceCeil(top*1.05))
	p := newPlot("Attacks intercepted, by planner and attack length",
		"adversary and attack length (minutes)", "interception", top, ticks(top, 5), pctLabel)
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(groups))-0.5
	// The planners' bars fill 80 % of a group's room; the plot area is about the chart less
	// the legend and the y axis.
	np := len(plannerSeries)
	bw := 0.8 * (chartW - legendW - 80) / vg.Length(np*len(groups))
	offset := func(pi int) vg.Length { return (vg.Length(pi) - vg.Length(np-1)/2) * bw }
	for pi, s := range plannerSeries {
		vals := make(plotter.Values, len(groups))
		lab := plotter.XYLabels{XYs: make(plotter.XYs, len(groups)), Labels: make([]string, len(groups))}
		for gi, g := range groups {
			vals[gi] = g.vals[pi]
			lab.XYs[gi] = plotter.XY{X: float64(gi), Y: g.vals[pi]}
			lab.Labels[gi] = fmt.Sprintf("%.0f", 100*g.vals[pi])
		}
		bars, err := plotter.NewBarChart(vals, bw-1)
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		bars.Color, bars.LineStyle.Width, bars.Offset = s.colour, 0, offset(pi)
		labs, err := plotter.NewLabels(lab)
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		for i := range labs.TextStyle {
			labs.TextStyle[i].Font.Size = 9
			labs.TextStyle[i].XAlign = draw.XCenter
			labs.TextStyle[i].Font.Variant = sans
		}
		labs.Offset = vg.Point{X: offset(pi), Y: 2}
		p.Add(bars, labs)
	}
	for gi, g := range groups {
		if g.hasRf {
			x := float64(gi)
			p.Add(line([]float64{x - 0.45, x + 0.45}, []float64{g.ref, g.ref}, referenceSeries))
		}
	}
	// The legend shows the planners as boxes, like their bars.
	legend := slices.Clone(plannerSeries)
	for i := range legend {
		legend[i].dash = nil
	}
	return render(p, append(legend, referenceSeries), true)
}

// survival returns P(gap > t) at each t, for gaps sorted and not empty.
func survival(sorted, ts []float64) []float64 {
	shares := make([]float64, len(ts))
	for i, t := range ts {
		longer := len(sorted) - sort.Search(len(sorted), func(j int) bool { return sorted[j] > t })
		shares[i] = float64(longer) / float64(len(sorted))
	}
	return shares
}

// gapsChart draws the survival of gaps after a departure, P(gap > t), for the four
// planners, against e^(−t/g) for Vigil's mean gap g: memoryless visits would follow it.
// Each curve is its own open line from t = 0 to the axis' end.
func gapsChart(r *Result) ([]byte, error) {
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
	p := newPlot(fmt.Sprintf("Gaps after a departure: share longer than t (Vigil's mean %.0f min)", mean),
		"t, minutes from the end of a presence to the next start", "gaps longer than t", 1, ticks(1, 5), pctLabel)
	p.X.Min, p.X.Max = 0, tmax
	p.X.Tick.Marker = fixedTicks(ticks(tmax, 5), func(v float64) string { return fmt.Sprintf("%.0f", v) })
	ts := ticks(tmax, 240)
	if mean > 0 {
		ref := make([]float64, len(ts))
		for i, t := range ts {
			ref[i] = math.Exp(-t / mean)
		}
		p.Add(line(ts, ref, referenceSeries))
	}
	for _, pi := range []int{3, 1, 2, 0} { // Vigil on top
		if g := gapsBy[pi]; len(g) > 0 {
			p.Add(line(ts, survival(g, ts), plannerSeries[pi]))
		}
	}
	return render(p, append(slices.Clone(plannerSeries), referenceSeries), false)
}

// hoursChart draws the presences starting in each local hour, per service day, for the
// four planners: a flat line is what an observer can learn least from.
func hoursChart(r *Result) ([]byte, error) {
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
	p := newPlot("Presences starting in each hour of the day, per service day",
		"local hour of day", "presences per day", top, ticks(top, 5), func(v float64) string { return fmt.Sprintf("%.0f", v) })
	p.X.Min, p.X.Max = 0, 24
	p.X.Tick.Marker = fixedTicks(ticks(24, 8), func(v float64) string { return fmt.Sprintf("%02.0f:00", math.Mod(v, 24)) })
	for pi, row := range rows {
		// A step per hour: the hour's count drawn across it.
		var xs, ys []float64
		for h, v := range row {
			xs = append(xs, float64(h), float64(h+1))
			ys = append(ys, v, v)
		}
		p.Add(line(xs, ys, plannerSeries[pi]))
	}
	return render(p, plannerSeries, false)
}

// zonesChart draws the region's zones on geo's map, each filled by the mean live
// interception (D = 30) of its missions under Vigil's plan; grey where no mission of the
// zone had an attack to score (posts or no test-day departures). Missions are dots.
func zonesChart(r *Result) ([]byte, error) {
	zones, err := scheduler.Zones(r.Inputs)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	live, err := scheduler.MissionLive(r.Plans.Vigil, r.Options, 30)
	if err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	scored := func(id string) (scheduler.LiveMission, bool) {
		l, ok := live[id]
		return l, ok && !l.Staffed && l.Attempts > 0
	}
	type zoneMean struct {
		sum float64
		n   int
	}
	fc := geo.ZonesFeatureCollection(zones, nil)
	means := make([]zoneMean, len(fc.Features))
	top := 0.0
	for i, ft := range fc.Features {
		ms, _ := ft.Properties["missions"].([]string)
		for _, id := range ms {
			if l, ok := scored(id); ok {
				means[i].sum += l.Interception
				means[i].n++
			}
		}
		if means[i].n > 0 {
			top = max(top, means[i].sum/float64(means[i].n))
		}
	}
	top = min(1, math.Ceil(max(top, 0.1)*10-1e-9)/10)
	m := geo.Map{
		Title:   "Zones by mean live interception",
		Heading: fmt.Sprintf("%s: zones by Vigil's mean live interception, D=30 min", r.Scenario.Region),
		Width:   830, Margin: 20, Background: "#ffffff",
		Legend: geo.Legend{Title: "live interception", Width: 150},
	}
	for i, ft := range fc.Features {
		rings := geo.RingsOf(ft.Geometry)
		if rings == nil {
			continue
		}
		id := fmt.Sprint(ft.Properties["id"])
		a := geo.Area{Rings: rings, Title: id + ": no attacks to score", Style: geo.Style{Fill: "#cccccc", Stroke: "#333333", Width: 0.8}}
		if z := means[i]; z.n > 0 {
			mean := z.sum / float64(z.n)
			a.Style.Fill = ramp(mean / top)
			a.Title = fmt.Sprintf("%s: %s mean live interception over %d missions", id, pctLabel(mean), z.n)
		}
		m.Areas = append(m.Areas, a)
	}
	for _, ms := range r.Inputs.Missions {
		mk := geo.Marker{Title: ms.ID, Point: geo.Point{Lat: ms.Lat, Lon: ms.Lon}, Radius: 2, Style: geo.Style{Fill: "#111111"}}
		if l, ok := scored(ms.ID); ok {
			mk.Title = fmt.Sprintf("%s: %s", ms.ID, pctLabel(l.Interception))
		}
		m.Markers = append(m.Markers, mk)
	}
	if len(m.Areas) == 0 && len(m.Markers) == 0 {
		return nil, errors.New("charts: the region has no zones to draw")
	}
	const swatches = 5
	for i := 0; i <= swatches; i++ {
		v := top * float64(swatches-i) / swatches
		m.Legend.Entries = append(m.Legend.Entries, geo.Swatch{Fill: ramp(v / top), Label: pctLabel(v)})
	}
	m.Legend.Entries = append(m.Legend.Entries, geo.Swatch{Fill: "#cccccc", Label: "no attacks"})
	return m.SVG(), nil
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
