package scheduler

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

// rosterForce returns a force of region "t" with the given officers, units and shifts
// (nil shifts: the defaults).
func rosterForce(officers, vehicles, foot int, shifts []Shift) RegionForce {
	f := NewRegionForce("t")
	f.Officers = officers
	f.Units[Vehicle] = vehicles
	f.Units[Foot] = foot
	if shifts != nil {
		f.Shifts = shifts
	}
	return f
}

func rosterShifts(tb testing.TB, spec ...string) []Shift {
	tb.Helper()
	var out []Shift
	for i, s := range spec {
		c, err := ParseClock(s)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, Shift{Name: fmt.Sprintf("s%d", i), Start: c})
	}
	return out
}

func rosterDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

type dutySpan struct {
	start, end time.Time
	shift      string
	date       Date
}

// dutiesByOfficer returns every officer's duties over days, sorted by start.
func dutiesByOfficer(days []DayDuty) map[string][]dutySpan {
	out := map[string][]dutySpan{}
	for _, day := range days {
		for _, s := range day.Shifts {
			for _, o := range s.Officers {
				out[o] = append(out[o], dutySpan{s.Start, s.End, s.Shift, day.Date})
			}
		}
	}
	for _, iv := range out {
		sort.Slice(iv, func(i, j int) bool { return iv[i].start.Before(iv[j].start) })
	}
	return out
}

// rosterNightMinutes returns the minutes of [start, end) between 22:00 and 06:00 local time.
func rosterNightMinutes(start, end time.Time, loc *time.Location) int {
	total := time.Duration(0)
	s := start.In(loc)
	for c := DateOf(s).AddDays(-1); !DateOf(end.In(loc)).Before(c); c = c.AddDays(1) {
		ns := time.Date(c.Year, c.Month, c.Day, 22, 0, 0, 0, loc)
		ne := time.Date(c.Year, c.Month, c.Day+1, 6, 0, 0, 0, loc)
		a, b := laterOf(start, ns), earlierOf(end, ne)
		if a.Before(b) {
			total += b.Sub(a)
		}
	}
	return int(total / time.Minute)
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func rosterMeanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

func TestRotationDays(t *testing.T) {
	tests := []struct {
		shifts, want int
	}{
		{0, 0}, {1, 0}, {2, 4}, {3, 4}, {4, 5}, {6, 7},
	}
	for _, tt := range tests {
		if got := RotationDays(tt.shifts); got != tt.want {
			t.Errorf("RotationDays(%d) = %d; want %d", tt.shifts, got, tt.want)
		}
	}
}

func TestOfficersNeeded(t *testing.T) {
	f := rosterForce(0, 18, 4, nil) // 18·1 + 4·2 = 26 unit positions
	tests := []struct {
		shifts []Shift
		posts  int
		want   int
	}{
		{nil, 0, 104},
		{nil, 5, 144},
		{rosterShifts(t, "07:00", "19:00"), 5, 144},
		{rosterShifts(t, "00:00", "06:00", "12:00", "18:00"), 5, 180},
	}
	for _, tt := range tests {
		g := f
		if tt.shifts != nil {
			g.Shifts = tt.shifts
		}
		if got := OfficersNeeded(g, tt.posts); got != tt.want {
			t.Errorf("OfficersNeeded(%d shifts, %d posts) = %d; want %d", len(g.Shifts), tt.posts, got, tt.want)
		}
	}
}

// TestDutyRosterRules checks the rest rules of DESIGN.md §2 over consecutive days that
// include the DST service days, for several zones, shift lists and force sizes.
func TestDutyRosterRules(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	hnl := mustLoc(t, "Pacific/Honolulu")
	tests := []struct {
		name     string
		loc      *time.Location
		shifts   []Shift
		officers int
		from     string
		days     int
	}{
		{"ny-fall", ny, nil, 220, "2026-10-12", 40},
		{"ny-spring", ny, nil, 37, "2027-02-20", 40},
		{"ny-small", ny, nil, 8, "2026-10-20", 32},
		{"ny-0600", ny, rosterShifts(t, "06:00", "14:00", "22:00"), 101, "2026-10-20", 32},
		{"hnl", hnl, nil, 97, "2026-10-20", 32},
		{"hnl-2-shifts", hnl, rosterShifts(t, "07:00", "19:00"), 41, "2027-02-25", 32},
		{"ny-4-shifts", ny, rosterShifts(t, "00:00", "06:00", "12:00", "18:00"), 53, "2026-10-12", 40},
		{"ny-before-epoch", ny, nil, 30, "2023-10-20", 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := rosterForce(tt.officers, 1, 0, tt.shifts)
			from := rosterDate(t, tt.from)
			days, err := RosterRange(f, tt.loc, from, from.AddDays(tt.days-1))
			if err != nil {
				t.Fatal(err)
			}
			if len(days) != tt.days {
				t.Fatalf("RosterRange(%s, %d days) returned %d days", from, tt.days, len(days))
			}
			L := RotationDays(len(f.Shifts))
			for _, day := range days {
				seen := map[string]string{}
				for _, s := range day.Shifts {
					if n := len(s.Officers); n < f.Officers/L || n > (f.Officers+L-1)/L {
						t.Errorf("%s %s: %d officers on duty; want %d/%d", day.Date, s.Shift, n, f.Officers, L)
					}
					if !sort.StringsAreSorted(s.Officers) {
						t.Errorf("%s %s: officers not sorted: %v", day.Date, s.Shift, s.Officers)
					}
					for _, o := range s.Officers {
						if prev, ok := seen[o]; ok {
							t.Errorf("%s: %s works %s and %s", day.Date, o, prev, s.Shift)
						}
						seen[o] = s.Shift
					}
				}
			}
			duties := dutiesByOfficer(days)
			if len(duties) != f.Officers {
				t.Errorf("%d officers have duties; want all %d", len(duties), f.Officers)
			}
			nights := []float64{}
			for o, iv := range duties {
				// Duty periods: chains of duties less than 8 h apart, each at most 12 h.
				ps, pe := iv[0].start, iv[0].end
				for i := 1; i <= len(iv); i++ {
					if i < len(iv) && iv[i].start.Sub(pe) < 8*time.Hour {
						if iv[i].start.Before(pe) {
							t.Errorf("%s: duties overlap at %v", o, iv[i].start)
						}
						pe = iv[i].end
						continue
					}
					if span := pe.Sub(ps); span > MaxDutyMinutes*time.Minute {
						t.Errorf("%s: duty period %v–%v spans %v; want ≤ 12h", o, ps, pe, span)
					}
					if i < len(iv) {
						ps, pe = iv[i].start, iv[i].end
					}
				}
				// At most 48 h in any rolling 168 h (the maximum is reached by a window
				// starting at a duty's start).
				for i := range iv {
					ws, we := iv[i].start, iv[i].start.Add(168*time.Hour)
					worked := time.Duration(0)
					for _, x := range iv[i:] {
						a, b := laterOf(x.start, ws), earlierOf(x.end, we)
						if a.Before(b) {
							worked += b.Sub(a)
						}
					}
					if worked > 48*time.Hour {
						t.Errorf("%s: works %v in the 168 h from %v; want ≤ 48h", o, worked, ws)
					}
				}
				// No quick return from a later shift to an earlier one the next day
				// (evening → next morning's day shift).
				for i := 1; i < len(iv); i++ {
					if iv[i].date == iv[i-1].date.AddDays(1) && shiftIndexOf(f, iv[i].shift) < shiftIndexOf(f, iv[i-1].shift) {
						t.Errorf("%s: quick return from %s on %s to %s", o, iv[i-1].shift, iv[i-1].date, iv[i].shift)
					}
				}
				// Nights over the first 8·k days (k = 3 here).
				n := 0
				for _, x := range iv {
					if x.date.DaysSince(from) < 24 && x.shift == f.Shifts[len(f.Shifts)-1].Name {
						n++
					}
				}
				nights = append(nights, float64(n))
			}
			lo, hi := rosterMinMax(nights)
			if hi-lo > 1 {
				t.Errorf("last-shift duties per officer over 24 days range %v–%v; want a spread ≤ 1", lo, hi)
			}
		})
	}
}

