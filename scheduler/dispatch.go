package scheduler

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Timing tuning (DESIGN.md §3 "Timing").
const (
	// minSlack and maxSlack bound the minutes kept between the gap cap and the max gap
	// for travel and dispatch delay; in between it is max_gap ÷ 8.
	minSlack = 15
	maxSlack = 45
	// endMargin keeps a mission's last due time this far before the day's end, beyond
	// the longest dwell.
	endMargin = 20
	// riskMinutes: a mission whose deadline is this close to when a unit can be free is
	// served before missions that are merely due earlier.
	riskMinutes = 45
)

// capMultiple bounds the gap cap to this many target mean gaps.
const capMultiple = 5.0

// capFor returns the longest gap drawn for a target mean gap g, before the max gap's own
// bound: capMultiple mean gaps.
func capFor(g float64) float64 { return capMultiple * g }

// slackFor returns the minutes between a max gap and the cap its gaps are drawn under.
func slackFor(maxGap int, extra int) int {
	return min(max(maxGap/8, minSlack), maxSlack) + extra
}

// visitRec is a planned visit in minutes from the service day's start.
type visitRec struct {
	Mission        int // index into Inputs.Missions
	Arrive, Depart int
}

// simMission is one mission's renewal process on a zone's timeline.
type simMission struct {
	idx      int
	meanGap  float64 // target mean gap of the renewal process (minutes)
	minimum  int     // visits the day needs
	lastEnd  int
	has      bool // lastEnd is set
	count    int  // presences so far
	due      int
	deadline int // the next presence must start by then
	edf      int // the deadline the backlog is ordered by: deadline, or earlier for the day's end
	done     bool
	heapPos  int
	// delaySum and delayN add up the minutes visits arrived after their drawn due time.
	delaySum, delayN int
	// rate cache of the truncated exponential: the rate for (meanFor, capFor).
	rate    float64
	capFor  int
	meanFor float64
	mirror  bool // the gap is the cap less the truncated exponential (mean over half the cap)
	// closeAt and latest serve the last resort's dispatch (deadlineOrder): closeAt is when
	// the closing visit of a unit handing over at the mission starts (0 for none), a
	// presence its day's end is sure of; latest is the latest start of its next visit
	// from which some unit can still close its day (latestStart).
	closeAt, latest int
	// resume is the arrival the mission's process had drawn beyond its first presence's
	// window (firstDue): the visit after the one placed in the window is due then.
	resume int
}

// simUnit is one unit on a zone's timeline.
type simUnit struct {
	zu   zoneUnit
	pos  int // mission index where the unit stands (or will stand) when free
	free int // minute from which the unit can travel
	// anywhere marks a unit at the start of its service day: it stands wherever the
	// previous day's route left it in its sector, which this day cannot know (days are
	// planned on their own), so its first trip is the longest into the mission from
	// anywhere in the sector (timeline.fromSector).
	anywhere bool
	visits   []visitRec
}

// failure is a hard rule the dispatch could not keep.
type failure struct {
	mission int
	what    string
	// end marks a missed boundary contract at the day's end (repairEnds may mend it).
	end bool
	m   *simMission
}

// timeline simulates one zone (or a group of zones sharing units) over one service day,
// in whole minutes from the day's start.
type timeline struct {
	in        Inputs
	dayMin    int
	shiftEnd  []int // end minute of each shift
	rngs      []*rand.Rand
	threat    func(mi, minute int) int
	travel    func(mode Mode, a, b int) int
	slackPlus int
	// conservative stops a mission's visits once its day-end presence is made, leaving
	// the last hours to the missions that still need theirs.
	conservative bool
	// loose aims the day's end at the contract's half max gap only (endNeed), for late
	// retries of a zone short of units.
	loose bool
	// retry marks a dispatch after one that missed a hard rule (capacitySearch's attempts
	// after the first): it adds no first visit (firstDue).
	retry bool
	// deadlineOrder is the last resort's dispatch (lastend.go): every unit closes its day
	// with a visit at its handover mission and the missions are served by deadline.
	deadlineOrder bool
	// dueOrder keeps a zone of one unit on the dispatch by due time: its walks all
	// missed a hard rule (dispatchWithRetries).
	dueOrder bool
	// closing[k] is the minute the k-th unit's closing visit starts (0 for none); set by
	// closings in the deadline-order dispatch only.
	closing  []int
	missions []*simMission
	units    []*simUnit
	queue    missionHeap
	failures []failure
	// sector[k] is the k-th unit's sector (sectors); back and in0 cache sectorBack and
	// fromSector.
	sector []map[int]bool
	// endAt[k] is the mission where the k-th unit stands at the day's end (handover), -1
	// for anywhere in its sector.
	endAt   []int
	risk    int           // riskWindow's cache
	from    int           // the minute run started from
	pools   map[int][]int // handoverPool's cache
	reachOf map[int]int   // reach's cache
	back    map[sectorKey]int
	in0     map[sectorKey]int
	trip    map[tripKey]int // roundTrip's cache
}

