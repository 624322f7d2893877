package scheduler

import (
	"fmt"
	"math"
	"slices"
	"time"

	"vigil/geo"
)

// missionSpans is the missions of one service day through the mission edits made during
// it (Change.Edit with After or Deleted; DESIGN.md §3: a change at t re-draws the rest of
// the day with the new inputs). Entries 0..n-1 are the missions the day started with (the
// day's Inputs.Missions, in order); each edit that set a mission's fields adds an entry in
// effect from its minute. An entry is in effect over minutes [from, until) of the day; a
// deletion ends the mission's last entry. A visit is at the entry in effect when it
// arrives: a moved mission is where it was before the edit for the visits begun before
// it, and at its new place after.
type missionSpans struct {
	n           int       // missions the day started with
	missions    []Mission // every entry
	from, until []int     // minutes of the day; until is math.MaxInt while in effect
	created     []bool    // the entry begins a mission the day did not have at its minute
	byID        map[string][]int
}

// newMissionSpans returns the missions of a day through its changes, or nil when no change
// sets or deletes a mission's fields (a day without edits is planned as before).
// S is the day's start; changes are in time order.
func newMissionSpans(in Inputs, S time.Time, dayMin int, changes []Change) *missionSpans {
	edits := false
	for _, c := range changes {
		edits = edits || (c.Edit != "" && (c.After != nil || c.Deleted))
	}
	if !edits {
		return nil
	}
	ms := &missionSpans{n: len(in.Missions), byID: map[string][]int{}}
	for i, m := range in.Missions {
		ms.add(m, 0, false)
		ms.byID[m.ID] = []int{i}
	}
	for _, c := range changes {
		if c.Edit == "" || (c.After == nil && !c.Deleted) {
			continue
		}
		at := min(max(int(math.Ceil(c.At.Sub(S).Minutes()-1e-9)), 0), dayMin)
		es := ms.byID[c.Edit]
		live := len(es) > 0 && ms.until[es[len(es)-1]] == math.MaxInt
		if live {
			ms.until[es[len(es)-1]] = at
		}
		if c.Deleted {
			continue
		}
		m := *c.After
		m.ID = c.Edit
		if live {
			// The threat level has its own history (Change.Mission): an edit keeps the
			// level the mission started the day with, and threat changes apply to every
			// entry of the mission.
			m.Threat = ms.missions[es[0]].Threat
		}
		ms.byID[c.Edit] = append(es, len(ms.missions))
		ms.add(m, at, !live)
	}
	return ms
}

func (ms *missionSpans) add(m Mission, from int, created bool) {
	ms.missions = append(ms.missions, m)
	ms.from = append(ms.from, from)
	ms.until = append(ms.until, math.MaxInt)
	ms.created = append(ms.created, created)
}

// at returns the entry of mission id in effect at the given minute. A minute at which the
// mission did not exist gives its nearest entry, and false.
func (ms *missionSpans) at(id string, minute int) (int, bool) {
	es := ms.byID[id]
	if len(es) == 0 {
		return 0, false
	}
	for _, e := range es {
		if ms.from[e] <= minute && minute < ms.until[e] {
			return e, true
		}
	}
	best := es[0]
	for _, e := range es {
		if ms.from[e] <= minute {
			best = e
		}
	}
	return best, false
}

// last returns the latest entry of entry e's mission; the planner dispatches it.
func (ms *missionSpans) last(e int) int {
	es := ms.byID[ms.missions[e].ID]
	return es[len(es)-1]
}

// live reports whether entry e is its mission's entry at the end of the changes (not
// replaced by a later edit, not deleted).
func (ms *missionSpans) live(e int) bool {
	return ms.last(e) == e && ms.until[e] == math.MaxInt
}

