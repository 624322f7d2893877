package simulate

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// The charts are drawn with gonum.org/v1/plot on its SVG canvas. Text is measured with the
// Liberation fonts compiled into the library and named, not embedded, in the SVG (the
// viewer's sans-serif stands in), so drawing needs no files and no network.

// Every chart is chartW × chartH points, the legend in the rightmost legendW of it.
const (
	chartW  = vg.Length(720)
	chartH  = vg.Length(420)
	legendW = vg.Length(150)
)

// sans is the Liberation variant every text is set in.
const sans = "Sans"

// series is how one curve or bar set of a chart is painted and named in the legend.
type series struct {
	name   string
	colour color.Color
	width  vg.Length
	dash   []vg.Length
}

func (s series) lineStyle() draw.LineStyle {
	return draw.LineStyle{Color: s.colour, Width: s.width, Dashes: s.dash}
}

// rgb parses "#rrggbb".
func rgb(hex string) color.RGBA {
	var r, g, b uint8
	if _, err := fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b); err != nil {
		panic(fmt.Sprintf("simulate: colour %q: %v", hex, err)) // the colours are constants
	}
	return color.RGBA{r, g, b, 255}
}

// newPlot returns a plot with the title, axis labels and horizontal grid lines every
// chart shares, its y axis from 0 to ymax with yticks labelled by ylabel.
func newPlot(title, xtitle, ytitle string, ymax float64, yticks []float64, ylabel func(float64) string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 14
	p.Title.Padding = 10
	p.X.Label.Text, p.Y.Label.Text = xtitle, ytitle
	for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label} {
		st.Font.Variant = sans
	}
	p.Y.Min, p.Y.Max = 0, ymax
	p.Y.Tick.Marker = fixedTicks(yticks, ylabel)
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = rgb("#dddddd")
	grid.Horizontal.Dashes = nil
	grid.Horizontal.Width = 1
	p.Add(grid)
	return p
}

// fixedTicks labels the values at with label, whatever the axis range.
func fixedTicks(at []float64, label func(float64) string) plot.Ticker {
	return plot.TickerFunc(func(_, _ float64) []plot.Tick {
		out := make([]plot.Tick, len(at))
		for i, v := range at {
			out[i] = plot.Tick{Value: v, Label: label(v)}
		}
		return out
	})
}

// line returns a polyline through xs, ys painted as s.
func line(xs, ys []float64, s series) *plotter.Line {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	return &plotter.Line{XYs: pts, LineStyle: s.lineStyle()}
}

// legendThumb draws a legend entry as a box of the series' colour for bars, else as a
// thick stroke of its colour and dash.
type legendThumb struct {
	s   series
	bar bool
}

func (t legendThumb) Thumbnail(c *draw.Canvas) {
	if t.bar && t.s.dash == nil {
		c.SetColor(t.s.colour)
		c.Fill(c.Rectangle.Path())
		return
	}
	y := c.Center().Y
	st := t.s.lineStyle()
	st.Width = max(st.Width, 3)
	c.StrokeLine2(st, c.Min.X, y, c.Max.X, y)
}

// render draws p on a white chartW × chartH SVG canvas, with the series named in a legend
// right of the plot; bars are shown as boxes unless dashed.
func render(p *plot.Plot, legend []series, bars bool) ([]byte, error) {
	cv := vgsvg.New(chartW, chartH)
	dc := draw.New(cv)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	drawWithLegend(dc, p, legend, bars)
	return svgBytes(cv)
}

// drawWithLegend draws p on c, with the series named in a legend in the rightmost legendW
// of c.
func drawWithLegend(c draw.Canvas, p *plot.Plot, legend []series, bars bool) {
	p.Draw(draw.Crop(c, 8, -legendW, 8, -8))
	leg := plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = 12
	leg.TextStyle.Font.Variant = sans
	leg.Padding = 6
	leg.ThumbnailWidth = 22
	for _, s := range legend {
		leg.Add(s.name, legendThumb{s, bars})
	}
	leg.Draw(draw.Crop(c, c.Size().X-legendW+12, 0, 0, -44))
}

func svgBytes(cv *vgsvg.Canvas) ([]byte, error) {
	var b bytes.Buffer
	if _, err := cv.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("charts: %w", err)
	}
	return b.Bytes(), nil
}