func (tl *timeline) prof(mi, minute int) Profile {
	return tl.in.Force.Profiles[tl.threat(mi, minute)]
}

func (tl *timeline) shiftOf(minute int) int {
	for k, e := range tl.shiftEnd {
		if minute < e {
			return k
		}
	}
	return len(tl.shiftEnd) - 1
}

func (tl *timeline) rng(minute int) *rand.Rand { return tl.rngs[tl.shiftOf(minute)] }

// truncExp draws a gap under capMin whose mean is the mission's target mean gap, as close
// to memoryless as the cap allows (DESIGN.md §3 "Timing"): the law of hazardLaw, whose
// hazard is a constant rate λ until the cap forces more, never a clip at the cap. One
// uniform draw per gap.
func (tl *timeline) truncExp(m *simMission, mean float64, capMin int, r *rand.Rand) int {
	if capMin <= 1 {
		return 1
	}
	M := float64(capMin)
	if m.capFor != capMin || m.meanFor != mean {
		m.capFor, m.meanFor = capMin, mean
		m.rate, m.mirror = hazardRate(mean, M), false
		if mean > M/2 && mean < M {
			// A mean gap over half the cap (a mission planned near its minimum visits)
			// cannot come from a law with a non-increasing density under the cap: the
			// gap is the cap less a truncated exponential of mean M − g, so the mission
			// gets the few visits it was planned, as spread as the cap allows.
			m.rate, m.mirror = rateForMean(M-mean, M), true
		}
	}
	u := r.Float64()
	var g float64
	switch {
	case m.mirror && m.rate*M < 1e-6:
		g = u * M
	case m.mirror:
		g = M + math.Log1p(-u*(-math.Expm1(-m.rate*M)))/m.rate
	default:
		g = hazardQuantile(m.rate, M, u)
	}
	gi := 1 + int(g*float64(capMin-1)/M)
	return min(max(gi, 1), capMin)
}

// equilibriumGap draws the time from a random instant to the next event of the renewal
// process whose gaps truncExp draws with mean and cap capMin: the density is the gap law's
// survival ÷ its mean (DESIGN.md §3: a day starts at a random phase of each mission's
// process, so the first visits are not bunched after the day's start). It draws a gap t
// from the gap law and keeps it with probability min(1, λ(M − t)) (for the uniform law,
// λ = 1/M, the density is triangular). Draws over limit are drawn again.
func (tl *timeline) equilibriumGap(m *simMission, mean float64, capMin, limit int, r *rand.Rand) int {
	limit = max(1, min(limit, capMin))
	for try := 0; try < 64; try++ {
		var t int
		if tl.truncExp(m, mean, capMin, r); m.mirror {
			// The forward wait of a renewal process: a gap drawn in proportion to its
			// length, then a uniform point in it.
			g := tl.truncExp(m, mean, capMin, r)
			if r.Float64()*float64(capMin) >= float64(g) {
				continue
			}
			t = 1 + r.IntN(g)
		} else {
			// The forward wait's density is the survival ÷ the mean: the law's density
			// λe^(−λ·min(t,T)) thinned by min(1, λ(M − t)).
			t = tl.truncExp(m, mean, capMin, r)
			if r.Float64() >= m.rate*float64(capMin-t) {
				continue
			}
		}
		if t <= limit {
			return t
		}
	}
	return 1 + r.IntN(limit)
}

