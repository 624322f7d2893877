package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// The roster engine (DESIGN.md §2 Duty roster; ARCHITECTURE.md "The duty roster") builds a
// cyclic roster: a pattern of cycleDays days that repeats from rosterEpoch, so the roster
// of any date follows from the inputs alone and days planned independently join without a
// broken rule. The cycle is filled one shift at a time, in time order, by a min-cost
// selection: every officer who can take the shift under the rules (checked cyclically,
// against the duties already placed before and after it in the cycle) gets a cost — hours
// so far against their fair share, hours in the days around (look-ahead spacing), nights and
// weekends so far, a small bonus for keeping yesterday's shift — and the shift's positions
// are filled rarest qualification first from the cheapest officers, an augmenting path
// moving officers between kinds of positions when a qualification would run out
// (fillPositions). A shift that still cannot be filled is repaired by ejection: an officer
// who could fill it if one of their other duties went to someone else gives that duty away.

// cycleOptions are the cycle lengths tried, in order: multiples of 7 so weekends fall on
// the same cycle days, at least 21 so the ±7-day rule window never meets itself.
var cycleOptions = []int{28, 35, 42, 56, 21}

// repeatOptions are the weights of the weekly-repeat bonus tried, in order: the first is
// the fairest; a stronger pull towards weekly patterns packs officers closer to the 48-hour
// bound, which tight forces need (a 12-hour set at 48 h is four shifts in every week).
var repeatOptions = []float64{costRepeat, 2 * costRepeat, 3 * costRepeat}

// Cost weights of the engine's selection. Load (hours so far over the fair share) is worth
// most; the spacing and fairness terms order officers of similar load.
const (
	costLoad      = 3.0
	costSpacing   = 1.0
	costNight     = 1.5
	costWeekend   = 1.0
	costPost      = 1.5
	costKeepShift = 0.15
	costChange    = 0.1
	costRepeat    = 1.0
	costScarce    = 0.25
	weekMinutes   = 7 * 24 * 60
	dayMinutes    = 24 * 60
)

// cyclicRoster is the engine's answer: for each officer and cycle day, the shift worked
// (-1 off) and the kind of position.
type cyclicRoster struct {
	days int
	duty [][]int8
	kind [][]int8
}

// cycleDay returns the cycle day of date d.
func (c *cyclicRoster) cycleDay(d Date) int { return rotMod(d.DaysSince(rosterEpoch), c.days) }

// engine is the state of one attempt at a cyclic roster.
type engine struct {
	m                  *rosterModel
	days               int
	duty, kind         [][]int8
	minutes            []int
	nights, weekends   []int
	postMin            []int
	target             []float64
	expNight, expWkend float64
	repeat             float64 // the weekly-repeat bonus
	// scarcity of each qualification: the hours its positions need over the hours its
	// holders may work, 0 to 1.
	scarcity [4]float64 // by Qualifications index
}

// waste returns the scarcity of the qualifications officer o holds that a position of
// kind k does not need.
func (e *engine) waste(o int, k posKind) float64 {
	w := 0.0
	for qi, q := range Qualifications {
		if e.m.sigs[o]&(1<<qi) != 0 && !slices.Contains(kindQuals(k), q) {
			w += e.scarcity[qi]
		}
	}
	return w
}

// solveCyclic returns a cyclic roster for m, trying each cycle length in turn, or an
// error naming the shift and positions no attempt could fill.
func solveCyclic(m *rosterModel) (*cyclicRoster, error) {
	if short := m.shortfall(); len(short) > 0 {
		return nil, &InfeasibleError{Region: m.region, Missing: strings.Join(short, "; ")}
	}
	var firstErr error
	for _, repeat := range repeatOptions {
		for _, days := range cycleOptions {
			e := newEngine(m, days)
			e.repeat = repeat
			if err := e.run(); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			e.balance()
			return &cyclicRoster{days: days, duty: e.duty, kind: e.kind}, nil
		}
	}
	return nil, firstErr
}

func newEngine(m *rosterModel, days int) *engine {
	n := len(m.officers)
	e := &engine{m: m, days: days, duty: make([][]int8, n), kind: make([][]int8, n),
		minutes: make([]int, n), nights: make([]int, n), weekends: make([]int, n), postMin: make([]int, n), target: make([]float64, n)}
	cell := make([]int8, 2*n*days)
	for i := range n {
		e.duty[i], e.kind[i] = cell[2*i*days:(2*i+1)*days], cell[(2*i+1)*days:(2*i+2)*days]
		for t := range days {
			e.duty[i][t] = -1
		}
	}
	need := 0
	nightSlots := 0
	for s := range m.shifts {
		need += m.need.total() * (m.ends[s] - m.starts[s]) * days
		if m.night[s] {
			nightSlots += m.need.total() * days
		}
	}
	capSum := 0
	for _, c := range m.caps {
		capSum += c
	}
	for i, c := range m.caps {
		e.target[i] = max(1, float64(need)*float64(c)/float64(max(1, capSum)))
	}
	e.expNight = max(1, float64(nightSlots)/float64(max(1, n)))
	for qi, q := range Qualifications {
		needMin, capMin := 0, 0
		for s := range m.shifts {
			for k := range numKinds {
				if slices.Contains(kindQuals(posKind(k)), q) {
					needMin += m.need[k] * (m.ends[s] - m.starts[s]) * 7
				}
			}
		}
		for i, g := range m.sigs {
			if g&(1<<qi) != 0 {
				capMin += m.caps[i]
			}
		}
		if capMin > 0 {
			e.scarcity[qi] = min(1, float64(needMin)/float64(capMin))
		}
	}
	e.expWkend = max(1, float64(m.need.total()*len(m.shifts)*2*days/7)/float64(max(1, n)))
	return e
}

