package simulate

import (
	"math"

	"vigil/scheduler"
)

// MemorylessBound is the lowest value-weighted attack success at attack length d
// (DESIGN.md §4.3: Σ v·(1 − interception) / Σ v over the missions without a staffed post)
// that memoryless visits could reach with plan p's own means: the same unit minutes on
// site and between sites, re-spent over the missions so as to minimise that sum. It
// answers "how far below a baseline can any timing get with these units", e.g. against
// `rounds`, whose value-weighted success follows from the same visit totals.
//
// The model: a mission with n presences over the run's P minutes, each lasting its mean
// presence w in p, has mean gap g = P/n − w, and memoryless visits are intercepted with
// 1 − e^(−d/g). A presence costs its minutes on site and the plan's mean minutes between
// presences (travel and waiting, from p's routes). Each mission keeps at least its
// minimum visits over the run and, with floor > 0, floor visits per max gap (the §3
// randomization floor). Presences are handed out one at a time to the mission where one
// more lowers the sum most per minute it costs, which is optimal for this separable,
// convex (in n) objective up to whole presences. It returns the bound and the plan's own
// figure under the same model (its presences as they are), so the two compare like for
// like; 0, 0 when p has no mission without a post.
func MemorylessBound(p *scheduler.Plan, d int, floor float64) (bound, asPlanned float64) {
	if len(p.ServiceDays) == 0 {
		return 0, 0
	}
	period := p.ServiceDays[len(p.ServiceDays)-1].End.Sub(p.ServiceDays[0].Start).Minutes()
	days := float64(len(p.ServiceDays))
	pres := scheduler.Presences(p)
	staffed := scheduler.Staffed(p)

	// The plan's mean minutes between presences: unit minutes not on site, per visit.
	var unitMin, onSite, visits float64
	for _, sd := range p.ServiceDays {
		for _, r := range sd.Routes {
			unitMin += r.End.Sub(r.Start).Minutes()
			for _, v := range r.Visits {
				onSite += v.Depart.Sub(v.Arrive).Minutes()
				visits++
			}
		}
	}
	if visits == 0 {
		return 0, 0
	}
	between := max(unitMin-onSite, 0) / visits

	type target struct {
		v, w, n, lo float64
	}
	var ts []target
	budget, valueSum := 0.0, 0.0
	for _, m := range p.Missions {
		ps := pres[m.ID]
		if staffed[m.ID] || len(ps) == 0 {
			continue
		}
		w := 0.0
		for _, iv := range ps {
			w += iv.Minutes()
		}
		n := float64(len(ps))
		w /= n
		lo := float64(m.VisitsPerDay) * days
		if floor > 0 && m.MaxGapMinutes > 0 {
			lo = max(lo, math.Ceil(floor/float64(m.MaxGapMinutes)*period))
		}
		ts = append(ts, target{v: m.Value, w: w, n: n, lo: lo})
		budget += n * (w + between)
		valueSum += m.Value
	}
	if valueSum == 0 {
		return 0, 0
	}
	D := float64(d)
	success := func(t target, n float64) float64 {
		if n <= 0 {
			return t.v
		}
		g := period/n - t.w
		if g <= 0 {
			return 0
		}
		return t.v * math.Exp(-D/g)
	}
	for _, t := range ts {
		asPlanned += success(t, t.n)
	}
	// Start every mission at its floor, then hand out the rest of the minutes.
	n := make([]float64, len(ts))
	left := budget
	for i, t := range ts {
		n[i] = t.lo
		left -= t.lo * (t.w + between)
	}
	for left > 0 {
		best, bi := 0.0, -1
		for i, t := range ts {
			if gain := (success(t, n[i]) - success(t, n[i]+1)) / (t.w + between); gain > best {
				best, bi = gain, i
			}
		}
		if bi < 0 {
			break
		}
		n[bi]++
		left -= ts[bi].w + between
	}
	for i, t := range ts {
		bound += success(t, n[i])
	}
	return bound / valueSum, asPlanned / valueSum
}
