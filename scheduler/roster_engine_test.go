package scheduler

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// testRand returns a ChaCha8 seeded from the test's name.
func testRand(tb testing.TB) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(tb.Name()))
	var seed [32]byte
	for i := range 4 {
		v := h.Sum64() + uint64(i)
		for k := range 8 {
			seed[i*8+k] = byte(v >> (8 * k))
		}
	}
	return rand.New(rand.NewChaCha8(seed))
}

// twelveHour is two 12-hour shifts, 06:00 and 18:00.
func twelveHour() []Shift {
	return []Shift{{Name: "day", Start: Clock{6, 0}}, {Name: "night", Start: Clock{18, 0}}}
}

// namedForce returns f with n named officers whose qualifications come from qual(i).
func namedForce(f RegionForce, n int, qual func(i int) ([]Qualification, int)) RegionForce {
	f.Roster = make([]Officer, n)
	for i := range n {
		q, cap := qual(i)
		f.Roster[i] = Officer{ID: OfficerID(f.Region, i+1), Name: fmt.Sprintf("Officer %d", i+1), Region: f.Region, Quals: SortQuals(q), MaxHoursWeek: cap}
	}
	f.Officers = n
	return f
}

// rosterProblems checks days of rosters against the rules from the windows the roster
// gives: no more than the officer's cap in any 168 h, at least 8 h between duties, no duty
// over 12 h, no officer twice in a day, no officer on duty on a day of leave.
func rosterProblems(days []DayDuty, f RegionForce) []string {
	caps := map[string]int{}
	for _, o := range f.OfficerList() {
		caps[o.ID] = o.WeekCapMinutes()
	}
	type iv struct{ a, b time.Time }
	by := map[string][]iv{}
	var bad []string
	for _, d := range days {
		seen := map[string]bool{}
		for _, sh := range d.Shifts {
			if sh.End.Sub(sh.Start) > 12*time.Hour {
				bad = append(bad, fmt.Sprintf("%s %s lasts %s", d.Date, sh.Shift, sh.End.Sub(sh.Start)))
			}
			for _, o := range sh.Officers {
				if seen[o] {
					bad = append(bad, fmt.Sprintf("%s twice on %s", o, d.Date))
				}
				seen[o] = true
				for _, l := range f.Leave {
					if l.Officer == o && l.Covers(d.Date) {
						bad = append(bad, fmt.Sprintf("%s on duty on %s, a day of leave", o, d.Date))
					}
				}
				by[o] = append(by[o], iv{sh.Start, sh.End})
			}
		}
	}
	for o, l := range by {
		sort.Slice(l, func(i, j int) bool { return l[i].a.Before(l[j].a) })
		for i := range l {
			if i > 0 && l[i].a.Sub(l[i-1].b) < 8*time.Hour {
				bad = append(bad, fmt.Sprintf("%s rests %s before %s", o, l[i].a.Sub(l[i-1].b), l[i].a))
			}
			sum := time.Duration(0)
			for _, x := range l[i:] {
				if !x.a.Before(l[i].a.Add(168 * time.Hour)) {
					break
				}
				end := x.b
				if w := l[i].a.Add(168 * time.Hour); end.After(w) {
					end = w
				}
				sum += end.Sub(x.a)
			}
			if sum > time.Duration(caps[o])*time.Minute {
				bad = append(bad, fmt.Sprintf("%s works %s in the week from %s", o, sum, l[i].a))
			}
		}
	}
	return bad
}

// TestEngineRosterRules: forces the forward rotation cannot staff (12-hour shifts, mixed
// qualifications, lower caps) get a roster meeting every rule over two months, DST days
// included, and the same roster again for the same inputs.
func TestEngineRosterRules(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	mixed := func(i int) ([]Qualification, int) {
		q := []Qualification{QualVehicle}
		if i%3 != 2 {
			q = append(q, QualPost)
		}
		if i%2 == 0 {
			q = append(q, QualFoot)
		}
		if i%6 == 1 {
			q = append(q, QualCanine)
		}
		cap := 0
		if i%10 == 7 {
			cap = 36
		}
		return q, cap
	}
	tests := []struct {
		name     string
		shifts   []Shift
		officers int
		v, fo    int
		posts    int
		from     string
	}{
		{"12h-dc-like", twelveHour(), 290, 26, 6, 20, "2026-12-07"},
		{"12h-spring", twelveHour(), 110, 8, 2, 5, "2027-03-01"},
		{"8h-mixed-fall", nil, 120, 14, 3, 4, "2026-10-20"},
		{"8h-mixed-spring", nil, 120, 14, 3, 4, "2027-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := rosterForce(0, tt.v, tt.fo, tt.shifts)
			f.Capabilities = map[string]int{CanineCapability: 2}
			f = namedForce(f, tt.officers, mixed)
			in := staffInputs(ny, 0, tt.v, tt.fo, tt.posts)
			in.Force = f
			from := rosterDate(t, tt.from)
			days, err := RosterRangeOf(in, from, from.AddDays(55))
			if err != nil {
				var inf *InfeasibleError
				if tt.shifts != nil && errors.As(err, &inf) {
					// A 12-hour set meets a 13-hour night at the fall DST change: refused, named.
					t.Fatalf("RosterRangeOf = %v", err)
				}
				t.Fatalf("RosterRangeOf = %v", err)
			}
			for i, b := range rosterProblems(days, f) {
				if i == 10 {
					t.Fatalf("… more")
				}
				t.Error(b)
			}
			rosterCache.Lock()
			rosterCache.m = map[string]*rosterPlan{}
			rosterCache.Unlock()
			again, err := RosterRangeOf(in, from, from.AddDays(55))
			if err != nil || fmt.Sprint(again) != fmt.Sprint(days) {
				t.Errorf("a second RosterRangeOf differs (err %v); want the same roster for the same inputs", err)
			}
		})
	}
}

