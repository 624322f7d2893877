package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// A call-off (DESIGN.md §2, §5) is a Change with Officer set: the officer is unavailable
// from At. The planner plans the day without call-offs (PlannerChanges); ApplyCallOffs
// then hands each of the officer's positions from At on to one replacement, so nothing
// else in the plan moves: a route in progress is split at At (its visits before At keep
// the old crew), a post block in progress is split the same way, later routes and blocks
// change officer. The replacement is, in order of preference, an officer on duty in that
// shift without a position (no one's duties change), else the officer free under the
// roster rules with the fewest hours in the days around.

// Replacement is one position of a called-off officer and who takes it over.
type Replacement struct {
	Officer string    `json:"officer"`           // called off
	By      string    `json:"replacement"`       // "" when no one qualified is free
	Unit    string    `json:"unit,omitempty"`    // a crew place of this unit …
	Post    string    `json:"post,omitempty"`    // … or a place in this post's team
	Shift   string    `json:"shift"`             // the shift
	From    time.Time `json:"from"`              // from when
	To      time.Time `json:"to"`                // to the shift's end
	Reserve bool      `json:"reserve,omitempty"` // the replacement was on duty without a position
}

// IsCallOff reports whether c is a call-off.
func IsCallOff(c Change) bool { return c.Officer != "" }

// PlannerChanges returns the changes the planner replays: all but call-offs.
func PlannerChanges(cs []Change) []Change {
	out := []Change{}
	for _, c := range cs {
		if !IsCallOff(c) {
			out = append(out, c)
		}
	}
	return out
}

// UncoveredError is a call-off whose position no qualified officer free under the rules
// can take: the plan would leave it empty.
type UncoveredError struct {
	Region string
	Gaps   []Replacement
}

// Error names each position left empty.
func (e *UncoveredError) Error() string {
	s := fmt.Sprintf("%s: no qualified officer is free under the roster rules to replace", e.Region)
	for i, g := range e.Gaps {
		if i > 0 {
			s += ";"
		}
		where := "unit " + g.Unit
		if g.Post != "" {
			where = "post " + g.Post
		}
		s += fmt.Sprintf(" %s on %s (%s) from %s", g.Officer, where, g.Shift, g.From.Format("15:04"))
	}
	return s
}

