// Command families plans every generated input family (scheduler/families) on its three
// keys and prints the table of BENCHMARKS.md: compliance, historical ratio, live ratios at
// D = 15/30/60, minimax ratio and value-weighted attack success at D = 30, with the targets
// each row misses.
//
//	go run ./tools/families [-days 56]
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"vigil/scheduler/families"
)

func main() {
	days := flag.Int("days", 56, "service days per run (the first 28 train the adversaries)")
	floors := flag.String("floors", "", "randomization floors to plan every family with, e.g. 2,3,4 (default: the force's policy)")
	only := flag.String("family", "", "plan only this family")
	flag.Parse()
	if err := run(*days, *floors, *only); err != nil {
		fmt.Fprintln(os.Stderr, "families:", err)
		os.Exit(1)
	}
}

func run(days int, floors, only string) error {
	ks := []*float64{nil}
	if floors != "" {
		ks = nil
		for _, x := range strings.Split(floors, ",") {
			k, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil || k < 0 {
				return fmt.Errorf("-floors: %q is not a floor", x)
			}
			ks = append(ks, &k)
		}
	}
	fmt.Printf("%d service days a run: %d training, %d test (DESIGN.md §4).\n\n", days, families.Train, days-families.Train)
	fmt.Println("| family | key | compliance | historical | live 15 / 30 / 60 | minimax | weighted 30 | misses |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---|")
	for _, f := range families.All() {
		if only != "" && f.Name != only {
			continue
		}
		for _, k := range ks {
			f.Floor = k
			label := f.Name
			if k != nil {
				label = fmt.Sprintf("%s, k = %g", f.Name, *k)
			}
			runKeys(f, days, label)
		}
	}
	return nil
}

// runKeys prints the family's row for each key, under label.
func runKeys(f families.Family, days int, label string) {
	for _, key := range families.Keys {
		r, err := families.Run(f, key, days)
		if err != nil {
			// A force the check accepts that the planner refuses (issue 14, item 4): a
			// row of its own, not the end of the table.
			fmt.Printf("| %s | %s | plan refused | | | | | %v |\n", label, key[len(key)-1:], err)
			continue
		}
		fmt.Println(row(r, label))
	}
}

func row(r families.Result, label string) string {
	rep := r.Report
	misses := "—"
	if ms := r.Misses(); len(ms) > 0 {
		misses = fmt.Sprint(ms)
	}
	if !r.Applies.Adversaries {
		misses = "adversaries n/a: " + r.Applies.Why + "; " + misses
	}
	return fmt.Sprintf("| %s | %s | %.3f | %.2f | %.2f / %.2f / %.2f | %.2f | %.3f | %s |",
		label, r.Key[len(r.Key)-1:], rep.Compliance, rep.Historical.Ratio,
		rep.Live["15"].Ratio, rep.Live["30"].Ratio, rep.Live["60"].Ratio, rep.Minimax.Ratio,
		rep.Live["30"].WeightedSuccess, misses)
}
