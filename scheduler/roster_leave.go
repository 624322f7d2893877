package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Leave and DST change the repeating base on the days they touch. On such a day, officers
// on leave and officers whose duty would break a rule on the real timeline (a 9-hour DST
// night pushing a week over the cap) leave their shift; when the officers left cannot fill
// the shift's positions (shortOf), the cheapest officer free under the rules on the real
// dutyTimeline — fewest hours in the days around — who fits a short position is added, one at a
// time. Replacements on one day can only affect rules within a week of it, so the days that
// change are processed in clusters (seed days less than clusterGapDays apart), each from its
// first day, and the answer for a date does not depend on the range asked for.

// clusterGapDays separates clusters of changed days: two weeks, so no rule window (7 days)
// around a replacement reaches into another cluster's.
const clusterGapDays = 16

// deviationSet is the changed on-duty lists of a cluster's days and their unfilled positions.
type deviationSet struct {
	days map[Date][][]int
	gaps map[Date][]string
}

var deviationCache = struct {
	sync.Mutex
	m map[string]*deviationSet
}{m: map[string]*deviationSet{}}

// deviationDay reports whether the base may change on d: some officer is on leave, or the
// service day is not 24 hours long (DST).
func (p *rosterPlan) deviationDay(d Date) bool {
	for _, l := range p.f.Leave {
		if l.Covers(d) {
			return true
		}
	}
	a, b := ServiceDayBounds(d, p.f.Shifts, p.loc)
	return b.Sub(a) != 24*time.Hour
}

// nearSeed returns a day within a week of d on which the base changes, nearest first.
func (p *rosterPlan) nearSeed(d Date) (Date, bool) {
	for k := 0; k <= 8; k++ {
		for _, y := range []Date{d.AddDays(-k), d.AddDays(k)} {
			if p.deviationDay(y) {
				return y, true
			}
		}
	}
	return Date{}, false
}

// deviations returns the changes of the cluster holding seed day d.
func (p *rosterPlan) deviations(d Date) (*deviationSet, error) {
	first, last := d, d
	for moved := true; moved; {
		moved = false
		for k := 1; k <= clusterGapDays; k++ {
			if y := first.AddDays(-k); p.deviationDay(y) {
				first, moved = y, true
				break
			}
		}
	}
	for moved := true; moved; {
		moved = false
		for k := 1; k <= clusterGapDays; k++ {
			if y := last.AddDays(k); p.deviationDay(y) {
				last, moved = y, true
				break
			}
		}
	}
	var kb strings.Builder
	fmt.Fprintf(&kb, "%s|%s|%s|%v|%s", p.m.key(), first, last, p.f.Leave, p.loc)
	key := kb.String()
	deviationCache.Lock()
	got, ok := deviationCache.m[key]
	deviationCache.Unlock()
	if ok {
		return got, nil
	}
	got, err := p.runCluster(first, last)
	if err != nil {
		return nil, err
	}
	deviationCache.Lock()
	if len(deviationCache.m) > 4*rosterCacheSize {
		deviationCache.m = map[string]*deviationSet{}
	}
	deviationCache.m[key] = got
	deviationCache.Unlock()
	return got, nil
}

// dutyTimeline is the duties of every officer over a range of days on the real clock.
type dutyTimeline struct {
	p       *rosterPlan
	from    Date
	duty    [][]int8   // [day][officer] shift or -1
	lists   [][][]int  // [day][shift] officers on duty in fill order
	touched []bool     // [day] the lists differ from the base
	spans   [][][2]int // [day][shift] minutes since the range's first day start
	origin  time.Time
	away    func(o int, d Date) bool
	// shifting is set while moveAcross refills the shift it took an officer from.
	shifting bool
	// reach is the days (indices) ejections and chain moves may change: within a week of
	// the changed day being processed, so every changed day lies within nearSeed's reach of
	// a seed (a day further off would be planned from the base, breaking the rules across
	// it).
	reach [2]int
	// journal records put and take so a failed chain move can be undone exactly.
	journal []tlOp
}

// tlOp is one put or take (at: the officer's place in the list) of officer o on shift s of
// day i, and whether the day was touched before.
type tlOp struct {
	o, i, s, at  int
	put, touched bool
}