// firstDue draws the due time of a mission's first visit after e: the forward wait of its
// renewal process (equilibriumGap), which the boundary contract (DESIGN.md §3) holds
// within limit. Where the forward wait falls beyond limit, the process is kept as drawn
// and one visit is added inside the window: the visit after it is due at the drawn arrival
// (m.resume). The added visit is placed one gap of the mission's own law (and its mean
// dwell) before that arrival, so the gap after it is like any other and a live adversary
// learns nothing from the day's first departure; where no such gap lands in the window
// within a few draws, at a uniform minute of it. Drawing the wait again until it fits
// instead moved the whole process earlier, every later visit with it: more visits in the
// day's first hours and fewer over the next ones, the same clock hours every day, which
// the historical adversary finds (0.94 of the rate two to five hours into the day at
// levels 1–3; TestFirstDueKeepsTheRate).
//
// The added visits are load a zone at the edge of its capacity may not carry: a retry
// (after a dispatch missed a hard rule) draws the wait again until it fits, as the
// dispatch did before, and so do a zone's walk (unitfirst.go), which places its visits by
// its own law, and its fallback by due time, the dispatch as it was before the walk.
func (tl *timeline) firstDue(m *simMission, e int, mean float64, capMin, limit, dwell int, r *rand.Rand) int {
	limit = max(limit, 1)
	if tl.unitFirst() || tl.dueOrder || tl.retry {
		return e + tl.equilibriumGap(m, mean, capMin, limit, r)
	}
	t := tl.equilibriumGap(m, mean, capMin, capMin, r)
	if t <= limit {
		return e + t
	}
	m.resume = e + t
	for range firstDueDraws {
		if x := t - dwell - tl.truncExp(m, mean, capMin, r); x >= 1 && x <= limit {
			return e + x
		}
	}
	return e + 1 + r.IntN(limit)
}

// firstDueDraws bounds the gaps firstDue draws back from a forward wait beyond its window
// before it places the added visit uniformly: a gap law's mass near the window is rarely
// so thin that 16 draws all miss it (and the uniform place is still within the contract).
const firstDueDraws = 16

// endNeed returns the minute by which the dispatch aims a mission's last presence of the
// day to have ended. The boundary contract (DESIGN.md §3) asks for half the max gap; the
// dispatch aims at half the cap the mission's gaps are drawn under, as for its first
// presence (scheduleNext), so the gap across two independently planned days stays within
// the cap like any other: the live adversary learns nothing from long gaps around a day's
// start that the looser bound would leave. It is a target, not the hard rule: where no
// unit can make it (a unit must also get back into its sector by the day's end), the
// contract's half max gap (contractEnd) is what the plan must keep.
func (tl *timeline) endNeed(m *simMission) int {
	if tl.loose || tl.unitFirst() {
		return tl.contractEnd(m)
	}
	M := tl.prof(m.idx, tl.dayMin-1).MaxGapMinutes
	capEnd := min(M-slackFor(M, tl.slackPlus), int(capFor(m.meanGap)))
	return tl.dayMin - min(M/2, max(capEnd, 2)/2)
}

// contractEnd returns the minute by which a mission's last presence must have ended under
// the boundary contract itself: half the max gap before the day's end.
func (tl *timeline) contractEnd(m *simMission) int {
	return tl.dayMin - tl.prof(m.idx, tl.dayMin-1).MaxGapMinutes/2
}

