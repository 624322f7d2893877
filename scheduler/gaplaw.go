package scheduler

import "math"

// The gap law (DESIGN.md §3 "Timing"). A live attacker who sees a departure and waits s
// minutes is intercepted within D with probability 1 − e^(−∫h) over (s, s+D], h the law's
// hazard; memoryless visits have h = 1/g everywhere. Under a cap M no law with mean g
// keeps h ≥ 1/g everywhere, and an exponential truncated to M (drawn again above the cap)
// lowers the rate everywhere to pay for the cap: with g = M/2.6 its hazard is 0.57/g, and
// an attacker who starts at once wins far more often than against memoryless visits. The
// law here keeps the hazard constant at λ as long as the cap allows and raises it only
// where the cap forces: h(t) = max(λ, 1/(M − t)), i.e. an exponential of rate λ up to
// T = M − 1/λ and a uniform remainder on [T, M] (the density is continuous at T, and
// nothing piles up at a known length). Its mean is (1 − e^(−λT)/2)/λ; for g = M/2.6 the
// rate is 0.85/g, for g = M/4 (the randomization floor's four visits per max gap) 0.97/g.
// For g ≥ M/2 the law is uniform, λ = 1/M.

// hazardMean is the mean of the law with rate l under cap M.
func hazardMean(l, M float64) float64 {
	if l*M <= 1 {
		return M / 2
	}
	T := M - 1/l
	return (1 - math.Exp(-l*T)/2) / l
}

// hazardRate returns the rate λ of the law under cap M with mean g (1/M, the uniform law,
// when g ≥ M/2).
func hazardRate(g, M float64) float64 {
	if g >= M/2 || g <= 0 {
		return 1 / M
	}
	lo, hi := 1/M, 2/g
	for hazardMean(hi, M) > g {
		hi *= 2
	}
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if hazardMean(mid, M) > g {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// hazardQuantile is the u-quantile of the law with rate l under cap M.
func hazardQuantile(l, M, u float64) float64 {
	T := max(M-1/l, 0)
	pT := -math.Expm1(-l * T) // P(gap < T)
	if u < pT {
		return -math.Log1p(-u) / l
	}
	return T + (M-T)*(u-pT)/(1-pT)
}

// rateForMean returns λ such that an exponential of rate λ truncated to [0, M] has mean g;
// 0 (uniform) when g ≥ M/2.
func rateForMean(g, M float64) float64 {
	if g >= M/2 || g <= 0 {
		return 0
	}
	mean := func(l float64) float64 { return 1/l - M/math.Expm1(l*M) }
	lo, hi := 1e-9/M, 1/g*4
	for mean(hi) > g {
		hi *= 2
	}
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if mean(mid) > g {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
