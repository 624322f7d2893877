package geo

import (
	"math"
	"testing"
)

func TestHaversine(t *testing.T) {
	// One degree of latitude on the mean sphere is R·π/180.
	got := Haversine(Point{0, 0}, Point{1, 0})
	want := EarthRadiusM * math.Pi / 180
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("Haversine(0,0 → 1,0) = %v; want %v", got, want)
	}
	if d := Haversine(Point{38.9, -77.0}, Point{38.9, -77.0}); d != 0 {
		t.Errorf("Haversine(p, p) = %v; want 0", d)
	}
}

func TestCrowMinutes(t *testing.T) {
	c := Crow{Circuity: 1.35, SpeedKmh: 25}
	a, b := Point{38.9, -77.0}, Point{38.91, -77.0}
	m := c.Metres(a, b)
	wantMin := int(math.Ceil(m / (25000.0 / 60)))
	if got := c.Minutes(a, b); got != wantMin {
		t.Errorf("Minutes = %d; want %d (metres %.1f)", got, wantMin, m)
	}
	if got := c.Minutes(a, a); got != 0 {
		t.Errorf("Minutes(p, p) = %d; want 0", got)
	}
}
