package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"vigil/fixtures"
	"vigil/scheduler"
)

// leaveHarness is a harness with wfo's named officers and its current service date.
func leaveHarness(t *testing.T) (*harness, scheduler.Date) {
	t.Helper()
	h := newHarness(t)
	_, d := useNamedWFO(t, h)
	return h, d
}

// useNamedWFO gives h's wfo force the shipped named officers (fixtures/officers.csv) in
// its dataset and its store, and returns that force and the service date of h's clock.
func useNamedWFO(t *testing.T, h *harness) (scheduler.RegionForce, scheduler.Date) {
	t.Helper()
	if err := h.ds.AddPeople(fixtures.OfficersFile, ""); err != nil {
		t.Fatal(err)
	}
	named := *h.ds.Force.Regions["wfo"]
	if err := h.store.PutForce(context.Background(), named); err != nil {
		t.Fatal(err)
	}
	return named, scheduler.ServiceDateOf(h.clock.Now(), named.Shifts, h.ds.Offices["wfo"].Location)
}

// onDay reports whether officer id holds any route place (relief included) or post block
// of sd.
func onDay(sd scheduler.ServiceDay, id string) bool {
	for _, r := range sd.Routes {
		for _, o := range r.Officers {
			if o == id {
				return true
			}
		}
		for _, x := range r.Reliefs {
			if x.On == id {
				return true
			}
		}
	}
	for _, p := range sd.Posts {
		for _, b := range p.Blocks {
			if b.Officer == id {
				return true
			}
		}
	}
	return false
}

