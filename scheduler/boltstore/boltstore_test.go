package boltstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"vigil/scheduler"
	"vigil/scheduler/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduler.Store {
		s, err := Open(filepath.Join(t.TempDir(), "vigil.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigil.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m := scheduler.NewMissionRecord(scheduler.Mission{ID: "emb-fr", Name: "France", Kind: "embassy", Threat: 3, Region: "wfo"}, "seed", seedTime)
	f := scheduler.NewRegionForce("wfo")
	if ok, err := s.Seed(ctx, []scheduler.MissionRecord{m}, []scheduler.RegionForce{f}); err != nil || !ok {
		t.Fatalf("Seed = %v, %v; want true, nil", ok, err)
	}
	if err := s.Revoke(ctx, "j1", seedTime); err != nil {
		t.Fatal(err)
	}
	rd := scheduler.Date{Year: 2026, Month: 11, Day: 26}
	roster := storetest.DayRosterFixture("wfo", rd)
	if ok, err := s.PutDayRoster(ctx, roster); err != nil || !ok {
		t.Fatalf("PutDayRoster = %v, %v; want true, nil", ok, err)
	}
	g := f
	g.Officers = f.Officers + 3
	if err := s.ReplaceForce(ctx, g, seedTime, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Seed(ctx, nil, nil); err != nil || ok {
		t.Errorf("Seed after reopen = %v, %v; want false, nil", ok, err)
	}
	got, err := s.Mission(ctx, "emb-fr")
	if err != nil || got.Mission.Name != "France" {
		t.Errorf("Mission(emb-fr) after reopen = %+v, %v; want France", got.Mission, err)
	}
	if got, err := s.Force(ctx, "wfo"); err != nil || got.Officers != g.Officers {
		t.Errorf("Force(wfo) after reopen: %d officers, %v; want %d", got.Officers, err, g.Officers)
	}
	if h, err := s.ForceHistory(ctx, "wfo"); err != nil || len(h) != 1 || h[0].Force.Officers != f.Officers || !h[0].Until.Equal(seedTime) {
		t.Errorf("ForceHistory(wfo) after reopen = %+v, %v; want the seeded force until %v", h, err, seedTime)
	}
	if r, err := s.Revoked(ctx, "j1"); err != nil || !r {
		t.Errorf("Revoked(j1) after reopen = %v, %v; want true", r, err)
	}
	if got, err := s.DayRoster(ctx, "wfo", rd); err != nil {
		t.Errorf("DayRoster after reopen: %v", err)
	} else {
		storetest.CheckDayRoster(t, got, roster)
	}
	if ok, err := s.PutDayRoster(ctx, storetest.DayRosterFixture("wfo", rd)); err != nil || ok {
		t.Errorf("PutDayRoster after reopen = %v, %v; want false, nil (stored before)", ok, err)
	}
}

var seedTime = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestRevision(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.Revision(t, s)
}
