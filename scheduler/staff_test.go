package scheduler

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// staffInputs returns inputs of region "t" with the given force and posts missions of
// threat 5 (one post each by default), plus one threat-3 mission with two posts when
// posts > 1, so that a mission with several posts is covered.
func staffInputs(loc *time.Location, officers, vehicles, foot, posts int) Inputs {
	f := rosterForce(officers, vehicles, foot, nil)
	in := Inputs{Office: Office{ID: "t", TZ: loc.String(), Location: loc}, Force: f}
	n := 0
	if posts > 1 {
		two := 2
		in.Missions = append(in.Missions, Mission{ID: "emb-a", Threat: 3, FixedPosts: &two, Region: "t"})
		n = 2
	}
	for i := n; i < posts; i++ {
		in.Missions = append(in.Missions, Mission{ID: fmt.Sprintf("emb-p%02d", i), Threat: 5, Region: "t"})
	}
	in.Missions = append(in.Missions, Mission{ID: "emb-z", Threat: 2, Region: "t"})
	return in
}

// staffRoutes returns one route per unit and shift of in, and a second route for the first
// vehicle unit in each shift (a re-plan splits a unit's shift into two routes).
func staffRoutes(in Inputs) []Route {
	var out []Route
	for _, s := range in.Force.Shifts {
		for _, m := range Modes {
			for n := 1; n <= in.Force.Units[m]; n++ {
				out = append(out, Route{Unit: UnitID(in.Force.Region, m, n), Mode: m, Shift: s.Name})
			}
		}
		if in.Force.Units[Vehicle] > 0 {
			out = append(out, Route{Unit: UnitID(in.Force.Region, Vehicle, 1), Mode: Vehicle, Shift: s.Name})
		}
	}
	return out
}

var staffKey = []byte("staff-test-key-0123456789abcdef!")

// TestStaffDayRules checks the hard rules of posts and crews over many service days,
// the DST days included, in two zones and for several force sizes.
func TestStaffDayRules(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	hnl := mustLoc(t, "Pacific/Honolulu")
	tests := []struct {
		name                          string
		loc                           *time.Location
		officers, vehicles, foot, pos int
		from                          string
		days                          int
	}{
		{"ny-wfo", ny, 220, 18, 7, 5, "2026-10-25", 12},
		{"ny-spring", ny, 64, 4, 2, 4, "2027-03-08", 10},
		{"ny-exact", ny, 8, 0, 0, 1, "2026-10-29", 5}, // 2 positions · 4
		{"ny-posts-only", ny, 24, 0, 0, 3, "2027-03-11", 5},
		{"hnl", hnl, 90, 6, 3, 2, "2026-10-29", 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := staffInputs(tt.loc, tt.officers, tt.vehicles, tt.foot, tt.pos)
			from := rosterDate(t, tt.from)
			for i := range tt.days {
				d := from.AddDays(i)
				checkStaffDay(t, in, d)
			}
		})
	}
}

