package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"vigil/scheduler/simulate"
)

func TestSimulations(t *testing.T) {
	h := newHarness(t)
	body := `{"region":"bos","date":"2026-11-27","days":3,"train":2,"incidents":5,"seed":"abcd"}`
	tests := []struct {
		role string
		want int
	}{
		{RolePlanner, 200},
		{RoleAdmin, 200},
		{RoleSupervisor, 403},
		{RoleOfficer, 403},
	}
	for _, tt := range tests {
		region, officer := "", ""
		switch tt.role {
		case RoleSupervisor:
			region = "bos"
		case RoleOfficer:
			officer = "o-bos-001"
		}
		code, resp := h.do("POST", "/v1/simulations", h.token(tt.role, region, officer), body)
		if code != tt.want {
			t.Errorf("POST /v1/simulations as %s = %d %.300s; want %d", tt.role, code, resp, tt.want)
			continue
		}
		if code != 200 {
			continue
		}
		var out struct {
			Schema   string `json:"schema"`
			Scenario struct {
				Region string `json:"region"`
				Days   int    `json:"days"`
				Seed   string `json:"seed"`
			} `json:"scenario"`
			Planners map[string]json.RawMessage `json:"planners"`
		}
		if err := json.Unmarshal(resp, &out); err != nil {
			t.Fatal(err)
		}
		if out.Schema != simulate.Schema || out.Scenario.Region != "bos" || out.Scenario.Days != 3 || out.Scenario.Seed != "abcd" || len(out.Planners) != 4 || out.Planners["rounds"] == nil {
			t.Errorf("simulation report: schema %s, scenario %+v, %d planners; want schema %s, region bos, 3 days, seed abcd, four planners with rounds", out.Schema, out.Scenario, len(out.Planners), simulate.Schema)
		}
	}
}

func TestSimulationValidation(t *testing.T) {
	h := newHarness(t)
	planner := h.token(RolePlanner, "", "")
	tests := []struct {
		body, want string
	}{
		{`{"date":"2026-11-27"}`, "region"},
		{`{"region":"nowhere","days":3,"train":2}`, "nowhere"},
		{`{"region":"bos","days":121,"train":2}`, "days 121"},
		{`{"region":"bos","days":2,"train":2}`, "days 2"},
		{`{"region":"bos","days":3,"train":2,"attack":1}`, "attack"},
		{`{"region":"bos","days":3,"train":2,"incidents":5000}`, "incidents"},
		{`{"region":"bos","days":3,"train":2,"seed":"xyz"}`, "seed"},
		{`{"region":"bos","days":3,"train":2,"date":"27/11/2026"}`, "date"},
		{`{"region":"bos","days":3,"train":2,"date":"2199-01-01"}`, "date"},
		{`{"region":"bos","days":3,"train":2,"threat":{"no-such-mission":5}}`, "no-such-mission"},
		{`{"region":"bos","days":3,"train":2,"units":{"horse":3}}`, "horse"},
		{`{"region":"bos","days":3,"train":2,"key":"00"}`, "key"},
		{`not json`, "body"},
	}
	for _, tt := range tests {
		code, resp := h.do("POST", "/v1/simulations", planner, tt.body)
		if code != 400 && !(strings.Contains(tt.body, "nowhere") && code == 404) {
			t.Errorf("POST /v1/simulations %s = %d %s; want 400", tt.body, code, resp)
			continue
		}
		var e errorBody
		if err := json.Unmarshal(resp, &e); err != nil || !strings.Contains(e.Error.Message, tt.want) {
			t.Errorf("POST /v1/simulations %s: message %q; want one naming %q", tt.body, e.Error.Message, tt.want)
		}
	}
}

func TestSimulationTimeout(t *testing.T) {
	h := newHarness(t)
	h.srv = New(Config{Store: h.store, Offices: h.ds.Offices, MasterKey: testMaster, Clock: h.clock, SimulationTimeout: time.Nanosecond})
	code, resp := h.do("POST", "/v1/simulations", h.token(RolePlanner, "", ""), `{"region":"bos","days":3,"train":2}`)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(resp), "did not finish") && !strings.Contains(string(resp), "busy") {
		t.Errorf("simulation past its timeout = %d %s; want 503 saying so", code, resp)
	}
}
