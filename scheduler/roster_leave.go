package scheduler

import (
	"fmt"
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

// deviations returns the changes of the cluster holding d.
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
	p      *rosterPlan
	from   Date
	duty   [][]int8   // [day][officer] shift or -1
	spans  [][][2]int // [day][shift] minutes since the range's first day start
	origin time.Time
}

func (p *rosterPlan) newTimeline(from, to Date) (*dutyTimeline, error) {
	n := to.DaysSince(from) + 1
	tl := &dutyTimeline{p: p, from: from, duty: make([][]int8, n), spans: make([][][2]int, n)}
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
		for _, w := range ShiftWindows(d, p.f.Shifts, p.loc) {
			tl.spans[i] = append(tl.spans[i], [2]int{int(w.Start.Sub(tl.origin) / time.Minute), int(w.End.Sub(tl.origin) / time.Minute)})
		}
	}
	return tl, nil
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

// runCluster applies leave and the real clock to the days first … last.
func (p *rosterPlan) runCluster(first, last Date) (*deviationSet, error) {
	tl, err := p.newTimeline(first.AddDays(-8), last.AddDays(8))
	if err != nil {
		return nil, err
	}
	onLeave := map[string][]Leave{}
	for _, l := range p.f.Leave {
		onLeave[l.Officer] = append(onLeave[l.Officer], l)
	}
	away := func(o int, d Date) bool {
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
		base, _, err := p.baseDay(d)
		if err != nil {
			return nil, err
		}
		i := d.DaysSince(tl.from)
		day := make([][]int, len(base))
		for s, list := range base {
			var kept []int
			for _, o := range list {
				if away(o, d) || !tl.allowed(o, i, s) {
					tl.duty[i][o] = -1
					continue
				}
				kept = append(kept, o)
			}
			day[s] = kept
		}
		for s := range day {
			var gap string
			day[s], gap = p.refill(tl, i, s, day[s], func(o int) bool { return away(o, d) })
			if gap != "" {
				out.gaps[d] = append(out.gaps[d], gap)
			}
			if p.rotation {
				sort.Ints(day[s])
			}
		}
		out.days[d] = day
	}
	return out, nil
}

// refill adds officers to shift s of day i until its positions can be filled, cheapest
// first, and returns the list and a sentence for what stays unfilled ("" when none).
func (p *rosterPlan) refill(tl *dutyTimeline, i, s int, list []int, away func(int) bool) ([]int, string) {
	sigsOf := func(l []int) []sig {
		out := make([]sig, len(l))
		for k, o := range l {
			out[k] = p.m.sigs[o]
		}
		return out
	}
	short := shortOf(sigsOf(list), p.m.need)
	if short.total() == 0 {
		return list, ""
	}
	var cands []int
	for o := range p.m.officers {
		if tl.duty[i][o] < 0 && !away(o) && tl.allowed(o, i, s) {
			cands = append(cands, o)
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return tl.load(cands[a], i) < tl.load(cands[b], i) })
	for _, c := range cands {
		if short.total() == 0 {
			break
		}
		helps := false
		for k := range numKinds {
			if short[k] > 0 && p.m.sigs[c].fits(posKind(k)) {
				helps = true
			}
		}
		if !helps || !tl.allowed(c, i, s) {
			continue
		}
		next := shortOf(sigsOf(append(list, c)), p.m.need)
		if next.total() < short.total() {
			list = append(list, c)
			tl.duty[i][c] = int8(s)
			short = next
		}
	}
	if short.total() == 0 {
		return list, ""
	}
	var parts []string
	for k := range numKinds {
		if short[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", short[k], kindNames[k]))
		}
	}
	d := tl.from.AddDays(i)
	return list, fmt.Sprintf("shift %s on %s: %s position(s) without a qualified officer free under the rules", p.f.Shifts[s].Name, d, strings.Join(parts, ", "))
}
