package families

import (
	"fmt"
	"math/rand/v2"

	"vigil/scheduler"
)

// Targets of issue 14 for every family (DESIGN.md §4, on three keys each).
const (
	TargetCompliance = 1.0
	TargetRatio      = 0.90 // historical and live ratios, at each D
	TargetMinimax    = 1.20
)

// Train is the training days of §4 (L = 28). TestDays is the test days the package's test
// runs after them (make test); the tool runs 56 days in all, as issue 14's figures.
const (
	Train    = 28
	TestDays = 14
)

// minMeasured is the fewest missions without a staffed post for which the adversary
// measures (§4.2–§4.4) mean anything: they are means over missions (the minimax a worst
// over them against a water level), and with one or two missions a ratio is a handful of
// coin tosses.
const minMeasured = 3

// Applicability is which measures a run is judged on. Compliance always; the adversaries
// (historical, live, minimax) only where at least minMeasured missions have no post and
// each of them has, on the test days, at least as many departures as §4.3 asks of a
// wait before trusting it (10): fewer and no attacker could learn, nor a ratio settle.
type Applicability struct {
	Adversaries bool
	Why         string // why not, when not
}

// Applies states the rule for a plan whose training days are the first train.
func Applies(p *scheduler.Plan, train int) Applicability {
	if train >= len(p.ServiceDays) {
		return Applicability{Why: "no test days"}
	}
	staffed := scheduler.Staffed(p)
	testStart := p.ServiceDays[train].Start
	n, fewest := 0, -1
	for id, ps := range scheduler.Presences(p) {
		if staffed[id] {
			continue
		}
		n++
		d := 0
		for _, iv := range ps {
			if !iv.End.Before(testStart) {
				d++
			}
		}
		if fewest < 0 || d < fewest {
			fewest = d
		}
	}
	switch {
	case n < minMeasured:
		return Applicability{Why: fmt.Sprintf("%d missions without a post; the adversaries need %d", n, minMeasured)}
	case fewest < liveMinAttempts:
		return Applicability{Why: fmt.Sprintf("a mission has %d test-day departures; the adversaries need %d", fewest, liveMinAttempts)}
	}
	return Applicability{Adversaries: true}
}

// liveMinAttempts is §4.3's fewest attempts behind a wait.
const liveMinAttempts = 10

// Result is one family on one key.
type Result struct {
	Family  Family
	Key     string
	Days    int
	Report  scheduler.Report
	Applies Applicability
}

// Run plans days service days of the family under key and measures them (§4).
func Run(f Family, key string, days int) (Result, error) {
	in, err := f.Inputs()
	if err != nil {
		return Result{}, err
	}
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(key), From: f.From, Days: days})
	if err != nil {
		return Result{}, fmt.Errorf("families: %s, key %s: %w", f.Name, key, err)
	}
	rep, err := scheduler.Measure(p, scheduler.MeasureOptions{Train: Train, Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		return Result{}, fmt.Errorf("families: %s, key %s: %w", f.Name, key, err)
	}
	return Result{Family: f, Key: key, Days: days, Report: rep, Applies: Applies(p, Train)}, nil
}

// Keys are the three public test keys the families are judged on.
var Keys = []string{"vigil-family-key-1", "vigil-family-key-2", "vigil-family-key-3"}

// Misses lists the targets the result falls short of, among the measures that apply.
func (r Result) Misses() []string {
	var out []string
	rep := r.Report
	if rep.Compliance < TargetCompliance {
		out = append(out, fmt.Sprintf("compliance %.4f < %v", rep.Compliance, TargetCompliance))
	}
	if !r.Applies.Adversaries {
		return out
	}
	if rep.Historical.Ratio < TargetRatio {
		out = append(out, fmt.Sprintf("historical ratio %.3f < %.2f", rep.Historical.Ratio, TargetRatio))
	}
	for _, d := range scheduler.DefaultLiveD() {
		k := fmt.Sprint(d)
		if l := rep.Live[k]; l.Ratio < TargetRatio {
			out = append(out, fmt.Sprintf("live D=%s ratio %.3f < %.2f", k, l.Ratio, TargetRatio))
		}
	}
	if rep.Minimax.Ratio > TargetMinimax {
		out = append(out, fmt.Sprintf("minimax ratio %.3f > %.2f", rep.Minimax.Ratio, TargetMinimax))
	}
	return out
}
