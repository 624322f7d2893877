package simulate

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"vigil/scheduler"
)

// WriteText writes the simulation as a side-by-side table, Vigil against the fixed,
// shuffled and rounds baselines, then Vigil's value-weighted attack success against
// rounds' at each live attack length, then one line saying what the figures mean for the
// planner.
func WriteText(w io.Writer, r *Result) error {
	s := r.Scenario
	var b strings.Builder
	writeHeading(&b, "Simulation", s)
	fmt.Fprintf(&b, "; %.0f visits a day", s.VisitsPerDay)
	if len(s.Threat) > 0 {
		var ts []string
		for _, id := range sortedKeys(s.Threat) {
			ts = append(ts, fmt.Sprintf("%s=%d", id, s.Threat[id]))
		}
		fmt.Fprintf(&b, "; threat set: %s", strings.Join(ts, ", "))
	}
	b.WriteString("\n\n")

	reps := r.reports()
	var rows [][5]string
	row := func(label string, f func(scheduler.Report) string) {
		rows = append(rows, [5]string{label, f(reps[0]), f(reps[1]), f(reps[2]), f(reps[3])})
	}
	rows = append(rows, [5]string{"", "vigil", "fixed", "shuffled", "rounds"})
	row("compliance", func(x scheduler.Report) string { return pct(x.Compliance) })
	d := s.AttackMinutes
	row(fmt.Sprintf("historical D=%d: interception", d), func(x scheduler.Report) string { return pct(x.Historical.Interception) })
	row("  all-window rate", func(x scheduler.Report) string { return pct(x.Historical.RandomWindow) })
	row("  ratio", func(x scheduler.Report) string { return num(x.Historical.Ratio) })
	for _, ld := range s.LiveMinutes {
		k := liveKey(ld)
		row(fmt.Sprintf("live D=%d: interception", ld), func(x scheduler.Report) string { return pct(x.Live[k].Interception) })
		row("  memoryless reference", func(x scheduler.Report) string { return pct(x.Live[k].MemorylessReference) })
		row("  ratio", func(x scheduler.Report) string { return num(x.Live[k].Ratio) })
		row("  weighted success", func(x scheduler.Report) string { return pct(x.Live[k].WeightedSuccess) })
	}
	row(fmt.Sprintf("minimax D=%d: worst", d), func(x scheduler.Report) string { return num(x.Minimax.Worst) })
	row("  optimum", func(x scheduler.Report) string { return num(x.Minimax.Optimum) })
	row("  ratio", func(x scheduler.Report) string { return num(x.Minimax.Ratio) })
	row("  floor, visits per max gap", func(x scheduler.Report) string { return num1(x.Minimax.VisitsPerMaxGap) })
	row("  optimum without floor", func(x scheduler.Report) string { return num(x.Minimax.OptimumWithoutFloor) })
	row("  price of randomness", func(x scheduler.Report) string { return num(x.Minimax.PriceOfRandomness) })
	row("efficiency: on site / on shift", func(x scheduler.Report) string { return pct(x.Efficiency.OnSiteShare) })
	row("  km per visit", func(x scheduler.Report) string { return num(x.Efficiency.KmPerVisit) })
	if s.IncidentsPerDay > 0 {
		row("response: p50 minutes", func(x scheduler.Report) string { return num1(x.Response.P50) })
		row("  p90 minutes", func(x scheduler.Report) string { return num1(x.Response.P90) })
	}
	row("posts: uncovered min/post-day", func(x scheduler.Report) string { return num1(x.Posts.UncoveredMinutesPerPostDay) })
	row("  longest block run", func(x scheduler.Report) string { return fmt.Sprint(x.Posts.LongestBlockRun) })
	row("  post hours SD", func(x scheduler.Report) string { return num1(x.Posts.PostHoursSD) })
	row("  night hours SD", func(x scheduler.Report) string { return num1(x.Posts.NightHoursSD) })
	width := 0
	for _, rw := range rows {
		width = max(width, utf8.RuneCountInString(rw[0]))
	}
	for _, rw := range rows {
		fmt.Fprintf(&b, "%-*s %10s %10s %10s %10s\n", width, rw[0], rw[1], rw[2], rw[3], rw[4])
	}
	b.WriteString("\n")
	writeAgainstRounds(&b, r)
	b.WriteString(Summary(r))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAgainstRounds writes Vigil's value-weighted attack success against rounds' at each
// live attack length: rounds is what guard-tour products do with the same units and
// visits, the comparison a user cares about. It writes nothing without a rounds report.
func writeAgainstRounds(b *strings.Builder, r *Result) {
	v, o := r.Planners.Vigil, r.Planners.Rounds
	if o.Live == nil {
		return
	}
	b.WriteString("Value-weighted attack success, Vigil against rounds (same units and visits):\n")
	for _, d := range r.Scenario.LiveMinutes {
		k := liveKey(d)
		fmt.Fprintf(b, "  live D=%d: %s against %s: %s\n", d, pct(v.Live[k].WeightedSuccess), pct(o.Live[k].WeightedSuccess),
			successVersus(v.Live[k].WeightedSuccess, o.Live[k].WeightedSuccess, "rounds"))
	}
	b.WriteString("\n")
}

// successVersus compares Vigil's attack success a with a baseline's b, where lower is
// better: in points, and in per cent of b unless b rounds to 0.0 %, e.g. "17.3 points
// lower (25 % below rounds)".
func successVersus(a, b float64, name string) string {
	d := 100 * (b - a)
	switch {
	case math.Abs(d) < 0.05:
		return "the same as " + name
	case roundsToZero(b):
		return fmt.Sprintf("%.1f points higher", -d)
	case d > 0:
		return fmt.Sprintf("%.1f points lower (%.0f %% below %s)", d, d/b, name)
	}
	return fmt.Sprintf("%.1f points higher (%.0f %% above %s)", -d, -d/b, name)
}

// roundsToZero says whether a share prints as 0.0%: a ratio to it says nothing.
func roundsToZero(x float64) bool { return math.Abs(x) < 0.0005 }

// Summary returns one sentence saying what the figures mean for the planner: the share of
// live attacks (of the scenario's attack length) and of attacks timed from history that
// Vigil intercepts against the fixed and shuffled baselines, its value-weighted attack
// success against rounds', and at what compliance.
func Summary(r *Result) string {
	d := r.Scenario.AttackMinutes
	k := liveKey(d)
	v, f, s, o := r.Planners.Vigil, r.Planners.Fixed, r.Planners.Shuffled, r.Planners.Rounds
	var b strings.Builder
	fmt.Fprintf(&b, "Vigil intercepts %s of live %d-minute attacks, %s and %s; %s of attacks timed from history, %s and %s",
		pct(v.Live[k].Interception), d,
		versus(v.Live[k].Interception, f.Live[k].Interception, fixedNames),
		versus(v.Live[k].Interception, s.Live[k].Interception, shuffledNames),
		pct(v.Historical.Interception),
		versus(v.Historical.Interception, f.Historical.Interception, fixedNames),
		versus(v.Historical.Interception, s.Historical.Interception, shuffledNames))
	if rl, ok := o.Live[k]; ok {
		fmt.Fprintf(&b, "; value-weighted attack success %s against rounds' %s, %s",
			pct(v.Live[k].WeightedSuccess), pct(rl.WeightedSuccess), successVersus(v.Live[k].WeightedSuccess, rl.WeightedSuccess, "rounds"))
	}
	const eps = 0.0005
	switch {
	case math.Abs(v.Compliance-f.Compliance) < eps && math.Abs(v.Compliance-s.Compliance) < eps:
		fmt.Fprintf(&b, "; at equal compliance (%s).", pct(v.Compliance))
	case v.Compliance >= f.Compliance-eps && v.Compliance >= s.Compliance-eps:
		fmt.Fprintf(&b, "; at equal or better compliance (%s against %s and %s).", pct(v.Compliance), pct(f.Compliance), pct(s.Compliance))
	default:
		fmt.Fprintf(&b, "; but at lower compliance (%s against %s and %s).", pct(v.Compliance), pct(f.Compliance), pct(s.Compliance))
	}
	return b.String()
}

// How the summary names a baseline: possessive, and as the subject of "intercept(s) none".
var (
	fixedNames    = [2]string{"the fixed roster's", "the fixed roster intercepts"}
	shuffledNames = [2]string{"shuffled tours'", "shuffled tours intercept"}
)

// versus compares Vigil's rate a with a baseline's rate b, e.g. "2.1× the fixed roster's
// 13.0%", "where the fixed roster intercepts none", or in points where a ratio would say
// nothing: within 5 % of each other (it would round to 1.0×), e.g. "1.3 points above
// shuffled tours' 31.4%", and where b prints as 0.0% (a run of a year can intercept a
// handful of attacks, and 9165.4× 0.0% tells the reader nothing).
func versus(a, b float64, names [2]string) string {
	if b <= 0 {
		return fmt.Sprintf("where %s none", names[1])
	}
	if r := a / b; !roundsToZero(b) && (r < 0.95 || r > 1.05) {
		return fmt.Sprintf("%.1f× %s %s", r, names[0], pct(b))
	}
	switch d := 100 * (a - b); {
	case d >= 0.05:
		return fmt.Sprintf("%.1f points above %s %s", d, names[0], pct(b))
	case d <= -0.05:
		return fmt.Sprintf("%.1f points below %s %s", -d, names[0], pct(b))
	}
	return fmt.Sprintf("the same as %s %s", names[0], pct(b))
}

// writeHeading writes what was simulated: the region, days and seed, then the missions,
// units and officers, without the line's end.
func writeHeading(b *strings.Builder, what string, s ScenarioInfo) {
	fmt.Fprintf(b, "%s of region %s: %d service days from %s (%d training, %d test), seed %s\n",
		what, s.Region, s.Days, s.From, s.Train, s.Days-s.Train, s.Seed)
	fmt.Fprintf(b, "%d missions, %d posts; units per shift: %s; %d officers",
		s.Missions, s.Posts, unitsText(s.Units), s.Officers)
	if s.OfficersGiven < s.Officers {
		fmt.Fprintf(b, " (raised from %d for the scenario's units and posts)", s.OfficersGiven)
	}
}

func unitsText(u map[string]int) string {
	var parts []string
	for _, m := range scheduler.Modes {
		parts = append(parts, fmt.Sprintf("%s %d", m, u[string(m)]))
	}
	return strings.Join(parts, ", ")
}

func pct(x float64) string  { return fmt.Sprintf("%.1f%%", 100*x) }
func num(x float64) string  { return fmt.Sprintf("%.2f", x) }
func num1(x float64) string { return fmt.Sprintf("%.1f", x) }
