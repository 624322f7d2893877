package scheduler

import (
	"math"
	"slices"
	"sort"
)

// histWindow is one wall-clock window of the historical adversary on one service day.
type histWindow struct {
	day int     // service day index
	c   int     // time of day, in 5-minute steps after midnight (0..287)
	s   float64 // start, minutes since the run's start
}

// windows returns every wall-clock window of length d of the run, by start. The window
// at clock c of service day k is the one whose start lies in that service day: for a day
// starting at 07:00, the 02:00 window of service day 2026-11-27 starts at 02:00 on
// 2026-11-28. On DST days a clock that does not exist is skipped and a repeated clock
// counts once, at its first occurrence. Windows that would end after the run are left out
// (what happens in them is not in the plan).
func (r *measureRun) windows(d int) []histWindow {
	out := make([]histWindow, 0, r.days()*historicalWindowsOfDay)
	end := r.dayStart[r.days()]
	for k, sd := range r.p.ServiceDays {
		start := sd.Start.In(r.loc)
		sc := start.Hour()*60 + start.Minute()
		_, o1 := start.Zone()
		_, o2 := sd.End.In(r.loc).Zone()
		for c := range historicalWindowsOfDay {
			cm := c * historicalStepMinutes
			var s float64
			if o1 == o2 {
				s = r.dayStart[k] + float64((cm-sc+1440)%1440)
			} else {
				date := r.dates[k]
				if cm < sc {
					date = date.AddDays(1)
				}
				t, ok := wallClockTime(date, cm, 0, r.loc)
				if !ok || t.Before(sd.Start) || !t.Before(sd.End) {
					continue
				}
				s = r.minutes(t)
			}
			if s+float64(d) > end {
				continue
			}
			out = append(out, histWindow{k, c, s})
		}
	}
	slices.SortStableFunc(out, func(x, y histWindow) int { return cmpMinutes(x.s, y.s) })
	return out
}

// historicalMission is the historical adversary's result at one mission (§4.2).
type historicalMission struct {
	window       int     // chosen clock, in 5-minute steps after midnight
	interception float64 // of the chosen window on the test days
	randomWindow float64 // of all windows on the test days
}

// historical is §4.2. Per mission, it counts for each clock the presences overlapping the
// window on the training days, divided by the training days on which that clock existed
// (equal everywhere but on DST days), and picks the lowest (the earliest clock after
// midnight on a tie). A presence overlaps a window [s, s+D] when it starts before s+D and
// ends after s. The chosen window is intercepted on a test day if a presence overlaps it.
func (r *measureRun) historical(train, d int) HistoricalReport {
	hm := r.historicalMissions(train, d)
	var rep HistoricalReport
	n := 0
	for i, h := range hm {
		if r.staffed[i] {
			continue
		}
		rep.Interception += h.interception
		rep.RandomWindow += h.randomWindow
		n++
	}
	if n > 0 {
		rep.Interception /= float64(n)
		rep.RandomWindow /= float64(n)
	}
	if rep.RandomWindow > 0 {
		rep.Ratio = rep.Interception / rep.RandomWindow
	}
	return rep
}

func (r *measureRun) historicalMissions(train, d int) []historicalMission {
	ws := r.windows(d)
	var trainDays [historicalWindowsOfDay]int
	for _, w := range ws {
		if w.day < train {
			trainDays[w.c]++
		}
	}
	D := float64(d)
	out := make([]historicalMission, len(r.pres))
	for i, ps := range r.pres {
		if r.staffed[i] {
			continue
		}
		var cnt, hit, tests [historicalWindowsOfDay]int
		begun, ended := 0, 0 // presences starting before s+D, ending at or before s
		for _, w := range ws {
			for begun < len(ps) && ps[begun].a < w.s+D {
				begun++
			}
			for ended < len(ps) && ps[ended].b <= w.s {
				ended++
			}
			k := begun - ended
			if w.day < train {
				cnt[w.c] += k
			} else {
				tests[w.c]++
				if k > 0 {
					hit[w.c]++
				}
			}
		}
		best := -1
		for c := range historicalWindowsOfDay {
			if trainDays[c] == 0 {
				continue
			}
			// cnt[c]/trainDays[c] < cnt[best]/trainDays[best], exactly.
			if best < 0 || cnt[c]*trainDays[best] < cnt[best]*trainDays[c] {
				best = c
			}
		}
		h := historicalMission{window: max(best, 0)}
		if best >= 0 && tests[best] > 0 {
			h.interception = float64(hit[best]) / float64(tests[best])
		}
		th, tn := 0, 0
		for c := range historicalWindowsOfDay {
			th += hit[c]
			tn += tests[c]
		}
		if tn > 0 {
			h.randomWindow = float64(th) / float64(tn)
		}
		out[i] = h
	}
	return out
}

