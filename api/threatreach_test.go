package api

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestThreatOutOfReachNotSaved: a supervisor's threat change whose end falls past the next
// service day is refused before anything is saved; the history shows no token id to a
// supervisor; and a threat change is announced.
func TestThreatOutOfReachNotSaved(t *testing.T) {
	h := newHarness(t)
	sup := h.token(RoleSupervisor, "bos", "")
	var before, after missionOut
	h.getJSON("/v1/missions/cg-france-bos", sup, &before)
	until := start.Add(5 * 24 * time.Hour).Format(time.RFC3339)
	if code, body := h.do(http.MethodPatch, "/v1/missions/cg-france-bos", sup, `{"threat":4,"until":"`+until+`"}`); code != http.StatusForbidden {
		t.Fatalf("threat change ending in 5 days = %d %s; want 403", code, body)
	}
	h.getJSON("/v1/missions/cg-france-bos", sup, &after)
	if len(after.ThreatHistory) != len(before.ThreatHistory) {
		t.Errorf("a refused threat change was saved: history %d → %d", len(before.ThreatHistory), len(after.ThreatHistory))
	}
	if code, body := h.do(http.MethodPatch, "/v1/missions/cg-france-bos", sup, `{"threat":4}`); code != http.StatusOK {
		t.Fatalf("threat change = %d %s", code, body)
	}
	other := h.token(RoleSupervisor, "bos", "")
	h.getJSON("/v1/missions/cg-france-bos", other, &after)
	for _, c := range after.ThreatHistory {
		if strings.Contains(c.SetBy, jtiOfToken(t, sup)) {
			t.Errorf("set_by %q shows the token id", c.SetBy)
		}
	}
	es, err := h.store.Events(t.Context(), "bos", "", EventsKept)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range es {
		found = found || e.Type == EventThreatChanged
	}
	if !found {
		t.Error("no threat_changed event after a threat change")
	}
}
