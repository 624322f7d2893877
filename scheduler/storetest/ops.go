package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"vigil/scheduler"
)

func testCheckIns(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	d := scheduler.Date{Year: 2026, Month: time.November, Day: 27}
	if got, err := s.CheckIns(ctx, "wfo", d); err != nil || len(got) != 0 {
		t.Fatalf("CheckIns(empty) = %v, %v; want [], nil", got, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := scheduler.CheckIn{ID: fmt.Sprint(i), Region: "wfo", Date: d.String(), Officer: "o-wfo-001",
				Mission: "emb-fr", At: t0.Add(time.Duration(i) * time.Minute), Reason: "outside_area"}
			errs <- s.AddCheckIn(ctx, c)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("AddCheckIn: %v", err)
		}
	}
	if err := s.AddCheckIn(ctx, scheduler.CheckIn{ID: "x", Region: "nyc", Date: d.String()}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CheckIns(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 {
		t.Fatalf("CheckIns(wfo) = %d check-ins; want 20", len(got))
	}
	seen := map[string]bool{}
	for _, c := range got {
		seen[c.ID] = true
		if c.Reason != "outside_area" || !c.At.Equal(t0.Add(time.Duration(atoi(c.ID))*time.Minute)) {
			t.Errorf("check-in %s = %+v; want reason outside_area at t0+%sm", c.ID, c, c.ID)
		}
	}
	if len(seen) != 20 {
		t.Errorf("CheckIns(wfo) holds %d distinct ids; want 20", len(seen))
	}
	if got, _ := s.CheckIns(ctx, "wfo", d.AddDays(1)); len(got) != 0 {
		t.Errorf("CheckIns(next day) = %d; want 0", len(got))
	}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

func testFeedTokens(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if _, err := s.FeedOfficer(ctx, "h1"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Fatalf("FeedOfficer(unknown) error = %v; want ErrNotFound", err)
	}
	if err := s.PutFeedToken(ctx, "o-wfo-001", "h1"); err != nil {
		t.Fatal(err)
	}
	if o, err := s.FeedOfficer(ctx, "h1"); err != nil || o != "o-wfo-001" {
		t.Fatalf("FeedOfficer(h1) = %q, %v; want o-wfo-001", o, err)
	}
	if err := s.PutFeedToken(ctx, "o-wfo-001", "h2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedOfficer(ctx, "h1"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("FeedOfficer(replaced h1) error = %v; want ErrNotFound", err)
	}
	if o, err := s.FeedOfficer(ctx, "h2"); err != nil || o != "o-wfo-001" {
		t.Errorf("FeedOfficer(h2) = %q, %v; want o-wfo-001", o, err)
	}
	if err := s.RevokeFeedToken(ctx, "o-wfo-001"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedOfficer(ctx, "h2"); !errors.Is(err, scheduler.ErrNotFound) {
		t.Errorf("FeedOfficer(revoked h2) error = %v; want ErrNotFound", err)
	}
	if err := s.RevokeFeedToken(ctx, "o-wfo-002"); err != nil {
		t.Errorf("RevokeFeedToken(none) = %v; want nil", err)
	}
}

func testEvents(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	if got, err := s.Events(ctx, "wfo", "", 10); err != nil || len(got) != 0 {
		t.Fatalf("Events(empty) = %v, %v; want [], nil", got, err)
	}
	var ids []string
	for i := range 7 {
		e, err := s.AppendEvent(ctx, scheduler.Event{Region: "wfo", Type: "replan", At: t0,
			Officers: []string{"o-wfo-001"}, Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == "" {
			t.Fatalf("AppendEvent returned no id")
		}
		ids = append(ids, e.ID)
	}
	if _, err := s.AppendEvent(ctx, scheduler.Event{Region: "nyc", Type: "replan", At: t0, Data: json.RawMessage(`{}`)}, 5); err != nil {
		t.Fatal(err)
	}
	all, err := s.Events(ctx, "wfo", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 || all[0].ID != ids[2] || all[4].ID != ids[6] {
		t.Fatalf("Events(wfo) = %d events from %v; want the last 5 (%v…%v)", len(all), idsOfEvents(all), ids[2], ids[6])
	}
	if string(all[0].Data) != `{"n":2}` || all[0].Officers[0] != "o-wfo-001" || all[0].Type != "replan" {
		t.Errorf("Events(wfo)[0] = %+v; want n 2 for o-wfo-001", all[0])
	}
	after, err := s.Events(ctx, "wfo", ids[4], 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 2 || after[0].ID != ids[5] {
		t.Errorf("Events(after %s) = %v; want [%s %s]", ids[4], idsOfEvents(after), ids[5], ids[6])
	}
	if got, _ := s.Events(ctx, "wfo", ids[6], 100); len(got) != 0 {
		t.Errorf("Events(after last) = %v; want none", idsOfEvents(got))
	}
	if got, _ := s.Events(ctx, "wfo", "", 2); len(got) != 2 {
		t.Errorf("Events(limit 2) = %d events; want 2", len(got))
	}
}

func idsOfEvents(es []scheduler.Event) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func testOnce(t *testing.T, s scheduler.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.Once(ctx, "release/wfo@2026-11-27T14:00Z", time.Hour)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				firsts++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("Once by 10 callers: %d got true; want 1", firsts)
	}
	if ok, err := s.Once(ctx, "release/wfo@2026-11-27T15:00Z", time.Hour); err != nil || !ok {
		t.Errorf("Once(other key) = %v, %v; want true", ok, err)
	}
}
