package scheduler

import "math"

// WaterFill spends a visit budget over targets so as to minimise the worst
// value × e^(−λ·D), the attack success against memoryless visits at rate λ (DESIGN.md
// §4.4): λ_t = max(λmin_t, ln(v_t/u)/D), with u chosen so the budget is spent exactly.
// Rates are given and returned as visits per period of periodMinutes (e.g. per day).
// It returns the visits per target and the water level u (the optimum worst). If the
// budget does not cover the minimums, it returns the minimums and the worst at them.
func WaterFill(values, minVisits []float64, budget, attackMinutes, periodMinutes float64) ([]float64, float64) {
	n := len(values)
	out := make([]float64, n)
	alloc := func(u float64) float64 {
		total := 0.0
		for i, v := range values {
			x := minVisits[i]
			if v > u {
				x = max(x, math.Log(v/u)/attackMinutes*periodMinutes)
			}
			out[i] = x
			total += x
		}
		return total
	}
	worstAt := func() float64 {
		w := 0.0
		for i, v := range values {
			w = max(w, v*math.Exp(-out[i]/periodMinutes*attackMinutes))
		}
		return w
	}
	minTotal := 0.0
	for _, m := range minVisits {
		minTotal += m
	}
	if n == 0 {
		return out, 0
	}
	if budget <= minTotal {
		copy(out, minVisits)
		return out, worstAt()
	}
	// alloc is non-increasing in u; bisect on log u.
	lo, hi := 1e-300, 0.0
	for _, v := range values {
		hi = max(hi, v)
	}
	if hi <= 0 {
		copy(out, minVisits)
		return out, 0
	}
	llo, lhi := math.Log(lo), math.Log(hi)
	for i := 0; i < 200; i++ {
		mid := (llo + lhi) / 2
		if alloc(math.Exp(mid)) > budget {
			llo = mid
		} else {
			lhi = mid
		}
	}
	u := math.Exp(lhi)
	alloc(u)
	return out, u
}
