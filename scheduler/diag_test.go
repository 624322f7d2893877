package scheduler_test

import (
	"math/rand/v2"
	"sort"
	"testing"

	"vigil/scheduler"
)

func TestDiagWFO(t *testing.T) {
	in := wfoInputs(t)
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("vigil-test-key-1"), From: wfoFrom, Days: 56})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("delays %v", scheduler.DebugDelay())
	sp, _ := scheduler.ShuffledBaseline(p, rand.New(rand.NewPCG(3, 4)))
	for _, pp := range []*scheduler.Plan{p, sp} {
		diagLive(t, pp)
	}
}

func diagLive(t *testing.T, p *scheduler.Plan) {
	in := wfoInputs(t)
	staffed := scheduler.Staffed(p)
	for _, D := range []int{30, 60} {
		lm, _ := scheduler.MissionLive(p, scheduler.MeasureOptions{Rand: rand.New(rand.NewPCG(1, 2))}, D)
		type agg struct{ n, ic, ref, gap, vis float64 }
		by := map[int]*agg{}
		pres := scheduler.Presences(p)
		type w struct {
			id   string
			bad  float64
			l    scheduler.LiveMission
			th   int
			vis  int
			zone string
		}
		var ws []w
		for _, m := range p.Missions {
			if staffed[m.ID] {
				continue
			}
			l := lm[m.ID]
			a := by[m.Threat]
			if a == nil {
				a = &agg{}
				by[m.Threat] = a
			}
			a.n++
			a.ic += l.Interception
			a.ref += l.Reference
			a.gap += l.MeanGap
			a.vis += float64(len(pres[m.ID])) / 56
			ws = append(ws, w{m.ID, m.Value * (1 - l.Interception), l, m.Threat, len(pres[m.ID]) / 56, m.Zone})
		}
		for th := 1; th <= 5; th++ {
			if a := by[th]; a != nil {
				t.Logf("D=%d threat %d: n %.0f int %.3f ref %.3f ratio %.3f gap %.0f visits/day %.1f", D, th, a.n, a.ic/a.n, a.ref/a.n, a.ic/a.ref, a.gap/a.n, a.vis/a.n)
			}
		}
		sort.Slice(ws, func(i, j int) bool { return ws[i].bad > ws[j].bad })
		for _, x := range ws[:5] {
			t.Logf("  worst %s th%d bad %.2f int %.3f ref %.3f gap %.0f wait %d visits/day %d zone %s", x.id, x.th, x.bad, x.l.Interception, x.l.Reference, x.l.MeanGap, x.l.Wait, x.vis, x.zone)
		}
	}
	// Presence coverage per 5-minute window of the day.
	var cover [288]int
	for _, ivs := range scheduler.Presences(p) {
		for _, iv := range ivs {
			s := iv.Start.In(in.Office.Location)
			m := s.Hour()*60 + s.Minute()
			for k := m / 5; k*5 < m+int(iv.Minutes()); k++ {
				cover[k%288]++
			}
		}
	}
	type cw struct{ k, c int }
	var cs []cw
	for k, c := range cover {
		cs = append(cs, cw{k, c})
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].c < cs[j].c })
	for _, c := range cs[:8] {
		t.Logf("window %02d:%02d cover %d", c.k*5/60, c.k*5%60, c.c)
	}
	t.Logf("median cover %d", cs[144].c)
}

func TestDiagGaps(t *testing.T) {
	in := wfoInputs(t)
	p, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("vigil-test-key-1"), From: wfoFrom, Days: 56})
	if err != nil {
		t.Fatal(err)
	}
	staffed := scheduler.Staffed(p)
	pres := scheduler.Presences(p)
	lm, _ := scheduler.MissionLive(p, scheduler.MeasureOptions{}, 30)
	for th := 2; th <= 4; th++ {
		var hist [30]int
		n := 0
		waits := map[int]int{}
		for _, m := range p.Missions {
			if m.Threat != th || staffed[m.ID] {
				continue
			}
			waits[lm[m.ID].Wait]++
			ps := pres[m.ID]
			for i := 1; i < len(ps); i++ {
				g := int(ps[i].Start.Sub(ps[i-1].End).Minutes())
				hist[min(g/10, 29)]++
				n++
			}
		}
		t.Logf("threat %d gaps %d hist/10min %v waits %v", th, n, hist, waits)
	}
}

func TestDiagKeys(t *testing.T) {
	for _, k := range []string{"vigil-test-key-1", "vigil-test-key-2", "vigil-test-key-3"} {
		v, s := measureWFO(t, []byte(k))
		t.Logf("%s vigil:    %s", k, reportLine(v))
		t.Logf("%s shuffled: %s", k, reportLine(s))
	}
}
