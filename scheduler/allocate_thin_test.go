package scheduler

import (
	"errors"
	"fmt"
	"testing"
)

// TestAllocateMinimumsAtFullUtilisation checks a zone whose minimum visits need more than
// the share of its units' time asked (util, e.g. what its dispatch delivered) but fit in what the force check
// counts (Utilisation): it is planned at exactly its minimums, not refused; one mission
// more than even that is an InfeasibleError naming the zone.
func TestAllocateMinimumsAtFullUtilisation(t *testing.T) {
	profiles := DefaultProfiles()
	p := profiles[4] // 10 visits a day, 10–15 minutes on site
	cost := MeanDwell(p) + 2
	perUnit := func(u float64) float64 { return 1440 * u / (float64(p.VisitsPerDay) * cost) }
	fit := int(perUnit(Utilisation)) // missions one unit can give their minimums
	const asked = 0.7
	if float64(fit) <= perUnit(asked) {
		t.Fatalf("test set-up: %d missions fit the share %.2f already", fit, asked)
	}
	zone := func(n int) (Inputs, []int) {
		in := Inputs{Force: RegionForce{Profiles: profiles}}
		ms := make([]int, n)
		for i := range ms {
			in.Missions = append(in.Missions, Mission{ID: fmt.Sprintf("m%02d", i), Threat: 4})
			ms[i] = i
		}
		return in, ms
	}
	prof := func(int) Profile { return p }
	units := []zoneUnit{{ID: "u1", Mode: Vehicle}}
	travel := map[Mode]float64{Vehicle: 2}

	in, ms := zone(fit)
	a, err := allocateWith(in, "z1", ms, units, prof, 1440, asked, travel)
	if err != nil {
		t.Fatalf("allocateWith(%d missions) error: %v; want the minimums", fit, err)
	}
	for i, v := range a.Visits {
		if v != a.Minimums[i] {
			t.Errorf("mission %d: %v visits; want its minimum %v", i, v, a.Minimums[i])
		}
	}

	in, ms = zone(fit + 1)
	_, err = allocateWith(in, "z1", ms, units, prof, 1440, asked, travel)
	var ie *InfeasibleError
	if !errors.As(err, &ie) {
		t.Fatalf("allocateWith(%d missions) error = %v; want an *InfeasibleError", fit+1, err)
	}
	t.Logf("%d missions: %v", fit+1, err)
}
