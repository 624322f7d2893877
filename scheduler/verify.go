package scheduler

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// Violation is one broken hard rule of a plan (DESIGN.md §3).
type Violation struct {
	Date    string // service date
	Rule    string // e.g. "max gap", "minimum visits", "travel", "post staffing"
	Subject string // the mission, unit, post or officer concerned
	Detail  string
}

// String returns e.g. "2026-11-27 max gap: emb-fr: gap of 251 min from 09:12 (max 240)".
func (v Violation) String() string {
	return fmt.Sprintf("%s %s: %s: %s", v.Date, v.Rule, v.Subject, v.Detail)
}

// Verify checks every §3 hard rule of a plan made without changes: every mission listed;
// minimum visits per service day; no gap over the max gap between presences (overlapping
// or touching visits merge), also across service days, and the boundary contract (first
// presence within half the max gap of the day's start, last within half of its end); no
// unit in two places (a route's visits in its shift window, in order, leaving the travel
// time of §2 between them, across shifts and days too); dwell in the profile's range; every
// post staffed to the minute by alternating officers; no officer in two places. It returns
// nil for a plan that keeps them all.
func Verify(in Inputs, p *Plan) []Violation {
	var out []Violation
	listed := map[string]bool{}
	for _, m := range p.Missions {
		listed[m.ID] = true
	}
	for _, m := range in.Missions {
		if !listed[m.ID] {
			out = append(out, Violation{Date: p.From, Rule: "missions", Subject: m.ID, Detail: "mission missing from the plan"})
		}
	}
	for _, sd := range p.ServiceDays {
		out = append(out, verifyDay(in, sd, nil)...)
	}
	// Across days: gaps between the last presence of one day and the first of the next,
	// and each unit's move from its last visit of a day to its first of the next.
	v := newVerifier(in)
	for i := 1; i < len(p.ServiceDays); i++ {
		a, b := p.ServiceDays[i-1], p.ServiceDays[i]
		if !a.End.Equal(b.Start) {
			out = append(out, Violation{Date: b.Date, Rule: "days", Subject: b.Date, Detail: "service day does not start where the previous one ends"})
			continue
		}
		lastA, firstB := v.presences(a), v.presences(b)
		for mi := range in.Missions {
			pa, pb := lastA[mi], firstB[mi]
			if len(pa) == 0 || len(pb) == 0 {
				continue
			}
			gap := pb[0].Arrive.Sub(pa[len(pa)-1].Depart)
			mg := v.profile(mi).MaxGapMinutes
			if gap > time.Duration(mg)*time.Minute {
				out = append(out, Violation{Date: b.Date, Rule: "max gap", Subject: in.Missions[mi].ID,
					Detail: fmt.Sprintf("gap of %.0f min across the day boundary (max %d)", gap.Minutes(), mg)})
			}
		}
		ua, ub := v.unitVisits(a), v.unitVisits(b)
		for u, va := range ua {
			vb := ub[u]
			if len(va) == 0 || len(vb) == 0 {
				continue
			}
			out = append(out, v.checkLeg(b.Date, u, va[len(va)-1], vb[0])...)
		}
	}
	return out
}

// verifier holds what the checks look up.
type verifier struct {
	in    Inputs
	index map[string]int
	modes map[string]Mode
	// spans, for a day whose changes edit missions, places each visit at the mission's
	// fields in effect when it arrives (edits.go); start is the day's start.
	spans *missionSpans
	start time.Time
}

func newVerifier(in Inputs) *verifier {
	v := &verifier{in: in, index: map[string]int{}, modes: map[string]Mode{}}
	for i, m := range in.Missions {
		v.index[m.ID] = i
	}
	region := regionOf(in)
	for _, mode := range Modes {
		for n := 1; n <= in.Force.Units[mode]; n++ {
			v.modes[UnitID(region, mode, n)] = mode
		}
	}
	return v
}

func (v *verifier) profile(mi int) Profile { return v.in.Force.Profiles[v.in.Missions[mi].Threat] }

// span is one visit or presence in absolute time.
type span struct {
	Mission        int
	Arrive, Depart time.Time
}