// ApplyCallOffs applies the call-offs among changes (in order) to sd, the day planned with
// the other changes, and returns the day with version and revision of all the changes and
// every replacement made. An officer unknown to the force is an error; a position no one
// can take is an *UncoveredError naming it (the day is not returned half-changed).
func ApplyCallOffs(in Inputs, d Date, sd ServiceDay, changes []Change) (ServiceDay, []Replacement, error) {
	out := cloneDay(sd)
	out.Version, out.Revision = InputsVersion(in, d, changes), len(changes)
	var all []Replacement
	var cs []Change
	for _, c := range changes {
		if IsCallOff(c) {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return out, []Replacement{}, nil
	}
	co, err := newCallOffs(in, d)
	if err != nil {
		return sd, nil, err
	}
	for _, c := range changes {
		if c.Unit != "" {
			co.units[c.Unit] = c.At
		}
	}
	var gaps []Replacement
	for _, c := range cs {
		if !in.Force.HasOfficer(c.Officer) {
			return sd, nil, fmt.Errorf("call-off: region %s has no officer %s", in.Force.Region, c.Officer)
		}
		co.out[c.Officer] = true
		reps := co.apply(&out, c)
		reps = append(reps, co.moved...)
		co.moved = nil
		for _, r := range reps {
			if r.By == "" {
				gaps = append(gaps, r)
			}
		}
		all = append(all, reps...)
	}
	if len(gaps) > 0 {
		return sd, nil, &UncoveredError{Region: in.Force.Region, Gaps: gaps}
	}
	sortDay(&out)
	return out, all, nil
}

// callOffs is the state of one day's call-offs: the roster around the day and who is
// called off.
type callOffs struct {
	in   Inputs
	d    Date
	plan *rosterPlan
	tl   *dutyTimeline
	i    int // the day's index in tl
	wins []ShiftWindow
	out  map[string]bool
	// units are the units out of service, from when (changes with Unit set): their crews
	// are free from then, and a called-off officer's place on one needs no replacement.
	units map[string]time.Time
	idx   map[string]int
	// moved are the positions handed on to free an officer for a call-off's position
	// (chain); depth stops a chain from starting another.
	moved []Replacement
	depth int
}

func newCallOffs(in Inputs, d Date) (*callOffs, error) {
	f := in.Force
	wins, err := checkShiftLengths(f, in.Office.Location, d)
	if err != nil {
		return nil, err
	}
	p, err := rosterPlanFor(f, in.Office.Location, len(PostSites(in.Missions, f.Profiles)))
	if err != nil {
		return nil, err
	}
	tl, err := p.newTimeline(d.AddDays(-8), d.AddDays(8))
	if err != nil {
		return nil, err
	}
	// The days as rostered, leave and DST included.
	for k := range tl.duty {
		rd, err := p.day(tl.from.AddDays(k))
		if err != nil {
			return nil, err
		}
		for o := range tl.duty[k] {
			tl.duty[k][o] = -1
		}
		tl.lists[k] = rd.timelineLists()
		for s, list := range tl.lists[k] {
			for _, o := range list {
				tl.duty[k][o] = int8(s)
			}
		}
	}
	idx := map[string]int{}
	for i, o := range p.m.officers {
		idx[o.ID] = i
	}
	tl.away = func(o int, x Date) bool {
		for _, l := range f.Leave {
			if l.Officer == p.m.officers[o].ID && l.Covers(x) {
				return true
			}
		}
		return false
	}
	return &callOffs{in: in, d: d, plan: p, tl: tl, i: 8, wins: wins, out: map[string]bool{}, units: map[string]time.Time{}, idx: idx}, nil
}

// busy reports whether officer id holds any position of sd overlapping [a, b).
func busy(sd *ServiceDay, id string, a, b time.Time) bool {
	for _, r := range sd.Routes {
		if r.Start.Before(b) && a.Before(r.End) && onRoute(r, id, a, b) {
			return true
		}
	}
	for _, p := range sd.Posts {
		for _, bl := range p.Blocks {
			if bl.Officer == id && bl.Start.Before(b) && a.Before(bl.End) {
				return true
			}
		}
	}
	return false
}

// onRoute reports whether officer id crews route r at some time in [a, b): in its crew
// and not relieved by a, or relieving someone before b.
func onRoute(r Route, id string, a, b time.Time) bool {
	for _, x := range r.Reliefs {
		if x.On == id && x.At.Before(b) {
			return true
		}
		if x.Off == id && !x.At.After(a) {
			return false
		}
	}
	return slices.Contains(r.Officers, id)
}

// shiftOf returns the index of the shift holding t.
func (co *callOffs) shiftOf(t time.Time) int {
	for s, w := range co.wins {
		if !t.Before(w.Start) && t.Before(w.End) {
			return s
		}
	}
	return -1
}

// pick returns the replacement for a position of kind k in shift s from from, or "".
func (co *callOffs) pick(sd *ServiceDay, s int, k posKind, from time.Time) (string, bool) {
	end := co.wins[s].End
	ms := co.plan.m
	type cand struct {
		id      string
		reserve bool
		load    int
	}
	var cands []cand
	for o, off := range ms.officers {
		if co.out[off.ID] || !ms.sigs[o].fits(k) || co.tl.away(o, co.d) || co.busy(sd, off.ID, from, end) {
			continue
		}
		switch x := int(co.tl.duty[co.i][o]); {
		case x == s:
			cands = append(cands, cand{off.ID, true, 0})
		case x < 0 && co.tl.allowed(o, co.i, s):
			cands = append(cands, cand{off.ID, false, co.tl.load(o, co.i)})
		}
	}
	if len(cands) == 0 {
		return "", false
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].reserve != cands[b].reserve {
			return cands[a].reserve
		}
		if cands[a].load != cands[b].load {
			return cands[a].load < cands[b].load
		}
		return cands[a].id < cands[b].id
	})
	c := cands[0]
	co.leaveOutUnit(sd, c.id, from, end)
	if !c.reserve {
		o := co.idx[c.id]
		co.tl.duty[co.i][o] = int8(s)
		co.tl.lists[co.i][s] = append(co.tl.lists[co.i][s], o)
	}
	return c.id, c.reserve
}

// chain frees an officer of shift s who fits a position of kind k by handing their own
// position from from to someone else (one step: an officer on duty moves, one more is
// brought in), and returns them, or "" when no such chain exists.
func (co *callOffs) chain(sd *ServiceDay, s int, k posKind, from time.Time, id string) string {
	if co.depth > 0 {
		return ""
	}
	co.depth++
	defer func() { co.depth-- }()
	ms := co.plan.m
	for _, x := range slices.Clone(co.tl.lists[co.i][s]) {
		xid := ms.officers[x].ID
		if xid == id || co.out[xid] || !ms.sigs[x].fits(k) || !busy(sd, xid, from, co.wins[s].End) {
			continue
		}
		try := cloneDay(*sd)
		row, lists := slices.Clone(co.tl.duty[co.i]), slices.Clone(co.tl.lists[co.i])
		for j := range lists {
			lists[j] = slices.Clone(lists[j])
		}
		reps := co.apply(&try, Change{At: from, Officer: xid})
		ok := len(reps) > 0
		for _, r := range reps {
			ok = ok && r.By != ""
		}
		if ok {
			*sd = try
			co.moved = append(co.moved, reps...)
			return xid
		}
		co.tl.duty[co.i], co.tl.lists[co.i] = row, lists
	}
	return ""
}

