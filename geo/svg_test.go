package geo

import (
	"bytes"
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uber/h3-go/v4"
)

// svgFixture is a small hand-made map: two zones of H3 cells near the White House, three
// sites, and one route through them in order.
func svgFixture(t *testing.T) Map {
	t.Helper()
	a := Point{Lat: 38.8977, Lon: -77.0365}
	b := Point{Lat: 38.9100, Lon: -77.0500}
	c := Point{Lat: 38.8890, Lon: -77.0090}
	ca, err := CellOf(a, 8)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := CellOf(c, 8)
	if err != nil {
		t.Fatal(err)
	}
	disk := h3.GridDisk(ca, 1)
	var west []string
	for _, x := range disk {
		west = append(west, x.String())
	}
	zones := []Zone{
		{ID: "z-west", Cells: west, Sites: []string{"a", "b"}},
		{ID: "z-east", Cells: []string{cc.String()}, Sites: []string{"c"}},
	}
	fc := ZonesFeatureCollection(zones, nil)
	m := Map{Title: "fixture & <test>", Width: 400, Height: 300, Margin: 10}
	for _, f := range fc.Features {
		id := f.Properties["id"].(string)
		m.Areas = append(m.Areas, Area{ID: id, Title: "zone " + id, Rings: RingsOf(f.Geometry),
			Style: Style{Fill: "#eef", Stroke: "#88a", Opacity: 0.5, Class: "zone"}})
	}
	m.Lines = []Line{{ID: "u1", Title: "unit 1", Points: []Point{a, b, c}, Style: Style{Stroke: "#c00", Width: 2, Dash: "4 2"}, Arrows: true}}
	for i, p := range []Point{a, b, c} {
		id := string(rune('a' + i))
		m.Markers = append(m.Markers, Marker{ID: id, Title: "site " + id, Point: p, Radius: 5, Label: id + " 07:00",
			Style: Style{Fill: "#f00", Stroke: "#000"}})
	}
	return m
}

func TestMapSVGGolden(t *testing.T) {
	got := svgFixture(t).SVG()
	golden := filepath.Join("testdata", "map.golden.svg")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Map.SVG(fixture) differs from %s; run go test -update and review the diff:\n%s", golden, got)
	}
}

func TestMapSVGWellFormed(t *testing.T) {
	got := svgFixture(t).SVG()
	dec := xml.NewDecoder(bytes.NewReader(got))
	counts := map[string]int{}
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("Map.SVG is not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	want := map[string]int{"svg": 1, "path": 2 + 1, "polyline": 1, "circle": 3, "text": 3}
	for el, n := range want {
		if counts[el] != n {
			t.Errorf("Map.SVG has %d <%s>; want %d", counts[el], el, n)
		}
	}
	if !strings.Contains(string(got), "fixture &amp; &lt;test&gt;") {
		t.Errorf("Map.SVG did not escape the title")
	}
}

func TestMapSVGFitsBox(t *testing.T) {
	legend := Legend{Title: "key", Width: 120, Entries: []Swatch{{"#f00", "red"}, {"#0f0", "green"}}}
	tall := svgFixture(t)
	tall.Height, tall.Heading, tall.Background, tall.Legend = 0, "heading", "#fff", legend
	tests := []struct {
		name string
		m    Map
	}{
		{"empty", Map{Width: 100, Height: 50}},
		{"one point", Map{Width: 100, Height: 50, Markers: []Marker{{Point: Point{Lat: 1, Lon: 2}}}}},
		{"fixture", svgFixture(t)},
		{"heading, legend, proportional height", tall},
	}
	for _, tt := range tests {
		pr := tt.m.mapProjection()
		bx, by, bw, bh := tt.m.box()
		for _, mk := range tt.m.Markers {
			x, y := pr.xy(mk.Point)
			if x < bx-0.01 || x > bx+bw+0.01 || y < by-0.01 || y > by+bh+0.01 {
				t.Errorf("%s: marker %v at (%v, %v); want inside the box (%v, %v) %vx%v", tt.name, mk.Point, x, y, bx, by, bw, bh)
			}
		}
		if out := tt.m.SVG(); !bytes.HasPrefix(out, []byte("<svg ")) {
			t.Errorf("%s: Map.SVG() starts %q; want <svg", tt.name, out[:min(20, len(out))])
		}
	}
}

// A zero Height follows the drawing's proportions; the heading and legend take their room
// and are written, a background fills the picture.
func TestMapSVGHeadingLegend(t *testing.T) {
	m := svgFixture(t)
	m.Height, m.Heading, m.Background = 0, "a heading", "#ffffff"
	m.Legend = Legend{Title: "key", Width: 120, Entries: []Swatch{{"#f00", "red"}, {"#0f0", "green"}}}
	b, _ := m.bounds()
	w, h := b.size()
	_, by, bw, bh := m.box()
	if by != m.Margin+mapHeadingHeight {
		t.Errorf("box top = %v; want margin + heading %v", by, m.Margin+mapHeadingHeight)
	}
	if want := m.Width - 2*m.Margin - m.Legend.Width; bw != want {
		t.Errorf("box width = %v; want %v", bw, want)
	}
	if got, want := bh/bw, h/w; math.Abs(got-want) > 0.01 {
		t.Errorf("box aspect = %v; want the drawing's %v", got, want)
	}
	out := string(m.SVG())
	for _, s := range []string{">a heading</text>", ">key</text>", ">red</text>", ">green</text>", `fill="#ffffff"`} {
		if !strings.Contains(out, s) {
			t.Errorf("Map.SVG() lacks %q", s)
		}
	}
	if n := strings.Count(out, "<rect "); n != 3 {
		t.Errorf("Map.SVG() has %d <rect>; want a background and 2 swatches", n)
	}
}
