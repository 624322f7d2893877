package scheduler

import (
	"fmt"
	"testing"
)

// dcRosterForce is the DC test force of cmd/vigil's roster tests: two 12-hour shifts, 26
// vehicle units (2 canine) and 6 foot units, and n named officers with mixed
// qualifications, every twentieth at a 40-hour cap. With 20 posts it needs 78 officers a
// shift.
func dcRosterForce(n int) RegionForce {
	f := NewRegionForce("wfo")
	f.Shifts = twelveHour()
	f.Units[Vehicle], f.Units[Foot] = 26, 6
	f.Capabilities[CanineCapability] = 2
	return namedForce(f, n, func(i int) ([]Qualification, int) {
		q := []Qualification{QualVehicle}
		if i%2 == 0 || i%7 == 3 {
			q = append(q, QualFoot)
		}
		if i%5 != 4 {
			q = append(q, QualPost)
		}
		if i%8 == 5 {
			q = append(q, QualCanine)
		}
		if i%20 == 13 {
			return q, 40
		}
		return q, 0
	})
}

// forgetRosters empties the roster memos, so the next roster is made from the inputs alone.
func forgetRosters() {
	rosterCache.Lock()
	rosterCache.m, rosterCache.order = map[string]*rosterPlan{}, nil
	rosterCache.Unlock()
	deviationCache.Lock()
	deviationCache.m = map[string]*deviationSet{}
	deviationCache.Unlock()
}

// filledDay returns p's roster of day d and fails the test where positions go unfilled.
func filledDay(t *testing.T, p *rosterPlan, d Date) rosterDay {
	t.Helper()
	rd, err := p.day(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(rd.gaps) > 0 {
		t.Fatalf("%s: %v", d, rd.gaps)
	}
	return rd
}

// dcDays returns the rosters of the days, each as the ids on every shift and relief.
func dcDays(t *testing.T, f RegionForce, posts int, days []Date) []string {
	t.Helper()
	p, err := rosterPlanFor(f, mustLoc(t, "America/New_York"), posts)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range days {
		rd := filledDay(t, p, d)
		s := ""
		for _, l := range rd.timelineLists() {
			s += fmt.Sprint(p.officerIDs(l))
		}
		out = append(out, s)
	}
	return out
}

// TestFallBackChainJoins: DC with 303 officers relieves the 13-hour night of 2026-10-31
// only by chain moves that change duties on days around it (with the old one-step
// ejection it needed about 324). A day changed by them, planned alone from empty memos,
// is the same roster as that day of a plan of the whole fortnight, so days planned
// independently join; every rule holds on the fortnight and the week either side.
func TestFallBackChainJoins(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := dcRosterForce(303)
	fall := rosterDate(t, "2026-10-31")
	var window []Date
	for k := -14; k <= 14; k++ {
		window = append(window, fall.AddDays(k))
	}
	forgetRosters()
	whole := dcDays(t, f, 20, window)

	// The days whose roster differs from the repeating base, other than the night itself.
	p, err := rosterPlanFor(f, ny, 20)
	if err != nil {
		t.Fatal(err)
	}
	var changed []int
	for k, d := range window {
		base, _, err := p.baseDay(d)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := p.day(d)
		if err != nil {
			t.Fatal(err)
		}
		for s := range base {
			if d != fall && fmt.Sprint(p.officerIDs(base[s])) != fmt.Sprint(p.officerIDs(rd.onDuty[s])) {
				changed = append(changed, k)
				break
			}
		}
	}
	if len(changed) == 0 {
		t.Fatal("no day but the fall-back night differs from the base; want the chain moves to change some")
	}
	for _, k := range []int{changed[0], changed[len(changed)-1], 14} {
		forgetRosters()
		if alone := dcDays(t, f, 20, window[k:k+1]); alone[0] != whole[k] {
			t.Errorf("%s planned alone differs from the same day of the fortnight", window[k])
		}
	}

	if bad := dcProblems(t, p, window); len(bad) > 0 {
		t.Errorf("%d rule problems, first %v", len(bad), bad[:min(3, len(bad))])
	}
}

// dcProblems returns the rule problems (rosterProblems) of p's rosters of the days, a
// relief crew on duty from its relief time, and fails the test on a day with positions
// no one fills.
func dcProblems(t *testing.T, p *rosterPlan, days []Date) []string {
	t.Helper()
	var duties []DayDuty
	for _, d := range days {
		rd := filledDay(t, p, d)
		dd := DayDuty{Date: d}
		for s, w := range ShiftWindows(d, p.f.Shifts, p.loc) {
			sd := ShiftDuty{Shift: w.Name, Start: w.Start, End: w.End, Officers: p.officerIDs(rd.onDuty[s])}
			if at, ok := reliefAt(w); ok {
				sd.End = at
				dd.Shifts = append(dd.Shifts, ShiftDuty{Shift: w.Name + " relief", Start: at, End: w.End, Officers: p.officerIDs(rd.relief[s])})
			}
			dd.Shifts = append(dd.Shifts, sd)
		}
		duties = append(duties, dd)
	}
	return rosterProblems(duties, p.f)
}

// TestSpringChainKeepsRules: DC with 320 officers across the spring change of 2027-03-14,
// whose 23-hour day pushes duties within a week of it over the cap on the real clock, is
// refilled (before chain moves it left positions open) and every rule holds over the
// three weeks either side: no ejection or chain changes a day further from the change
// than a day planned alone looks for it (tl.reach), which would plan that day from the
// base and break the cap across it.
func TestSpringChainKeepsRules(t *testing.T) {
	forgetRosters()
	p, err := rosterPlanFor(dcRosterForce(320), mustLoc(t, "America/New_York"), 20)
	if err != nil {
		t.Fatal(err)
	}
	spring := rosterDate(t, "2027-03-14")
	var days []Date
	for k := -21; k <= 21; k++ {
		days = append(days, spring.AddDays(k))
	}
	if bad := dcProblems(t, p, days); len(bad) > 0 {
		t.Errorf("%d rule problems, first %v", len(bad), bad[:min(3, len(bad))])
	}
}

// TestTimelineUndo: undo after any puts and takes gives back the lists, duties and
// touched days exactly, fill order included.
func TestTimelineUndo(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := dcRosterForce(300)
	p, err := rosterPlanFor(f, ny, 20)
	if err != nil {
		t.Fatal(err)
	}
	from := rosterDate(t, "2027-01-04")
	tl, err := p.newTimeline(from, from.AddDays(9))
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() string { return fmt.Sprint(tl.lists, tl.duty, tl.touched) }
	r := testRand(t)
	for round := range 20 {
		before := snapshot()
		mark := len(tl.journal)
		for range 1 + r.IntN(30) {
			i := r.IntN(len(tl.duty))
			o := r.IntN(len(p.m.officers))
			if s := int(tl.duty[i][o]); s >= 0 {
				tl.take(o, i, s)
			} else {
				tl.put(o, i, r.IntN(len(f.Shifts)))
			}
		}
		if snapshot() == before {
			t.Fatalf("round %d: the puts and takes changed nothing", round)
		}
		tl.undo(mark)
		if got := snapshot(); got != before {
			t.Fatalf("round %d: undo left a different timeline", round)
		}
		// Keep some changes between rounds, so undo works from a changed state too.
		if o := r.IntN(len(p.m.officers)); tl.duty[0][o] >= 0 {
			tl.take(o, 0, int(tl.duty[0][o]))
		}
	}
}
