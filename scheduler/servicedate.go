package scheduler

import "time"

// NextServiceDate returns the first service date whose service day starts after now: the
// default date of a plan or a simulation asked for without one.
func NextServiceDate(now time.Time, shifts []Shift, loc *time.Location) Date {
	d := ServiceDateOf(now, shifts, loc)
	for {
		if start, _ := ServiceDayBounds(d, shifts, loc); start.After(now) {
			return d
		}
		d = d.AddDays(1)
	}
}