// span returns the nominal interval of shift s on cycle day t, in minutes from day 0.
func (e *engine) span(t, s int) (int, int) {
	return t*dayMinutes + e.m.starts[s], t*dayMinutes + e.m.ends[s]
}

// dutyAt returns the shift officer o works on (unwrapped) cycle day t, or -1.
func (e *engine) dutyAt(o, t int) int { return int(e.duty[o][rotMod(t, e.days)]) }

// feasible reports whether officer o may take shift s on cycle day t: off that day, at
// least MinRestMinutes from the duties of the days either side, and no 168 h window
// holding more than the officer's cap.
func (e *engine) feasible(o, t, s int) bool {
	if e.dutyAt(o, t) >= 0 {
		return false
	}
	a, b := e.span(t, s)
	for _, dt := range [2]int{-1, 1} {
		if s2 := e.dutyAt(o, t+dt); s2 >= 0 {
			a2, b2 := e.span(t+dt, s2)
			if (b2 <= a && a-b2 < MinRestMinutes) || (a2 >= b && a2-b < MinRestMinutes) || (a2 < b && a < b2) {
				return false
			}
		}
	}
	var iv [16][2]int
	n := 0
	for dt := -7; dt <= 7; dt++ {
		if dt == 0 {
			iv[n] = [2]int{a, b}
			n++
			continue
		}
		if s2 := e.dutyAt(o, t+dt); s2 >= 0 {
			a2, b2 := e.span(t+dt, s2)
			iv[n] = [2]int{a2, b2}
			n++
		}
	}
	return windowsWithin(iv[:n], a, b, e.m.caps[o])
}

// windowsWithin reports whether every 168 h window overlapping [a, b) holds at most cap
// minutes of the intervals iv (sorted by start, not overlapping). The most a window holds
// is reached with the window starting at an interval's start or ending at an interval's end.
func windowsWithin(iv [][2]int, a, b, cap int) bool {
	load := func(w0 int) int {
		w1 := w0 + weekMinutes
		sum := 0
		for _, x := range iv {
			lo, hi := max(x[0], w0), min(x[1], w1)
			if hi > lo {
				sum += hi - lo
			}
		}
		return sum
	}
	for _, x := range iv {
		for _, w0 := range [2]int{x[0], x[1] - weekMinutes} {
			if w0 >= b || w0+weekMinutes <= a {
				continue
			}
			if load(w0) > cap {
				return false
			}
		}
	}
	return true
}

// cost is the selection cost of officer o for shift s on cycle day t (lower first).
func (e *engine) cost(o, t, s int) float64 {
	c := costLoad * float64(e.minutes[o]) / e.target[o]
	around := 0
	for dt := -6; dt <= 6; dt++ {
		if s2 := e.dutyAt(o, t+dt); s2 >= 0 && dt != 0 {
			around += e.m.ends[s2] - e.m.starts[s2]
		}
	}
	c += costSpacing * float64(around) / float64(2*e.m.caps[o])
	if e.m.night[s] {
		c += costNight * float64(e.nights[o]) / e.expNight
	}
	if t%7 >= 5 {
		c += costWeekend * float64(e.weekends[o]) / e.expWkend
	}
	if e.dutyAt(o, t-7) == s {
		c -= e.repeat
	}
	switch y := e.dutyAt(o, t-1); {
	case y == s:
		c -= costKeepShift
	case y >= 0:
		c += costChange
	}
	return c
}