// LiveMission is the live adversary's result at one mission for one attack length
// (DESIGN.md §4.3).
type LiveMission struct {
	// Wait is the attacker's wait s in minutes after a departure, chosen on the training days.
	Wait int `json:"wait"`
	// Attempts is the test-day departures that launched an attack (no presence began
	// during the wait).
	Attempts int `json:"attempts"`
	// Interception is the share of those attacks during which a presence began.
	Interception float64 `json:"interception"`
	// MeanGap is the mean gap (end of a presence to the start of the next) after the
	// test-day departures, in minutes; 0 when there is none.
	MeanGap float64 `json:"mean_gap"`
	// Reference is 1 − e^(−D/MeanGap), the interception of memoryless visits.
	Reference float64 `json:"reference"`
	// Staffed marks a mission with a staffed post: it is left out of the live measures.
	Staffed bool `json:"staffed"`
}

// liveMinAttempts is the fewest training-day attempts with a wait s for the live attacker
// to trust it (DESIGN.md §4.3): a wait seen once or twice is luck, not a lesson, and an
// attacker who trusted it would be shown better odds than a careful observer would face.
const liveMinAttempts = 10

// gapsAbove returns #{g > x} for sorted gaps gs.
func gapsAbove(gs []float64, x float64) int {
	return len(gs) - sort.Search(len(gs), func(k int) bool { return gs[k] > x })
}

// liveWait is the live attacker's choice of wait (§4.3) from the sorted training-day gaps
// after departures, for attack length d at a mission of max gap maxGap minutes. With wait
// s a departure followed by a gap g is an attempt when g > s and succeeds when g > s+d.
// s runs over 0, 5, … up to maxGap − d; a wait is a candidate only with at least
// liveMinAttempts attempts, and the candidate with the highest success share wins (the
// smallest on a tie). Without any candidate the attacker waits 0.
func liveWait(train []float64, d, maxGap int) int {
	best, bestSucc, bestAtt := 0, 0, 0
	for s := 0; s <= maxGap-d || s == 0; s += liveStepMinutes {
		att := gapsAbove(train, float64(s))
		if att < liveMinAttempts {
			break // attempts only fall as s grows: no later wait is a candidate
		}
		succ := gapsAbove(train, float64(s+d))
		if bestAtt == 0 || succ*bestAtt > bestSucc*att {
			best, bestSucc, bestAtt = s, succ, att
		}
	}
	return best
}

// live is §4.3 for attack length d. A departure is the end e of a presence that has a
// next presence in the run, starting at e+g (the gap g > 0 since touching visits merge);
// the departure belongs to the service day containing e. With wait s the attacker waits
// during (e, e+s] and attacks during (e+s, e+s+d]: the departure is an attempt when g > s,
// and the attempt is intercepted when g ≤ s+d. Per mission the wait is liveWait's,
// chosen on the training days. Its interception on the test-day departures is scored; a
// mission with test-day departures but no attempt among them scores 1 (no attack was
// launched), one with no test-day departure at all scores 0 with reference 0 (it is not
// visited often enough to intercept anything).
func (r *measureRun) live(train, d int) []LiveMission {
	out := make([]LiveMission, len(r.pres))
	D := float64(d)
	for i := range r.pres {
		if r.staffed[i] {
			out[i].Staffed = true
			continue
		}
		tr, te, sum := r.sortedGaps(train, i)
		best := liveWait(tr, d, r.p.Missions[i].MaxGapMinutes)
		lm := LiveMission{Wait: best}
		if len(te) > 0 {
			att := gapsAbove(te, float64(best))
			lm.Attempts = att
			lm.Interception = 1
			if att > 0 {
				lm.Interception = float64(att-gapsAbove(te, float64(best)+D)) / float64(att)
			}
			lm.MeanGap = sum / float64(len(te))
			if lm.MeanGap > 0 {
				lm.Reference = 1 - math.Exp(-D/lm.MeanGap)
			} else {
				lm.Reference = 1
			}
		}
		out[i] = lm
	}
	return out
}

// sortedGaps returns mission i's gaps after departures on the training days and on the
// test days, each sorted, and the sum of the test gaps; computed once per run.
func (r *measureRun) sortedGaps(train, i int) (tr, te []float64, testSum float64) {
	if r.gapsTrain != train || r.gaps == nil {
		trainEnd := r.dayStart[train]
		r.gapsTrain = train
		r.gaps = make([][2][]float64, len(r.pres))
		r.gapSum = make([]float64, len(r.pres))
		for m, ps := range r.pres {
			var g2 [2][]float64
			for j := 0; j+1 < len(ps); j++ {
				g := ps[j+1].a - ps[j].b
				if ps[j].b < trainEnd {
					g2[0] = append(g2[0], g)
				} else {
					g2[1] = append(g2[1], g)
					r.gapSum[m] += g
				}
			}
			slices.Sort(g2[0])
			slices.Sort(g2[1])
			r.gaps[m] = g2
		}
	}
	return r.gaps[i][0], r.gaps[i][1], r.gapSum[i]
}