func checkStaffDay(t *testing.T, in Inputs, d Date) {
	t.Helper()
	f, loc := in.Force, in.Office.Location
	routes, posts, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
	if err != nil {
		t.Fatalf("StaffDay(%s) = %v", d, err)
	}
	roster, err := DutyRoster(f, loc, d)
	if err != nil {
		t.Fatal(err)
	}
	start, end := ServiceDayBounds(d, f.Shifts, loc)
	B := f.PostBlockMinutes
	jitter, minBlock := postBlockJitter(B)
	if len(posts) != len(PostSites(in.Missions, f.Profiles)) {
		t.Fatalf("%s: %d posts; want %d", d, len(posts), len(PostSites(in.Missions, f.Profiles)))
	}
	// where[shift][officer] is the one place an officer stands in a shift.
	where := map[string]map[string]string{}
	place := func(shift, officer, at string) {
		if where[shift] == nil {
			where[shift] = map[string]string{}
		}
		if prev, ok := where[shift][officer]; ok && prev != at {
			t.Errorf("%s %s: %s is at %s and %s", d, shift, officer, prev, at)
		}
		where[shift][officer] = at
	}
	onDuty := map[string]map[string]bool{}
	for _, s := range roster.Shifts {
		onDuty[s.Shift] = map[string]bool{}
		for _, o := range s.Officers {
			onDuty[s.Shift][o] = true
		}
	}
	for i, p := range posts {
		if i > 0 && posts[i-1].Post >= p.Post {
			t.Errorf("%s: posts not sorted by id: %s before %s", d, posts[i-1].Post, p.Post)
		}
		if !strings.HasPrefix(p.Post, p.Mission+"/") {
			t.Errorf("%s: post %s of mission %s", d, p.Post, p.Mission)
		}
		// Covered from the day's start to its end, no gap or overlap.
		at := start
		for j, b := range p.Blocks {
			if !b.Start.Equal(at) {
				t.Errorf("%s %s: block %d starts %v; want %v (no gap or overlap)", d, p.Post, j, b.Start, at)
			}
			at = b.End
			if j > 0 && p.Blocks[j-1].Officer == b.Officer {
				t.Errorf("%s %s: %s stands blocks %d and %d in a row", d, p.Post, b.Officer, j-1, j)
			}
		}
		if !at.Equal(end) {
			t.Errorf("%s %s: blocks end %v; want %v", d, p.Post, at, end)
		}
		// Per shift: nominal boundaries, jitter, minimum, last absorbs the remainder.
		for _, w := range ShiftWindows(d, f.Shifts, loc) {
			var bs []Block
			for _, b := range p.Blocks {
				if !b.Start.Before(w.Start) && !b.End.After(w.End) {
					bs = append(bs, b)
				} else if b.Start.Before(w.End) && b.End.After(w.Start) {
					t.Errorf("%s %s: block %v–%v crosses the shift boundary of %s", d, p.Post, b.Start, b.End, w.Name)
				}
			}
			n := max(1, w.Minutes()/B)
			if len(bs) != n {
				t.Errorf("%s %s %s: %d blocks in %d min; want %d", d, p.Post, w.Name, len(bs), w.Minutes(), n)
				continue
			}
			team := map[string]bool{}
			for k, b := range bs {
				team[b.Officer] = true
				place(w.Name, b.Officer, p.Post)
				if !onDuty[w.Name][b.Officer] {
					t.Errorf("%s %s %s: %s stands a block but is not on duty", d, p.Post, w.Name, b.Officer)
				}
				if k > 0 {
					nominal := w.Start.Add(time.Duration(k*B) * time.Minute)
					if off := b.Start.Sub(nominal); off < -time.Duration(jitter)*time.Minute || off > time.Duration(jitter)*time.Minute {
						t.Errorf("%s %s: boundary %v is %v from nominal %v; want within ±%d min", d, p.Post, b.Start, off, nominal, jitter)
					}
				}
				if m := int(b.End.Sub(b.Start) / time.Minute); m < min(minBlock, w.Minutes()) {
					t.Errorf("%s %s: block %v–%v lasts %d min; want ≥ %d", d, p.Post, b.Start, b.End, m, minBlock)
				}
				if b.Start.Second() != 0 || b.End.Second() != 0 {
					t.Errorf("%s %s: block %v–%v not to the minute", d, p.Post, b.Start, b.End)
				}
			}
			if len(bs) > 1 && len(team) != PostTeam {
				t.Errorf("%s %s %s: team of %d; want %d", d, p.Post, w.Name, len(team), PostTeam)
			}
			last := bs[len(bs)-1]
			nominalLast := w.Start.Add(time.Duration((n-1)*B) * time.Minute)
			if rem := w.End.Sub(nominalLast); n > 1 && (rem < time.Duration(B)*time.Minute || rem >= time.Duration(2*B)*time.Minute) {
				t.Errorf("%s %s %s: last nominal block %v; want the remainder in [%d, %d) min", d, p.Post, w.Name, rem, B, 2*B)
			}
			if !last.End.Equal(w.End) {
				t.Errorf("%s %s %s: last block ends %v; want %v", d, p.Post, w.Name, last.End, w.End)
			}
		}
	}
	crews := map[string][]string{}
	for _, r := range routes {
		k := r.Shift + " " + r.Unit
		if c, ok := crews[k]; ok && fmt.Sprint(c) != fmt.Sprint(r.Officers) {
			t.Errorf("%s %s: routes have crews %v and %v", d, k, c, r.Officers)
		}
		crews[k] = r.Officers
		if len(r.Officers) != f.Crew[r.Mode] {
			t.Errorf("%s %s: crew %v; want %d officers", d, k, r.Officers, f.Crew[r.Mode])
		}
		if !sort.StringsAreSorted(r.Officers) {
			t.Errorf("%s %s: crew %v not sorted", d, k, r.Officers)
		}
		for _, o := range r.Officers {
			place(r.Shift, o, r.Unit)
			if !onDuty[r.Shift][o] {
				t.Errorf("%s %s: %s crews a unit but is not on duty", d, k, o)
			}
		}
	}
}

