package scheduler

import (
	"fmt"
	"time"
)

// Date is a civil date (a service date), independent of any time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// AddDays returns the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.DaysSince(e) < 0 }

// DaysSince returns the number of days from e to d.
func (d Date) DaysSince(e Date) int {
	a := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	b := time.Date(e.Year, e.Month, e.Day, 12, 0, 0, 0, time.UTC)
	return int(a.Sub(b) / (24 * time.Hour))
}

// At returns the instant of clock c on date d in loc. The caller must have checked with
// ValidateShiftStart that c exists and is unambiguous in loc.
func (d Date) At(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, c.Hour, c.Minute, 0, 0, loc)
}

// ShiftWindow is one shift of one service day, in absolute time.
type ShiftWindow struct {
	Index int // position in the region's shift list
	Name  string
	Start time.Time
	End   time.Time
}

// Minutes returns the shift's length in minutes.
func (w ShiftWindow) Minutes() int { return int(w.End.Sub(w.Start) / time.Minute) }

// ServiceDayBounds returns the start and end of service day d: from the first shift start on d
// to the first shift start on d+1, local time (23 or 25 hours on DST days).
func ServiceDayBounds(d Date, shifts []Shift, loc *time.Location) (start, end time.Time) {
	return d.At(shifts[0].Start, loc), d.AddDays(1).At(shifts[0].Start, loc)
}

// ShiftWindows returns the shifts of service day d in order. A shift whose clock is not
// after the previous one's starts on the next calendar day; the last shift ends when the
// next service day starts.
func ShiftWindows(d Date, shifts []Shift, loc *time.Location) []ShiftWindow {
	out := make([]ShiftWindow, len(shifts))
	day := d
	for i, s := range shifts {
		if i > 0 && s.Start.Minutes() <= shifts[i-1].Start.Minutes() {
			day = day.AddDays(1)
		}
		out[i] = ShiftWindow{Index: i, Name: s.Name, Start: day.At(s.Start, loc)}
	}
	for i := range out {
		if i+1 < len(out) {
			out[i].End = out[i+1].Start
		} else {
			_, out[i].End = ServiceDayBounds(d, shifts, loc)
		}
	}
	return out
}

// ServiceDateOf returns the service date whose service day contains t.
func ServiceDateOf(t time.Time, shifts []Shift, loc *time.Location) Date {
	d := DateOf(t.In(loc))
	if start, _ := ServiceDayBounds(d, shifts, loc); t.Before(start) {
		return d.AddDays(-1)
	}
	return d
}

// ValidateShiftStart reports an error if clock c does not exist or is ambiguous on some
// day in loc between 1970 and 2100 (DESIGN.md §2: such a start is refused). It scans the
// zone a week at a time and checks each day only where the UTC offset changed.
func ValidateShiftStart(c Clock, loc *time.Location) error {
	check := func(d Date) error {
		t := d.At(c, loc)
		if t.Hour() != c.Hour || t.Minute() != c.Minute {
			return fmt.Errorf("shift start %s does not exist on %s in %s", c, d, loc)
		}
		for _, off := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
			u := t.Add(off).In(loc)
			if u.Hour() == c.Hour && u.Minute() == c.Minute && DateOf(u) == d {
				return fmt.Errorf("shift start %s is ambiguous on %s in %s", c, d, loc)
			}
		}
		return nil
	}
	offset := func(d Date) int { _, o := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).Zone(); return o }
	for d := (Date{1970, 1, 1}); d.Year <= 2100; d = d.AddDays(7) {
		if offset(d) == offset(d.AddDays(8)) {
			continue
		}
		for i := 0; i <= 8; i++ {
			if err := check(d.AddDays(i)); err != nil {
				return err
			}
		}
	}
	return nil
}
