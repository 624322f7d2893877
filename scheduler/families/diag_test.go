package families

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"

	"vigil/scheduler"
)

// TestDiag prints, per clock slot (15 min), the share of mission-days whose presences overlap it.
func TestDiag(t *testing.T) {
	name := os.Getenv("FAM")
	if name == "" {
		t.Skip("FAM unset")
	}
	for _, f := range All() {
		if f.Name != name {
			continue
		}
		in, _ := f.Inputs()
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(Keys[0]), From: f.From, Days: 14})
		if err != nil {
			t.Fatal(err)
		}
		loc := in.Office.Location
		var slot [288]int
		days := 14
		pres := scheduler.Presences(p)
		ids := make([]string, 0)
		for id := range pres {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			for _, iv := range pres[id] {
				for x := iv.Start; x.Before(iv.End); x = x.Add(time.Minute) {
					lt := x.In(loc)
					if lt.Minute()%5 == 0 {
						slot[(lt.Hour()*60+lt.Minute())/5]++
					}
				}
			}
		}
		fmt.Printf("%s: %d missions; day start %s\n", f.Name, len(ids), p.ServiceDays[0].Start.In(loc).Format("15:04"))
		st := p.ServiceDays[0].Start.In(loc)
		s0 := (st.Hour()*60 + st.Minute()) / 5
		for d := -18; d <= 12; d++ {
			s := (s0 + d + 288) % 288
			fmt.Printf("%02d:%02d %5.3f\n", s/12, s%12*5, float64(slot[s])/float64(days*len(ids)))
		}
	}
}

func TestDiagEnd(t *testing.T) {
	name := os.Getenv("FAM")
	if name == "" {
		t.Skip("FAM unset")
	}
	for _, f := range All() {
		if f.Name != name {
			continue
		}
		in, _ := f.Inputs()
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(Keys[0]), From: f.From.AddDays(3), Days: 1})
		if err != nil {
			t.Fatal(err)
		}
		loc := in.Office.Location
		sd := p.ServiceDays[0]
		for _, r := range sd.Routes {
			if !r.End.Equal(sd.End) {
				continue
			}
			n := len(r.Visits)
			fmt.Printf("%s:", r.Unit)
			for _, v := range r.Visits[max(0, n-5):] {
				fmt.Printf(" %s %s-%s", v.Mission, v.Arrive.In(loc).Format("15:04"), v.Depart.In(loc).Format("15:04"))
			}
			fmt.Println()
		}
	}
}

func TestDiagMinimax(t *testing.T) {
	name := os.Getenv("FAM")
	if name == "" {
		t.Skip("FAM unset")
	}
	for _, f := range All() {
		if f.Name != name {
			continue
		}
		in, _ := f.Inputs()
		p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte(Keys[0]), From: f.From, Days: 42})
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := scheduler.Measure(p, scheduler.MeasureOptions{Train: Train, Rand: nil})
		fmt.Printf("minimax %+v\n", rep.Minimax)
		lm, err := scheduler.MissionLive(p, scheduler.MeasureOptions{Train: Train}, 30)
		if err != nil {
			t.Fatal(err)
		}
		pres := scheduler.Presences(p)
		type row struct {
			id        string
			v, s      float64
			n         int
			g, w, att float64
			maxGap    int
		}
		var rows []row
		for _, m := range p.Missions {
			l := lm[m.ID]
			if l.Staffed {
				continue
			}
			rows = append(rows, row{m.ID, m.Value, m.Value * (1 - l.Interception), len(pres[m.ID]), l.MeanGap, float64(l.Wait), l.Interception, m.MaxGapMinutes})
		}
		sort.Slice(rows, func(a, b int) bool { return rows[a].s > rows[b].s })
		for _, r := range rows[:min(12, len(rows))] {
			fmt.Printf("%s v=%g maxgap=%d visits/day=%.1f meangap=%.0f wait=%.0f icpt=%.3f v*succ=%.2f\n", r.id, r.v, r.maxGap, float64(r.n)/42, r.g, r.w, r.att, r.s)
		}
	}
}
