package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"vigil/scheduler"
)

// auditFailingStore fails Audit while fail is set, as a store whose audit commit failed.
type auditFailingStore struct {
	scheduler.Store
	fail atomic.Bool
}

var errAuditCommit = errors.New("audit commit: input/output error")

func (s *auditFailingStore) Audit(ctx context.Context, r scheduler.AuditRecord) error {
	if s.fail.Load() {
		return errAuditCommit
	}
	return s.Store.Audit(ctx, r)
}

// TestReadsNeverServedUnaudited: when the audit record's commit fails, the audited reads
// answer 500 without their content, also when the answer is already kept in memory.
func TestReadsNeverServedUnaudited(t *testing.T) {
	h := newHarness(t)
	st := &auditFailingStore{Store: h.store}
	h.srv = New(Config{Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Store: st, Offices: h.ds.Offices, MasterKey: testMaster, Clock: h.clock})
	d := scheduler.ServiceDateOf(start, scheduler.DefaultShifts(), bosLoc)
	officer, _, route := h.crew(h.token(RoleAdmin, "", ""), d, start)
	reads := []struct{ path, token string }{
		{"/v1/me/assignments?date=" + d.String(), h.token(RoleOfficer, "", officer)},
		{"/v1/plans/bos/" + d.String(), h.token(RoleSupervisor, "bos", "")},
	}
	mission := route.Visits[0].Mission
	for _, r := range reads {
		if code, body := h.do(http.MethodGet, r.path, r.token, ""); code != http.StatusOK || !strings.Contains(string(body), mission) {
			t.Fatalf("GET %s = %d (%d bytes); want 200 with %s", r.path, code, len(body), mission)
		}
	}
	st.fail.Store(true)
	for _, r := range reads {
		code, body := h.do(http.MethodGet, r.path, r.token, "")
		if code != http.StatusInternalServerError || strings.Contains(string(body), mission) {
			t.Errorf("GET %s with the audit failing = %d %.200s; want 500 without the read's content", r.path, code, body)
		}
	}
}
