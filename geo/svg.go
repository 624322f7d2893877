package geo

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// Style is how a map shape is painted. Empty colours mean "none"; a zero Width means 1.
// Class, when set, is written as the element's class attribute, for a page's CSS.
type Style struct {
	Fill    string
	Stroke  string
	Width   float64
	Dash    string  // stroke-dasharray, e.g. "4 2"
	Opacity float64 // fill opacity; 0 means 1
	Class   string
}

// Area is a filled outline: an outer ring and its holes, each a closed or open ring of
// points (a ring is closed when drawn). Rings of several polygons may be given together:
// they are filled with the even-odd rule.
type Area struct {
	ID    string // written as data-id
	Title string // tooltip
	Rings [][]Point
	Style Style
}

// Line is a polyline through points in order, with an arrow head at each segment's middle
// when Arrows is set.
type Line struct {
	ID     string
	Title  string
	Points []Point
	Style  Style
	Arrows bool
}

// Marker is a circle of Radius (pixels) at a point, with an optional label written to its
// right.
type Marker struct {
	ID     string
	Title  string
	Point  Point
	Radius float64
	Label  string
	Style  Style
}

// Map is a picture of places: areas under lines under markers, projected
// equirectangularly (longitudes scaled by the cosine of the middle latitude) and fitted,
// keeping proportions, into Width × Height pixels with Margin pixels free on every side,
// less the room taken by a Heading above and a Legend to the right.
type Map struct {
	Title         string
	Width, Height float64 // a zero Height follows the drawing's proportions
	Margin        float64
	Areas         []Area
	Lines         []Line
	Markers       []Marker
	// Fit, when not empty, are the points the drawing is fitted to (a zoom); shapes
	// beyond them are cut at the picture's edge. Empty means every shape.
	Fit []Point
	// Heading, when set, is written above the drawing, centred.
	Heading string
	// Background, when set, fills the whole picture (a standalone file needs one).
	Background string
	// Legend, when it has entries, is drawn right of the drawing.
	Legend Legend
}

// Legend is a column of colour swatches with a title, Width pixels wide.
type Legend struct {
	Title   string
	Width   float64
	Entries []Swatch
}

// Swatch is one legend entry: a filled square and its label.
type Swatch struct {
	Fill, Label string
}

// Room the heading and the legend's rows take, in pixels.
const (
	mapHeadingHeight = 40
	mapLegendRow     = 22
)

// RingsOf returns the rings of a polygon or multipolygon (as ZonesFeatureCollection draws
// zones), nil for any other geometry.
func RingsOf(g orb.Geometry) [][]Point {
	var polys []orb.Polygon
	switch g := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{g}
	case orb.MultiPolygon:
		polys = g
	default:
		return nil
	}
	var out [][]Point
	for _, pg := range polys {
		for _, r := range pg {
			ring := make([]Point, len(r))
			for i, p := range r {
				ring[i] = Point{Lat: p[1], Lon: p[0]}
			}
			out = append(out, ring)
		}
	}
	return out
}

// mapBounds is the extent of what a map is fitted to, in degrees.
type mapBounds struct {
	minLat, maxLat, minLon, maxLon float64
}

