package scheduler

import (
	"fmt"
	"slices"
	"sort"
)

// StaffDay assigns the on-duty officers of service date d (DutyRosterOf) to the given
// routes and fixed posts, and builds every post's blocks for the whole service day.
//
// Routes come with Unit, Mode and Shift set; StaffDay returns copies with Officers filled
// (sorted), every route of one unit and shift getting the same crew of Crew[mode] officers.
// The posts are those of in.Missions (PostSites), sorted by id, each staffed in every shift
// by a team of PostTeam officers standing alternate blocks (PostBlockBounds), blocks sorted
// by start. On-duty officers beyond the units and posts are reserve and appear nowhere.
// Every position goes to an officer qualified for it: a post to one holding post, a crew
// place to one holding its mode, a canine unit's (UnitCapabilities) to one also holding
// canine (fillPositions).
//
// Under the forward rotation, who fills posts, units and reserve rotates with each duty of
// the shift's phase group, so post hours even out across officers over the days; the
// engine's roster says itself who stands posts. Only the block jitter and which team member
// stands first are drawn from the plan key (NewRand with zone = post id).
//
// It returns DutyRosterOf's errors, an error for a route naming an unknown shift or a mode
// without a crew, and an error naming how many officers are missing when a shift's on-duty
// officers cannot fill its units and posts.
func StaffDay(in Inputs, planKey []byte, d Date, version string, routes []Route) ([]Route, []Post, error) {
	f := in.Force
	wins, err := checkShiftLengths(f, in.Office.Location, d)
	if err != nil {
		return nil, nil, err
	}
	sites := PostSites(in.Missions, f.Profiles)
	plan, err := rosterPlanFor(f, in.Office.Location, len(sites))
	if err != nil {
		return nil, nil, err
	}
	roster, err := plan.day(d)
	if err != nil {
		return nil, nil, err
	}
	if len(roster.gaps) > 0 {
		return nil, nil, gapError(f.Region, roster.gaps)
	}
	units, err := shiftUnits(f, d, wins, routes)
	if err != nil {
		return nil, nil, err
	}
	posts := make([]Post, len(sites))
	for i, p := range sites {
		posts[i] = Post{Post: p.ID, Mission: p.Mission, Blocks: []Block{}}
	}
	crewOf := make([]map[string][]string, len(wins))
	reliefs := make([]*shiftRelief, len(wins))
	for s, w := range wins {
		ids, kinds, unitSlots := shiftPositions(f, len(sites), units[s])
		members := roster.onDuty[s]
		if len(kinds) > len(members) {
			return nil, nil, &InfeasibleError{Region: f.Region, Missing: fmt.Sprintf("shift %s on %s: %d officers on duty cannot fill %d positions (%d in %d units, %d in %d post teams), %d missing; the force has %d officers",
				w.Name, d, len(members), len(kinds), unitSlots, len(ids), PostTeam*len(sites), len(sites), len(kinds)-len(members), f.Officers)}
		}
		order := members
		if plan.rotation {
			order = staffOrder(members, roster.turns[s], unitSlots, PostTeam*len(sites), len(f.Shifts))
		}
		got := fillPositions(kinds, plan.m.sigs, func(posKind) []int { return order })
		for i, o := range got {
			if o < 0 {
				return nil, nil, &InfeasibleError{Region: f.Region, Missing: fmt.Sprintf("shift %s on %s: no officer on duty qualified for a %s position (%d on duty)", w.Name, d, kindNames[kinds[i]], len(members))}
			}
		}
		if reliefs[s], err = reliefHandover(plan, roster, s, w, d, kinds, got); err != nil {
			return nil, nil, err
		}
		next := 0
		take := func(n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = plan.m.officers[got[next]].ID
				next++
			}
			return out
		}
		for i, p := range sites {
			var team [PostTeam]string
			copy(team[:], take(PostTeam))
			rng := NewRand(planKey, f.Region, d, p.ID, w.Name, version)
			bounds := PostBlockBounds(w.Start, w.End, f.PostBlockMinutes, rng)
			posts[i].Blocks = append(posts[i].Blocks, postShiftBlocks(bounds, team, rng.IntN(PostTeam))...)
		}
		crewOf[s] = make(map[string][]string, len(ids))
		for _, u := range ids {
			c := take(f.Crew[units[s][u]])
			sort.Strings(c)
			crewOf[s][u] = c
		}
	}

	out := make([]Route, len(routes))
	shiftIndex := make(map[string]int, len(wins))
	for i, w := range wins {
		shiftIndex[w.Name] = i
	}
	for i, r := range routes {
		r.Officers = slices.Clone(crewOf[shiftIndex[r.Shift]][r.Unit])
		out[i] = r
	}
	applyReliefs(wins, reliefs, out, posts)
	return out, posts, nil
}

