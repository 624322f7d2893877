package scheduler

import (
	"testing"

	"vigil/geo"
)

// The measures' small parts pinned one by one (issue 19: what `make mutate` found the
// measure tests left loose).

func TestMeasureDefaultTravel(t *testing.T) {
	foot, vehicle := DefaultTravel(Foot), DefaultTravel(Vehicle)
	if foot != (geo.Crow{Circuity: DefaultCircuity, SpeedKmh: DefaultFootKmh}) {
		t.Errorf("DefaultTravel(Foot) = %+v", foot)
	}
	if vehicle != (geo.Crow{Circuity: DefaultCircuity, SpeedKmh: DefaultVehicleKmh}) {
		t.Errorf("DefaultTravel(Vehicle) = %+v", vehicle)
	}
}

func TestMeasureNearestRank(t *testing.T) {
	xs := []float64{10, 20, 30, 40}
	for _, tc := range []struct{ q, want float64 }{
		{0.01, 10}, {0.25, 10}, {0.26, 20}, {0.5, 20}, {0.51, 30}, {0.75, 30}, {0.99, 40}, {1, 40},
		{1.5, 40}, // beyond the contract (q ≤ 1) the rank is clamped to the last
	} {
		if got := nearestRank(xs, tc.q); got != tc.want {
			t.Errorf("nearestRank(%v, %v) = %v; want %v", xs, tc.q, got, tc.want)
		}
	}
	if got := nearestRank(nil, 0.5); got != 0 {
		t.Errorf("nearestRank(nil) = %v; want 0", got)
	}
}

// dayOf on a three-day run: a day's first minute is that day's, minutes before the run
// the first day's, minutes at or after its end the last day's.
func TestMeasureDayOf(t *testing.T) {
	r := &measureRun{dayStart: []float64{0, 1440, 2880, 4320}}
	for _, tc := range []struct {
		m    float64
		want int
	}{
		{-5, 0}, {0, 0}, {1439.5, 0}, {1440, 1}, {2879, 1}, {2880, 2}, {4319, 2}, {4320, 2}, {5000, 2},
	} {
		if got := r.dayOf(tc.m); got != tc.want {
			t.Errorf("dayOf(%v) = %d; want %d", tc.m, got, tc.want)
		}
	}
}

func TestMeasureFloorVisits(t *testing.T) {
	for _, tc := range []struct {
		k      float64
		maxGap int
		want   float64
	}{
		{0, 120, 0}, {-1, 120, 0}, {1, 0, 0}, {1, -5, 0}, {1, 120, 12}, {0.5, 1440, 0.5}, {2, 1, 2880},
	} {
		if got := floorVisits(tc.k, tc.maxGap, 1440); got != tc.want {
			t.Errorf("floorVisits(%v, %d, 1440) = %v; want %v", tc.k, tc.maxGap, got, tc.want)
		}
	}
}

// MissionLive needs at least one training day and one test day.
func TestMeasureMissionLiveTrainDays(t *testing.T) {
	p := mtPlan(t, "UTC", "2026-01-05", 3, nil, nil)
	for _, tc := range []struct {
		train int
		ok    bool
	}{{-1, false}, {1, true}, {2, true}, {3, false}} {
		_, err := MissionLive(p, MeasureOptions{Train: tc.train}, 15)
		if (err == nil) != tc.ok {
			t.Errorf("MissionLive(3 days, train %d) error %v; want ok %v", tc.train, err, tc.ok)
		}
	}
}
