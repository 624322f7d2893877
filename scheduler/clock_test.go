package scheduler

import (
	"testing"
	"time"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestValidateShiftStart(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		clock string
		loc   *time.Location
		ok    bool
	}{
		{"07:00", ny, true},
		{"23:00", ny, true},
		{"00:30", ny, true},
		{"02:30", ny, false}, // missing on spring-forward days
		{"01:30", ny, false}, // repeated on fall-back days
		{"02:30", mustLoc(t, "America/Phoenix"), true},
		{"01:30", mustLoc(t, "Pacific/Honolulu"), true},
	}
	for _, tt := range tests {
		c, err := ParseClock(tt.clock)
		if err != nil {
			t.Fatal(err)
		}
		err = ValidateShiftStart(c, tt.loc)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateShiftStart(%s, %s) = %v; want ok=%v", tt.clock, tt.loc, err, tt.ok)
		}
	}
}

func TestServiceDayLengthsAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		date  string
		hours float64
		night float64
	}{
		{"2026-11-27", 24, 8},
		{"2026-10-31", 25, 9},
		{"2027-03-13", 23, 7},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.date)
		if err != nil {
			t.Fatal(err)
		}
		start, end := ServiceDayBounds(d, DefaultShifts(), ny)
		if got := end.Sub(start).Hours(); got != tt.hours {
			t.Errorf("ServiceDay(%s) = %v h; want %v", tt.date, got, tt.hours)
		}
		w := ShiftWindows(d, DefaultShifts(), ny)
		if got := w[2].End.Sub(w[2].Start).Hours(); got != tt.night {
			t.Errorf("night of %s = %v h; want %v", tt.date, got, tt.night)
		}
		if !w[0].Start.Equal(start) || !w[2].End.Equal(end) {
			t.Errorf("ShiftWindows(%s) do not span the service day", tt.date)
		}
	}
}

func TestServiceDateOf(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	at := time.Date(2026, 11, 27, 6, 59, 0, 0, ny)
	if got := ServiceDateOf(at, DefaultShifts(), ny).String(); got != "2026-11-26" {
		t.Errorf("ServiceDateOf(%v) = %s; want 2026-11-26", at, got)
	}
	if got := ServiceDateOf(at.Add(time.Minute), DefaultShifts(), ny).String(); got != "2026-11-27" {
		t.Errorf("ServiceDateOf(%v) = %s; want 2026-11-27", at.Add(time.Minute), got)
	}
}