// TestEngineLeave: officers on leave never appear on their days of leave, the rules hold
// around the leave, and a day's roster is the same asked alone or in a range.
func TestEngineLeave(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := rosterForce(0, 10, 2, twelveHour())
	f = namedForce(f, 90, func(int) ([]Qualification, int) { return Qualifications, 0 })
	for i := range 6 {
		f.Leave = append(f.Leave, Leave{Officer: OfficerID("t", 1+i*13), From: rosterDate(t, "2026-12-10"), To: rosterDate(t, "2026-12-20"), Kind: "annual"})
	}
	in := staffInputs(ny, 0, 10, 2, 3)
	in.Force = f
	from := rosterDate(t, "2026-12-01")
	days, err := RosterRangeOf(in, from, from.AddDays(34))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range rosterProblems(days, f) {
		t.Error(b)
	}
	for i, want := range days {
		got, err := DutyRosterOf(in, want.Date)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("DutyRosterOf(%s) alone differs from day %d of the range (err %v)", want.Date, i, err)
		}
	}
}

// TestCanineCrewProperty: over random officers files and forces, a canine unit is only
// ever crewed by a canine-qualified officer, and every crew and post by officers holding
// its qualification; forces the rules cannot staff are refused with an error naming what
// runs short.
func TestCanineCrewProperty(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	rng := testRand(t)
	staffed := 0
	const cases = 40
	for c := range cases {
		v, fo, posts := 2+rng.IntN(10), rng.IntN(4), rng.IntN(4)
		var shifts []Shift
		if rng.IntN(2) == 0 {
			shifts = twelveHour()
		}
		f := rosterForce(0, v, fo, shifts)
		f.Capabilities = map[string]int{CanineCapability: 1 + rng.IntN(min(3, v))}
		pos := float64(v + 2*fo + 2*posts)
		n := int(pos*24*7/48*(1.1+0.4*rng.Float64())) + 1
		pCanine := 0.1 + 0.3*rng.Float64()
		f = namedForce(f, n, func(int) ([]Qualification, int) {
			q := []Qualification{}
			if rng.Float64() < 0.9 {
				q = append(q, QualVehicle)
			}
			if rng.Float64() < 0.5 {
				q = append(q, QualFoot)
			}
			if rng.Float64() < pCanine {
				q = append(q, QualCanine)
			}
			if rng.Float64() < 0.7 {
				q = append(q, QualPost)
			}
			return q, 0
		})
		in := staffInputs(ny, 0, v, fo, posts)
		in.Force = f
		holds := map[string]Officer{}
		for _, o := range f.Roster {
			holds[o.ID] = o
		}
		from := rosterDate(t, "2027-01-04").AddDays(rng.IntN(60))
		ok := true
		for k := range 10 {
			d := from.AddDays(k)
			routes, ps, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
			if err != nil {
				var inf *InfeasibleError
				if !errors.As(err, &inf) {
					t.Fatalf("case %d: StaffDay = %v; want a roster or an *InfeasibleError", c, err)
				}
				ok = false
				break
			}
			for _, r := range routes {
				canine := r.Mode == Vehicle && kindOfUnit(f, r.Unit, r.Mode) == kindCanine
				for _, o := range r.Officers {
					if canine && !holds[o].Has(QualCanine) {
						t.Errorf("case %d %s: canine unit %s crewed by %s, who holds %v", c, d, r.Unit, o, holds[o].Quals)
					}
					if !holds[o].Has(Qualification(r.Mode)) {
						t.Errorf("case %d %s: %s unit %s crewed by %s, who holds %v", c, d, r.Mode, r.Unit, o, holds[o].Quals)
					}
				}
			}
			for _, p := range ps {
				for _, b := range p.Blocks {
					if !holds[b.Officer].Has(QualPost) {
						t.Errorf("case %d %s: post %s stood by %s, who holds %v", c, d, p.Post, b.Officer, holds[b.Officer].Quals)
					}
				}
			}
		}
		if ok {
			staffed++
		}
	}
	if staffed < cases/2 {
		t.Errorf("%d of %d random forces staffed; want most of them (the cases must exercise crews)", staffed, cases)
	}
}

// BenchmarkRoster56Days: the engine's roster of 56 days for 1,300 officers with mixed
// qualifications, from nothing cached (issue 15: at most 2 s).
func BenchmarkRoster56Days(b *testing.B) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	for _, shifts := range [][]Shift{nil, twelveHour()} {
		name := "8h"
		if shifts != nil {
			name = "12h"
		}
		b.Run(name, func(b *testing.B) {
			f := rosterForce(0, 200, 40, shifts)
			f.Capabilities = map[string]int{CanineCapability: 10}
			f = namedForce(f, 1300, func(i int) ([]Qualification, int) {
				q := []Qualification{QualVehicle, QualPost}
				if i%2 == 0 {
					q = append(q, QualFoot)
				}
				if i%9 == 4 {
					q = append(q, QualCanine)
				}
				return q, 0
			})
			in := staffInputs(ny, 0, 200, 40, 25)
			in.Force = f
			from, _ := ParseDate("2026-12-07")
			for b.Loop() {
				rosterCache.Lock()
				rosterCache.m = map[string]*rosterPlan{}
				rosterCache.Unlock()
				if _, err := RosterRangeOf(in, from, from.AddDays(55)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
