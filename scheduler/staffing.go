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
// every day with the given posts: RotationDays officers per position, since each shift is
// worked by one of that many phase groups (4 for the default three shifts; see roster.go).
// For a shift list no rotation supports it assumes 4; DutyRoster refuses such a force.
func OfficersNeeded(f RegionForce, posts int) int {
	l := RotationDays(len(f.Shifts))
	if l == 0 {
		l = 4
	}
	return Positions(f, posts) * l
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