func TestStaffDayDeterminism(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	in := staffInputs(ny, 220, 18, 7, 5)
	d := rosterDate(t, "2026-10-31")
	r1, p1, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
	if err != nil {
		t.Fatal(err)
	}
	r2, p2, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r1, r2); diff != "" {
		t.Errorf("StaffDay routes differ between runs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Errorf("StaffDay posts differ between runs (-first +second):\n%s", diff)
	}
	other := []byte("another-key-0123456789abcdefghij")
	r3, p3, err := StaffDay(in, other, d, "v1", staffRoutes(in))
	if err != nil {
		t.Fatal(err)
	}
	// Crews and post teams follow the roster, not the key; block times follow the key.
	if diff := cmp.Diff(r1, r3); diff != "" {
		t.Errorf("StaffDay crews depend on the key (-key1 +key2):\n%s", diff)
	}
	teams := func(ps []Post) map[string]bool {
		out := map[string]bool{}
		for _, p := range ps {
			for _, b := range p.Blocks {
				out[p.Post+" "+b.Officer] = true
			}
		}
		return out
	}
	if diff := cmp.Diff(teams(p1), teams(p3)); diff != "" {
		t.Errorf("StaffDay post teams depend on the key (-key1 +key2):\n%s", diff)
	}
	same, total := 0, 0
	for i := range p1 {
		for j := range p1[i].Blocks {
			total++
			if p1[i].Blocks[j].Start.Equal(p3[i].Blocks[j].Start) {
				same++
			}
		}
	}
	if same > total/2 {
		t.Errorf("%d of %d block starts equal under two keys; want the jitter to differ", same, total)
	}
	// The input routes are not modified.
	for _, r := range staffRoutes(in) {
		if r.Officers != nil {
			t.Fatalf("staffRoutes returned officers")
		}
	}
}

func TestStaffDayEmpty(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	in := staffInputs(ny, 20, 1, 0, 0)
	routes, posts, err := StaffDay(in, staffKey, rosterDate(t, "2027-01-05"), "v1", []Route{})
	if err != nil {
		t.Fatal(err)
	}
	if routes == nil || posts == nil || len(routes) != 0 || len(posts) != 0 {
		t.Errorf("StaffDay(no routes, no posts) = %#v, %#v; want empty, non-nil slices", routes, posts)
	}
}

