package families

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// TestDiagHist: where the historical attacker goes (clock of the chosen window per mission).
func TestDiagHist(t *testing.T) {
	name := os.Getenv("FAM")
	if name == "" {
		t.Skip("FAM unset")
	}
	var in scheduler.Inputs
	from := scheduler.Date{Year: 2026, Month: 11, Day: 2}
	if name == "wfo" {
		ds, _ := fixtures.Default()
		in, _ = ds.Inputs("wfo")
	} else {
		for _, f := range All() {
			if f.Name == name {
				in, _ = f.Inputs()
				from = f.From
			}
		}
	}
	days := 42
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("vigil-test-key-1"), From: from, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	loc := in.Office.Location
	staffed := scheduler.Staffed(p)
	pres := scheduler.Presences(p)
	var hist [288]int
	var hitHist [288]int
	ids := []string{}
	for id := range pres {
		if !staffed[id] {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		var cnt [288]int
		var test, hit [288]int
		for d := 0; d < days; d++ {
			day := p.ServiceDays[d].Start.In(loc)
			midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			for c := 0; c < 288; c++ {
				s := midnight.Add(time.Duration(c*5) * time.Minute)
				e := s.Add(30 * time.Minute)
				k := 0
				for _, iv := range pres[id] {
					if iv.Start.Before(e) && iv.End.After(s) {
						k++
					}
				}
				if d < 28 {
					cnt[c] += k
				} else {
					test[c]++
					if k > 0 {
						hit[c]++
					}
				}
			}
		}
		best := 0
		for c := range cnt {
			if cnt[c] < cnt[best] {
				best = c
			}
		}
		hist[best]++
		hitHist[best] += hit[best]
		th, tn := 0, 0
		for c := range hit {
			th += hit[c]
			tn += test[c]
		}
		if os.Getenv("PERM") != "" {
			fmt.Printf("M %s chosen %02d:%02d train %d testhit %.2f random %.2f\n", id, best/12, best%12*5, cnt[best], float64(hit[best])/float64(test[best]), float64(th)/float64(tn))
		}
	}
	for c := 0; c < 288; c++ {
		if hist[c] > 0 {
			fmt.Printf("%02d:%02d missions %d hit %.2f\n", c/12, c%12*5, hist[c], float64(hitHist[c])/float64(hist[c]*(days-28)))
		}
	}
}
