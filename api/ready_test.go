package api

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"vigil/scheduler"
	"vigil/scheduler/resilient"
)

// outageStore reports an outage when down is set, and fails Forces when empty is set too
// (a replica that holds nothing to serve from).
type outageStore struct {
	scheduler.Store
	down, empty atomic.Bool
}

func (o *outageStore) Outage() resilient.Outage {
	if o.down.Load() {
		return resilient.Outage{Down: true, Since: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC), QueuedAudit: 3}
	}
	return resilient.Outage{}
}

func (o *outageStore) Forces(ctx context.Context) ([]scheduler.RegionForce, error) {
	if o.empty.Load() {
		return nil, fmt.Errorf("%w: redis down", scheduler.ErrUnavailable)
	}
	return o.Store.Forces(ctx)
}

// TestReadyzStates: ready, degraded and down are told apart by status and body, and the
// gauge vigil_store_degraded follows.
func TestReadyzStates(t *testing.T) {
	ds, st := seededStore(t)
	o := &outageStore{Store: st}
	srv := New(Config{Logger: slog.New(slog.DiscardHandler), Store: o, Offices: ds.Offices, MasterKey: testMaster,
		Clock: clockwork.NewFakeClockAt(start)})
	h := &harness{t: t, srv: srv}
	check := func(state string, wantCode int, wantStatus, wantGauge string) {
		t.Helper()
		code, body := h.do(http.MethodGet, "/readyz", "", "")
		var out struct {
			Status string `json:"status"`
			Error  struct {
				Code, Message string
			} `json:"error"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: /readyz body %s: %v", state, body, err)
		}
		got := out.Status
		if got == "" {
			got = out.Error.Code + ": " + out.Error.Message
		}
		if code != wantCode || !strings.HasPrefix(got, wantStatus) {
			t.Errorf("%s: /readyz = %d %s; want %d %q", state, code, body, wantCode, wantStatus)
		}
		_, metrics := h.do(http.MethodGet, "/metrics", "", "")
		if line := "vigil_store_degraded " + wantGauge; !strings.Contains(string(metrics), "\n"+line+"\n") {
			t.Errorf("%s: /metrics lacks %q", state, line)
		}
	}
	check("store up", http.StatusOK, "ready", "0")
	o.down.Store(true)
	check("store down, inputs held", http.StatusOK, "degraded", "1")
	o.empty.Store(true)
	check("store down, nothing held", http.StatusServiceUnavailable, "unavailable: down:", "1")
	o.down.Store(false)
	o.empty.Store(false)
	check("store back", http.StatusOK, "ready", "0")
}