func shiftIndexOf(f RegionForce, name string) int {
	for i, s := range f.Shifts {
		if s.Name == name {
			return i
		}
	}
	return -1
}

func rosterMinMax(xs []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

func TestDutyRosterDeterministicAndAhead(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := rosterForce(40, 2, 1, nil)
	d := rosterDate(t, "2027-06-01")
	a, err := DutyRoster(f, ny, d)
	if err != nil {
		t.Fatal(err)
	}
	days, err := RosterRange(f, ny, d.AddDays(-3), d.AddDays(3))
	if err != nil {
		t.Fatal(err)
	}
	if got := days[3]; fmt.Sprint(got) != fmt.Sprint(a) {
		t.Errorf("RosterRange(...)[3] = %v; want DutyRoster(%s) = %v", got, d, a)
	}
	// The rotation repeats every RotationDays days, each officer moving one phase a day:
	// whoever works the day shift works the evening shift the next day.
	next, err := DutyRoster(f, ny, d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(next.Shifts[1].Officers) != fmt.Sprint(a.Shifts[0].Officers) {
		t.Errorf("evening of %s = %v; want the day shift of %s = %v", d.AddDays(1), next.Shifts[1].Officers, d, a.Shifts[0].Officers)
	}
	later, err := DutyRoster(f, ny, d.AddDays(4*7))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Shifts {
		if fmt.Sprint(later.Shifts[i].Officers) != fmt.Sprint(a.Shifts[i].Officers) {
			t.Errorf("shift %s 28 days later = %v; want %v", a.Shifts[i].Shift, later.Shifts[i].Officers, a.Shifts[i].Officers)
		}
	}
}

func TestDutyRosterErrors(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	d := rosterDate(t, "2026-10-31") // 25-hour service day
	tests := []struct {
		name string
		f    RegionForce
		loc  *time.Location
		want string
	}{
		// 26 positions × 24 h × 7 = 4,368 officer-hours a week; 85 officers give 4,080 under 48 h.
		{"too few officers", rosterForce(85, 18, 4, nil), ny, "the force runs short by 6 officers"},
		{"one shift", rosterForce(100, 1, 0, rosterShifts(t, "07:00")), ny, "at least 2 shifts"},
		{"13-hour shift", rosterForce(100, 1, 0, rosterShifts(t, "07:00", "20:00")), ny, "lasts 780 min"},
		{"no location", rosterForce(100, 1, 0, nil), nil, "no time zone"},
	}
	for _, tt := range tests {
		_, err := DutyRoster(tt.f, tt.loc, d)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: DutyRoster(...) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
	f := rosterForce(100, 1, 0, nil)
	if _, err := RosterRange(f, ny, d, d.AddDays(-1)); err == nil {
		t.Errorf("RosterRange(%s, %s) = nil error; want one for a reversed range", d, d.AddDays(-1))
	}
	if _, err := RosterRange(f, ny, d, d.AddDays(MaxRosterDays)); err == nil {
		t.Errorf("RosterRange(%d+1 days) = nil error; want one for a too long range", MaxRosterDays)
	}
}

// TestNightFairness measures night hours (22:00–06:00) across officers over 28 days.
func TestNightFairness(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := rosterForce(220, 18, 4, nil)
	from := rosterDate(t, "2026-10-20") // includes the 25-hour day
	days, err := RosterRange(f, ny, from, from.AddDays(27))
	if err != nil {
		t.Fatal(err)
	}
	hours := []float64{}
	for _, iv := range dutiesByOfficer(days) {
		m := 0
		for _, x := range iv {
			m += rosterNightMinutes(x.start, x.end, ny)
		}
		hours = append(hours, float64(m)/60)
	}
	mean, std := rosterMeanStd(hours)
	t.Logf("night hours over 28 days, 220 officers: mean %.2f, std %.2f (%.1f%%)", mean, std, 100*std/mean)
	if std > 0.05*mean {
		t.Errorf("night hours std %.2f, mean %.2f; want std ≤ 5%% of mean", std, mean)
	}
}

// TestDutyRosterFallBackRelief: a 12-hour set's night of 2026-10-31 lasts 13 h; its officers
// are relieved in place after 12 h by a relief crew that fills every position, is on no
// other shift that day and keeps 8 h of rest to its duties the days either side.
func TestDutyRosterFallBackRelief(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	f := rosterForce(100, 1, 0, rosterShifts(t, "07:00", "19:00"))
	d := rosterDate(t, "2026-10-31")
	day, err := DutyRoster(f, ny, d)
	if err != nil {
		t.Fatal(err)
	}
	night := day.Shifts[1]
	if got := night.End.Sub(night.Start); got != 13*time.Hour {
		t.Fatalf("night of %s lasts %s; want 13h", d, got)
	}
	if want := night.Start.Add(12 * time.Hour); !night.ReliefAt.Equal(want) {
		t.Errorf("relief at %s; want %s", night.ReliefAt, want)
	}
	if len(night.Relief) < Positions(f, 0) {
		t.Errorf("relief crew %v; want at least %d officers", night.Relief, Positions(f, 0))
	}
	if !day.Shifts[0].ReliefAt.IsZero() || day.Shifts[0].Relief != nil {
		t.Errorf("day shift has a relief %v at %s; want none", day.Shifts[0].Relief, day.Shifts[0].ReliefAt)
	}
	type span struct{ a, b time.Time }
	duties := map[string][]span{}
	for _, x := range []Date{d.AddDays(-1), d, d.AddDays(1)} {
		dd, err := DutyRoster(f, ny, x)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range dd.Shifts {
			end := sh.End
			if !sh.ReliefAt.IsZero() {
				end = sh.ReliefAt
			}
			for _, o := range sh.Officers {
				duties[o] = append(duties[o], span{sh.Start, end})
			}
		}
	}
	for _, o := range night.Relief {
		for _, s := range duties[o] {
			if s.b.After(night.ReliefAt.Add(-8*time.Hour)) && s.a.Before(night.End.Add(8*time.Hour)) {
				t.Errorf("relief officer %s also on duty %s–%s, within 8 h of the relief %s–%s", o, s.a, s.b, night.ReliefAt, night.End)
			}
		}
	}
	for _, x := range []Date{d.AddDays(-1), d.AddDays(1)} {
		dd, err := DutyRoster(f, ny, x)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range dd.Shifts {
			if !sh.ReliefAt.IsZero() {
				t.Errorf("%s shift %s has a relief; only the 13-hour night needs one", x, sh.Shift)
			}
		}
	}
}