// put puts officer o on shift s of day i, at the end of the fill order.
func (tl *dutyTimeline) put(o, i, s int) {
	tl.journal = append(tl.journal, tlOp{o: o, i: i, s: s, put: true, touched: tl.touched[i]})
	tl.duty[i][o] = int8(s)
	tl.lists[i][s] = append(tl.lists[i][s], o)
	tl.touched[i] = true
}

// take removes officer o from shift s of day i.
func (tl *dutyTimeline) take(o, i, s int) {
	at := slices.Index(tl.lists[i][s], o)
	tl.journal = append(tl.journal, tlOp{o: o, i: i, s: s, at: at, touched: tl.touched[i]})
	tl.duty[i][o] = -1
	if at >= 0 {
		tl.lists[i][s] = slices.Delete(tl.lists[i][s], at, at+1)
	}
	tl.touched[i] = true
}

// undo reverts every put and take since the journal held mark entries.
func (tl *dutyTimeline) undo(mark int) {
	for k := len(tl.journal) - 1; k >= mark; k-- {
		op := tl.journal[k]
		switch {
		case op.put:
			l := tl.lists[op.i][op.s]
			tl.lists[op.i][op.s] = l[:len(l)-1]
			tl.duty[op.i][op.o] = -1
		case op.at >= 0:
			tl.lists[op.i][op.s] = slices.Insert(tl.lists[op.i][op.s], op.at, op.o)
			tl.duty[op.i][op.o] = int8(op.s)
		default:
			tl.duty[op.i][op.o] = int8(op.s)
		}
		tl.touched[op.i] = op.touched
	}
	tl.journal = tl.journal[:mark]
}

func (p *rosterPlan) newTimeline(from, to Date) (*dutyTimeline, error) {
	n := to.DaysSince(from) + 1
	tl := &dutyTimeline{p: p, from: from, duty: make([][]int8, n), spans: make([][][2]int, n),
		lists: make([][][]int, n), touched: make([]bool, n)}
	tl.origin, _ = ServiceDayBounds(from, p.f.Shifts, p.loc)
	for i := range n {
		d := from.AddDays(i)
		on, _, err := p.baseDay(d)
		if err != nil {
			return nil, err
		}
		row := make([]int8, len(p.m.officers))
		for o := range row {
			row[o] = -1
		}
		for s, list := range on {
			for _, o := range list {
				row[o] = int8(s)
			}
		}
		tl.duty[i] = row
		tl.lists[i] = withReliefLists(on)
		tl.spans[i] = p.daySpans(d, tl.origin)
	}
	return tl, nil
}

// withReliefLists returns the on-duty lists of a day's S shifts followed by S empty relief
// lists, the timeline's pseudo-shifts S … 2S-1.
func withReliefLists(on [][]int) [][]int {
	out := make([][]int, 2*len(on))
	copy(out, on)
	for s := len(on); s < len(out); s++ {
		out[s] = []int{}
	}
	return out
}

// daySpans returns the duty spans of date d's shifts in minutes since origin, then those of
// their relief pseudo-shifts: a shift longer than a duty period (a DST night) ends for its
// officers at reliefAt and its relief runs from there to the shift's end; other relief
// spans are empty.
func (p *rosterPlan) daySpans(d Date, origin time.Time) [][2]int {
	wins := ShiftWindows(d, p.f.Shifts, p.loc)
	out := make([][2]int, 2*len(wins))
	for s, w := range wins {
		a, b := int(w.Start.Sub(origin)/time.Minute), int(w.End.Sub(origin)/time.Minute)
		out[s], out[len(wins)+s] = [2]int{a, b}, [2]int{b, b}
		if at, ok := reliefAt(w); ok {
			m := int(at.Sub(origin) / time.Minute)
			out[s], out[len(wins)+s] = [2]int{a, m}, [2]int{m, b}
		}
	}
	return out
}

// hasRelief reports whether pseudo-shift s of day i is a relief that must be crewed.
func (tl *dutyTimeline) hasRelief(i, s int) bool {
	S := len(tl.p.f.Shifts)
	return s >= S && tl.spans[i][s][1] > tl.spans[i][s][0]
}

