package scheduler

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// rosterPlan is the duty roster of a region's force: a base that repeats (the forward
// rotation, or the engine's cyclic roster) and the changes leave and DST nights force on
// it (roster_leave.go). It is a pure function of the force and the number of posts; plans
// cache it by rosterModel.key.
type rosterPlan struct {
	f        RegionForce
	loc      *time.Location
	m        *rosterModel
	rotation bool          // the forward rotation of roster.go serves as the base
	cyc      *cyclicRoster // else the engine's cycle
}

// rosterCacheSize bounds the memo of roster plans (one per force and post count in use).
const rosterCacheSize = 32

var rosterCache = struct {
	sync.Mutex
	m     map[string]*rosterPlan
	order []string
}{m: map[string]*rosterPlan{}}

// rosterPlanFor returns the roster plan of f with posts fixed posts, from the memo when it
// was made before. The forward rotation is the base when it fits: every officer holding
// every qualification and the rule's cap, and enough officers that each of its phase
// groups fills every position. Else the engine builds a cyclic roster.
func rosterPlanFor(f RegionForce, loc *time.Location, posts int) (*rosterPlan, error) {
	m := newRosterModel(f, posts)
	key := m.key()
	rosterCache.Lock()
	p, ok := rosterCache.m[key]
	rosterCache.Unlock()
	if ok {
		cp := *p
		cp.f, cp.loc = f, loc
		return &cp, nil
	}
	p = &rosterPlan{f: f, loc: loc, m: m}
	if L := RotationDays(len(f.Shifts)); L > 0 && f.allQualified() && f.Officers >= Positions(f, posts)*L {
		p.rotation = true
	} else {
		c, err := solveCyclic(m)
		if err != nil {
			return nil, err
		}
		p.cyc = c
	}
	rosterCache.Lock()
	if _, ok := rosterCache.m[key]; !ok {
		rosterCache.m[key] = p
		rosterCache.order = append(rosterCache.order, key)
		if len(rosterCache.order) > rosterCacheSize {
			delete(rosterCache.m, rosterCache.order[0])
			rosterCache.order = rosterCache.order[1:]
		}
	}
	rosterCache.Unlock()
	return p, nil
}

// baseDay returns, for each shift of date d, the officers (indices into the model's
// officers) the base puts on duty, in the order they should fill positions: the rotation's
// ascending group, or the engine's officers by the kind of position it planned for them.
func (p *rosterPlan) baseDay(d Date) ([][]int, []int, error) {
	S := len(p.f.Shifts)
	out := make([][]int, S)
	turns := make([]int, S)
	if p.rotation {
		crews, err := rosterCrews(p.f, d)
		if err != nil {
			return nil, nil, err
		}
		for s, c := range crews {
			out[s] = append([]int{}, c.officers...)
			turns[s] = c.turn
		}
		return out, turns, nil
	}
	t := p.cyc.cycleDay(d)
	for o := range p.m.officers {
		if s := p.cyc.duty[o][t]; s >= 0 {
			out[s] = append(out[s], o)
		}
	}
	for s := range out {
		sort.SliceStable(out[s], func(i, j int) bool {
			return p.cyc.kind[out[s][i]][t] < p.cyc.kind[out[s][j]][t]
		})
	}
	return out, turns, nil
}

// rosterDay is the roster of one date: per shift the officers on duty in fill order and
// the rotation's turn (0 for the engine), and each position no one could fill.
type rosterDay struct {
	onDuty [][]int
	turns  []int
	gaps   []string
	// relief is, per shift longer than a duty period (a DST night), the officers who take
	// its positions over in place at reliefAt, in fill order; nil for other shifts.
	relief [][]int
}

// day returns the roster of date d: the base with the changes of leave and DST.
func (p *rosterPlan) day(d Date) (rosterDay, error) {
	on, turns, err := p.baseDay(d)
	if err != nil {
		return rosterDay{}, err
	}
	out := rosterDay{onDuty: on, turns: turns}
	seed, ok := p.nearSeed(d)
	if !ok {
		return out, nil
	}
	dev, err := p.deviations(seed)
	if err != nil {
		return rosterDay{}, err
	}
	if got, ok := dev.days[d]; ok {
		S := len(p.f.Shifts)
		out.onDuty, out.relief = got[:S], got[S:]
		out.gaps = dev.gaps[d]
	}
	return out, nil
}

// timelineLists returns the day's lists as the timeline holds them: the S shifts, then
// their S relief pseudo-shifts.
func (rd rosterDay) timelineLists() [][]int {
	out := withReliefLists(rd.onDuty)
	for s, list := range rd.relief {
		out[len(rd.onDuty)+s] = list
	}
	return out
}

// officerIDs returns the ids of officer indices, sorted.
func (p *rosterPlan) officerIDs(idx []int) []string {
	ids := make([]string, len(idx))
	for i, o := range idx {
		ids[i] = p.m.officers[o].ID
	}
	sort.Strings(ids)
	return ids
}

// gapError is the error for positions no one can fill on a day.
func gapError(region string, gaps []string) error {
	return &InfeasibleError{Region: region, Missing: fmt.Sprintf("%d positions cannot be filled under the roster rules: %v", len(gaps), gaps)}
}
