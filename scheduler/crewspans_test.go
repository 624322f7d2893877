package scheduler

import (
	"fmt"
	"testing"
	"time"
)

// TestCrewSpans: a route's crew from its start, a relief's On from its time, each until
// relieved or the route's end; a relief with no one coming on (a unit out of service)
// ends its Off's span; an officer relieved at the route's start crews nothing.
func TestCrewSpans(t *testing.T) {
	s := time.Date(2026, 12, 9, 7, 0, 0, 0, time.UTC)
	h := func(n int) time.Time { return s.Add(time.Duration(n) * time.Hour) }
	r := Route{Unit: "wfo-v01", Officers: []string{"a", "b", "d"}, Start: s, End: h(8), Reliefs: []Relief{
		{At: h(5), Off: "b"}, {At: h(3), Off: "a", On: "c"}, {At: s, Off: "d", On: "e"},
	}}
	got := fmt.Sprint(CrewSpans(r))
	want := fmt.Sprint([]CrewSpan{{"a", s, h(3)}, {"b", s, h(5)}, {"e", s, h(8)}, {"c", h(3), h(8)}})
	if got != want {
		t.Errorf("CrewSpans =\n%s\nwant\n%s", got, want)
	}
}
