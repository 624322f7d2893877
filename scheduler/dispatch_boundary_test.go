package scheduler

import (
	"math/rand/v2"
	"testing"
)

// TestDayBoundaryWithinHalfCap checks the boundary of a service day against the cap a
// mission's gaps are drawn under (DESIGN.md §3 boundary contract, held tighter): the first
// due time of a day lies within half the cap of its start and the last presence must end
// within half the cap of its end, so the gap across two independently planned days is no
// longer than the gaps inside them. Half the max gap, the contract's own bound, would let
// a level-3 mission with a mean gap of 30 minutes (cap 150) go 240 minutes across midnight.
func TestDayBoundaryWithinHalfCap(t *testing.T) {
	profiles := DefaultProfiles()
	tl := &timeline{
		in:       Inputs{Force: RegionForce{Profiles: profiles}},
		dayMin:   1440,
		shiftEnd: []int{1440},
		rngs:     []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{1}))},
		threat:   func(int, int) int { return 3 },
	}
	M := profiles[3].MaxGapMinutes
	for _, mean := range []float64{12, 30, 45, 80} {
		capMin := min(M-slackFor(M, 0), int(capFor(mean)))
		half := min(M/2, capMin/2)
		m := &simMission{meanGap: mean, minimum: 6, deadline: M / 2}
		if got, want := tl.endNeed(m), 1440-half; got != want {
			t.Errorf("mean %v: endNeed = %d; want %d (half the cap %d)", mean, got, want, capMin)
		}
		for i := 0; i < 2000; i++ {
			m := &simMission{meanGap: mean, minimum: 6, deadline: M / 2}
			tl.scheduleNext(m, 0)
			if m.done || m.due < 1 || m.due > half {
				t.Fatalf("mean %v: first due %d (done %v); want 1..%d, half the cap %d", mean, m.due, m.done, half, capMin)
			}
		}
	}
}

// TestFirstDueKeepsTheRate runs one mission's process through a day, visits made at their
// due times, for many streams, and counts the visits started in each hour. The first visit
// must fall within the boundary contract's window (firstDue's limit); from the hour after
// that window to the day's last hours the rate must be flat, every hour within 3 % of
// their mean (the visits a day are logged against the mean gap's). With the first wait
// drawn again until it fit the window, every later visit moved earlier with it and left a
// trough (0.95 of the later hours' rate two to five hours into the day at levels 1–3), the
// same clock hours every day.
func TestFirstDueKeepsTheRate(t *testing.T) {
	for _, lvl := range []int{1, 2, 3} {
		tl := repairTimeline(lvl, nil)
		p := tl.prof(0, 0)
		M := p.MaxGapMinutes
		mean := float64(M) / 3.5 // a mission at about its randomization floor
		capMin := min(M-slackFor(M, 0), int(capFor(mean)))
		limit := min(M/2-slackFor(M, 0), capMin/2)
		dwell := (p.DwellMinutes[0] + p.DwellMinutes[1]) / 2
		const runs = 20000
		var perHour [24]float64
		total := 0.0
		for s := range runs {
			tl.rngs = []*rand.Rand{rand.New(rand.NewChaCha8([32]byte{byte(s), byte(s >> 8), byte(lvl)}))}
			m := &simMission{meanGap: mean, deadline: M / 2}
			tl.missions = []*simMission{m}
			tl.scheduleNext(m, 0)
			if m.done || m.due < 1 || m.due > limit {
				t.Fatalf("level %d: first due %d (done %v); want 1..%d", lvl, m.due, m.done, limit)
			}
			for !m.done && m.due < 1440 {
				perHour[m.due/60]++
				total++
				m.has, m.lastEnd = true, m.due+dwell
				m.count++
				m.deadline = m.lastEnd + M
				tl.scheduleNext(m, m.lastEnd)
			}
		}
		from, to := limit/60+1, 18
		level := 0.0
		for h := from; h < to; h++ {
			level += perHour[h] / float64(to-from)
		}
		for h := from; h < to; h++ {
			if got := perHour[h] / level; got < 0.97 || got > 1.03 {
				t.Errorf("level %d (max gap %d, mean gap %.0f, first visit within %d min): hour %d has %.3f of hours %d–%d's rate; want 0.97–1.03", lvl, M, mean, limit, h, got, from, to-1)
			}
		}
		want := 1440 / (mean + float64(dwell))
		t.Logf("level %d: %.2f visits a day, %.2f by the mean gap", lvl, total/runs, want)
	}
}
