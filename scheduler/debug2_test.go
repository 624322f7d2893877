package scheduler

import (
	"fmt"
	"testing"
)

func TestDebugFailRate(t *testing.T) {
	fails := 0
	for seed := uint64(1); seed <= 30; seed++ {
		in := synthInputs(t, seed, 20+int(seed)*5, 2+float64(seed%4), -16-int(seed%8), int(seed%3), "America/New_York")
		key := []byte(fmt.Sprintf("key-%d", seed))
		_, err := PlanDays(in, PlanOptions{Key: key, From: Date{2026, 10, 30}, Days: 3})
		if err != nil {
			fails++
			t.Logf("seed %d: %v", seed, err)
		}
	}
	t.Logf("fails %d", fails)
}