// TestLeaveAPI (issue 15): leave booked today for the days ahead leaves yesterday's and
// today's plans byte for byte as they were, and the officer is on no route or post on the
// leave days; leave from today calls the officer off from now; cancelling restores later
// days only; bad input and other readers are refused.
func TestLeaveAPI(t *testing.T) {
	h, d := leaveHarness(t)
	ctx := context.Background()
	sup := h.token(RoleSupervisor, "wfo", "")
	planJSON := func(day scheduler.Date) []byte {
		code, body := h.do(http.MethodGet, "/v1/plans/wfo/"+day.String(), sup, "")
		if code != http.StatusOK {
			t.Fatalf("plan %s = %d %s", day, code, body)
		}
		return body
	}
	yesterday, today := planJSON(d.AddDays(-1)), planJSON(d)
	// An officer on duty tomorrow.
	tomorrow, err := h.srv.serviceDay(ctx, "wfo", d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	who := tomorrow.Routes[0].Officers[0]
	from, to := d.AddDays(1), d.AddDays(3)
	body := `{"from":"` + from.String() + `","to":"` + to.String() + `","kind":"annual","reason":"holiday"}`
	for _, tc := range []struct {
		token, path, body string
		want              int
	}{
		{h.token(RoleOfficer, "wfo", who), "/v1/officers/" + who + "/leave", body, http.StatusForbidden},
		{h.token(RoleSupervisor, "chi", ""), "/v1/officers/" + who + "/leave", body, http.StatusForbidden},
		{sup, "/v1/officers/o-wfo-999/leave", body, http.StatusNotFound},
		{sup, "/v1/officers/" + who + "/leave", `{"from":"tomorrow","to":"` + to.String() + `"}`, http.StatusBadRequest},
		{sup, "/v1/officers/" + who + "/leave", `{"from":"` + to.String() + `","to":"` + from.String() + `"}`, http.StatusBadRequest},
		{sup, "/v1/officers/" + who + "/leave", `{"from":"` + d.AddDays(-9).String() + `","to":"` + d.AddDays(-2).String() + `"}`, http.StatusBadRequest},
		{sup, "/v1/officers/" + who + "/leave", `{"from":"` + from.String() + `","to":"` + to.String() + `","kind":"vacation"}`, http.StatusBadRequest},
	} {
		if code, got := h.do(http.MethodPost, tc.path, tc.token, tc.body); code != tc.want {
			t.Errorf("POST %s %s = %d %s; want %d", tc.path, tc.body, code, got, tc.want)
		}
	}
	if code, got := h.do(http.MethodPost, "/v1/officers/"+who+"/leave", sup, body); code != http.StatusOK {
		t.Fatalf("leave = %d %s; want 200", code, got)
	}
	if code, _ := h.do(http.MethodPost, "/v1/officers/"+who+"/leave", sup, body); code != http.StatusConflict {
		t.Errorf("overlapping leave = %d; want 409", code)
	}
	if !bytes.Equal(planJSON(d.AddDays(-1)), yesterday) {
		t.Errorf("yesterday's plan changed after leave booked for %s–%s", from, to)
	}
	if !bytes.Equal(planJSON(d), today) {
		t.Errorf("today's plan changed after leave booked for %s–%s", from, to)
	}
	for day := from; !to.Before(day); day = day.AddDays(1) {
		sd, err := h.srv.serviceDay(ctx, "wfo", day)
		if err != nil {
			t.Fatal(err)
		}
		if onDay(sd, who) {
			t.Errorf("%s on leave %s–%s is on duty on %s", who, from, to, day)
		}
	}
	// The officer reads their own leave; another officer may not.
	if code, got := h.do(http.MethodGet, "/v1/officers/"+who+"/leave", h.token(RoleOfficer, "wfo", who), ""); code != http.StatusOK || !bytes.Contains(got, []byte(`"reason":"holiday"`)) {
		t.Errorf("own leave = %d %s; want 200 with the leave", code, got)
	}
	if code, _ := h.do(http.MethodGet, "/v1/officers/"+who+"/leave", h.token(RoleOfficer, "wfo", "o-wfo-001"), ""); code != http.StatusForbidden {
		t.Errorf("another officer's leave = %d; want 403", code)
	}
	// Cancelled: later days have the officer back per the roster, begun days stay.
	q := "?from=" + from.String() + "&to=" + to.String()
	if code, got := h.do(http.MethodDelete, "/v1/officers/"+who+"/leave"+q, sup, ""); code != http.StatusOK {
		t.Fatalf("cancel = %d %s", code, got)
	}
	if code, _ := h.do(http.MethodDelete, "/v1/officers/"+who+"/leave"+q, sup, ""); code != http.StatusNotFound {
		t.Errorf("second cancel = %d; want 404", code)
	}
	if !bytes.Equal(planJSON(d), today) {
		t.Errorf("today's plan changed after the leave was cancelled")
	}
	back, err := h.srv.serviceDay(ctx, "wfo", d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	if !onDay(back, who) {
		t.Errorf("%s not on duty on %s after the leave was cancelled", who, d.AddDays(1))
	}

	// Leave from today: the officer is called off from now.
	now := h.clock.Now()
	var busy string
	cur, err := h.srv.serviceDay(ctx, "wfo", d)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cur.Routes {
		if r.Start.Before(now) && now.Before(r.End) && len(r.Officers) > 0 {
			busy = r.Officers[0]
			break
		}
	}
	code, got := h.do(http.MethodPost, "/v1/officers/"+busy+"/leave", sup, `{"from":"`+d.String()+`","to":"`+d.AddDays(1).String()+`","kind":"sick"}`)
	if code != http.StatusOK {
		t.Fatalf("leave from today = %d %s", code, got)
	}
	var out struct {
		CallOff *callOffResult `json:"call_off"`
	}
	if err := json.Unmarshal(got, &out); err != nil {
		t.Fatal(err)
	}
	if out.CallOff == nil || len(out.CallOff.Replacements) == 0 {
		t.Errorf("leave from today answered %s; want a call-off with replacements", got)
	}
	if !bytes.Equal(planJSON(d.AddDays(-1)), yesterday) {
		t.Errorf("yesterday's plan changed after leave from today")
	}
	after, err := h.srv.serviceDay(ctx, "wfo", d.AddDays(1))
	if err != nil {
		t.Fatal(err)
	}
	if onDay(after, busy) {
		t.Errorf("%s on leave from today is on duty tomorrow", busy)
	}
}