// presences returns each mission's presences of a day: visits merged where they overlap
// or touch, in time order.
func (v *verifier) presences(sd ServiceDay) map[int][]span {
	by := map[int][]span{}
	for _, r := range sd.Routes {
		for _, x := range r.Visits {
			if mi, ok := v.index[x.Mission]; ok {
				by[mi] = append(by[mi], span{mi, x.Arrive, x.Depart})
			}
		}
	}
	for mi, ss := range by {
		sort.Slice(ss, func(a, b int) bool { return ss[a].Arrive.Before(ss[b].Arrive) })
		merged := ss[:1]
		for _, s := range ss[1:] {
			last := &merged[len(merged)-1]
			if !s.Arrive.After(last.Depart) {
				if s.Depart.After(last.Depart) {
					last.Depart = s.Depart
				}
				continue
			}
			merged = append(merged, s)
		}
		by[mi] = merged
	}
	return by
}

// unitVisits returns each unit's visits of a day in time order.
func (v *verifier) unitVisits(sd ServiceDay) map[string][]span {
	by := map[string][]span{}
	for _, r := range sd.Routes {
		for _, x := range r.Visits {
			if mi, ok := v.index[x.Mission]; ok {
				by[r.Unit] = append(by[r.Unit], span{mi, x.Arrive, x.Depart})
			}
		}
	}
	for _, ss := range by {
		sort.Slice(ss, func(a, b int) bool { return ss[a].Arrive.Before(ss[b].Arrive) })
	}
	return by
}

// checkLeg checks that unit u can go from visit a to visit b.
func (v *verifier) checkLeg(date, u string, a, b span) []Violation {
	mode := v.modes[u]
	need := TravelModel(v.in.Force)(mode).Minutes(v.point(a), v.point(b))
	if a.Mission == b.Mission {
		need = 0
	}
	if b.Arrive.Before(a.Depart.Add(time.Duration(need) * time.Minute)) {
		return []Violation{{Date: date, Rule: "travel", Subject: u, Detail: fmt.Sprintf(
			"leaves %s at %s and reaches %s at %s, %d min of travel needed",
			v.in.Missions[a.Mission].ID, a.Depart.Format("15:04"), v.in.Missions[b.Mission].ID, b.Arrive.Format("15:04"), need)}}
	}
	return nil
}

// verifyDay checks the hard rules of one service day planned with the given changes.
func verifyDay(in Inputs, sd ServiceDay, changes []Change) []Violation {
	c := &dayCheck{in: in, sd: sd}
	d, err := ParseDate(sd.Date)
	if err != nil {
		c.add("day", sd.Date, "bad date: %v", err)
		return c.out
	}
	loc := in.Office.Location
	f := in.Force
	S, E := ServiceDayBounds(d, f.Shifts, loc)
	if !sd.Start.Equal(S) || !sd.End.Equal(E) {
		c.add("day", sd.Date, "runs %s–%s; want %s–%s", sd.Start, sd.End, S, E)
		return c.out
	}
	c.start, c.dayMin = S, int(E.Sub(S)/time.Minute)
	spans := newMissionSpans(in, S, c.dayMin, changes)
	if spans != nil {
		c.in = editedInputs(in, spans)
	}
	c.v = newVerifier(c.in)
	c.v.spans, c.v.start = spans, S
	for _, ch := range changes {
		if ch.Force != nil {
			maps.Copy(c.v.modes, unitModes(*ch.Force, regionOf(in)))
		}
	}
	c.th = newThreats(c.in, S, c.dayMin, changes)
	c.routes(ShiftWindows(d, f.Shifts, loc))
	c.moves()
	c.presences()
	return append(c.out, verifyPosts(in, sd, S, E)...)
}

// dayCheck is verifyDay's work on one service day: what its checks share, and the
// violations they found.
type dayCheck struct {
	in     Inputs
	sd     ServiceDay
	v      *verifier
	th     *threats
	start  time.Time // the service day's start
	dayMin int       // its length in minutes
	out    []Violation
}

func (c *dayCheck) add(rule, subject, format string, args ...any) {
	c.out = append(c.out, Violation{Date: c.sd.Date, Rule: rule, Subject: subject, Detail: fmt.Sprintf(format, args...)})
}

// minute returns the minutes from the start of the service day to t, rounded down.
func (c *dayCheck) minute(t time.Time) int { return int(t.Sub(c.start) / time.Minute) }

// profile returns mission mi's profile at minute m of the day.
func (c *dayCheck) profile(mi, m int) Profile { return c.in.Force.Profiles[c.th.at(mi, m)] }