// shiftName names shift or relief pseudo-shift s.
func (p *rosterPlan) shiftName(s int) string {
	S := len(p.f.Shifts)
	if s >= S {
		return p.f.Shifts[s-S].Name + " (relief in place after 12 h of a DST night)"
	}
	return p.f.Shifts[s].Name
}

// intervals returns officer o's duties on days i-7 … i+7 (within the range) with shift s
// on day i in place of whatever o has there, sorted.
func (tl *dutyTimeline) intervals(o, i, s int) [][2]int {
	var iv [][2]int
	for j := max(0, i-7); j <= min(len(tl.duty)-1, i+7); j++ {
		x := int(tl.duty[j][o])
		if j == i {
			x = s
		}
		if x >= 0 {
			iv = append(iv, tl.spans[j][x])
		}
	}
	return iv
}

// allowed reports whether officer o may work shift s of day i, other duties as they stand.
func (tl *dutyTimeline) allowed(o, i, s int) bool {
	a, b := tl.spans[i][s][0], tl.spans[i][s][1]
	iv := tl.intervals(o, i, s)
	for k := 1; k < len(iv); k++ {
		if iv[k][0]-iv[k-1][1] < MinRestMinutes {
			return false
		}
	}
	return windowsWithin(iv, a, b, tl.p.m.caps[o])
}

// load returns officer o's duty minutes on days i-6 … i+6.
func (tl *dutyTimeline) load(o, i int) int {
	sum := 0
	for j := max(0, i-6); j <= min(len(tl.duty)-1, i+6); j++ {
		if x := tl.duty[j][o]; x >= 0 {
			sum += tl.spans[j][x][1] - tl.spans[j][x][0]
		}
	}
	return sum
}

// runCluster applies leave and the real clock to the days first … last. Replacements go
// on those days; an ejection may move a duty of a replacement to another officer within a
// week either side, so the answer holds every day whose list changed.
func (p *rosterPlan) runCluster(first, last Date) (*deviationSet, error) {
	tl, err := p.newTimeline(first.AddDays(-15), last.AddDays(15))
	if err != nil {
		return nil, err
	}
	onLeave := map[string][]Leave{}
	for _, l := range p.f.Leave {
		onLeave[l.Officer] = append(onLeave[l.Officer], l)
	}
	tl.away = func(o int, d Date) bool {
		for _, l := range onLeave[p.m.officers[o].ID] {
			if l.Covers(d) {
				return true
			}
		}
		return false
	}
	out := &deviationSet{days: map[Date][][]int{}, gaps: map[Date][]string{}}
	for d := first; !last.Before(d); d = d.AddDays(1) {
		if !p.deviationDay(d) {
			continue
		}
		// Officers on leave leave the day; on every day within a week either side, a duty
		// that breaks a rule on the real clock (a DST change moves the week's hours) goes.
		i := d.DaysSince(tl.from)
		tl.reach = [2]int{i - 7, i + 7}
		type shiftRef struct{ j, s int }
		var emptied []shiftRef
		for j := i - 7; j <= i+7; j++ {
			dj := tl.from.AddDays(j)
			for s, list := range tl.lists[j] {
				removed := false
				for _, o := range slices.Clone(list) {
					if (j == i && tl.away(o, dj)) || !tl.allowed(o, j, s) {
						tl.take(o, j, s)
						removed = true
					}
				}
				if removed || (j == i && len(list) == 0 && tl.hasRelief(j, s)) {
					emptied = append(emptied, shiftRef{j, s})
				}
			}
		}
		for _, x := range emptied {
			if gap := p.refill(tl, x.j, x.s); gap != "" {
				dj := tl.from.AddDays(x.j)
				out.gaps[dj] = append(out.gaps[dj], gap)
			}
		}
	}
	for i, changed := range tl.touched {
		if !changed {
			continue
		}
		day := tl.lists[i]
		if p.rotation {
			for s := range day {
				sort.Ints(day[s])
			}
		}
		out.days[tl.from.AddDays(i)] = day
	}
	return out, nil
}

// short returns the positions shift s of day i cannot fill with list.
func (p *rosterPlan) short(list []int) demand {
	g := make([]sig, len(list))
	for k, o := range list {
		g[k] = p.m.sigs[o]
	}
	return shortOf(g, p.m.need)
}

