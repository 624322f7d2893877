package families

import (
	"fmt"
	"os"
	"testing"
	"time"

	"vigil/fixtures"
	"vigil/scheduler"
)

// TestDiagOcc: per 5-min clock, the share of (unstaffed) mission-days whose presences overlap the 30-min window starting there, relative to the mean.
func TestDiagOcc(t *testing.T) {
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
	days := 28
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("vigil-test-key-1"), From: from, Days: days})
	if err != nil {
		t.Fatal(err)
	}
	loc := in.Office.Location
	staffed := scheduler.Staffed(p)
	var occ [288]float64
	n := 0
	for id, ps := range scheduler.Presences(p) {
		if staffed[id] {
			continue
		}
		n++
		for d := 0; d < days; d++ {
			day := p.ServiceDays[d].Start.In(loc)
			midnight := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
			for c := 0; c < 288; c++ {
				s := midnight.Add(time.Duration(c*5) * time.Minute)
				e := s.Add(30 * time.Minute)
				for _, iv := range ps {
					if iv.Start.Before(e) && iv.End.After(s) {
						occ[c]++
						break
					}
				}
			}
		}
	}
	mean := 0.0
	for c := range occ {
		occ[c] /= float64(n * days)
		mean += occ[c] / 288
	}
	fmt.Printf("mean %.3f\n", mean)
	for c := range occ {
		if occ[c] < 0.93*mean || occ[c] > 1.1*mean {
			fmt.Printf("%02d:%02d %.3f (%.2f)\n", c/12, c%12*5, occ[c], occ[c]/mean)
		}
	}
}

func TestDiagMission(t *testing.T) {
	id := os.Getenv("MID")
	if id == "" {
		t.Skip()
	}
	ds, _ := fixtures.Default()
	in, _ := ds.Inputs("wfo")
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("vigil-test-key-1"), From: scheduler.Date{Year: 2026, Month: 11, Day: 2}, Days: 42})
	if err != nil {
		t.Fatal(err)
	}
	loc := in.Office.Location
	var hours [24]int
	for _, iv := range scheduler.Presences(p)[id] {
		hours[iv.Start.In(loc).Hour()]++
	}
	fmt.Println(id, hours)
	for d := 0; d < 6; d++ {
		fmt.Printf("day %d:", d)
		for _, r := range p.ServiceDays[d].Routes {
			for _, v := range r.Visits {
				if v.Mission == id {
					fmt.Printf(" %s(%s)", v.Arrive.In(loc).Format("15:04"), r.Unit)
				}
			}
		}
		fmt.Println()
	}
}