// routes checks known units and shifts, one route per unit and shift, visits inside.
func (c *dayCheck) routes(wins []ShiftWindow) {
	winOf := map[string]ShiftWindow{}
	for _, w := range wins {
		winOf[w.Name] = w
	}
	seen := map[string]bool{}
	for _, r := range c.sd.Routes {
		w, ok := winOf[r.Shift]
		mode, known := c.v.modes[r.Unit]
		switch {
		case !ok:
			c.add("route", r.Unit, "unknown shift %q", r.Shift)
			continue
		case !known || mode != r.Mode:
			c.add("route", r.Unit, "unit unknown or of another mode than %s", r.Mode)
			continue
		case seen[r.Unit+"|"+r.Shift]:
			c.add("route", r.Unit, "two routes in shift %s", r.Shift)
		case !r.Start.Equal(w.Start) || !r.End.Equal(w.End):
			c.add("route", r.Unit, "shift %s route runs %s–%s; want %s–%s", r.Shift, r.Start, r.End, w.Start, w.End)
		}
		seen[r.Unit+"|"+r.Shift] = true
		for _, x := range r.Visits {
			if _, ok := c.v.index[x.Mission]; !ok {
				c.add("route", r.Unit, "visit to unknown mission %q", x.Mission)
				continue
			}
			if x.Arrive.Before(r.Start) || x.Depart.After(r.End) {
				c.add("shift window", r.Unit, "visit to %s %s–%s outside shift %s", x.Mission, x.Arrive.Format("15:04"), x.Depart.Format("15:04"), r.Shift)
			}
			if x.Arrive.Second() != 0 || x.Depart.Second() != 0 || x.Arrive.Nanosecond() != 0 || x.Depart.Nanosecond() != 0 {
				c.add("route", r.Unit, "visit to %s not on the minute", x.Mission)
			}
			if !x.Depart.After(x.Arrive) {
				c.add("route", r.Unit, "visit to %s at %s has no dwell", x.Mission, x.Arrive.Format("15:04"))
			}
		}
	}
}

// moves checks that no unit is in two places, and that every dwell is in the profile's
// range, a visit split at a shift change (relief in place) counted whole.
func (c *dayCheck) moves() {
	for u, ss := range c.v.unitVisits(c.sd) {
		for i := 1; i < len(ss); i++ {
			c.out = append(c.out, c.v.checkLeg(c.sd.Date, u, ss[i-1], ss[i])...)
		}
		for i := 0; i < len(ss); {
			j := i
			for j+1 < len(ss) && ss[j+1].Mission == ss[i].Mission && ss[j+1].Arrive.Equal(ss[j].Depart) {
				j++
			}
			dw := int(ss[j].Depart.Sub(ss[i].Arrive) / time.Minute)
			p := c.profile(ss[i].Mission, c.minute(ss[i].Arrive))
			if dw < p.DwellMinutes[0] || dw > p.DwellMinutes[1] {
				c.add("dwell", c.in.Missions[ss[i].Mission].ID, "visit by %s at %s lasts %d min; want %d–%d", u, ss[i].Arrive.Format("15:04"), dw, p.DwellMinutes[0], p.DwellMinutes[1])
			}
			i = j + 1
		}
	}
}

// presences checks every mission's minimum visits, max gaps and boundary contract.
func (c *dayCheck) presences() {
	pres := c.v.presences(c.sd)
	dayMin := c.dayMin
	for mi, m := range c.in.Missions {
		ps := pres[mi]
		if ls := c.v.spans.lives(m.ID); edited(ls) {
			c.editedPresences(mi, ps, ls) // created or deleted during the day (edits.go)
			continue
		}
		if n := c.th.minimum(mi); len(ps) < n {
			c.add("minimum visits", m.ID, "%d presences; want at least %d", len(ps), n)
		}
		if len(ps) == 0 {
			continue
		}
		if g := c.profile(mi, 0).MaxGapMinutes; c.minute(ps[0].Arrive) > g/2 {
			c.add("boundary", m.ID, "first presence at %s, over half the max gap (%d) after the day's start", ps[0].Arrive.Format("15:04"), g)
		}
		if g := c.profile(mi, dayMin-1).MaxGapMinutes; dayMin-c.minute(ps[len(ps)-1].Depart) > g/2 {
			c.add("boundary", m.ID, "last presence ends at %s, over half the max gap (%d) before the day's end", ps[len(ps)-1].Depart.Format("15:04"), g)
		}
		pts := c.th.points(mi)
		for i := 1; i < len(ps); i++ {
			a, b := c.minute(ps[i-1].Depart), c.minute(ps[i].Arrive)
			if g := c.profile(mi, a).MaxGapMinutes; b-a > g {
				c.add("max gap", m.ID, "gap of %d min from %s (max %d)", b-a, ps[i-1].Depart.Format("15:04"), g)
			}
			for _, ch := range pts {
				if ch > a && ch < b {
					if g := c.profile(mi, ch).MaxGapMinutes; b-ch > g {
						c.add("max gap", m.ID, "next presence %d min after the change at minute %d (max %d)", b-ch, ch, g)
					}
				}
			}
		}
	}
}

