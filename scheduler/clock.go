package scheduler

import (
	"fmt"
	"time"
)

// Clock is a local wall-clock time of day.
type Clock struct{ Hour, Minute int }

// Minutes returns the clock as minutes after midnight.
func (c Clock) Minutes() int { return c.Hour*60 + c.Minute }

// String formats the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour, c.Minute) }

// ParseClock parses "HH:MM" (24-hour).
func ParseClock(s string) (Clock, error) {
	var c Clock
	if len(s) != 5 || s[2] != ':' {
		return c, fmt.Errorf("time %q is not HH:MM", s)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return c, fmt.Errorf("time %q is not HH:MM", s)
		}
	}
	c.Hour = int(s[0]-'0')*10 + int(s[1]-'0')
	c.Minute = int(s[3]-'0')*10 + int(s[4]-'0')
	if c.Hour > 23 || c.Minute > 59 {
		return c, fmt.Errorf("time %q is not a time of day", s)
	}
	return c, nil
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
