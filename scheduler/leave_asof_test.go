package scheduler

import (
	"encoding/json"
	"testing"
	"time"
)

// TestLeaveAsOf: a day sees the leave file's leave, and leave booked before it starts and
// not cancelled by then; booked and cancelled times survive JSON (the stores keep forces
// as JSON).
func TestLeaveAsOf(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	d := Date{2026, time.December, 1}
	ls := []Leave{
		{Officer: "o-wfo-001", From: d, To: d, Kind: "annual"},
		{Officer: "o-wfo-002", From: d, To: d, Kind: "sick", Created: t0, Reason: "flu"},
		{Officer: "o-wfo-003", From: d, To: d, Kind: "other", Created: t0, Cancelled: t0.Add(time.Hour)},
	}
	ids := func(ls []Leave) (out []string) {
		for _, l := range ls {
			out = append(out, l.Officer)
		}
		return out
	}
	for _, tc := range []struct {
		start time.Time
		want  string
	}{
		{t0.Add(-time.Hour), "[o-wfo-001]"},
		{t0.Add(30 * time.Minute), "[o-wfo-001 o-wfo-002 o-wfo-003]"},
		{t0.Add(2 * time.Hour), "[o-wfo-001 o-wfo-002]"},
	} {
		if got := fmtList(ids(LeaveAsOf(ls, tc.start))); got != tc.want {
			t.Errorf("LeaveAsOf(%s) = %s; want %s", tc.start, got, tc.want)
		}
	}
	b, err := json.Marshal(ls)
	if err != nil {
		t.Fatal(err)
	}
	var back []Leave
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for i := range ls {
		if back[i].Officer != ls[i].Officer || !back[i].Created.Equal(ls[i].Created) || !back[i].Cancelled.Equal(ls[i].Cancelled) || back[i].Reason != ls[i].Reason {
			t.Errorf("leave %d through JSON = %+v; want %+v", i, back[i], ls[i])
		}
	}
	if first, _ := json.Marshal(ls[0]); string(first) != `{"officer":"o-wfo-001","from":"2026-12-01","to":"2026-12-01","kind":"annual"}` {
		t.Errorf("file leave JSON = %s; want it as before (no booked/cancelled fields)", first)
	}
}

func fmtList(xs []string) string {
	out := "["
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
