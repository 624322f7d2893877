package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"vigil/scheduler"
)

// Revisioner is a store with a revision token that changes with every write of missions,
// forces or change logs (readers keep what they decoded while it stays the same).
type Revisioner interface {
	scheduler.Store
	Revision(ctx context.Context) (string, error)
}

// Revision checks that every write a reader's inputs depend on changes the store's
// revision token, and that reads leave it as it is.
func Revision(t *testing.T, s Revisioner) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.March, Day: 2}
	rev := func() string {
		t.Helper()
		r, err := s.Revision(ctx)
		if err != nil {
			t.Fatalf("Revision() error = %v; want nil", err)
		}
		return r
	}
	tests := []struct {
		name  string
		write func() error
	}{
		{"Seed", func() error {
			_, err := s.Seed(ctx, []scheduler.MissionRecord{mission("m-1", "bos", 2)}, []scheduler.RegionForce{force("bos", 4)})
			return err
		}},
		{"CreateMission", func() error { return s.CreateMission(ctx, mission("m-2", "bos", 3)) }},
		{"UpdateMission", func() error {
			_, err := s.UpdateMission(ctx, "m-2", func(r *scheduler.MissionRecord) error { r.Mission.Threat = 4; return nil })
			return err
		}},
		{"DeleteMission", func() error { return s.DeleteMission(ctx, "m-2") }},
		{"DeleteMissionAt", func() error {
			if err := s.CreateMission(ctx, mission("m-3", "bos", 3)); err != nil {
				return err
			}
			// m-3's creation bumped the revision too; a second read sees the deletion's.
			r := rev()
			if err := s.DeleteMissionAt(ctx, "m-3", time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)); err != nil {
				return err
			}
			if rev() == r {
				return errors.New("DeleteMissionAt left the revision as it was")
			}
			return nil
		}},
		{"PutForce", func() error { return s.PutForce(ctx, force("bos", 5)) }},
		{"ReplaceForce", func() error {
			return s.ReplaceForce(ctx, force("bos", 6), time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), nil)
		}},
		{"AddChange", func() error {
			return s.AddChange(ctx, "bos", d, scheduler.Change{At: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), Mission: "m-1", Threat: 5})
		}},
	}
	for _, tt := range tests {
		before := rev()
		if err := tt.write(); err != nil {
			t.Fatalf("%s error = %v; want nil", tt.name, err)
		}
		if after := rev(); after == before {
			t.Errorf("Revision() after %s = %q; want a change from %q", tt.name, after, before)
		}
	}
	before := rev()
	if _, err := s.Missions(ctx, "bos"); err != nil {
		t.Fatalf("Missions(bos) error = %v; want nil", err)
	}
	if _, err := s.Force(ctx, "bos"); err != nil {
		t.Fatalf("Force(bos) error = %v; want nil", err)
	}
	if after := rev(); after != before {
		t.Errorf("Revision() after reads = %q; want %q unchanged", after, before)
	}
}
