package simulate

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// FrontierChartName is the file name of a frontier run's chart.
const FrontierChartName = "frontier.svg"

// frontierPanelH is the height of each of the frontier chart's three panels.
const frontierPanelH = vg.Length(300)

// How the frontier chart paints the live attack lengths (in LiveMinutes' order, a fourth
// for a scenario's own attack length), the visits for value and the optimum.
var (
	attackSeries = []series{
		{colour: rgb("#e7298a"), width: 2},
		{colour: rgb("#1b6ca8"), width: 2.5},
		{colour: rgb("#66a61e"), width: 2},
		{colour: rgb("#a6761d"), width: 2},
	}
	worstSeries     = series{name: "worst", colour: rgb("#1b6ca8"), width: 2.5}
	optimumSeries   = series{name: "optimum, floor", colour: rgb("#444444"), width: 1.5, dash: []vg.Length{5, 3}}
	unflooredSeries = series{name: "optimum, no floor", colour: rgb("#999999"), width: 1.5, dash: []vg.Length{2, 2}}
	valueSeries     = series{name: "visits for value", colour: rgb("#d95f02"), width: 2, dash: []vg.Length{6, 3}}
	parity          = series{name: "memoryless", colour: rgb("#444444"), width: 1.5, dash: []vg.Length{5, 3}}
)

// FrontierChart draws a frontier run in three panels over the floors asked for: the worst
// mission's value × attack success against the optimum with and without the floor; the
// value-weighted attack success at each live attack length with the share of visits left
// for value; and the live ratios to memoryless visits.
func FrontierChart(r *Result) ([]byte, error) {
	if len(r.Frontier) == 0 {
		return nil, errors.New("charts: the result holds no frontier")
	}
	panels := []func(*Result) (*plot.Plot, []series){worstPanel, successPanel, ratioPanel}
	cv := vgsvg.New(chartW, frontierPanelH*vg.Length(len(panels)))
	dc := draw.New(cv)
	dc.SetColor(rgb("#ffffff"))
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: len(panels), Cols: 1}
	for i, panel := range panels {
		p, legend := panel(r)
		drawWithLegend(tiles.At(dc, 0, i), p, legend, false)
	}
	return svgBytes(cv)
}

// WriteFrontierChart writes FrontierChart into dir as FrontierChartName, creating dir if
// need be, and returns the path written.
func WriteFrontierChart(dir string, r *Result) (string, error) {
	b, err := FrontierChart(r)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("charts: %w", err)
	}
	p := filepath.Join(dir, FrontierChartName)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("charts: %w", err)
	}
	return p, nil
}

// frontierPlot returns a panel's plot with the floors on its x axis and a y axis over lo
// to hi, widened to round ticks.
func frontierPlot(r *Result, title, ytitle string, lo, hi float64, ylabel func(float64) string) *plot.Plot {
	yt := niceTicks(lo, hi)
	p := newPlot(title, "randomization floor asked for, visits per max gap", ytitle, yt[len(yt)-1], yt, ylabel)
	p.Title.TextStyle.Font.Size = 12
	p.Y.Min = yt[0]
	xs := frontierFloorsOf(r.Frontier)
	p.X.Min, p.X.Max = xs[0]-0.3, xs[len(xs)-1]+0.3
	p.X.Tick.Marker = fixedTicks(xs, func(v float64) string { return fmt.Sprintf("%g", v) })
	return p
}

// niceTicks returns at most 7 ticks a round step apart (1, 2 or 5 times a power of ten)
// from at or below lo to at or above hi.
func niceTicks(lo, hi float64) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	step := niceCeil((hi - lo) / 6)
	first, last := math.Floor(lo/step+1e-9), math.Ceil(hi/step-1e-9)
	var out []float64
	for i := first; i <= last; i++ {
		out = append(out, i*step)
	}
	return out
}

// addCurve adds ys over the floors as a line with a dot at each floor.
func addCurve(p *plot.Plot, r *Result, ys []float64, s series) {
	xs := frontierFloorsOf(r.Frontier)
	p.Add(line(xs, ys, s))
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	if sc, err := plotter.NewScatter(pts); err == nil { // only fails on NaN or Inf
		sc.GlyphStyle = draw.GlyphStyle{Color: s.colour, Radius: 2.5, Shape: draw.CircleGlyph{}}
		p.Add(sc)
	}
}

// rowValues returns f of every frontier row.
func rowValues(r *Result, f func(FrontierRow) float64) []float64 {
	out := make([]float64, len(r.Frontier))
	for i, row := range r.Frontier {
		out[i] = f(row)
	}
	return out
}

func worstPanel(r *Result) (*plot.Plot, []series) {
	worst := rowValues(r, func(f FrontierRow) float64 { return f.Worst })
	opt := rowValues(r, func(f FrontierRow) float64 { return f.Optimum })
	unfloored := rowValues(r, func(f FrontierRow) float64 {
		if f.PriceOfRandomness > 0 {
			return f.Optimum / f.PriceOfRandomness
		}
		return f.Optimum
	})
	top := 0.0
	for i := range worst {
		top = max(top, worst[i], opt[i], unfloored[i])
	}
	p := frontierPlot(r, fmt.Sprintf("Worst mission: value × attack success, D=%d min", r.Scenario.AttackMinutes),
		"value × success", 0, top*1.05, func(v float64) string { return fmt.Sprintf("%.4g", v) })
	addCurve(p, r, unfloored, unflooredSeries)
	addCurve(p, r, opt, optimumSeries)
	addCurve(p, r, worst, worstSeries)
	return p, []series{worstSeries, optimumSeries, unflooredSeries}
}

func successPanel(r *Result) (*plot.Plot, []series) {
	p := frontierPlot(r, "Value-weighted attack success, and the visits left for value",
		"share", 0, 1, pctLabel)
	legend := addLiveCurves(p, r, "success", func(l FrontierLive) float64 { return l.WeightedSuccess })
	addCurve(p, r, rowValues(r, func(f FrontierRow) float64 { return f.ValueShare }), valueSeries)
	return p, append(legend, valueSeries)
}

func ratioPanel(r *Result) (*plot.Plot, []series) {
	lo, hi := 1.0, 1.0
	for _, f := range r.Frontier {
		for _, l := range f.Live {
			lo, hi = min(lo, l.Ratio), max(hi, l.Ratio)
		}
	}
	p := frontierPlot(r, "Live interception ÷ memoryless reference", "ratio", lo-0.02, hi+0.02,
		func(v float64) string { return fmt.Sprintf("%.2f", v) })
	xs := frontierFloorsOf(r.Frontier)
	p.Add(line([]float64{xs[0] - 0.3, xs[len(xs)-1] + 0.3}, []float64{1, 1}, parity))
	legend := addLiveCurves(p, r, "ratio", func(l FrontierLive) float64 { return l.Ratio })
	return p, append(legend, parity)
}

// addLiveCurves adds a curve of v for each live attack length, named "name D=…", and
// returns their series for the legend.
func addLiveCurves(p *plot.Plot, r *Result, name string, v func(FrontierLive) float64) []series {
	var legend []series
	for i, d := range r.Scenario.LiveMinutes {
		k := liveKey(d)
		s := attackSeries[min(i, len(attackSeries)-1)]
		s.name = fmt.Sprintf("%s D=%d", name, d)
		addCurve(p, r, rowValues(r, func(f FrontierRow) float64 { return v(f.Live[k]) }), s)
		legend = append(legend, s)
	}
	return legend
}
