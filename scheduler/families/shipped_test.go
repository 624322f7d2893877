package families_test

import (
	"testing"

	"vigil/fixtures"
	"vigil/scheduler"
)

// TestShippedRegions holds issue 14's targets on every shipped region (issue 19, item 7):
// each plans on the three keys with compliance 1; where the adversaries apply
// (families.Applies: at least 3 missions without a post and 10 test-day departures each;
// atl, dal, nol and wla have 1 or 2 missions and are judged on compliance only) the
// three-key means meet the targets, or, for the regions in shippedShortfall, the bars
// there.
func TestShippedRegions(t *testing.T) {
	ds, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	from := scheduler.Date{Year: 2026, Month: 11, Day: 2}
	for _, region := range ds.Regions() {
		if region == "wfo" {
			continue // TestWFOTargets, 56 days
		}
		t.Run(region, func(t *testing.T) {
			t.Parallel()
			in, err := ds.Inputs(region)
			if err != nil {
				t.Fatal(err)
			}
			bar, short := shippedShortfall[region]
			if !short {
				bar = targets
			}
			checkMeans(t, in, from, bar, short, false)
		})
	}
}

// shippedShortfall holds the shipped regions below the targets, each held to bars about
// 0.05 under its three-key mean (42 days) so it cannot get worse unnoticed (BENCHMARKS.md,
// "Shipped regions"): bos (3 missions) and lax (4) with one vehicle, whose missions lie a
// few minutes apart, still return within 15 minutes less often than memoryless visits
// would (the unit's walk, unitfirst.go, gives each mission only its share of the hops);
// hou (10 missions, 3 vehicles) has a level-4 mission whose worst value × success is above
// the optimum's; sfo (11 missions, 2 vehicles) is at the margin at D = 15 (0.82 on these
// keys, 0.98 over twelve others); hon (5 missions, 1 vehicle) is at 0.85 at D = 15 on
// these keys (1.03 over eight other keys); nyc's historical ratio is 0.89 on these keys
// (0.95 over twelve others). chi (7 missions, 1 vehicle) meets the targets since the walk.
// Live D = 15 at missions visited a few times a day rests on a few dozen attacks each:
// hou's is 0.71 on these keys, 0.80 over twelve others (0.90 before firstDue).
var shippedShortfall = map[string]bars{
	"bos": {historical: targets.historical, live: 0.70, minimax: targets.minimax},
	"lax": {historical: targets.historical, live: 0.78, minimax: 1.25},
	"hou": {historical: 0.75, live: 0.65, minimax: 2.10},
	"hon": {historical: targets.historical, live: 0.80, minimax: targets.minimax},
	"sfo": {historical: targets.historical, live: 0.77, minimax: targets.minimax},
	"nyc": {historical: 0.85, live: targets.live, minimax: targets.minimax},
}