// shiftPositions returns a shift's unit ids, sorted, and its positions in fill order (post
// teams by post, then crews by unit id) with the number of crew places.
func shiftPositions(f RegionForce, posts int, units map[string]Mode) ([]string, []posKind, int) {
	ids := make([]string, 0, len(units))
	for u := range units {
		ids = append(ids, u)
	}
	sort.Strings(ids)
	var kinds []posKind
	for range PostTeam * posts {
		kinds = append(kinds, kindPost)
	}
	unitSlots := 0
	for _, u := range ids {
		k := kindOfUnit(f, u, units[u])
		for range f.Crew[units[u]] {
			kinds = append(kinds, k)
		}
		unitSlots += f.Crew[units[u]]
	}
	return ids, kinds, unitSlots
}

// kindOfUnit returns the kind of a crew place of unit u of mode m.
func kindOfUnit(f RegionForce, u string, m Mode) posKind {
	switch {
	case m == Foot:
		return kindFoot
	case slices.Contains(UnitCapabilities(f, u), CanineCapability):
		return kindCanine
	}
	return kindVehicle
}

// shiftUnits returns, per shift of d, the units that have routes and their modes.
func shiftUnits(f RegionForce, d Date, wins []ShiftWindow, routes []Route) ([]map[string]Mode, error) {
	shiftIndex := make(map[string]int, len(wins))
	for i, w := range wins {
		shiftIndex[w.Name] = i
	}
	units := make([]map[string]Mode, len(wins))
	for i := range units {
		units[i] = map[string]Mode{}
	}
	for _, r := range routes {
		s, ok := shiftIndex[r.Shift]
		if !ok {
			return nil, fmt.Errorf("route of unit %s on %s names shift %q, which region %s does not have", r.Unit, d, r.Shift, f.Region)
		}
		if m, ok := units[s][r.Unit]; ok && m != r.Mode {
			return nil, fmt.Errorf("unit %s has routes of modes %s and %s in shift %s on %s", r.Unit, m, r.Mode, r.Shift, d)
		}
		if f.Crew[r.Mode] <= 0 {
			return nil, fmt.Errorf("unit %s: region %s has no crew size for mode %q", r.Unit, f.Region, r.Mode)
		}
		units[s][r.Unit] = r.Mode
	}
	return units, nil
}

// staffOrder returns the on-duty officers in the order they fill post teams, then unit
// crews, then reserve. The order is the ascending list rotated by a step for each duty the
// group has worked (turn counts duties of every shift), so the window of post places slides
// around the group and every member stands posts equally often over the days. The step is
// at least the post places, prime to the group's size (so the window visits every member),
// and chosen so that the duties of one shift kind, S duties apart, move the reserve places
// by at least the reserve's width (up to a share of the group): a step of the post places
// alone moved the night's reserve by one officer a night with 243 officers, and kept the
// same few officers without night hours for weeks.
func staffOrder(members []int, turn, unitSlots, postSlots, shifts int) []int {
	m := len(members)
	if m == 0 {
		return []int{}
	}
	step := staffStep(m, unitSlots, postSlots, shifts)
	r := rotMod(rotMod(turn, m)*rotMod(step, m), m)
	out := make([]int, 0, m)
	out = append(out, members[r:]...)
	return append(out, members[:r]...)
}

// staffStep returns staffOrder's rotation step for a group of m on-duty officers.
func staffStep(m, unitSlots, postSlots, shifts int) int {
	reserve := max(0, m-unitSlots-postSlots)
	want := min(reserve, m/(2*max(shifts, 1)))
	first := max(1, postSlots)
	for s := first; s < first+m; s++ {
		d := s * shifts % m
		if gcd(s, m) == 1 && min(d, m-d) >= want {
			return s
		}
	}
	return first
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
