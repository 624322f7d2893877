package rediskittest

import "testing"

func TestHolderOf(t *testing.T) {
	tests := []struct {
		value, want string
	}{
		{"host/12#q83vEjkW+5pYt3i2hB0a0w==", "host/12"},
		{"a#b#c", "a#b"},
		{"q83vEjkW+5pYt3i2hB0a0w==", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := HolderOf(tt.value); got != tt.want {
			t.Errorf("HolderOf(%q) = %q; want %q", tt.value, got, tt.want)
		}
	}
}