// run fills the cycle shift by shift.
func (e *engine) run() error {
	for t := range e.days {
		for s := range e.m.shifts {
			if err := e.fillShift(t, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// fillShift places the positions of shift s on cycle day t.
func (e *engine) fillShift(t, s int) error {
	m := e.m
	n := len(m.officers)
	type cand struct {
		o    int
		cost float64
	}
	cands := make([]cand, 0, n)
	for o := range n {
		if e.feasible(o, t, s) {
			cands = append(cands, cand{o, e.cost(o, t, s)})
		}
	}
	// Ties go to officers in an order that turns with the shift, so no one is first always.
	turn := (t*len(m.shifts) + s) * 7919
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].cost != cands[j].cost {
			return cands[i].cost < cands[j].cost
		}
		return rotMod(cands[i].o+turn, n) < rotMod(cands[j].o+turn, n)
	})
	general := make([]int, len(cands))
	for i, c := range cands {
		general[i] = c.o
	}
	// Each kind of position takes officers in its own order: the shift's cost, plus post
	// hours so far for a post, plus the price of spending a scarce qualification the
	// position does not need.
	expPost := max(1.0, e.target[0]*float64(m.need[kindPost])/float64(max(1, m.need.total())))
	var orders [numKinds][]int
	for k := range numKinds {
		costOf := make(map[int]float64, len(cands))
		for _, c := range cands {
			x := c.cost + costScarce*e.waste(c.o, posKind(k))
			if posKind(k) == kindPost {
				x += costPost * float64(e.postMin[c.o]) / expPost
			}
			costOf[c.o] = x
		}
		orders[k] = slices.Clone(general)
		sort.SliceStable(orders[k], func(i, j int) bool { return costOf[orders[k][i]] < costOf[orders[k][j]] })
	}

	kinds := e.kindOrder(general)
	got := fillPositions(kinds, m.sigs, func(k posKind) []int { return orders[k] })
	var missing []posKind
	for i, o := range got {
		if o < 0 {
			missing = append(missing, kinds[i])
			continue
		}
		e.place(o, t, s, kinds[i])
	}
	for _, k := range missing {
		if !e.eject(t, s, k) {
			holders := 0
			for _, g := range m.sigs {
				if g.fits(k) {
					holders++
				}
			}
			return &InfeasibleError{Region: m.region, Missing: fmt.Sprintf("%s runs short on shift %s: %d positions need it, the %d officers qualified for it cannot all be rostered under the rules (no one free on day %d of a %d-day cycle); add %s-qualified officers",
				kindNames[k], m.shifts[s].Name, m.need[k], holders, t+1, e.days, kindNames[k])}
		}
	}
	return nil
}

// kindOrder returns the positions of a shift, rarest kind first (most positions per
// fitting candidate), so a scarce qualification is not spent on a common position.
func (e *engine) kindOrder(cands []int) []posKind {
	var supply [numKinds]int
	for _, o := range cands {
		for k := range numKinds {
			if e.m.sigs[o].fits(posKind(k)) {
				supply[k]++
			}
		}
	}
	order := []posKind{kindPost, kindCanine, kindVehicle, kindFoot}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		return float64(e.m.need[a])*float64(supply[b]+1) > float64(e.m.need[b])*float64(supply[a]+1)
	})
	var out []posKind
	for _, k := range order {
		for range e.m.need[k] {
			out = append(out, k)
		}
	}
	return out
}

// place records officer o on shift s of cycle day t in a position of kind k.
func (e *engine) place(o, t, s int, k posKind) {
	e.duty[o][t], e.kind[o][t] = int8(s), int8(k)
	mins := e.m.ends[s] - e.m.starts[s]
	e.minutes[o] += mins
	if e.m.night[s] {
		e.nights[o]++
	}
	if t%7 >= 5 {
		e.weekends[o]++
	}
	if k == kindPost {
		e.postMin[o] += mins
	}
}

// unplace removes officer o's duty on cycle day t.
func (e *engine) unplace(o, t int) (s int, k posKind) {
	s, k = int(e.duty[o][t]), posKind(e.kind[o][t])
	mins := e.m.ends[s] - e.m.starts[s]
	e.minutes[o] -= mins
	if e.m.night[s] {
		e.nights[o]--
	}
	if t%7 >= 5 {
		e.weekends[o]--
	}
	if k == kindPost {
		e.postMin[o] -= mins
	}
	e.duty[o][t] = -1
	return s, k
}

// eject fills one more position of kind k on shift s of cycle day t by moving another
// duty of a qualified officer (another shift the same day, or a day within a week) to a
// third officer who may take it. It reports success.
func (e *engine) eject(t, s int, k posKind) bool {
	n := len(e.m.officers)
	for o := range n {
		if !e.m.sigs[o].fits(k) || int(e.duty[o][t]) == s {
			continue
		}
		for dt := -7; dt <= 7; dt++ {
			t2 := rotMod(t+dt, e.days)
			if e.duty[o][t2] < 0 {
				continue
			}
			s2, k2 := e.unplace(o, t2)
			if e.feasible(o, t, s) {
				e.place(o, t, s, k)
				for o3 := range n {
					if o3 != o && e.m.sigs[o3].fits(k2) && e.feasible(o3, t2, s2) {
						e.place(o3, t2, s2, k2)
						return true
					}
				}
				e.unplace(o, t)
			}
			e.place(o, t2, s2, k2)
		}
	}
	return false
}
