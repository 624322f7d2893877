package scheduler

import "time"

// Shift is a named local start time of a region; it ends when the next shift starts.
type Shift struct {
	Name  string
	Start Clock
}

// DefaultShifts returns the default shifts: day 07:00, evening 15:00, night 23:00.
func DefaultShifts() []Shift {
	return []Shift{
		{Name: "day", Start: Clock{7, 0}},
		{Name: "evening", Start: Clock{15, 0}},
		{Name: "night", Start: Clock{23, 0}},
	}
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
