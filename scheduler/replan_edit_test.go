package scheduler

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// blocksBefore lists every post block that starts before t, as text.
func blocksBefore(sd ServiceDay, t time.Time) string {
	var out []string
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			if b.Start.Before(t) {
				out = append(out, fmt.Sprintf("%s %s %s-%s", p.Post, b.Officer, b.Start.Format("15:04"), b.End.Format("15:04")))
			}
		}
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}

// TestChangeKeepsPastEveryKind is the one rule of every change (DESIGN.md §3) as a
// property over seeds and change times: a threat change, a unit out of service, a mission
// edit (Change.Edit: re-drawn only, a move, a creation, a deletion) and a force change each
// keep every visit and post block that started before their time, bump the revision and
// change the inputs version.
func TestChangeKeepsPastEveryKind(t *testing.T) {
	for s := 0; s < 4; s++ {
		in := synthInputs(t, uint64(900+s), 30+4*s, 2, -28, 1, "America/New_York")
		d := Date{2026, 11, 27}
		key := []byte(fmt.Sprintf("every-kind-%d", s))
		base, err := PlanServiceDay(in, key, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Odd times, spread over the day's shifts by the seed.
		at := base.Start.Add(time.Duration(97+53*s) * time.Minute)
		more := withUnits(in.Force, in.Missions, in.Force.Units[Vehicle]+1)
		before := in.Force
		moved := in.Missions[s+3]
		moved.Lat, moved.Lon = moved.Lat+0.01, moved.Lon-0.01
		created := Mission{ID: "a-mission-created-with-fields", Lat: in.Missions[s+4].Lat + 0.003, Lon: in.Missions[s+4].Lon, Threat: 3, Region: "wfo"}
		kinds := []Change{
			{Mission: in.Missions[s].ID, Threat: 5},
			{Edit: in.Missions[s+1].ID},
			{Unit: UnitID("wfo", Vehicle, 1)},
			{Edit: "a-mission-created-today"},
			{Force: &more, ForceBefore: &before},
			{Edit: in.Missions[s+2].ID},
			{Edit: moved.ID, After: &moved},
			{Edit: created.ID, After: &created},
			{Edit: in.Missions[s+5].ID, Deleted: true},
			{Mission: created.ID, Threat: 4},
		}
		var changes []Change
		sd := base
		for i, c := range kinds {
			c.At = at
			changes = append(changes, c)
			prev := sd
			if sd, err = Replan(in, key, prev, changes); err != nil {
				t.Fatalf("seed %d: Replan(change %d %+v) error: %v", s, i+1, c, err)
			}
			if got, want := visitsBefore(sd, at), visitsBefore(prev, at); got != want {
				t.Errorf("seed %d change %d at %s: visits before it changed:\n got %s\nwant %s", s, i+1, at.Format("15:04"), got, want)
			}
			if got, want := blocksBefore(sd, at), blocksBefore(prev, at); got != want {
				t.Errorf("seed %d change %d at %s: post blocks before it changed", s, i+1, at.Format("15:04"))
			}
			if sd.Revision != prev.Revision+1 || sd.Version == prev.Version {
				t.Errorf("seed %d change %d: revision %d → %d, version changed %v; want +1 and a new version", s, i+1, prev.Revision, sd.Revision, sd.Version != prev.Version)
			}
			at = at.Add(time.Duration(41+7*i) * time.Minute)
		}
	}
}

// TestEditChangeChecked refuses an edit that also names a unit, threat or force.
func TestEditChangeChecked(t *testing.T) {
	in, base, at := replanBase(t)
	for _, c := range []Change{
		{At: at, Edit: in.Missions[0].ID, Unit: "wfo-v01"},
		{At: at, Edit: in.Missions[0].ID, Mission: in.Missions[0].ID, Threat: 3},
	} {
		if _, err := Replan(in, testKey, base, []Change{c}); err == nil {
			t.Errorf("Replan(%+v) error = nil; want an error", c)
		}
	}
}
