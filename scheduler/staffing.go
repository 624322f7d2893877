package scheduler

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