// cloneDay returns a copy of sd whose routes and posts may be changed.
func cloneDay(sd ServiceDay) ServiceDay {
	out := sd
	out.Routes = slices.Clone(sd.Routes)
	out.Posts = make([]Post, len(sd.Posts))
	for i, p := range sd.Posts {
		out.Posts[i] = p
		out.Posts[i].Blocks = slices.Clone(p.Blocks)
	}
	return out
}

// apply hands every position of c's officer from c.At to replacements.
func (co *callOffs) apply(sd *ServiceDay, c Change) []Replacement {
	id, at := c.Officer, c.At
	f := co.in.Force
	var reps []Replacement
	byShift := map[string]string{} // unit|shift or post|shift → replacement
	// Routes, in plan order; a route in progress keeps its crew until At and records the
	// relief (Route.Reliefs), so nothing published before At changes.
	for ri, r := range sd.Routes {
		if !at.Before(r.End) || !onRoute(r, id, at, r.End) {
			continue
		}
		from := r.Start
		if at.After(from) {
			from = at
		}
		if t, ok := co.units[r.Unit]; ok && !at.Before(t) {
			// The unit is out of service: it finishes a visit in progress a place short
			// and its later routes (no visits) lose the officer.
			co.dropFromOutRoute(sd, ri, id, at)
			continue
		}
		key := r.Unit + "|" + r.Shift
		by, seen := byShift[key]
		if !seen {
			s := co.shiftOf(from)
			k := kindOfUnit(f, r.Unit, r.Mode)
			var reserve bool
			if s >= 0 {
				by, reserve = co.pick(sd, s, k, from)
				if by == "" {
					by = co.chain(sd, s, k, from, id)
				}
			}
			byShift[key] = by
			reps = append(reps, Replacement{Officer: id, By: by, Unit: r.Unit, Shift: r.Shift, From: from, To: r.End, Reserve: reserve})
		}
		r = sd.Routes[ri] // chain may have changed the day
		r.Reliefs = slices.Clone(r.Reliefs)
		for k, x := range r.Reliefs {
			if x.Off == id && x.At.After(at) {
				r.Reliefs[k].Off = by // a later relief in place (DST night) relieves the replacement
			}
		}
		if at.After(r.Start) {
			r.Reliefs = append(slices.Clone(r.Reliefs), Relief{At: at, Off: id, On: by})
		} else {
			r.Officers = slices.Clone(r.Officers)
			for i, o := range r.Officers {
				if o == id {
					r.Officers[i] = by
				}
			}
			sort.Strings(r.Officers)
		}
		sd.Routes[ri] = r
	}
	// Post blocks.
	for pi := range sd.Posts {
		p := &sd.Posts[pi]
		var blocks []Block
		for _, b := range p.Blocks {
			if b.Officer != id || !at.Before(b.End) {
				blocks = append(blocks, b)
				continue
			}
			from := b.Start
			if at.After(from) {
				from = at
			}
			s := co.shiftOf(from)
			key := p.Post + "|" + fmt.Sprint(s)
			by, seen := byShift[key]
			if !seen {
				var reserve bool
				if s >= 0 {
					by, reserve = co.pick(sd, s, kindPost, from)
					if by == "" {
						by = co.chain(sd, s, kindPost, from, id)
					}
				}
				byShift[key] = by
				name := ""
				to := b.End
				if s >= 0 {
					name, to = co.wins[s].Name, co.wins[s].End
				}
				reps = append(reps, Replacement{Officer: id, By: by, Post: p.Post, Shift: name, From: from, To: to, Reserve: reserve})
			}
			if at.After(b.Start) {
				blocks = append(blocks, Block{Officer: id, Start: b.Start, End: at})
			}
			blocks = append(blocks, Block{Officer: by, Start: from, End: b.End})
		}
		p.Blocks = blocks
	}
	return reps
}

// sortDay puts routes and blocks back in plan order (DESIGN.md §5).
func sortDay(sd *ServiceDay) {
	sort.SliceStable(sd.Routes, func(i, j int) bool {
		if !sd.Routes[i].Start.Equal(sd.Routes[j].Start) {
			return sd.Routes[i].Start.Before(sd.Routes[j].Start)
		}
		return sd.Routes[i].Unit < sd.Routes[j].Unit
	})
	for _, p := range sd.Posts {
		sort.SliceStable(p.Blocks, func(i, j int) bool { return p.Blocks[i].Start.Before(p.Blocks[j].Start) })
	}
}