// scheduleNext sets a mission's next due time after a presence that ended at e (or the
// first due time from e when it has no presence yet).
func (tl *timeline) scheduleNext(m *simMission, e int) {
	if tl.deadlineOrder {
		tl.scheduleByDeadline(m, e)
		return
	}
	p := tl.prof(m.idx, min(e, tl.dayMin-1))
	r := tl.rng(min(e, tl.dayMin-1))
	M := p.MaxGapMinutes
	endNeed := tl.endNeed(m)
	// The last visits a mission needs are due early enough to end within the day, but
	// never before the boundary contract's window opens.
	// A mission far from every unit's handover must be visited early enough to leave
	// the trip back (reach).
	dayEnd := tl.dayMin - tl.reach(m.idx)
	latest := dayEnd - p.DwellMinutes[0]
	forceBy := max(dayEnd-p.DwellMinutes[1]-endMargin, min(endNeed+p.DwellMinutes[1], dayEnd-p.DwellMinutes[1]-endMargin))
	needMore := !m.has || m.lastEnd < endNeed || m.count < m.minimum
	slack := slackFor(M, tl.slackPlus)
	mean := m.meanGap
	// A cap a few mean gaps long leaves the law near memoryless and keeps rare long gaps,
	// which an attacker could learn to wait for, out of high-rate missions.
	capMin := min(M-slack, int(capFor(mean)))
	if k := m.minimum - m.count; k > 0 {
		capMin = min(capMin, (forceBy-e)/k)
	}
	capMin = max(capMin, 1)
	m.edf = m.deadline
	if needMore {
		m.edf = min(m.edf, forceBy)
	}
	var due int
	if !m.has {
		// The day starts at a random phase of the mission's process (the stationary
		// forward wait), so consecutive days join with a gap like any other, within the
		// first presence's deadline.
		dwell := float64(p.DwellMinutes[0]+p.DwellMinutes[1]) / 2
		if e == 0 && r.Float64() < dwell/(dwell+mean) {
			// At a random phase the mission is as often mid-visit as a visit lasts
			// against its mean cycle: such a day starts with a visit at once, so the
			// day's first half hour is not left thin.
			due = 1
		} else {
			due = tl.firstDue(m, e, mean, capMin, min(m.deadline-e-slack, capMin/2), int(dwell), r)
		}
	} else if m.resume > e {
		due, m.resume = m.resume, 0
	} else {
		m.resume = 0
		due = e + tl.truncExp(m, mean, min(capMin, m.deadline-e-slack), r)
	}
	if tl.conservative && !needMore {
		m.done = true
		return
	}
	if needMore && due > forceBy || due > latest {
		if !needMore {
			if due < tl.dayMin && tl.dayMin-e > p.DwellMinutes[0] {
				// A visit due in the day's last minutes cannot end within the day: it
				// is made among the last starts that can (a few minutes early, so a
				// unit can still reach it), so the windows around the day's end keep
				// their presence instead of thinning out.
				m.due = max(e+1, latest-5-r.IntN(p.DwellMinutes[1]-p.DwellMinutes[0]+6))
				return
			}
			// The process runs on past the day's end: the next day picks it up at a
			// random phase.
			m.done = true
			return
		}
		lo := max(e+1, endNeed-p.DwellMinutes[0])
		hi := max(forceBy, lo)
		due = lo + r.IntN(hi-lo+1)
	}
	m.due = due
}

// run dispatches the zone's visits from minute `from` to the day's end.
func (tl *timeline) run(from int) {
	tl.from = from
	if tl.deadlineOrder {
		tl.closings()
	}
	for _, m := range tl.missions {
		if !m.done {
			tl.scheduleNext(m, max(from, m.lastEndOr(from)))
			if !m.done {
				heap.Push(&tl.queue, m)
			}
		}
	}
	if tl.unitFirst() {
		// One unit: it draws where to go next (unitfirst.go); scheduleNext above still
		// sets each mission's deadlines, which the walk keeps.
		tl.walk()
		tl.queue = tl.queue[:0]
	}
	var backlog []*simMission
	for tl.queue.Len() > 0 {
		// Everything due before some unit can be free waits anyway: serve that backlog
		// earliest deadline first.
		head := tl.queue[0]
		avail := math.MaxInt
		for _, u := range tl.units {
			avail = min(avail, u.free)
		}
		horizon := max(head.due, avail)
		backlog = backlog[:0]
		for tl.queue.Len() > 0 && tl.queue[0].due <= horizon {
			backlog = append(backlog, heap.Pop(&tl.queue).(*simMission))
		}
		// Serve in order of due time, which keeps the drawn gaps; switch to earliest
		// deadline first only when a deadline is at risk.
		best := 0
		risk := -1
		for i, m := range backlog {
			b := backlog[best]
			if m.due < b.due || (m.due == b.due && m.idx < b.idx) {
				best = i
			}
			if m.edf <= horizon+tl.riskWindow() {
				if r := backlog[max(risk, 0)]; risk < 0 || m.edf < r.edf || (m.edf == r.edf && m.idx < r.idx) {
					risk = i
				}
			}
		}
		if risk >= 0 {
			best = risk
		}
		if tl.deadlineOrder {
			best = earliestDeadline(backlog)
		}
		m := backlog[best]
		for i, o := range backlog {
			if i != best {
				heap.Push(&tl.queue, o)
			}
		}
		tl.serve(m)
		if !m.done {
			heap.Push(&tl.queue, m)
		}
	}
	if tl.deadlineOrder {
		tl.closeDay()
	}
	tl.repairEnds()
	tl.fillTail()
}

// unitTravel is the trip of the k-th unit from where it stands to mission mi.
func (tl *timeline) unitTravel(k, mi int) int {
	u := tl.units[k]
	if u.anywhere {
		return tl.fromSector(k, mi)
	}
	return tl.travel(u.zu.Mode, u.pos, mi)
}

