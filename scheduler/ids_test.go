package scheduler

import (
	"math"
	"regexp"
	"testing"
)

// TestParseOfficerIDMatchesPattern checks the hand-written ParseOfficerID against the
// pattern it implements, over hand-picked ids and every short id over an alphabet that
// reaches every branch.
func TestParseOfficerIDMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(`^o-([a-z0-9][a-z0-9-]*)-([0-9]{3,})$`)
	ids := []string{
		"o-wfo-001", "o-wfo-1234", "o-bos-01", "o-bos-0001x", "o-a-123-456", "o-a-12-456", "o-a--123",
		"o--a-123", "o-1-000", "o-Wfo-001", "o-wfo-", "o-wfo", "o--123", "o-123", "o-x-123-",
		"x-wfo-001", "o-wfo-001\n", "o-wf_o-001", "o-wfo-00a1", "o-é-001", "", "o-", "o-a-b-c-999",
		"o-a-999-99", "o-9-9-999", "o-wfo-001 ",
	}
	alphabet := []byte("o-a1Z")
	var gen func(prefix []byte)
	gen = func(prefix []byte) {
		ids = append(ids, "o-"+string(prefix))
		if len(prefix) == 6 {
			return
		}
		for _, ch := range alphabet {
			gen(append(prefix, ch))
		}
	}
	gen(nil)
	for _, id := range ids {
		want := ""
		if m := pattern.FindStringSubmatch(id); m != nil {
			want = m[1]
		}
		if got, _, ok := ParseOfficerID(id); got != want || ok != (want != "") {
			t.Errorf("ParseOfficerID(%q) = %q, %v; want %q, %v", id, got, ok, want, want != "")
		}
	}
}

func TestParseOfficerIDNumber(t *testing.T) {
	tests := []struct {
		id     string
		region string
		n      int
	}{
		{OfficerID("wfo", 1), "wfo", 1},
		{OfficerID("new-york-2", 1234), "new-york-2", 1234},
		{"o-bos-0007", "bos", 7},
		{"o-bos-99999999999999999999999", "bos", math.MaxInt},
	}
	for _, tt := range tests {
		region, n, ok := ParseOfficerID(tt.id)
		if !ok || region != tt.region || n != tt.n {
			t.Errorf("ParseOfficerID(%q) = %q, %d, %v; want %q, %d, true", tt.id, region, n, ok, tt.region, tt.n)
		}
	}
}

func TestParseUnitID(t *testing.T) {
	for _, region := range []string{"wfo", "new-york", "r-1"} {
		for _, mode := range Modes {
			for _, n := range []int{1, 9, 10, 99, 100, 1234} {
				id := UnitID(region, mode, n)
				r, m, k, ok := ParseUnitID(id)
				if !ok || r != region || m != mode || k != n {
					t.Errorf("ParseUnitID(%q) = %q, %q, %d, %v; want %q, %q, %d, true", id, r, m, k, ok, region, mode, n)
				}
			}
		}
	}
	for _, id := range []string{"", "wfo", "wfo-", "-v01", "wfo-v1", "wfo-v001", "wfo-x01", "wfo-v00",
		"wfo-v0a", "wfo-v01 ", "wfo-f-01", "wfov01", "wfo-V01", "wfo-v+1", "wfo-v99999999999999999999"} {
		if r, m, k, ok := ParseUnitID(id); ok {
			t.Errorf("ParseUnitID(%q) = %q, %q, %d, true; want not a unit id", id, r, m, k)
		}
	}
}
