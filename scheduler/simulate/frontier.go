package simulate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"vigil/scheduler"
)

// Frontier bounds and defaults. A floor is the randomization policy of DESIGN.md §3 in
// visits per max gap.
const (
	// MaxFloor is the highest floor a scenario may ask for: at 12 visits per max gap the
	// floor alone spaces visits a twelfth of the max gap apart, past what any force affords.
	MaxFloor = 12
	// MaxFrontierFloors is the most floors of one frontier run.
	MaxFrontierFloors = 14
)

// DefaultFrontier is the floors of `vigil simulate --frontier` when none are given: from
// no floor to 6 visits per max gap.
var DefaultFrontier = []float64{0, 1, 2, 3, 4, 5, 6}

// checkFloors checks floors, named field in messages: at most MaxFrontierFloors, each a
// number from 0 to MaxFloor, increasing.
func checkFloors(floors []float64, field string) error {
	if len(floors) > MaxFrontierFloors {
		return scenarioErrorf("%s: %d floors; want at most %d", field, len(floors), MaxFrontierFloors)
	}
	for i, k := range floors {
		if math.IsNaN(k) || k < 0 || k > MaxFloor {
			return scenarioErrorf("%s: floor %v: want 0 to %d visits per max gap", field, k, MaxFloor)
		}
		if i > 0 && k <= floors[i-1] {
			return scenarioErrorf("%s: floor %v given twice", field, k)
		}
	}
	return nil
}

// FrontierRow is one floor of a frontier run: what the randomization policy costs and buys
// (DESIGN.md §4 measures of Vigil's plan under it), so a planner picks the policy from
// evidence.
type FrontierRow struct {
	// VisitsPerMaxGap is the floor asked for; FloorInEffect the floor the plan declares
	// (plan JSON policy.visits_per_max_gap), lower where the force cannot afford it.
	VisitsPerMaxGap float64 `json:"visits_per_max_gap"`
	FloorInEffect   float64 `json:"floor_in_effect"`
	Compliance      float64 `json:"compliance"`
	// Worst is the minimax worst at the scenario's attack length: the highest value ×
	// attack success over the missions (§4.4); Optimum and Ratio compare it with the
	// optimum under the floor in effect.
	Worst   float64 `json:"worst"`
	Optimum float64 `json:"optimum"`
	Ratio   float64 `json:"ratio"`
	// PriceOfRandomness is the optimum under the floor ÷ the optimum without it.
	PriceOfRandomness float64 `json:"price_of_randomness"`
	// Live holds the live adversary by attack minutes ("15", "30", "60").
	Live map[string]FrontierLive `json:"live"`
	// VisitsPerDay is the patrol visits a service day; VisitsForValue those above the
	// missions' floors (the larger of the profile minimum and the floor in effect), which
	// the planner is free to give by value; ValueShare is their share.
	VisitsPerDay   float64 `json:"visits_per_day"`
	VisitsForValue float64 `json:"visits_for_value"`
	ValueShare     float64 `json:"value_share"`
	// BelowFloor counts the missions whose visits fall under the floor in effect.
	BelowFloor int `json:"below_floor"`
}

// FrontierLive is the live adversary at one attack length under one floor.
type FrontierLive struct {
	Interception    float64 `json:"interception"`
	Ratio           float64 `json:"ratio"` // to the memoryless reference
	WeightedSuccess float64 `json:"weighted_success"`
}

