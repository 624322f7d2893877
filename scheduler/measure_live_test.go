package scheduler

import (
	"slices"
	"testing"
	"time"
)

// lwGaps returns n copies of each gap, sorted as liveWait wants them.
func lwGaps(spec ...[2]float64) []float64 {
	var out []float64
	for _, s := range spec { // s = {gap, count}
		for range int(s[1]) {
			out = append(out, s[0])
		}
	}
	slices.Sort(out)
	return out
}

// TestLiveWaitTenAttempts checks §4.3's 10-attempt rule on hand-made training gaps. With
// D = 30 and gaps of 10 minutes (short returns) mixed with gaps of 200, waiting 10 minutes
// skips every short return and then always succeeds; waiting 0 or 5 succeeds only after
// the long gaps.
func TestLiveWaitTenAttempts(t *testing.T) {
	tests := []struct {
		name  string
		gaps  []float64
		d     int
		want  int
		maxGp int
	}{
		{"lucky wait seen 3 times is not chosen", lwGaps([2]float64{10, 30}, [2]float64{200, 3}), 30, 0, 240},
		{"lucky wait seen 9 times is not chosen", lwGaps([2]float64{10, 30}, [2]float64{200, 9}), 30, 0, 240},
		{"wait with 10 attempts is chosen", lwGaps([2]float64{10, 30}, [2]float64{200, 10}), 30, 10, 240},
		{"wait with 25 attempts is chosen", lwGaps([2]float64{10, 30}, [2]float64{200, 25}), 30, 10, 240},
		// Fewer than 10 departures in all: no candidate, the attacker waits 0.
		{"no wait has 10 attempts", lwGaps([2]float64{10, 2}, [2]float64{200, 5}), 30, 0, 240},
		{"no gaps", nil, 30, 0, 240},
		// Among candidates the best share wins: gaps 10 (×30), 40 (×4), 100 (×12). s = 0
		// and 5: 46 attempts, 16 successes; s = 10 to 35: 16 attempts, 12 successes (the
		// 40-minute gaps catch the attack); s = 40: 12 attempts, 12 successes.
		{"best share among candidates", lwGaps([2]float64{10, 30}, [2]float64{40, 4}, [2]float64{100, 12}), 30, 40, 240},
		// A tie keeps the smallest wait: gaps all 200, every s up to 170 succeeds always.
		{"tie keeps the smallest", lwGaps([2]float64{200, 20}), 30, 0, 240},
	}
	for _, tt := range tests {
		if got := liveWait(tt.gaps, tt.d, tt.maxGp); got != tt.want {
			t.Errorf("%s: liveWait = %d; want %d", tt.name, got, tt.want)
		}
	}
}

// TestLiveLuckyWaitOnPlan checks the rule end to end: a mission whose training days hold
// many short returns and a few long gaps. The lucky wait (skip the short returns) has
// fewer than 10 training attempts, so the attacker attacks at once and is caught by
// the short returns on the test days; with 10 long gaps in training it learns the wait.
func TestLiveLuckyWaitOnPlan(t *testing.T) {
	loc := mtLoc(t, "UTC")
	start := time.Date(2026, 1, 5, 7, 0, 0, 0, loc)
	const days = 6 // 4 training, 2 test
	build := func(longTrain int) *Plan {
		var visits []mtVisit
		at := 0
		add := func(gap int) {
			visits = append(visits, mtVisit{mission: "a", arrive: start.Add(time.Duration(at) * time.Minute), dwell: 5})
			at += 5 + gap
		}
		// Training days (4 × 1440 minutes): longTrain long gaps of 200, then short gaps of 10.
		for range longTrain {
			add(200)
		}
		for at < 4*1440-20 {
			add(10)
		}
		// Test days: alternate one short and one long gap.
		for at < days*1440-220 {
			add(10)
			add(200)
		}
		return mtPlan(t, "UTC", "2026-01-05", days, []PlanMission{mtMission("a", 1, 2, 240)}, visits)
	}
	for _, tt := range []struct {
		long     int
		wantWait int
	}{{3, 0}, {10, 10}} {
		lm, err := MissionLive(build(tt.long), MeasureOptions{Train: 4}, 30)
		if err != nil {
			t.Fatal(err)
		}
		got := lm["a"]
		if got.Wait != tt.wantWait {
			t.Errorf("%d long training gaps: wait = %d; want %d", tt.long, got.Wait, tt.wantWait)
		}
		// Wait 0 on the test days: half the attempts meet a return 10 minutes later.
		// Wait 10: only the long gaps are attempted, and none is intercepted.
		want := 0.5
		if tt.wantWait == 10 {
			want = 0
		}
		if d := got.Interception - want; d > 0.02 || d < -0.02 {
			t.Errorf("%d long training gaps: interception = %.3f; want %.2f", tt.long, got.Interception, want)
		}
	}
}
