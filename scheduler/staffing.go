package scheduler

import "math"

// PostTeam is the smallest post team per post and shift: two officers relieving each
// other at every block boundary (DESIGN.md §2 Post).
const PostTeam = 2

// Positions returns the officers on duty in every shift: unit crews plus post teams.
func Positions(f RegionForce, posts int) int {
	n := posts * PostTeam
	for _, m := range Modes {
		n += f.Units[m] * f.Crew[m]
	}
	return n
}

// OfficersNeeded returns the roster size the duty rotation needs to staff every shift of
// every day with the given posts (the roster owns the rule; see roster.go).
func OfficersNeeded(f RegionForce, posts int) int {
	// Each officer works 6 shifts in each 8-day cycle, so every position staffed around
	// the clock needs 8·3/6 = 4 officers.
	return int(math.Ceil(float64(Positions(f, posts)) * 4))
}

// RandomizationFloor returns the visits per service day a mission gets before any spare
// is water-filled by value: about twice the profile minimum, so that gaps can be near
// memoryless under the max gap (DESIGN.md §3).
func RandomizationFloor(p Profile, dayMinutes float64) float64 {
	return 2 * MinimumVisits(p, dayMinutes)
}

// MinimumVisits returns the visits a service day of dayMinutes needs under profile p:
// visits_per_day, or more where the max gap demands it (a 25-hour day, DESIGN.md §3).
// The first presence starts within half the max gap of the day's start and the last ends
// within half the max gap of its end, so n visits of the shortest dwell cover at most
// g/2 + n·dwell + (n−1)·g + g/2 = n·(g + dwell) minutes of the day.
func MinimumVisits(p Profile, dayMinutes float64) float64 {
	g := float64(p.MaxGapMinutes)
	dwell := float64(p.DwellMinutes[0])
	n := math.Ceil(dayMinutes/(g+dwell) - 1e-9)
	return max(float64(p.VisitsPerDay), n)
}
