package scheduler

import (
	"math"
	"slices"
	"testing"
	"time"
)

// TestMinimaxOptimumWorkedExample checks the water-filling over floors on the worked
// example of DESIGN.md §4.4 (no floor: the floors are the profile minimums), and with a
// floor above the minimums, which the optimum must respect.
func TestMinimaxOptimumWorkedExample(t *testing.T) {
	values := []float64{16, 8, 4, 1}
	mins := []float64{12, 10, 6, 2}
	for _, tt := range []struct{ budget, u float64 }{{60, 6.670}, {90, 4.816}} {
		if u := minimaxOptimum(values, mins, nil, tt.budget, 30, 1440); math.Abs(u-tt.u) > 0.001 {
			t.Errorf("minimaxOptimum(budget %v, no floor) = %.4f; want %.3f", tt.budget, u, tt.u)
		}
		// Floors at or below the minimums change nothing.
		if u := minimaxOptimum(values, mins, []float64{12, 5, 0, 2}, tt.budget, 30, 1440); math.Abs(u-tt.u) > 0.001 {
			t.Errorf("minimaxOptimum(budget %v, floors under the minimums) = %.4f; want %.3f", tt.budget, u, tt.u)
		}
	}
	// Floors of 2 visits per max gap (120, 180, 240, 720 minutes) are 24, 16, 12, 4 a day:
	// 56 of a budget of 60, so only 4 are left for value, all to the first mission (28):
	// u = 16·e^(−28·30/1440) = 8.928, while b at its floor risks 8·e^(−1/3) = 5.73 < u.
	var floors []float64
	for _, g := range []int{120, 180, 240, 720} {
		floors = append(floors, floorVisits(2, g, 1440))
	}
	if want := []float64{24, 16, 12, 4}; !slices.Equal(floors, want) {
		t.Fatalf("floorVisits(2, …, 1440) = %v; want %v", floors, want)
	}
	u := minimaxOptimum(values, mins, floors, 60, 30, 1440)
	if want := 16 * math.Exp(-28.0*30/1440); math.Abs(u-want) > 0.001 {
		t.Errorf("minimaxOptimum(budget 60, floor 2) = %.4f; want %.4f", u, want)
	}
	// A floor the budget does not cover: the worst at the floors.
	u = minimaxOptimum(values, mins, floors, 50, 30, 1440)
	if want := 16 * math.Exp(-24.0*30/1440); math.Abs(u-want) > 1e-9 {
		t.Errorf("minimaxOptimum(budget 50 < floors) = %.4f; want the worst at the floors %.4f", u, want)
	}
	if got := floorVisits(0, 120, 1440); got != 0 {
		t.Errorf("floorVisits(0) = %v; want 0", got)
	}
	if got := floorVisits(2, 0, 1440); got != 0 {
		t.Errorf("floorVisits(max gap 0) = %v; want 0", got)
	}
}

// mmPlan is the plan of TestMinimaxOptimum: 2 days of the worked example's 42, 10, 6, 2
// visits a day at missions of max gaps 120, 180, 240 and 720 minutes.
func mmPlan(t *testing.T) *Plan {
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	missions := []PlanMission{mtMission("a", 16, 12, 120), mtMission("b", 8, 10, 180), mtMission("c", 4, 6, 240), mtMission("d", 1, 2, 720)}
	perDay := []int{42, 10, 6, 2}
	var visits []mtVisit
	for i, m := range missions {
		for j := range 2 * perDay[i] {
			a := start.Add(time.Duration(i+j*1440/perDay[i]) * time.Minute)
			visits = append(visits, mtVisit{mission: m.ID, arrive: a, dwell: 5})
		}
	}
	return mtPlan(t, "UTC", "2026-01-05", 2, missions, visits)
}

