package simulate

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteFrontierText writes a frontier run as a table, one row per floor: the floor asked
// for and in effect, compliance, the minimax worst and its ratio to the optimum, the price
// of randomness, the live ratios and value-weighted attack success at each live attack
// length, and the visits a day left for value; then what the columns mean.
func WriteFrontierText(w io.Writer, r *Result) error {
	s := r.Scenario
	var b strings.Builder
	writeHeading(&b, "Frontier", s)
	b.WriteString("\n\n")
	ds := make([]string, len(s.LiveMinutes))
	for i, d := range s.LiveMinutes {
		ds[i] = liveKey(d)
	}
	dl := strings.Join(ds, "/")
	rows := [][]string{{"floor", "in effect", "compliance", fmt.Sprintf("worst D=%d", s.AttackMinutes), "ratio", "price",
		"live ratio " + dl, "weighted success " + dl, "visits/day", "for value/day", "below floor"}}
	for _, f := range r.Frontier {
		var ratios, success []string
		for _, k := range ds {
			ratios = append(ratios, num(f.Live[k].Ratio))
			success = append(success, fmt.Sprintf("%.1f", 100*f.Live[k].WeightedSuccess))
		}
		rows = append(rows, []string{num1(f.VisitsPerMaxGap), num1(f.FloorInEffect), pct(f.Compliance), num(f.Worst),
			num(f.Ratio), num(f.PriceOfRandomness), strings.Join(ratios, " / "), strings.Join(success, " / ") + " %",
			fmt.Sprintf("%.0f", f.VisitsPerDay), fmt.Sprintf("%.0f (%.0f%%)", f.VisitsForValue, 100*f.ValueShare), fmt.Sprint(f.BelowFloor)})
	}
	writeColumns(&b, rows)
	fmt.Fprintf(&b, `
floor: the randomization policy asked for, in visits per max gap; in effect: what the plan
declares (lower where the force cannot afford it). worst: the highest value × attack success
over the missions at D=%d (minimax, DESIGN.md §4.4); ratio: to the optimum under the floor;
price: that optimum ÷ the optimum without a floor. live ratio: interception ÷ memoryless
reference; weighted success: Σ value × attack success ÷ Σ value. for value: visits a day
above the missions' floors (profile minimum or policy, whichever is higher). below floor:
missions whose visits fall under 97 %% of the floor in effect (a plan must have none).

`, s.AttackMinutes)
	b.WriteString(FrontierSummary(r))
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// FrontierSummary returns one sentence on what raising the floor does, from the first
// floor of the frontier to the last: to the worst mission, to the value-weighted attack
// success at the scenario's attack length and to the visits left for value, and where the
// planner lowered the floor.
func FrontierSummary(r *Result) string {
	if len(r.Frontier) == 0 {
		return ""
	}
	a, z := r.Frontier[0], r.Frontier[len(r.Frontier)-1]
	k := liveKey(r.Scenario.AttackMinutes)
	var b strings.Builder
	fmt.Fprintf(&b, "From %g to %g visits per max gap, the worst mission's value × attack success goes from %s to %s, "+
		"the value-weighted attack success at D=%d from %s to %s and the visits left for value from %.0f to %.0f a day",
		a.VisitsPerMaxGap, z.VisitsPerMaxGap, num(a.Worst), num(z.Worst), r.Scenario.AttackMinutes,
		pct(a.Live[k].WeightedSuccess), pct(z.Live[k].WeightedSuccess), a.VisitsForValue, z.VisitsForValue)
	var lowered []string
	for _, f := range r.Frontier {
		if f.FloorInEffect < f.VisitsPerMaxGap-1e-9 {
			lowered = append(lowered, fmt.Sprintf("%g to %s", f.VisitsPerMaxGap, num(f.FloorInEffect)))
		}
	}
	if len(lowered) > 0 {
		fmt.Fprintf(&b, "; the planner lowered %s, what the force affords", strings.Join(lowered, ", "))
	}
	b.WriteString(".")
	return b.String()
}

// writeColumns writes rows as right-aligned columns two spaces apart.
func writeColumns(b *strings.Builder, rows [][]string) {
	var widths []int
	for _, rw := range rows {
		for i, c := range rw {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, rw := range rows {
		for i, c := range rw {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad + c)
		}
		b.WriteString("\n")
	}
}
