package scheduler

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// TestReplanAcrossClockChange re-plans the 25-hour and 23-hour service days from changes
// inside the repeated hour (01:30 EDT and 01:30 EST on 2026-11-01) and right after the
// skipped one (03:30 EDT on 2027-03-14), with several keys: the past is kept, the hard
// rules hold (verifyDay) and the chain of re-plans equals planning with the changes.
func TestReplanAcrossClockChange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	fallFirst := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC) // 01:30 EDT
	fallSecond := fallFirst.Add(time.Hour)                     // 01:30 EST, the same wall clock
	if a, b := fallFirst.In(ny).Format("15:04"), fallSecond.In(ny).Format("15:04"); a != b || a != "01:30" {
		t.Fatalf("repeated hour: %s and %s; want 01:30 twice", a, b)
	}
	spring := time.Date(2027, 3, 14, 3, 30, 0, 0, ny)
	tests := []struct {
		d       Date
		changes func(in Inputs) []Change
	}{
		{Date{2026, 10, 31}, func(in Inputs) []Change {
			return []Change{
				{At: fallFirst, Mission: in.Missions[0].ID, Threat: 5},
				{At: fallSecond, Unit: UnitID("wfo", Vehicle, 1)},
			}
		}},
		{Date{2027, 3, 13}, func(in Inputs) []Change {
			return []Change{
				{At: spring.Add(-2 * time.Hour), Mission: in.Missions[1].ID, Threat: 4}, // 00:30 EST
				{At: spring, Unit: UnitID("wfo", Vehicle, 1)},
			}
		}},
	}
	for s := 0; s < 4; s++ {
		for _, tt := range tests {
			in := synthInputs(t, uint64(500+s), 24+4*s, 2, -28, 1, "America/New_York")
			key := []byte(fmt.Sprintf("dst-replan-%d", s))
			changes := tt.changes(in)
			t.Run(fmt.Sprintf("%s/%d", tt.d, s), func(t *testing.T) {
				sd, err := PlanServiceDay(in, key, tt.d, nil)
				if err != nil {
					t.Fatalf("PlanServiceDay(%s) error: %v", tt.d, err)
				}
				for i := range changes {
					prev := sd
					if sd, err = Replan(in, key, prev, changes[:i+1]); err != nil {
						t.Fatalf("Replan(change %d at %s) error: %v", i+1, changes[i].At.Format(time.RFC3339), err)
					}
					at := changes[i].At
					if got, want := visitsBefore(sd, at), visitsBefore(prev, at); got != want {
						t.Errorf("change %d at %s: visits before it changed:\n got %s\nwant %s", i+1, at.Format(time.RFC3339), got, want)
					}
					if vs := verifyDay(in, sd, changes[:i+1]); len(vs) > 0 {
						t.Errorf("change %d at %s: verifyDay = %v; want none", i+1, at.Format(time.RFC3339), vs)
					}
				}
				folded, err := PlanServiceDay(in, key, tt.d, changes)
				if err != nil {
					t.Fatalf("PlanServiceDay(changes) error: %v", err)
				}
				if !bytes.Equal(mustJSON(t, folded), mustJSON(t, sd)) {
					t.Errorf("PlanServiceDay(%s, changes) differs from the chain of re-plans", tt.d)
				}
			})
		}
	}
}