// TestMinimaxFloor checks the floor-aware minimax report: the optimum under the floor,
// the optimum without it, their ratio, the floor used and the missions under it.
func TestMinimaxFloor(t *testing.T) {
	p := mmPlan(t)
	rep, err := Measure(p, MeasureOptions{Train: 1})
	if err != nil {
		t.Fatal(err)
	}
	mm := rep.Minimax
	if mm.VisitsPerMaxGap != 0 || mm.Optimum != mm.OptimumWithoutFloor || mm.PriceOfRandomness != 1 || len(mm.BelowFloor) != 0 || mm.BelowFloor == nil {
		t.Errorf("Minimax without a floor = %+v; want floor 0, optimum = optimum_without_floor, price 1, below_floor []", mm)
	}
	rep, err = Measure(p, MeasureOptions{Train: 1, FloorVisitsPerMaxGap: 2})
	if err != nil {
		t.Fatal(err)
	}
	mm = rep.Minimax
	// Floors over the 2-day run: 48, 32, 24, 8 of a budget of 120 (see
	// TestMinimaxOptimumWorkedExample, per day).
	if want := 16 * math.Exp(-28.0*30/1440); math.Abs(mm.Optimum-want) > 0.001 {
		t.Errorf("Minimax.Optimum with floor 2 = %.4f; want %.4f", mm.Optimum, want)
	}
	if math.Abs(mm.OptimumWithoutFloor-6.670) > 0.001 {
		t.Errorf("Minimax.OptimumWithoutFloor = %.4f; want 6.670", mm.OptimumWithoutFloor)
	}
	if mm.PriceOfRandomness != mm.Optimum/mm.OptimumWithoutFloor || mm.PriceOfRandomness <= 1 {
		t.Errorf("Minimax.PriceOfRandomness = %v; want optimum/optimum_without_floor = %v > 1", mm.PriceOfRandomness, mm.Optimum/mm.OptimumWithoutFloor)
	}
	if mm.Ratio != mm.Worst/mm.Optimum {
		t.Errorf("Minimax.Ratio = %v; want worst/optimum = %v", mm.Ratio, mm.Worst/mm.Optimum)
	}
	if mm.VisitsPerMaxGap != 2 {
		t.Errorf("Minimax.VisitsPerMaxGap = %v; want 2", mm.VisitsPerMaxGap)
	}
	// a gets 84 of a floor of 48; b 20 of 32, c 12 of 24, d 4 of 8.
	if want := []string{"b", "c", "d"}; !slices.Equal(mm.BelowFloor, want) {
		t.Errorf("Minimax.BelowFloor = %v; want %v", mm.BelowFloor, want)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := Measure(p, MeasureOptions{Train: 1, FloorVisitsPerMaxGap: bad}); err == nil {
			t.Errorf("Measure(floor %v) = nil error; want an error", bad)
		}
	}
}

// TestMinimaxBelowFloorShare checks that a plan must deliver 97 % of its declared floor:
// with a floor of 100 visits over the run, 100 and 97 visits pass, 96 do not. A mission
// with a staffed post has no floor.
func TestMinimaxBelowFloorShare(t *testing.T) {
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	// Max gap 288 minutes over 2 days (2,880 minutes): a floor of 10 per max gap is 100.
	counts := map[string]int{"full": 100, "at97": 97, "at96": 96, "none": 3, "posted": 3}
	var missions []PlanMission
	var visits []mtVisit
	for _, id := range []string{"at96", "at97", "full", "none", "posted"} {
		m := mtMission(id, 4, 1, 288)
		if id == "posted" {
			m.FixedPosts = 1
		}
		missions = append(missions, m)
		n := counts[id]
		for j := range n {
			visits = append(visits, mtVisit{mission: id, arrive: start.Add(time.Duration(j*2870/n) * time.Minute), dwell: 5})
		}
	}
	p := mtPlan(t, "UTC", "2026-01-05", 2, missions, visits)
	for k := range p.ServiceDays {
		sd := &p.ServiceDays[k]
		sd.Posts = []Post{{Post: "posted/1", Mission: "posted", Blocks: []Block{{Officer: "o-1", Start: sd.Start, End: sd.End}}}}
	}
	rep, err := Measure(p, MeasureOptions{Train: 1, FloorVisitsPerMaxGap: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"at96", "none"}; !slices.Equal(rep.Minimax.BelowFloor, want) {
		t.Errorf("Minimax.BelowFloor = %v; want %v", rep.Minimax.BelowFloor, want)
	}
}