// bounds returns the extent of the map's Fit points, or of every shape when Fit is
// empty; ok is false when there is nothing to draw.
func (m Map) bounds() (b mapBounds, ok bool) {
	b = mapBounds{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
	grow := func(p Point) {
		if !finite(p.Lat) || !finite(p.Lon) {
			return
		}
		b.minLat, b.maxLat = min(b.minLat, p.Lat), max(b.maxLat, p.Lat)
		b.minLon, b.maxLon = min(b.minLon, p.Lon), max(b.maxLon, p.Lon)
	}
	for _, p := range m.Fit {
		grow(p)
	}
	if len(m.Fit) == 0 {
		for _, a := range m.Areas {
			for _, r := range a.Rings {
				for _, p := range r {
					grow(p)
				}
			}
		}
		for _, l := range m.Lines {
			for _, p := range l.Points {
				grow(p)
			}
		}
		for _, k := range m.Markers {
			grow(k.Point)
		}
	}
	return b, !math.IsInf(b.minLat, 0)
}

// cos is the scale of a degree of longitude against one of latitude in the bounds.
func (b mapBounds) cos() float64 { return math.Cos((b.minLat + b.maxLat) / 2 * math.Pi / 180) }

// size is the bounds' width and height in projected degrees.
func (b mapBounds) size() (w, h float64) {
	return (b.maxLon - b.minLon) * b.cos(), b.maxLat - b.minLat
}

// mapProjection maps points to pixels.
type mapProjection struct {
	minX, maxY, scale, offX, offY, cos float64
}

// box is the drawing's room in pixels: left, top, width and height.
func (m Map) box() (x, y, w, h float64) {
	x, y = m.Margin, m.Margin
	if m.Heading != "" {
		y += mapHeadingHeight
	}
	w = max(m.Width-2*m.Margin-m.legendWidth(), 1)
	h = max(m.height()-y-m.Margin, 1)
	return x, y, w, h
}

func (m Map) legendWidth() float64 {
	if len(m.Legend.Entries) == 0 {
		return 0
	}
	return m.Legend.Width
}

// height is Height, or when it is zero the height that keeps the drawing's proportions
// at the full width (at most square), tall enough for the legend.
func (m Map) height() float64 {
	if m.Height > 0 {
		return m.Height
	}
	top := m.Margin
	if m.Heading != "" {
		top += mapHeadingHeight
	}
	aw := max(m.Width-2*m.Margin-m.legendWidth(), 1)
	ah := aw
	if b, ok := m.bounds(); ok {
		if w, h := b.size(); w > 0 {
			ah = min(aw*h/w, aw)
		}
	}
	if n := len(m.Legend.Entries); n > 0 {
		ah = max(ah, float64(n+1)*mapLegendRow)
	}
	return math.Ceil(top + ah + m.Margin)
}

func (m Map) mapProjection() mapProjection {
	b, ok := m.bounds()
	if !ok { // nothing to draw
		return mapProjection{scale: 1, cos: 1}
	}
	pr := mapProjection{cos: b.cos()}
	pr.minX, pr.maxY = b.minLon*pr.cos, b.maxLat
	w, h := b.size()
	bx, by, aw, ah := m.box()
	switch {
	case w == 0 && h == 0:
		pr.scale = 1
	case w == 0:
		pr.scale = ah / h
	case h == 0:
		pr.scale = aw / w
	default:
		pr.scale = min(aw/w, ah/h)
	}
	// Centre the drawing in the free space.
	pr.offX = bx + (aw-w*pr.scale)/2
	pr.offY = by + (ah-h*pr.scale)/2
	return pr
}

func (pr mapProjection) xy(p Point) (float64, float64) {
	return pr.offX + (p.Lon*pr.cos-pr.minX)*pr.scale, pr.offY + (pr.maxY-p.Lat)*pr.scale
}

// SVG draws the map as a standalone SVG element (no XML declaration, so that it can be
// inlined in HTML). Coordinates are written with one decimal, so the output is stable.
func (m Map) SVG() []byte {
	pr := m.mapProjection()
	width, height := m.Width, m.height()
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" font-family="sans-serif" font-size="11">`+"\n",
		svgNum(width), svgNum(height), svgNum(width), svgNum(height))
	fmt.Fprintf(&b, "<title>%s</title>\n", svgEsc(m.Title))
	if m.Background != "" {
		fmt.Fprintf(&b, `<rect width="%s" height="%s" fill="%s"/>`+"\n", svgNum(width), svgNum(height), svgEsc(m.Background))
	}
	if m.Heading != "" {
		fmt.Fprintf(&b, `<text x="%s" y="24" text-anchor="middle" font-size="15">%s</text>`+"\n", svgNum(width/2), svgEsc(m.Heading))
	}
	if svgHasArrows(m.Lines) {
		b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#333333"/></marker></defs>` + "\n")
	}
	for _, a := range m.Areas {
		writeArea(&b, pr, a)
	}
	for _, l := range m.Lines {
		writeLine(&b, pr, l)
	}
	for _, k := range m.Markers {
		writeMarker(&b, pr, k)
	}
	m.writeLegend(&b)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func writeArea(b *bytes.Buffer, pr mapProjection, a Area) {
	var d strings.Builder
	for _, r := range a.Rings {
		for i, p := range r {
			x, y := pr.xy(p)
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString("L")
			}
			d.WriteString(svgNum(x) + "," + svgNum(y))
		}
		if len(r) > 0 {
			d.WriteString("Z")
		}
	}
	fmt.Fprintf(b, `<path%s d="%s" fill-rule="evenodd"%s>%s</path>`+"\n", svgAttrs(a.ID, a.Style), d.String(), svgPaint(a.Style, true), svgTitle(a.Title))
}

