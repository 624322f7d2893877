package scheduler

import (
	"math"
	"testing"
)

// TestWaterFillWorkedExample checks the worked example of DESIGN.md §4.4.
func TestWaterFillWorkedExample(t *testing.T) {
	values := []float64{16, 8, 4, 1}
	mins := []float64{12, 10, 6, 2}
	tests := []struct {
		budget float64
		want   []float64
		u      float64
	}{
		{60, []float64{42, 10, 6, 2}, 6.670},
		{90, []float64{57.64, 24.36, 6, 2}, 4.816},
	}
	for _, tt := range tests {
		got, u := WaterFill(values, mins, tt.budget, 30, 1440)
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 0.01 {
				t.Errorf("WaterFill(budget %v)[%d] = %.3f; want %.2f", tt.budget, i, got[i], tt.want[i])
			}
		}
		if math.Abs(u-tt.u) > 0.001 {
			t.Errorf("WaterFill(budget %v) u = %.4f; want %.3f", tt.budget, u, tt.u)
		}
	}
}

func TestWaterFillBelowMinimums(t *testing.T) {
	got, _ := WaterFill([]float64{4, 1}, []float64{6, 2}, 5, 30, 1440)
	if got[0] != 6 || got[1] != 2 {
		t.Errorf("WaterFill(under budget) = %v; want the minimums", got)
	}
}