// refill adds officers to shift s of day i until its positions can be filled, cheapest
// first (fewest hours in the days around), taking a duty off a blocked officer's week
// (eject) when no one is free, and returns a sentence for what stays unfilled ("" when
// none).
func (p *rosterPlan) refill(tl *dutyTimeline, i, s int) string {
	short := p.short(tl.lists[i][s])
	if short.total() == 0 {
		return ""
	}
	d := tl.from.AddDays(i)
	var cands []int
	for o := range p.m.officers {
		if tl.duty[i][o] < 0 && !tl.away(o, d) {
			cands = append(cands, o)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return tl.load(cands[a], i) < tl.load(cands[b], i) })
	try := func(c int) bool {
		next := p.short(append(slices.Clone(tl.lists[i][s]), c))
		if next.total() >= short.total() {
			return false
		}
		tl.put(c, i, s)
		short = next
		return true
	}
	for _, c := range cands {
		if short.total() == 0 {
			break
		}
		if tl.allowed(c, i, s) {
			try(c)
		}
	}
	for _, c := range cands {
		if short.total() == 0 {
			break
		}
		if tl.duty[i][c] < 0 && !tl.allowed(c, i, s) {
			p.eject(tl, c, i, s, try)
		}
	}
	if short.total() > 0 && !tl.shifting {
		p.moveAcross(tl, i, s, try)
		short = p.short(tl.lists[i][s]) // an undone move leaves try's count behind
	}
	if short.total() > 0 && !tl.shifting {
		p.chainFill(tl, i, s)
		short = p.short(tl.lists[i][s])
	}
	if short.total() == 0 {
		return ""
	}
	var parts []string
	for k := range numKinds {
		if short[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", short[k], kindNames[k]))
		}
	}
	return fmt.Sprintf("shift %s on %s: %s position(s) without a qualified officer free under the rules", p.shiftName(s), d, strings.Join(parts, ", "))
}

// moveAcross fills shift s of day i with an officer on duty in another shift of the same
// day, whose own shift is then refilled from the officers free for it (one step: that
// refill moves no one across again).
func (p *rosterPlan) moveAcross(tl *dutyTimeline, i, s int, try func(int) bool) {
	for s2 := range tl.lists[i] {
		if s2 == s {
			continue
		}
		for _, c := range slices.Clone(tl.lists[i][s2]) {
			tl.take(c, i, s2)
			if tl.allowed(c, i, s) && try(c) {
				tl.shifting = true
				gap := p.refill(tl, i, s2)
				tl.shifting = false
				if gap == "" {
					return
				}
				// Undo: c back to s2 (the officers the refill added stay as reserve).
				tl.take(c, i, s)
				tl.put(c, i, s2)
				continue
			}
			tl.put(c, i, s2)
		}
	}
}

// eject frees officer c for shift s of day i by giving one of c's duties within a week to
// another officer free for it who keeps that shift fillable; then try(c) decides. It
// reports success.
func (p *rosterPlan) eject(tl *dutyTimeline, c, i, s int, try func(int) bool) bool {
	for j := max(0, i-7, tl.reach[0]); j <= min(len(tl.duty)-1, i+7, tl.reach[1]); j++ {
		s2 := int(tl.duty[j][c])
		if j == i || s2 < 0 {
			continue
		}
		tl.take(c, j, s2)
		if !tl.allowed(c, i, s) {
			tl.put(c, j, s2)
			continue
		}
		need := p.short(tl.lists[j][s2]).total()
		if need == 0 {
			// c was beyond what that shift needs: the duty goes without a replacement.
			if try(c) {
				return true
			}
			tl.put(c, j, s2)
			continue
		}
		dj := tl.from.AddDays(j)
		for o := range p.m.officers {
			if o == c || tl.duty[j][o] >= 0 || tl.away(o, dj) || !tl.allowed(o, j, s2) {
				continue
			}
			if p.short(append(slices.Clone(tl.lists[j][s2]), o)).total() >= need {
				continue
			}
			tl.put(o, j, s2)
			if try(c) {
				return true
			}
			tl.take(o, j, s2)
			break
		}
		tl.put(c, j, s2)
	}
	return false
}