// runFrontier plans and measures the scenario once per floor of sc.Frontier (see Run).
// Only Vigil's plan is measured, without incidents: the frontier compares floors, not
// planners.
func runFrontier(ctx context.Context, in scheduler.Inputs, sc Scenario) (*Result, error) {
	given := in.Force.Officers
	key := PlanKey(sc.Seed)
	progress := counter(sc.Progress, len(sc.Frontier)*(sc.Days+1))
	res := &Result{Schema: Schema}
	for i, k := range sc.Frontier {
		one := sc
		one.Floor = &k
		fin, err := one.Apply(in)
		if err != nil {
			return nil, err
		}
		plan, err := planRun(ctx, fin, one, key, progress)
		if err != nil {
			return nil, err
		}
		opt := one.measureOptions(fin)
		opt.Incidents = 0
		rep, err := scheduler.Measure(plan, opt)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		progress()
		res.Frontier = append(res.Frontier, frontierRow(k, plan, rep))
		if i == 0 {
			res.Scenario = scenarioInfo(fin, sc, plan)
			res.Scenario.OfficersGiven = given
			res.Inputs, res.Options = fin, opt
		}
	}
	return res, nil
}

// frontierRow is the row of floor k for Vigil's plan p and its report.
func frontierRow(k float64, p *scheduler.Plan, rep scheduler.Report) FrontierRow {
	row := FrontierRow{
		VisitsPerMaxGap:   k,
		FloorInEffect:     rep.Minimax.VisitsPerMaxGap,
		Compliance:        rep.Compliance,
		Worst:             rep.Minimax.Worst,
		Optimum:           rep.Minimax.Optimum,
		Ratio:             rep.Minimax.Ratio,
		PriceOfRandomness: rep.Minimax.PriceOfRandomness,
		Live:              map[string]FrontierLive{},
		BelowFloor:        len(rep.Minimax.BelowFloor),
	}
	for d, l := range rep.Live {
		row.Live[d] = FrontierLive{Interception: l.Interception, Ratio: l.Ratio, WeightedSuccess: l.WeightedSuccess}
	}
	visits, above := visitsAboveFloors(p, row.FloorInEffect)
	days := float64(max(1, len(p.ServiceDays)))
	row.VisitsPerDay, row.VisitsForValue = visits/days, above/days
	if visits > 0 {
		row.ValueShare = above / visits
	}
	return row
}

// visitsAboveFloors returns the patrol visits of p over its run and those above the
// missions' floors: per mission without a staffed post, the visits past the larger of its
// profile minimum over the run and k visits per max gap over the run's minutes (the floor
// of DESIGN.md §4.4). For a given plan it does not increase with k.
func visitsAboveFloors(p *scheduler.Plan, k float64) (visits, above float64) {
	if len(p.ServiceDays) == 0 {
		return 0, 0
	}
	n := map[string]int{}
	for _, d := range p.ServiceDays {
		for _, r := range d.Routes {
			for _, v := range r.Visits {
				n[v.Mission]++
			}
		}
	}
	period := p.ServiceDays[len(p.ServiceDays)-1].End.Sub(p.ServiceDays[0].Start).Minutes()
	days := len(p.ServiceDays)
	for _, m := range p.Missions {
		visits += float64(n[m.ID])
		if m.FixedPosts > 0 {
			continue
		}
		floor := float64(m.VisitsPerDay * days)
		if k > 0 && m.MaxGapMinutes > 0 {
			floor = max(floor, k/float64(m.MaxGapMinutes)*period)
		}
		above += max(0, float64(n[m.ID])-floor)
	}
	return visits, above
}

// frontierFloorsOf returns the floors asked for, in the rows' order.
func frontierFloorsOf(rows []FrontierRow) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r.VisitsPerMaxGap
	}
	return slices.Clip(out)
}

// setFloor sets the region's randomization policy to k visits per max gap.
func setFloor(f *scheduler.RegionForce, k float64) {
	f.Randomization.VisitsPerMaxGap = k
}

// ParseFloors parses a frontier's floors, numbers separated by commas or spaces, e.g.
// "0,1,2,3"; "" gives DefaultFrontier. The order does not matter; ParseScenario checks
// the values.
func ParseFloors(s string) ([]float64, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(fields) == 0 {
		return slices.Clone(DefaultFrontier), nil
	}
	out := make([]float64, 0, len(fields))
	for _, f := range fields {
		k, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number of visits per max gap", f)
		}
		out = append(out, k)
	}
	return out, nil
}