// liveReport averages the live results over the missions without a staffed post.
func (r *measureRun) liveReport(lm []LiveMission) LiveReport {
	var rep LiveReport
	n, vs, ws := 0, 0.0, 0.0
	for i, l := range lm {
		if l.Staffed {
			continue
		}
		rep.Interception += l.Interception
		rep.MemorylessReference += l.Reference
		v := r.p.Missions[i].Value
		vs += v
		ws += v * (1 - l.Interception)
		n++
	}
	if n > 0 {
		rep.Interception /= float64(n)
		rep.MemorylessReference /= float64(n)
	}
	if rep.MemorylessReference > 0 {
		rep.Ratio = rep.Interception / rep.MemorylessReference
	}
	if vs > 0 {
		rep.WeightedSuccess = ws / vs
	}
	return rep
}

// floorShare is the share of its declared randomization floor a mission's visits over the
// run must reach (DESIGN.md §4.4): the floor is a rate, and a run's visits fall on whole
// minutes and whole shifts, so a plan that keeps the rate may count a few visits short.
const floorShare = 0.97

// minimax is §4.4: the worst value × (1 − live interception at d) over the missions
// without a staffed post, against the water level u of minimaxOptimum for the same
// missions with their values, a budget of the plan's presences at them over the run,
// attack length d and the run's minutes as the period; floors are the profile minimum
// (visits_per_day × service days) and, with k > 0, k visits per max gap over the run.
// The missions whose presences over the run fall under floorShare of k's floor are
// listed in BelowFloor.
func (r *measureRun) minimax(lm []LiveMission, d int, k float64) MinimaxReport {
	rep := MinimaxReport{VisitsPerMaxGap: k, BelowFloor: []string{}}
	period := r.dayStart[r.days()] - r.dayStart[0]
	var values, mins, floors []float64
	budget := 0.0
	for i, l := range lm {
		if l.Staffed {
			continue
		}
		m := r.p.Missions[i]
		rep.Worst = max(rep.Worst, m.Value*(1-l.Interception))
		values = append(values, m.Value)
		mins = append(mins, float64(m.VisitsPerDay*r.days()))
		f := floorVisits(k, m.MaxGapMinutes, period)
		floors = append(floors, f)
		n := float64(len(r.pres[i]))
		budget += n
		if f > 0 && n < floorShare*f {
			rep.BelowFloor = append(rep.BelowFloor, m.ID)
		}
	}
	slices.Sort(rep.BelowFloor)
	rep.Optimum = minimaxOptimum(values, mins, floors, budget, float64(d), period)
	rep.OptimumWithoutFloor = minimaxOptimum(values, mins, nil, budget, float64(d), period)
	if rep.Optimum > 0 {
		rep.Ratio = rep.Worst / rep.Optimum
	}
	if rep.OptimumWithoutFloor > 0 {
		rep.PriceOfRandomness = rep.Optimum / rep.OptimumWithoutFloor
	}
	return rep
}

// floorVisits returns the visits over period minutes of the randomization floor: k visits
// per max gap of maxGap minutes; 0 when there is no floor or no max gap.
func floorVisits(k float64, maxGap int, period float64) float64 {
	if k <= 0 || maxGap <= 0 {
		return 0
	}
	return k / float64(maxGap) * period
}

// minimaxOptimum is §4.4's optimum: the water level u of water-filling over floors, the
// rates λ_t = max(λfloor_t, ln(v_t/u)/D) with u spending the budget exactly, where
// λfloor_t is the larger of the minimum mins[t] and floors[t] (nil: no floor), all in
// visits per period minutes.
func minimaxOptimum(values, mins, floors []float64, budget, attackMinutes, periodMinutes float64) float64 {
	lo := slices.Clone(mins)
	for t := range floors {
		lo[t] = max(lo[t], floors[t])
	}
	_, u := WaterFill(values, lo, budget, attackMinutes, periodMinutes)
	return u
}

// MissionLive returns the live adversary's result per mission id for attack length
// attackMinutes (DESIGN.md §4.3), e.g. to colour a map; opt.Train is the training days
// (default 28). Missions with a staffed post are marked and carry no result.
func MissionLive(p *Plan, opt MeasureOptions, attackMinutes int) (map[string]LiveMission, error) {
	opt = opt.withDefaults()
	r, err := newMeasureRun(p)
	if err != nil {
		return nil, err
	}
	if opt.Train < 1 || opt.Train >= r.days() {
		return nil, errNoTestDays(opt.Train, r.days())
	}
	lm := r.live(opt.Train, attackMinutes)
	out := make(map[string]LiveMission, len(lm))
	for i, l := range lm {
		out[p.Missions[i].ID] = l
	}
	return out, nil
}