// verifyPosts checks that every post is staffed to the minute by alternating officers and
// that no officer is in two places.
func verifyPosts(in Inputs, sd ServiceDay, S, E time.Time) []Violation {
	var out []Violation
	add := func(rule, subject, format string, args ...any) {
		out = append(out, Violation{Date: sd.Date, Rule: rule, Subject: subject, Detail: fmt.Sprintf(format, args...)})
	}
	have := map[string]Post{}
	for _, p := range sd.Posts {
		have[p.Post] = p
	}
	type duty struct {
		start, end time.Time
		what       string
	}
	duties := map[string][]duty{}
	for _, site := range PostSites(in.Missions, in.Force.Profiles) {
		p, ok := have[site.ID]
		if !ok {
			add("post staffing", site.ID, "post not staffed")
			continue
		}
		at := S
		for i, b := range p.Blocks {
			if !b.Start.Equal(at) {
				add("post staffing", site.ID, "uncovered or double-covered from %s to %s", at.Format("15:04"), b.Start.Format("15:04"))
			}
			if b.Officer == "" {
				add("post staffing", site.ID, "block at %s has no officer", b.Start.Format("15:04"))
			}
			if i > 0 && p.Blocks[i-1].Officer == b.Officer && b.Officer != "" {
				add("post staffing", site.ID, "%s stands two blocks in a row at %s", b.Officer, b.Start.Format("15:04"))
			}
			if !b.End.After(b.Start) {
				add("post staffing", site.ID, "empty block at %s", b.Start.Format("15:04"))
			}
			at = b.End
			duties[b.Officer] = append(duties[b.Officer], duty{b.Start, b.End, "post " + site.ID})
		}
		if !at.Equal(E) {
			add("post staffing", site.ID, "uncovered from %s to the day's end", at.Format("15:04"))
		}
	}
	for _, r := range sd.Routes {
		for _, c := range CrewSpans(r) {
			duties[c.Officer] = append(duties[c.Officer], duty{c.Start, c.End, "unit " + r.Unit})
		}
	}
	for o, ds := range duties {
		sort.Slice(ds, func(a, b int) bool { return ds[a].start.Before(ds[b].start) })
		for i := 1; i < len(ds); i++ {
			if ds[i].start.Before(ds[i-1].end) {
				add("officer", o, "%s and %s at once from %s", ds[i-1].what, ds[i].what, ds[i].start.Format("15:04"))
			}
		}
	}
	return out
}

// CrewSpan is the time an officer crews a route.
type CrewSpan struct {
	Officer    string
	Start, End time.Time
}

// CrewSpans returns who crews route r when: its Officers from its start, each relief's On
// from the relief's At, each until relieved (a relief's Off) or the route's end. A relief
// that brings no one on (a unit out of service) ends the span of its Off all the same.
func CrewSpans(r Route) []CrewSpan {
	from := map[string]time.Time{}
	for _, o := range r.Officers {
		from[o] = r.Start
	}
	var out []CrewSpan
	reliefs := slices.Clone(r.Reliefs)
	sort.SliceStable(reliefs, func(i, j int) bool { return reliefs[i].At.Before(reliefs[j].At) })
	for _, x := range reliefs {
		if t, ok := from[x.Off]; ok && x.Off != "" {
			if x.At.After(t) {
				out = append(out, CrewSpan{x.Off, t, x.At})
			}
			delete(from, x.Off)
		}
		if _, ok := from[x.On]; !ok && x.On != "" {
			from[x.On] = x.At
		}
	}
	for o, t := range from {
		if r.End.After(t) {
			out = append(out, CrewSpan{o, t, r.End})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].Officer < out[j].Officer
	})
	return out
}
