package scheduler_test

import (
	"testing"
	"time"

	"vigil/scheduler"
)

func TestDiagBig(t *testing.T) {
	in := bigInputs(t, 5000, 400)
	t0 := time.Now()
	_, err := scheduler.PlanDays(in, scheduler.PlanOptions{Key: []byte("bench"), From: wfoFrom, Days: 1})
	t.Logf("plan %v err %v", time.Since(t0), err)
	zs, _ := scheduler.Zones(in)
	t.Logf("zones %d", len(zs))
	for _, z := range zs {
		if z.ID == "z-882a100101fffff" {
			t.Logf("zone %+v", z)
		}
	}
}