// applyEdits makes the day's plan use the missions as the changes left them from each
// change's time: the plan's missions become every entry of missionSpans (the dispatch runs
// on the live ones), and the zoning's missions are the live entries, a moved or created
// mission in the zone of the nearest mission the day started with. It returns the zoning
// to dispatch, zn itself when no change edits a mission.
func (p *dayPlan) applyEdits(zn *zoning, changes []Change) *zoning {
	ms := newMissionSpans(p.in, p.start, p.dayMin, changes)
	if ms == nil {
		return zn
	}
	p.edits = ms
	p.in.Missions, p.eff.Missions = ms.missions, ms.missions
	p.points = make([]geo.Point, len(ms.missions))
	for i, m := range ms.missions {
		p.points[i] = MissionPoint(m)
		p.index[m.ID] = ms.last(i)
	}
	p.th = newThreats(p.in, p.start, p.dayMin, changes)

	out := &zoning{Zones: zn.Zones, Travel: zn.Travel, ZoneOf: make([]int, len(ms.missions)),
		Missions: make([][]int, len(zn.Missions)), Units: make([][]zoneUnit, len(zn.Units))}
	copy(out.ZoneOf, zn.ZoneOf)
	for zi, list := range zn.Missions {
		for _, mi := range list {
			if ms.live(mi) {
				out.Missions[zi] = append(out.Missions[zi], mi)
			}
		}
	}
	for e := ms.n; e < len(ms.missions); e++ {
		best, bd := 0, math.Inf(1)
		for j := 0; j < ms.n; j++ {
			if dd := geo.Haversine(p.points[e], p.points[j]); dd < bd {
				best, bd = j, dd
			}
		}
		zi := zn.ZoneOf[best]
		out.ZoneOf[e] = zi
		if ms.live(e) {
			out.Missions[zi] = append(out.Missions[zi], e)
		}
	}
	for zi := range out.Missions {
		slices.Sort(out.Missions[zi])
	}
	for zi, us := range zn.Units {
		for _, u := range us {
			if h := ms.last(u.Home); ms.live(h) {
				u.Home = h
			}
			out.Units[zi] = append(out.Units[zi], u)
		}
	}
	return out
}

// missionAt returns the index of mission id for a visit arriving at the given minute.
func (p *dayPlan) missionAt(id string, minute int) (int, bool) {
	if p.edits == nil {
		mi, ok := p.index[id]
		return mi, ok
	}
	e, _ := p.edits.at(id, minute)
	_, known := p.edits.byID[id]
	return e, known
}

// current returns the index the dispatch plans mission mi under: mi itself, or, after
// edits, its mission's latest entry (kept presences at a moved mission count for it).
func (p *dayPlan) current(mi int) int {
	if p.edits == nil {
		return mi
	}
	return p.edits.last(mi)
}

// editedMissions sets what a mission created during the day needs (DESIGN.md §3, as for
// a threat change): no minimum for a day it did not start with, and, until it has a
// presence, its first one within its max gap of its creation.
func (p *dayPlan) editedMissions(tl *timeline) {
	if p.edits == nil {
		return
	}
	for _, m := range tl.missions {
		es := p.edits.byID[p.edits.missions[m.idx].ID]
		first := -1
		for _, e := range es {
			if p.edits.created[e] {
				first = e // the latest creation of the mission
			}
		}
		if first < 0 {
			continue
		}
		c := p.edits.from[first]
		m.minimum = 0
		if !m.has || m.lastEnd < c {
			m.has, m.count = false, 0
			m.deadline = c + tl.prof(m.idx, c).MaxGapMinutes
			for _, pc := range p.th.points(m.idx) {
				if pc >= c && pc <= p.from {
					m.deadline = min(m.deadline, pc+tl.prof(m.idx, pc).MaxGapMinutes)
				}
			}
		}
	}
}

// life is one span of minutes [from, until) of the day a mission exists in; created when
// it begins with the mission's creation, until math.MaxInt when it lasts to the day's end.
type life struct {
	from, until int
	created     bool
}

// lives returns the spans of the day mission id exists in, in order: one from the day's
// start to its end for a mission no change creates or deletes (nil when spans is nil).
func (ms *missionSpans) lives(id string) []life {
	if ms == nil {
		return nil
	}
	var out []life
	for _, e := range ms.byID[id] {
		if n := len(out); n == 0 || ms.created[e] {
			out = append(out, life{from: ms.from[e], until: ms.until[e], created: ms.created[e]})
		} else {
			out[n-1].until = ms.until[e]
		}
	}
	return out
}

// edited reports whether the lives of a mission differ from existing all day.
func edited(ls []life) bool {
	return len(ls) > 1 || (len(ls) == 1 && (ls[0].created || ls[0].until != math.MaxInt))
}

// checkEdits reports a mission edit whose mission fields do not fit it: After naming
// another mission, both After and Deleted, or a created mission's threat outside 1..5.
func checkEdits(in Inputs, changes []Change) error {
	known := map[string]bool{}
	for _, m := range in.Missions {
		known[m.ID] = true
	}
	for i, c := range changes {
		switch {
		case c.Edit == "" && (c.After != nil || c.Deleted):
			return fmt.Errorf("change %d: mission fields or a deletion without a mission edit", i+1)
		case c.Edit == "":
			continue
		case c.After != nil && c.Deleted:
			return fmt.Errorf("change %d: mission %s both edited and deleted", i+1, c.Edit)
		case c.After != nil && c.After.ID != "" && c.After.ID != c.Edit:
			return fmt.Errorf("change %d: the edit of mission %s carries mission %s", i+1, c.Edit, c.After.ID)
		case c.After != nil && !known[c.Edit] && !ValidThreat(c.After.Threat):
			return fmt.Errorf("change %d: created mission %s: threat %d is not in %d..%d", i+1, c.Edit, c.After.Threat, MinThreat, MaxThreat)
		}
		if c.After != nil {
			known[c.Edit] = true
		}
	}
	return nil
}

