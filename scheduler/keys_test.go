package scheduler

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseMasterKey(t *testing.T) {
	good := strings.Repeat("ab", 32)
	tests := []struct {
		in string
		ok bool
	}{
		{good, true},
		{" " + good + "\n", true},
		{good[:62], false},
		{strings.Repeat("zz", 32), false},
		{"", false},
	}
	for _, tt := range tests {
		_, err := ParseMasterKey(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseMasterKey(%q) = %v; want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && len(tt.in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
			t.Errorf("ParseMasterKey error %q echoes the key", err)
		}
	}
}

func TestDerivedKeysDiffer(t *testing.T) {
	m := bytes.Repeat([]byte{7}, 32)
	p, k := PlanKey(m), TokenKey(m)
	if bytes.Equal(p, k) || bytes.Equal(p, m) || len(p) != 32 {
		t.Errorf("PlanKey and TokenKey must be distinct 32-byte keys, got %x and %x", p, k)
	}
	if !bytes.Equal(p, PlanKey(m)) {
		t.Errorf("PlanKey is not deterministic")
	}
}
