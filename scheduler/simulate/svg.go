package simulate

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// svg is a small SVG 1.1 writer: shapes in user units with a fixed number of decimals, and
// text escaped for XML. Charts are built on it rather than on a plotting library, to keep
// the dependency graph small.
type svg struct {
	b    bytes.Buffer
	w, h float64
}

func newSVG(w, h float64, title string) *svg {
	s := &svg{w: w, h: h}
	fmt.Fprintf(&s.b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="12">`+"\n",
		f(w), f(h), f(w), f(h))
	fmt.Fprintf(&s.b, "<title>%s</title>\n", esc(title))
	s.rect(0, 0, w, h, "#ffffff", "none")
	return s
}

// f formats a coordinate to two decimals, without trailing zeros.
func f(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		x = 0
	}
	s := fmt.Sprintf("%.2f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writing to a bytes.Buffer does not fail
	return b.String()
}

func (s *svg) rect(x, y, w, h float64, fill, stroke string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s"/>`+"\n",
		f(x), f(y), f(max(0, w)), f(max(0, h)), fill, stroke)
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string, width float64, dash string) {
	extra := ""
	if dash != "" {
		extra = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"%s/>`+"\n",
		f(x1), f(y1), f(x2), f(y2), stroke, f(width), extra)
}

func (s *svg) polyline(xs, ys []float64, stroke string, width float64, dash string) {
	if len(xs) == 0 {
		return
	}
	var pts []string
	for i := range xs {
		pts = append(pts, f(xs[i])+","+f(ys[i]))
	}
	extra := ""
	if dash != "" {
		extra = fmt.Sprintf(` stroke-dasharray="%s"`, dash)
	}
	fmt.Fprintf(&s.b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s"%s/>`+"\n",
		strings.Join(pts, " "), stroke, f(width), extra)
}

// path draws closed rings (x, y pairs) as one path with the even-odd rule, so holes show.
func (s *svg) path(rings [][][2]float64, fill, stroke, title string) {
	var d strings.Builder
	for _, r := range rings {
		for i, p := range r {
			if i == 0 {
				d.WriteString("M")
			} else {
				d.WriteString(" L")
			}
			d.WriteString(f(p[0]) + " " + f(p[1]))
		}
		d.WriteString(" Z ")
	}
	fmt.Fprintf(&s.b, `<path d="%s" fill="%s" fill-rule="evenodd" stroke="%s" stroke-width="0.8">`, strings.TrimSpace(d.String()), fill, stroke)
	if title != "" {
		fmt.Fprintf(&s.b, "<title>%s</title>", esc(title))
	}
	s.b.WriteString("</path>\n")
}

func (s *svg) circle(x, y, r float64, fill string, title string) {
	fmt.Fprintf(&s.b, `<circle cx="%s" cy="%s" r="%s" fill="%s">`, f(x), f(y), f(r), fill)
	if title != "" {
		fmt.Fprintf(&s.b, "<title>%s</title>", esc(title))
	}
	s.b.WriteString("</circle>\n")
}

// text writes a label; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor, label string, size float64) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" font-size="%s">%s</text>`+"\n",
		f(x), f(y), anchor, f(size), esc(label))
}

// vtext writes a label rotated to run upwards, centred on (x, y).
func (s *svg) vtext(x, y float64, label string, size float64) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="middle" font-size="%s" transform="rotate(-90 %s %s)">%s</text>`+"\n",
		f(x), f(y), f(size), f(x), f(y), esc(label))
}

func (s *svg) bytes() []byte {
	out := bytes.Clone(s.b.Bytes())
	return append(out, "</svg>\n"...)
}