func writeLine(b *bytes.Buffer, pr mapProjection, l Line) {
	pts := make([]string, len(l.Points))
	for i, p := range l.Points {
		x, y := pr.xy(p)
		pts[i] = svgNum(x) + "," + svgNum(y)
	}
	extra := ""
	if l.Arrows {
		extra = ` marker-mid="url(#arrow)"`
		pts = svgMidpoints(pr, l.Points)
	}
	fmt.Fprintf(b, `<polyline%s points="%s" fill="none" stroke-linejoin="round"%s%s>%s</polyline>`+"\n",
		svgAttrs(l.ID, l.Style), strings.Join(pts, " "), svgPaint(l.Style, false), extra, svgTitle(l.Title))
}

func writeMarker(b *bytes.Buffer, pr mapProjection, k Marker) {
	x, y := pr.xy(k.Point)
	r := k.Radius
	if r <= 0 {
		r = 4
	}
	fmt.Fprintf(b, `<g%s><circle cx="%s" cy="%s" r="%s"%s/>%s`, svgAttrs(k.ID, k.Style), svgNum(x), svgNum(y), svgNum(r), svgPaint(k.Style, true), svgTitle(k.Title))
	if k.Label != "" {
		fmt.Fprintf(b, `<text x="%s" y="%s" paint-order="stroke" stroke="#fff" stroke-width="3">%s</text>`, svgNum(x+r+2), svgNum(y+4), svgEsc(k.Label))
	}
	b.WriteString("</g>\n")
}

// writeLegend draws the legend's title and swatches, top to bottom, right of the drawing.
func (m Map) writeLegend(b *bytes.Buffer) {
	if len(m.Legend.Entries) == 0 {
		return
	}
	x, y, w, _ := m.box()
	x += w + m.Margin + 10
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="12">%s</text>`+"\n", svgNum(x), svgNum(y), svgEsc(m.Legend.Title))
	for i, e := range m.Legend.Entries {
		ry := y + 10 + float64(i)*mapLegendRow
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="20" height="18" fill="%s" stroke="#333333"/>`, svgNum(x), svgNum(ry), svgEsc(e.Fill))
		fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`+"\n", svgNum(x+28), svgNum(ry+13), svgEsc(e.Label))
	}
}

func svgHasArrows(ls []Line) bool {
	for _, l := range ls {
		if l.Arrows {
			return true
		}
	}
	return false
}

// svgMidpoints returns the line's points with each segment's middle inserted, so that
// marker-mid puts one arrow head halfway along every segment and one on every vertex.
func svgMidpoints(pr mapProjection, ps []Point) []string {
	var out []string
	for i, p := range ps {
		x, y := pr.xy(p)
		if i > 0 {
			px, py := pr.xy(ps[i-1])
			out = append(out, svgNum((px+x)/2)+","+svgNum((py+y)/2))
		}
		out = append(out, svgNum(x)+","+svgNum(y))
	}
	return out
}

func svgAttrs(id string, s Style) string {
	var b strings.Builder
	if s.Class != "" {
		fmt.Fprintf(&b, ` class="%s"`, svgEsc(s.Class))
	}
	if id != "" {
		fmt.Fprintf(&b, ` data-id="%s"`, svgEsc(id))
	}
	return b.String()
}

func svgPaint(s Style, fill bool) string {
	var b strings.Builder
	if fill {
		f := s.Fill
		if f == "" {
			f = "none"
		}
		fmt.Fprintf(&b, ` fill="%s"`, svgEsc(f))
		if s.Opacity > 0 && s.Opacity < 1 {
			fmt.Fprintf(&b, ` fill-opacity="%s"`, strconv.FormatFloat(s.Opacity, 'f', -1, 64))
		}
	}
	st := s.Stroke
	if st == "" {
		st = "none"
	}
	w := s.Width
	if w <= 0 {
		w = 1
	}
	fmt.Fprintf(&b, ` stroke="%s" stroke-width="%s"`, svgEsc(st), svgNum(w))
	if s.Dash != "" {
		fmt.Fprintf(&b, ` stroke-dasharray="%s"`, svgEsc(s.Dash))
	}
	return b.String()
}

func svgTitle(t string) string {
	if t == "" {
		return ""
	}
	return "<title>" + svgEsc(t) + "</title>"
}

// svgNum formats a pixel coordinate to one decimal, without a trailing ".0".
func svgNum(x float64) string {
	if !finite(x) {
		x = 0
	}
	s := strconv.FormatFloat(math.Round(x*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func svgEsc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writing to a bytes.Buffer does not fail
	return b.String()
}