func (m *simMission) lastEndOr(def int) int {
	if m.has {
		return m.lastEnd
	}
	return def
}

// fit reports whether unit u can make a visit of mission mi arriving at a with at least
// the shortest dwell and still get back into its sector by the day's end (by its closing
// visit in the last resort's dispatch: leaveBy). A visit may run over a shift change
// inside the day: the next crew relieves the unit in place at the mission, and the visit
// is split there between the two shifts' routes (the two halves touch, so they are one
// presence).
func (tl *timeline) fit(k, mi, a int, dmin int) (int, bool) {
	if a+dmin > tl.leaveBy(k, mi) {
		return 0, false
	}
	return a, true
}

// serve places the mission's due visit with the unit that arrives first.
func (tl *timeline) serve(m *simMission) {
	p := tl.prof(m.idx, m.due)
	var bu *simUnit
	ba, btr, bs := 0, 0, 0
	bk := -1
	for k, u := range tl.units {
		tr := tl.unitTravel(k, m.idx)
		a, ok := tl.fit(k, m.idx, max(m.due, u.free+tr), p.DwellMinutes[0])
		if !ok {
			// Due too late for the unit's closing trip: the last visit it can make
			// before that trip, if it can get there by then, so the day's last
			// minutes before the closing visits are not left empty.
			a = tl.leaveBy(k, m.idx) - p.DwellMinutes[0]
			if a < u.free+tr || (m.has && a <= m.lastEnd) {
				continue
			}
		}
		// Late in the day each unit must still reach its handover mission: the unit
		// sent is the one that is back there soonest, so units stay near their own
		// handovers and a mission far from them all is not left unreachable.
		sc := a
		if a+tl.riskWindow()*2 > tl.dayMin {
			sc = a + tl.sectorBack(k, m.idx)
		}
		if bu == nil || sc < bs || (sc == bs && tr < btr) {
			bu, bk, ba, btr, bs = u, k, a, tr, sc
		}
	}
	satisfied := tl.endKept(m)
	if bu == nil {
		m.done = true
		if !satisfied {
			tl.failures = append(tl.failures, failure{m.idx, fmt.Sprintf("no unit of its zone is free to visit it again before the day ends (last visit ended %d min into the day)", m.lastEnd), true, m})
		}
		return
	}
	if ba > m.deadline {
		tl.failures = append(tl.failures, failure{mission: m.idx, what: "no unit of its zone free in time for its max gap"})
	}
	tl.place(m, bk, ba)
	for !m.done && tl.doubleBack(m, bk) {
		tl.place(m, bk, m.due)
	}
}

// place makes the k-th unit's visit of mission m arriving at a, and draws the mission's
// next due time.
func (tl *timeline) place(m *simMission, k, a int) {
	u := tl.units[k]
	if m.has {
		m.delaySum += a - m.due
		m.delayN++
	}
	p := tl.prof(m.idx, a) // the dwell of the level in effect on arrival
	dwell := p.DwellMinutes[0] + tl.rng(a).IntN(p.DwellMinutes[1]-p.DwellMinutes[0]+1)
	dwell = min(dwell, tl.leaveBy(k, m.idx)-a)
	u.visits = append(u.visits, visitRec{Mission: m.idx, Arrive: a, Depart: a + dwell})
	u.pos, u.free, u.anywhere = m.idx, a+dwell, false
	m.lastEnd, m.has = a+dwell, true
	m.count++
	m.deadline = m.lastEnd + tl.prof(m.idx, m.lastEnd).MaxGapMinutes
	tl.scheduleNext(m, m.lastEnd)
}

// missionHeap orders missions by due time, then index.
type missionHeap []*simMission

func (h missionHeap) Len() int { return len(h) }
func (h missionHeap) Less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].idx < h[j].idx
}
func (h missionHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].heapPos = i; h[j].heapPos = j }
func (h *missionHeap) Push(x any) {
	m := x.(*simMission)
	m.heapPos = len(*h)
	*h = append(*h, m)
}
func (h *missionHeap) Pop() any {
	old := *h
	m := old[len(old)-1]
	*h = old[:len(old)-1]
	return m
}

// sortVisits orders visit records by arrival, then mission.
func sortVisits(v []visitRec) {
	sort.Slice(v, func(a, b int) bool {
		if v[a].Arrive != v[b].Arrive {
			return v[a].Arrive < v[b].Arrive
		}
		return v[a].Mission < v[b].Mission
	})
}