func TestStaffDayErrors(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	d := rosterDate(t, "2027-01-05")
	// 18 + 14 = 32 unit positions + 10 post places = 42 per shift: 7,056 officer-hours a
	// week, 147 officers at 48 h; 140 give 6,720.
	short := staffInputs(ny, 140, 18, 7, 5)
	bad := staffInputs(ny, 200, 1, 0, 0)
	tests := []struct {
		name   string
		in     Inputs
		routes []Route
		want   string
	}{
		{"too few for posts", short, staffRoutes(short), "the force runs short by 7 officers"},
		{"unknown shift", bad, []Route{{Unit: "t-v01", Mode: Vehicle, Shift: "noon"}}, `shift "noon"`},
		{"unknown mode", bad, []Route{{Unit: "t-x01", Mode: "boat", Shift: "day"}}, `mode "boat"`},
		{"two modes", bad, []Route{{Unit: "t-v01", Mode: Vehicle, Shift: "day"}, {Unit: "t-v01", Mode: Foot, Shift: "day"}}, "modes"},
		{"too few for units", staffInputs(ny, 85, 18, 4, 0), nil, "runs short by 6 officers"},
	}
	for _, tt := range tests {
		_, _, err := StaffDay(tt.in, staffKey, d, "v1", tt.routes)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: StaffDay(...) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestPostFairness measures post hours across officers over 28 days for a wfo-size force.
func TestPostFairness(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	in := staffInputs(ny, 220, 18, 7, 5)
	from := rosterDate(t, "2026-10-20")
	hours := map[string]float64{}
	for i := range 28 {
		d := from.AddDays(i)
		_, posts, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			for _, b := range p.Blocks {
				hours[b.Officer] += b.End.Sub(b.Start).Hours()
			}
		}
	}
	xs := make([]float64, 0, in.Force.Officers)
	for n := 1; n <= in.Force.Officers; n++ {
		xs = append(xs, hours[OfficerID("t", n)])
	}
	mean, std := rosterMeanStd(xs)
	lo, hi := rosterMinMax(xs)
	t.Logf("post hours over 28 days, 220 officers, 5 posts: mean %.2f, std %.2f (%.1f%%), min %.1f, max %.1f", mean, std, 100*std/mean, lo, hi)
	if std > 0.25*mean {
		t.Errorf("post hours std %.2f, mean %.2f; want std ≤ 25%% of mean", std, mean)
	}
	if lo == 0 {
		t.Errorf("some officer stood no post in 28 days; want every officer to take turns")
	}
}

func BenchmarkStaffDay(b *testing.B) {
	ny := mustLoc(b, "America/New_York")
	in := staffInputs(ny, 220, 18, 7, 5)
	routes := staffRoutes(in)
	d := rosterDate(b, "2026-11-27")
	for b.Loop() {
		if _, _, err := StaffDay(in, staffKey, d, "v1", routes); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNightFairnessWithReserve checks night hours (22:00–06:00 local, DESIGN.md §4.7) over
// 56 days for a wfo-size force with officers to spare: the reserve places of each shift
// must rotate through the whole group, so no one goes weeks without a night.
func TestNightFairnessWithReserve(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	in := staffInputs(ny, 243, 26, 4, 10)
	from := rosterDate(t, "2026-11-27")
	night := map[string]float64{}
	overlap := func(a, b time.Time) float64 {
		h := 0.0
		for t := a; t.Before(b); t = t.Add(time.Minute) {
			if l := t.In(ny); l.Hour() >= 22 || l.Hour() < 6 {
				h += 1.0 / 60
			}
		}
		return h
	}
	for i := range 56 {
		d := from.AddDays(i)
		wins := map[string]ShiftWindow{}
		for _, w := range ShiftWindows(d, in.Force.Shifts, ny) {
			wins[w.Name] = w
		}
		routes, posts, err := StaffDay(in, staffKey, d, "v1", staffRoutes(in))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range routes {
			w := wins[r.Shift]
			for _, o := range r.Officers {
				if k := o + r.Shift; !seen[k] {
					seen[k] = true
					night[o] += overlap(w.Start, w.End)
				}
			}
		}
		for _, p := range posts {
			for _, b := range p.Blocks {
				night[b.Officer] += overlap(b.Start, b.End)
			}
		}
	}
	xs := make([]float64, 0, in.Force.Officers)
	for n := 1; n <= in.Force.Officers; n++ {
		xs = append(xs, night[OfficerID("t", n)])
	}
	mean, std := rosterMeanStd(xs)
	lo, hi := rosterMinMax(xs)
	t.Logf("night hours over 56 days, 243 officers: mean %.1f, std %.1f (%.1f%%), min %.1f, max %.1f", mean, std, 100*std/mean, lo, hi)
	if std > 0.15*mean || lo == 0 {
		t.Errorf("night hours std %.1f (min %.1f), mean %.1f; want std ≤ 15%% of mean and everyone some nights", std, lo, mean)
	}
}
