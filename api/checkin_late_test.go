package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"vigil/scheduler"
)

// TestCheckInLateDelivered: a check-in sent well after its client time (taken offline) is
// stored with the server's time of record and late_delivered; one sent at once is not;
// a verified check-in reaches the supervisor's event stream as a checkin event.
func TestCheckInLateDelivered(t *testing.T) {
	h, _, _, on, _, route := opsSetup(t)
	h.srv.ops.poll = 20 * time.Millisecond
	ts := httptest.NewServer(h.srv.Handler())
	defer ts.Close()
	v := isolated(t, route)
	lat, lon := h.missionPoint(v.Mission)
	h.clock.Set(v.Arrive.Add(time.Minute))
	tok := h.token(RoleOfficer, "", on)
	sup := openSSE(t, ts.URL, h.token(RoleSupervisor, "bos", ""), "")
	defer sup.resp.Body.Close()
	tests := []struct {
		name       string
		clientTime string // "" sends none
		late       bool
	}{
		{"no client time", "", false},
		{"sent at once", v.Arrive.Add(30 * time.Second).Format(time.RFC3339), false},
		{"taken offline 5 min before", v.Arrive.Add(-4 * time.Minute).Format(time.RFC3339), true},
	}
	for _, tt := range tests {
		ct := ""
		if tt.clientTime != "" {
			ct = fmt.Sprintf(`,"client_time":%q`, tt.clientTime)
		}
		code, out := h.do(http.MethodPost, "/v1/checkins", tok, fmt.Sprintf(`{"mission":%q,"lat":%v,"lon":%v%s}`, v.Mission, lat, lon, ct))
		var ci scheduler.CheckIn
		if err := json.Unmarshal(out, &ci); err != nil || code != http.StatusCreated {
			t.Fatalf("%s: POST /v1/checkins = %d %s", tt.name, code, out)
		}
		if ci.LateDelivered != tt.late || !ci.At.Equal(h.clock.Now()) || !ci.Verified {
			t.Errorf("%s: check-in late_delivered %v at %v verified %v; want late %v, at the server's %v, verified",
				tt.name, ci.LateDelivered, ci.At, ci.Verified, tt.late, h.clock.Now())
		}
		_, typ, ev := sup.next(t)
		var got scheduler.CheckIn
		if err := json.Unmarshal(ev.Data, &got); err != nil || typ != EventCheckIn || got.ID != ci.ID || got.LateDelivered != tt.late {
			t.Errorf("%s: supervisor event %s %s (%v); want checkin of %s, late %v", tt.name, typ, ev.Data, err, ci.ID, tt.late)
		}
	}
}

// TestPositionsPage: the live board's positions are for supervisors of the region and
// admins, audited; an officer is refused.
func TestPositionsPage(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name, token string
		status      int
	}{
		{"supervisor", h.token(RoleSupervisor, "wfo", ""), http.StatusOK},
		{"other region", h.token(RoleSupervisor, "bos", ""), http.StatusForbidden},
		{"officer", h.token(RoleOfficer, "", "o-wfo-001"), http.StatusForbidden},
		{"planner", h.token(RolePlanner, "", ""), http.StatusForbidden},
	}
	for _, tt := range tests {
		r := h.page(http.MethodGet, "/regions/wfo/positions", tt.token, nil, nil)
		body := readBody(t, r)
		if r.StatusCode != tt.status {
			t.Errorf("%s: GET /regions/wfo/positions = %d; want %d", tt.name, r.StatusCode, tt.status)
			continue
		}
		if tt.status != http.StatusOK {
			continue
		}
		var out struct {
			Shift     string `json:"shift"`
			Positions []struct {
				Unit  string  `json:"unit"`
				Lat   float64 `json:"lat"`
				Lon   float64 `json:"lon"`
				State string  `json:"state"`
			} `json:"positions"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil || out.Shift == "" || len(out.Positions) == 0 {
			t.Errorf("%s: positions %s (%v); want the running shift's units", tt.name, body, err)
			continue
		}
		for _, p := range out.Positions {
			// In DC, and doing one of the three things a unit does.
			if p.Lat < 38.7 || p.Lat > 39.1 || p.Lon < -77.2 || p.Lon > -76.8 || (p.State != "at_visit" && p.State != "travelling" && p.State != "waiting") {
				t.Errorf("%s: position %+v; want a wfo point and a unit state", tt.name, p)
			}
		}
	}
}
