package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"vigil/scheduler"
)

// TestCachedReads checks the hot reads served from memory (readcache.go): repeated reads
// are identical and each is audited, and a write straight to the store (as another
// replica's would be) is seen by the next read.
func TestCachedReads(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	officer, _, route := h.crew(admin, d, start)
	tok := h.token(RoleOfficer, "", officer)
	path := "/v1/me/assignments?date=" + d.String()
	read := func() []byte {
		t.Helper()
		code, body := h.do(http.MethodGet, path, tok, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d %s; want 200", path, code, body)
		}
		return body
	}
	first := read()
	for i := 0; i < 3; i++ {
		if again := read(); !bytes.Equal(again, first) {
			t.Fatalf("GET %s again = %s; want %s", path, again, first)
		}
	}
	mission := route.Visits[0].Mission
	if strings.Contains(string(first), "Liaison Cache") {
		t.Fatalf("GET %s = %s; want no contact named Liaison Cache yet", path, first)
	}
	_, err := h.store.UpdateMission(context.Background(), mission, func(r *scheduler.MissionRecord) error {
		r.Contacts = append(r.Contacts, scheduler.Contact{Name: "Liaison Cache", Phone: "+1 617 555 0100"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := read(); !strings.Contains(string(after), "Liaison Cache") {
		t.Errorf("GET %s after a contact was added in the store = %s; want the new contact", path, after)
	}

	sup := h.token(RoleSupervisor, "bos", "")
	planPath := "/v1/plans/bos/" + d.String()
	_, plan := h.do(http.MethodGet, planPath, sup, "")
	if _, again := h.do(http.MethodGet, planPath, sup, ""); !bytes.Equal(again, plan) || len(plan) == 0 {
		t.Errorf("GET %s twice differ (%d and %d bytes); want the same plan", planPath, len(plan), len(again))
	}

	var out struct {
		Records []scheduler.AuditRecord `json:"records"`
	}
	h.getJSON("/v1/audit?limit=1000", admin, &out)
	counts := map[string]int{}
	for _, r := range out.Records {
		counts[r.Action]++
	}
	if counts["read-assignments"] != 5 || counts["read-plan"] != 2 {
		t.Errorf("audit actions = %v; want 5 read-assignments and 2 read-plan", counts)
	}
}

// TestOfficerViewFollowsTime checks that an officer's kept assignments (readGen.officerView)
// change with the time as the uncached answer does: every half hour of a service day and
// at each release time (and a minute before it), with the clock also going back, the
// answer read twice (the second from memory) is the one read with ?pretty (never kept).
func TestOfficerViewFollowsTime(t *testing.T) {
	h := newHarness(t)
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	admin := h.token(RoleAdmin, "", "")
	officer, _, _ := h.crew(admin, d, start)
	wins := scheduler.ShiftWindows(d, scheduler.DefaultShifts(), bosLoc)
	first := wins[0].Start.Add(-3 * time.Hour)
	tok, _, err := IssueToken(scheduler.TokenKey(testMaster), RoleOfficer, "", officer, 48*time.Hour, first.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/me/assignments?date=" + d.String()
	decode := func(body []byte) any {
		t.Helper()
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		return v
	}
	var times []time.Time
	for at := first; at.Before(wins[len(wins)-1].End); at = at.Add(30 * time.Minute) {
		times = append(times, at)
	}
	for _, w := range wins {
		rel := w.Start.Add(-60 * time.Minute)
		times = append(times, rel.Add(-time.Minute), rel, rel.Add(-time.Minute))
	}
	times = append(times, first) // back before every release
	distinct := map[string]bool{}
	for _, at := range times {
		h.clock.Set(at)
		var got [2][]byte
		for i := range got {
			code, body := h.do(http.MethodGet, path, tok, "")
			if code != http.StatusOK {
				t.Fatalf("at %v: GET %s = %d %s", at, path, code, body)
			}
			got[i] = body
		}
		code, pretty := h.do(http.MethodGet, path+"&pretty", tok, "")
		if code != http.StatusOK {
			t.Fatalf("at %v: GET %s&pretty = %d %s", at, path, code, pretty)
		}
		want := decode(pretty)
		for i, body := range got {
			if !reflect.DeepEqual(decode(body), want) {
				t.Errorf("at %v: read %d = %s; want %s", at, i+1, body, pretty)
			}
		}
		distinct[string(got[0])] = true
	}
	if len(distinct) < 2 {
		t.Errorf("%d distinct answers over the day; want the release of the officer's shift to change it", len(distinct))
	}
}
