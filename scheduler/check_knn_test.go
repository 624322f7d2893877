package scheduler

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestNearestMissions checks the latitude sweep against sorting every distance, on
// scattered, clustered, duplicated and collinear missions (ties by index included).
func TestNearestMissions(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	scatter := func(n int, spread float64, grid bool) []Mission {
		ms := make([]Mission, n)
		for i := range ms {
			lat, lon := 38.9+(r.Float64()-0.5)*spread, -77.0+(r.Float64()-0.5)*spread
			if grid {
				lat, lon = 38.9+float64(r.IntN(4))*0.001, -77.0+float64(r.IntN(4))*0.001
			}
			ms[i] = Mission{ID: fmt.Sprintf("m-%04d", i), Lat: lat, Lon: lon, Threat: 1}
		}
		return ms
	}
	line := make([]Mission, 30)
	for i := range line {
		line[i] = Mission{ID: fmt.Sprintf("l-%02d", i), Lat: 10, Lon: float64(i%7) * 0.01}
	}
	tests := []struct {
		name string
		ms   []Mission
	}{
		{"two", scatter(2, 0.1, false)},
		{"three", scatter(3, 0.1, false)},
		{"scattered", scatter(400, 0.2, false)},
		{"wide", scatter(300, 40, false)},
		{"grid ties", scatter(200, 0, true)},
		{"same latitude", line},
	}
	for _, tt := range tests {
		for _, k := range []int{1, TravelNeighbours, 5} {
			got, want := nearestMissions(tt.ms, k), nearestMissionsBrute(tt.ms, k)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("nearestMissions(%s, %d) = %v; want %v", tt.name, k, got, want)
			}
		}
	}
}
