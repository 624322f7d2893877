package main

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestShrink(t *testing.T) {
	street := layer{name: "street", tolerance: 3e-5}
	// A straight street digitised with a wobble under the tolerance: two points are left,
	// rounded to 1e-5°.
	line := orb.LineString{{-77.0000001, 38.9}, {-77.0000104, 38.9005}, {-77.0000002, 38.901}}
	got, ok := shrink(line, street).(orb.LineString)
	if !ok || len(got) != 2 || got[0] != (orb.Point{-77, 38.9}) || got[1] != (orb.Point{-77, 38.901}) {
		t.Errorf("shrink(wobbly street) = %v; want the two ends, rounded", got)
	}
	// A park smaller than the layer's minimum area is dropped, a bigger one kept.
	park := layer{name: "park", tolerance: 1e-4, minArea: 2e-7}
	small := orb.Polygon{{{0, 0}, {3e-4, 0}, {3e-4, 3e-4}, {0, 3e-4}, {0, 0}}} // 9e-8 sq deg
	big := orb.Polygon{{{0, 0}, {1e-3, 0}, {1e-3, 1e-3}, {0, 1e-3}, {0, 0}}}   // 1e-6 sq deg
	if g := shrink(small, park); g != nil {
		t.Errorf("shrink(small park) = %v; want dropped", g)
	}
	if g, ok := shrink(big, park).(orb.Polygon); !ok || len(g[0]) != 5 {
		t.Errorf("shrink(big park) = %v; want its square kept", g)
	}
	// A street shorter than the rounding collapses to nothing.
	if g := shrink(orb.LineString{{-77, 38.9}, {-77.000001, 38.9}}, street); g != nil {
		t.Errorf("shrink(1 cm street) = %v; want dropped", g)
	}
}
