// Command genbasemap writes the dashboard's offline DC basemap (api/web/static/basemap-wfo.json.gz)
// from the public DC layers in ../shared/data: street centrelines of the L'Enfant plan, the
// major roads, hydrography, parks and wards. Each line and ring is simplified with
// Douglas–Peucker, coordinates are rounded, and only a layer name and a feature name are kept,
// so the whole basemap embeds in the binary and no tile server is needed.
//
// It is a reproducibility aid: the output is committed, Vigil never reads the source data at
// run time (fixtures/SOURCES.md says what was taken and how). Running it again gives
// byte-identical output.
//
//	go run ./tools/genbasemap -data /work/shared/data -out api/web/static/basemap-wfo.json.gz
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

func main() {
	data := flag.String("data", "/work/shared/data", "directory holding the source data")
	out := flag.String("out", "api/web/static/basemap-wfo.json.gz", "basemap file to write")
	flag.Parse()
	if err := run(*data, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genbasemap:", err)
		os.Exit(1)
	}
}

// layer is one source file and how far it is simplified. Tolerances are in degrees
// (1e-4° ≈ 9 m north–south, 8.6 m east–west at DC): streets keep their corners at the
// zooms the dashboard offers (up to 18, ≈ 0.6 m a pixel, where a 9 m error shows only on
// curved ramps); parks and wards are area context and take a coarser tolerance.
type layer struct {
	name, file string
	tolerance  float64
	minArea    float64 // square degrees; smaller polygons are dropped (0: keep all)
}

var layers = []layer{
	{"ward", "basemap-dc/ward-2012.geojson", 2e-4, 0},
	{"park", "basemap-dc/national-parks.geojson", 1e-4, 2e-7},
	{"park", "basemap-dc/parks-and-recreation-areas.geojson", 1e-4, 2e-7},
	{"water", "basemap-dc/hydrography-centerline.geojson", 1e-4, 0},
	{"street", "basemap-dc/l-enfant-plan-street-centerlines.geojson", 3e-5, 0},
	{"road", "dc_major_roads_opendatadc.geojson", 5e-5, 0},
}

// decimals is the rounding of every coordinate: 1e-5° ≈ 1.1 m.
const decimals = 1e5

func run(data, out string, stdout io.Writer) error {
	fc := geojson.NewFeatureCollection()
	for _, l := range layers {
		raw, err := os.ReadFile(filepath.Join(data, l.file))
		if err != nil {
			return err
		}
		src, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", l.file, err)
		}
		// Features of one name are merged into one multi-geometry: the names repeat
		// over thousands of short segments, and the page draws a layer per name anyway.
		var order []string
		lines, polys := map[string]orb.MultiLineString{}, map[string]orb.MultiPolygon{}
		kept := 0
		for _, f := range src.Features {
			g := shrink(f.Geometry, l)
			if g == nil {
				continue
			}
			n := name(f.Properties)
			if _, ok := lines[n]; !ok {
				if _, ok := polys[n]; !ok {
					order = append(order, n)
				}
			}
			switch t := g.(type) {
			case orb.LineString:
				lines[n] = append(lines[n], t)
			case orb.MultiLineString:
				lines[n] = append(lines[n], t...)
			case orb.Polygon:
				polys[n] = append(polys[n], t)
			case orb.MultiPolygon:
				polys[n] = append(polys[n], t...)
			default:
				continue
			}
			kept++
		}
		sort.Strings(order)
		for _, n := range order {
			var gs []orb.Geometry
			if len(lines[n]) > 0 {
				gs = append(gs, lines[n])
			}
			if len(polys[n]) > 0 {
				gs = append(gs, polys[n])
			}
			for _, g := range gs {
				nf := geojson.NewFeature(g)
				nf.Properties = geojson.Properties{"layer": l.name}
				if n != "" {
					nf.Properties["name"] = n
				}
				fc.Append(nf)
			}
		}
		fmt.Fprintf(stdout, "%s: %d of %d features kept\n", l.file, kept, len(src.Features))
	}
	raw, err := json.Marshal(fc)
	if err != nil {
		return err
	}
	// Stored gzipped (no name, no time: the same input gives the same bytes); the
	// dashboard serves it as is to browsers that accept gzip, which all do.
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.Write(raw)
	zw.Write([]byte("\n"))
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d features, %d bytes (%d gzipped)\n", out, len(fc.Features), len(raw)+1, b.Len())
	return nil
}

// name is a feature's street or place name, title-cased for labels and hover.
func name(p geojson.Properties) string {
	for _, k := range []string{"ST_NAME", "NAME"} {
		if s, ok := p[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// shrink simplifies and rounds g; nil when nothing worth drawing is left.
func shrink(g orb.Geometry, l layer) orb.Geometry {
	if g == nil {
		return nil
	}
	if l.minArea > 0 && area(g) < l.minArea {
		return nil
	}
	g = simplify.DouglasPeucker(l.tolerance).Simplify(orb.Clone(g))
	g = round(g)
	switch t := g.(type) {
	case orb.LineString:
		if len(t) < 2 {
			return nil
		}
	case orb.Polygon:
		if len(t) == 0 || len(t[0]) < 4 {
			return nil
		}
	}
	return g
}

// area is the planar area of a polygon in square degrees, 0 for anything else.
func area(g orb.Geometry) float64 {
	switch t := g.(type) {
	case orb.Polygon:
		if len(t) == 0 {
			return 0
		}
		return math.Abs(ringArea(t[0]))
	case orb.MultiPolygon:
		s := 0.0
		for _, p := range t {
			s += area(p)
		}
		return s
	}
	return 0
}

func ringArea(r orb.Ring) float64 {
	s := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return s / 2
}

func round(g orb.Geometry) orb.Geometry {
	pt := func(p orb.Point) orb.Point {
		return orb.Point{math.Round(p[0]*decimals) / decimals, math.Round(p[1]*decimals) / decimals}
	}
	ls := func(l []orb.Point) []orb.Point {
		out := l[:0]
		for _, p := range l {
			q := pt(p)
			if len(out) > 0 && out[len(out)-1] == q {
				continue
			}
			out = append(out, q)
		}
		return out
	}
	switch t := g.(type) {
	case orb.LineString:
		return orb.LineString(ls(t))
	case orb.MultiLineString:
		for i := range t {
			t[i] = ls(t[i])
		}
		return t
	case orb.Polygon:
		for i := range t {
			t[i] = ls(t[i])
		}
		return t
	case orb.MultiPolygon:
		for i := range t {
			for j := range t[i] {
				t[i][j] = ls(t[i][j])
			}
		}
		return t
	}
	return g
}
