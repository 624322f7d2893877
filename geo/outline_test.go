package geo

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/uber/h3-go/v4"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureSites are ten made-up missions around Dupont Circle and downtown Washington.
func fixtureSites() []Site {
	pts := []Point{
		{38.9101, -77.0447}, {38.9115, -77.0430}, {38.9135, -77.0475}, {38.9170, -77.0500},
		{38.9050, -77.0380}, {38.9030, -77.0350}, {38.8990, -77.0300}, {38.9220, -77.0420},
		{38.9250, -77.0380}, {38.9000, -77.0500},
	}
	sites := make([]Site, len(pts))
	for i, p := range pts {
		sites[i] = site(i, p)
	}
	return sites
}

func TestZonesGolden(t *testing.T) {
	sites := fixtureSites()
	zones, err := Partition(sites, ZoneOptions{Units: 3, UnitMinutes: 1440 * 0.85, Travel: Crow{1.35, 25}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ZonesFeatureCollection(zones, sites).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := json.Indent(&got, raw, "", " "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	golden := filepath.Join("testdata", "zones.golden.geojson")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("ZonesFeatureCollection(fixture) differs from %s; run go test -update and review the diff", golden)
	}
}

func TestZonesFeatureCollection(t *testing.T) {
	sites := dcSites(t)
	zones, err := Partition(sites, ZoneOptions{Units: 24, UnitMinutes: 1440 * 0.85})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := ZonesFeatureCollection(zones, sites).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatalf("UnmarshalFeatureCollection = %v", err)
	}
	if got, want := len(fc.Features), len(zones)+len(sites); got != want {
		t.Fatalf("%d features; want %d", got, want)
	}
	polys := map[string]orb.Polygon{}
	for i, z := range zones {
		f := fc.Features[i]
		if got := f.Properties.MustString("id"); got != z.ID {
			t.Errorf("feature %d id = %q; want %q", i, got, z.ID)
		}
		if got := f.Properties.MustInt("units"); got != z.Units {
			t.Errorf("zone %s units = %d; want %d", z.ID, got, z.Units)
		}
		if got, want := f.Properties.MustFloat64("workload_minutes"), z.WorkloadMinutes; got < want-0.05 || got > want+0.05 {
			t.Errorf("zone %s workload_minutes = %v; want %v rounded to 0.1", z.ID, got, want)
		}
		var missions []string
		for _, m := range f.Properties["missions"].([]any) {
			missions = append(missions, m.(string))
		}
		if !slices.Equal(missions, z.Sites) {
			t.Errorf("zone %s missions = %v; want %v", z.ID, missions, z.Sites)
		}
		// Zones are connected, so each is one polygon.
		poly, ok := f.Geometry.(orb.Polygon)
		if !ok {
			t.Errorf("zone %s geometry is %s; want Polygon", z.ID, f.Geometry.GeoJSONType())
			continue
		}
		for k, r := range poly {
			if !r.Closed() || len(r) < 4 {
				t.Errorf("zone %s ring %d not closed or too short (%d points)", z.ID, k, len(r))
			}
			want := orb.CCW
			if k > 0 {
				want = orb.CW
			}
			if r.Orientation() != want {
				t.Errorf("zone %s ring %d orientation %v; want %v", z.ID, k, r.Orientation(), want)
			}
			for _, pt := range r {
				if pt[0] < -77.2 || pt[0] > -76.9 || pt[1] < 38.8 || pt[1] > 39.1 {
					t.Fatalf("zone %s vertex %v is not [lng, lat] in Washington", z.ID, pt)
				}
			}
		}
		// The outline covers the zone's area: compare with the cells' areas.
		var cells []h3.Cell
		area := 0.0
		for _, s := range z.Cells {
			c := mustCell(t, s)
			cells = append(cells, c)
		}
		for _, c := range h3.UncompactCells(cells, DefaultMaxResolution) {
			area += planar.Area(hexRing(c))
		}
		if got := planar.Area(poly); got < area*0.999 || got > area*1.001 {
			t.Errorf("zone %s outline area %g; want the cells' %g", z.ID, got, area)
		}
		polys[z.ID] = poly
	}
	for i, s := range sites {
		f := fc.Features[len(zones)+i]
		id, zone := f.Properties.MustString("mission"), f.Properties.MustString("zone")
		if id != s.ID {
			t.Errorf("point feature %d mission = %q; want %q", i, id, s.ID)
		}
		pt, ok := f.Geometry.(orb.Point)
		if !ok || pt != OrbPoint(s.Point) {
			t.Errorf("mission %s geometry = %v; want %v", s.ID, f.Geometry, OrbPoint(s.Point))
		}
		if !planar.PolygonContains(polys[zone], pt) {
			t.Errorf("mission %s at %v lies outside its zone %s", s.ID, pt, zone)
		}
	}
}

func hexRing(c h3.Cell) orb.Polygon {
	var r orb.Ring
	for _, v := range c.Boundary() {
		r = append(r, orb.Point{v.Lng, v.Lat})
	}
	return orb.Polygon{append(r, r[0])}
}

func TestOrbPoint(t *testing.T) {
	if got, want := OrbPoint(Point{Lat: 38.9, Lon: -77.03}), (orb.Point{-77.03, 38.9}); got != want {
		t.Errorf("OrbPoint = %v; want %v", got, want)
	}
}

func TestOutlineHole(t *testing.T) {
	// A ring of six cells around a seventh: one polygon with one hole.
	centre := h3.LatLngToCell(h3.NewLatLng(38.9, -77.03), 9)
	var ring []h3.Cell
	for _, c := range centre.GridDisk(1) {
		if c != centre {
			ring = append(ring, c)
		}
	}
	g := outline(ring, 9)
	poly, ok := g.(orb.Polygon)
	if !ok || len(poly) != 2 {
		t.Fatalf("outline(ring) = %v; want a polygon with one hole", g)
	}
	if poly[0].Orientation() != orb.CCW || poly[1].Orientation() != orb.CW {
		t.Errorf("orientations %v, %v; want CCW, CW", poly[0].Orientation(), poly[1].Orientation())
	}
	// Two cells far apart: a MultiPolygon.
	far := h3.LatLngToCell(h3.NewLatLng(38.95, -77.0), 9)
	if mp, ok := outline([]h3.Cell{centre, far}, 9).(orb.MultiPolygon); !ok || len(mp) != 2 {
		t.Errorf("outline(two cells apart) = %v; want a MultiPolygon of 2", mp)
	}
}
