package scheduler

import (
	"testing"
	"time"
)

func TestIsLateDelivered(t *testing.T) {
	at := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { c := at.Add(-d); return &c }
	tests := []struct {
		name   string
		client *time.Time
		want   bool
	}{
		{"no client time", nil, false},
		{"at once", ago(5 * time.Second), false},
		{"exactly the allowance", ago(LateDeliveryAfter), false},
		{"offline for minutes", ago(LateDeliveryAfter + time.Second), true},
		{"client clock ahead", ago(-10 * time.Minute), false},
	}
	for _, tt := range tests {
		if got := IsLateDelivered(tt.client, at); got != tt.want {
			t.Errorf("%s: IsLateDelivered(%v, %v) = %v; want %v", tt.name, tt.client, at, got, tt.want)
		}
	}
}