// editedInputs returns in with the missions the changes create appended (as created; an
// id the day started with is not repeated): the verifier's list of every mission of the
// day, by id.
func editedInputs(in Inputs, ms *missionSpans) Inputs {
	out := in
	out.Missions = slices.Clone(in.Missions)
	for e := ms.n; e < len(ms.missions); e++ {
		if id := ms.missions[e].ID; ms.byID[id][0] == e {
			out.Missions = append(out.Missions, ms.missions[e])
		}
	}
	return out
}

// point is where visit a was: its mission's fields in effect when it arrived.
func (v *verifier) point(a span) geo.Point {
	m := v.in.Missions[a.Mission]
	if v.spans != nil {
		e, _ := v.spans.at(m.ID, int(a.Arrive.Sub(v.start)/time.Minute))
		m = v.spans.missions[e]
	}
	return MissionPoint(m)
}

// editedPresences checks a mission created or deleted during the day over each span of
// minutes it existed in (lives): no visit outside them; its first presence of a span
// within its max gap of its creation (within half of it of the day's start for a mission
// the day started with); no gap over the max gap, up to its deletion too; the boundary
// contract at the day's end only if it still exists then; no minimum visits for a day it
// did not exist all of.
func (c *dayCheck) editedPresences(mi int, ps []span, ls []life) {
	id := c.in.Missions[mi].ID
	in := func(a int) int {
		for k, l := range ls {
			if a >= l.from && a < min(l.until, c.dayMin) {
				return k
			}
		}
		return -1
	}
	for _, r := range c.sd.Routes {
		for _, x := range r.Visits {
			if x.Mission == id && in(c.minute(x.Arrive)) < 0 {
				c.add("edit", id, "visit by %s at %s when the mission did not exist (before its creation or after its deletion)", r.Unit, x.Arrive.Format("15:04"))
			}
		}
	}
	for k, l := range ls {
		var got []span
		for _, p := range ps {
			if in(c.minute(p.Arrive)) == k {
				got = append(got, p)
			}
		}
		c.lifePresences(mi, got, l)
	}
}

// lifePresences checks a mission's presences in one span of minutes it existed in.
func (c *dayCheck) lifePresences(mi int, ps []span, l life) {
	id := c.in.Missions[mi].ID
	hi, gone := min(l.until, c.dayMin), l.until != math.MaxInt
	ref, allow := l.from, c.profile(mi, l.from).MaxGapMinutes
	if !l.created {
		allow /= 2
	}
	gEnd := c.profile(mi, c.dayMin-1).MaxGapMinutes
	if len(ps) == 0 {
		if ref+allow < hi || (!gone && c.dayMin-ref > gEnd/2) {
			c.add("max gap", id, "no presence from minute %d to minute %d (first due by minute %d)", ref, hi, ref+allow)
		}
		return
	}
	if first := c.minute(ps[0].Arrive); first-ref > allow {
		c.add("max gap", id, "first presence at %s, %d min after minute %d (max %d)", ps[0].Arrive.Format("15:04"), first-ref, ref, allow)
	}
	last := c.minute(ps[len(ps)-1].Depart)
	if !gone && c.dayMin-last > gEnd/2 {
		c.add("boundary", id, "last presence ends at %s, over half the max gap (%d) before the day's end", ps[len(ps)-1].Depart.Format("15:04"), gEnd)
	}
	if g := c.profile(mi, min(last, hi)).MaxGapMinutes; gone && hi-last > g {
		c.add("max gap", id, "gap of %d min from %s to its deletion (max %d)", hi-last, ps[len(ps)-1].Depart.Format("15:04"), g)
	}
	pts := c.th.points(mi)
	for i := 1; i < len(ps); i++ {
		a, b := c.minute(ps[i-1].Depart), c.minute(ps[i].Arrive)
		if g := c.profile(mi, a).MaxGapMinutes; b-a > g {
			c.add("max gap", id, "gap of %d min from %s (max %d)", b-a, ps[i-1].Depart.Format("15:04"), g)
		}
		for _, ch := range pts {
			if ch > a && ch < b {
				if g := c.profile(mi, ch).MaxGapMinutes; b-ch > g {
					c.add("max gap", id, "next presence %d min after the change at minute %d (max %d)", b-ch, ch, g)
				}
			}
		}
	}
}
