package scheduler

import (
	"errors"
)

// maxRetries is how many times a zone's day is dispatched before its failure is reported.
// Each retry re-allocates with the travel per visit the failed attempt measured (plus
// retryTravelMargin), keeps more slack below the max gaps, and from the third attempt
// plans visits closer to the minimums.
const maxRetries = 7

// lastResort is the attempt after the retries, made only where they all missed a hard rule
// in a live plan: a deadline-order dispatch (lastend.go).
const lastResort = maxRetries

// retryTravelMargin is the share added to the measured travel per visit on a retry.
const retryTravelMargin = 0.1

// realisedTravel returns the travel minutes per visit of the dispatched units by mode,
// between consecutive visits (kept ones included).
func realisedTravel(units []*simUnit, tt func(Mode, int, int) int) map[Mode]float64 {
	travel, visits := map[Mode]float64{}, map[Mode]float64{}
	for _, u := range units {
		for k, v := range u.visits {
			if k > 0 {
				travel[u.zu.Mode] += float64(tt(u.zu.Mode, u.visits[k-1].Mission, v.Mission))
			}
			visits[u.zu.Mode]++
		}
	}
	out := map[Mode]float64{}
	for m, n := range visits {
		if n > 0 {
			out[m] = travel[m] / n
		}
	}
	return out
}

// capacitySteps is how many times a zone is dispatched again at a smaller share of its
// units' time when a dispatch kept the hard rules but made under floorShare of the visits
// it planned. Each step asks for the share that dispatch delivered (util × delivered), a
// fixed-point step towards the largest budget the zone's dispatch delivers, with its real
// travel, dwell and boundary contract in the loop. A dispatch always makes a few visits
// fewer than planned, whatever its load (visits due past the day's end are the next
// day's), so the larger ask stands when the smaller delivers no larger a share of its own
// plan: then the units were not what fell short.
const capacitySteps = 3

// dispatched is one dispatch of a group: the units with their visits, the travel per visit
// its allocation counted, the share of the planned visits it made (each mission's
// shortfall counted, not its surplus) and the randomization floor it kept.
type dispatched struct {
	units     []*simUnit
	travel    map[Mode]float64
	delivered float64
	util      float64 // the share of the units' time it was planned at
	// floorDelivered is the visits made over the visits planned at the floor-bound
	// missions (planned at their floor, above their minimum): what the floor delivers.
	floorDelivered float64
}

// dispatchWithRetries dispatches a group at the largest share of its units' time, up to
// Utilisation, whose dispatch delivers what it planned (capacitySearch), then, where that
// dispatch made its floor-bound missions fewer visits than planned, once more with the
// floor compensated by the share they got (dispatchGroup's comp), so the floor planned is the floor delivered
// (DESIGN.md §4.4: a plan must deliver its declared floor). It returns the units.
func (p *dayPlan) dispatchWithRetries(grp zoneGroup, measured map[Mode]float64) ([]*simUnit, error) {
	d, attempt, m, err := p.capacitySearch(grp, measured)
	if err != nil && !p.dueOrder && p.walks(grp) {
		// A zone of one unit walks (unitfirst.go); where no walk nor any retry keeps the
		// hard rules, the day is dispatched by due time throughout, as any other zone,
		// so the walk never costs a day the dispatch by due time can plan.
		p.dueOrder = true
		defer func() { p.dueOrder = false }()
		d, attempt, m, err = p.capacitySearch(grp, measured)
	}
	measured = m
	if err != nil || d.floorDelivered >= floorShare || d.floorDelivered <= 0 {
		return d.units, err
	}
	c, err := p.dispatchGroup(grp, measured, attempt, d.util, 1/d.floorDelivered)
	if err != nil {
		return d.units, nil // the uncompensated dispatch stands
	}
	return c.units, nil
}

// capacitySearch dispatches a group at the largest share of its units' time, up to
// Utilisation, whose dispatch delivers what it planned (capacitySteps), retrying a
// dispatch that missed a hard rule up to maxRetries times, each retry with the travel per
// visit the failed attempt measured, and in a live plan once more as the last resort. It
// returns the dispatch, the attempt it was and the travel it was allocated with.
func (p *dayPlan) capacitySearch(grp zoneGroup, measured map[Mode]float64) (dispatched, int, map[Mode]float64, error) {
	util, steps := Utilisation, 0
	var prev *dispatched // the last dispatch that kept the hard rules, at a larger share
	prevMeasured := measured
	for attempt := 0; ; {
		d, err := p.dispatchGroup(grp, measured, attempt, util, 1)
		if err == nil {
			switch {
			case prev != nil && prev.delivered >= floorShare*d.delivered:
				return *prev, attempt, prevMeasured, nil
			case d.delivered >= floorShare || steps >= capacitySteps:
				return d, attempt, measured, nil
			}
			steps++
			prev, prevMeasured = &d, measured
			util *= d.delivered
			continue
		}
		var fe *failureError
		if !errors.As(err, &fe) || attempt+1 >= maxRetries {
			if prev != nil {
				return *prev, attempt, prevMeasured, nil
			}
			if fe != nil && attempt+1 == maxRetries && p.mode == livePlan {
				attempt = lastResort
				continue
			}
			return dispatched{}, attempt, measured, err
		}
		attempt++
		// A dispatch that missed a hard rule was planned over what its units deliver:
		// the retry plans at the share of their time it delivered (at least a tenth less).
		if attempt >= 2 {
			util *= min(d.delivered, 0.9)
		}
		// The realised-capacity check: the attempt was late, so the allocation is
		// redone with the travel per visit the attempt measured, with a margin.
		got := realisedTravel(d.units, p.tt)
		measured = map[Mode]float64{}
		for m, t := range d.travel {
			measured[m] = t
			if r, ok := got[m]; ok {
				measured[m] = max(t, r) * (1 + retryTravelMargin)
			}
		}
	}
}
