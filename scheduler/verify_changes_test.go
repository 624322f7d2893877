package scheduler

import (
	"slices"
	"testing"
	"time"
)

// The verifier's rules that only a re-plan reaches (a day verified with its threat and
// force changes) and the exact wording of what it reports, for the mutation run of
// `make mutate` (issue 19). Each case is a hand-written schedule of one threat-3 mission
// (max gap 240, dwell 10–15, six visits a day, no post) on the vehicle of edgeInputs.

// threat3Base: eight 10-minute presences 180 minutes apart, from minute 60 (≤ G/2) to
// 1320–1330 (110 minutes before the end, ≤ G/2): gaps of 170 minutes.
func threat3Base() []sv {
	var base []sv
	for k := 0; k < 8; k++ {
		base = append(base, sv{"emb-a", 60 + 180*k, 70 + 180*k})
	}
	return base
}

// dayWith plans the one-mission region for one day and puts the visits on it.
func dayWith(t *testing.T, in Inputs, visits []sv) ServiceDay {
	t.Helper()
	p := edgePlan(t, in, 1, threat3Base())
	sd := p.ServiceDays[0]
	schedule(t, &sd, visits)
	return sd
}

func details(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule+": "+v.Subject+": "+v.Detail)
	}
	return out
}

func TestVerifyDayWithThreatChanges(t *testing.T) {
	in := edgeInputs(t, map[string]int{"emb-a": 3})
	if pr, p5 := in.Force.Profiles[3], in.Force.Profiles[5]; pr.MaxGapMinutes != 240 || pr.DwellMinutes != [2]int{10, 15} || pr.FixedPosts != 0 || p5.MaxGapMinutes != 120 {
		t.Fatalf("profiles 3 %+v, 5 %+v; the cases assume G 240 and 120, dwell 10–15, no post at 3", pr, p5)
	}
	at := func(m int) time.Time {
		return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).Add(time.Duration(m) * time.Minute)
	}
	until := func(m int) *time.Time { u := at(m); return &u }
	// raise: emb-a at threat 5 (max gap 120) from minute from to minute to.
	raise := func(from, to int) []Change {
		return []Change{{At: at(from), Mission: "emb-a", Threat: 5, Until: until(to)}}
	}
	if got, _ := ServiceDayBounds(edgeDate, in.Force.Shifts, in.Office.Location); !got.Equal(at(0)) {
		t.Fatalf("the service day starts at %v; want %v", got, at(0))
	}
	base := threat3Base()
	cases := []struct {
		name    string
		visits  []sv
		changes []Change
		want    []string
	}{
		{"base, no change", base, nil, nil},
		// Presence 1 ends at 250; the raise at 300 asks for the next presence by 420.
		{"next presence G after a change in a gap", base, raise(300, 400), nil},
		{"next presence G+1 after a change in a gap", with(base, 2, sv{"emb-a", 421, 431}), raise(300, 400),
			[]string{"max gap: emb-a: next presence 121 min after the change at minute 300 (max 120)"}},
		// A raise where a presence ends is the gap's own level: reported once, not twice.
		{"change where a presence ends", with(base, 2, sv{"emb-a", 421, 431}), raise(250, 400),
			[]string{"max gap: emb-a: gap of 171 min from 11:10 (max 120)"}},
		// A raise over the day's last minute: the end boundary is half of 120, not 240.
		{"last presence ends G/2 before the end under a raise", with(base, 7, sv{"emb-a", 1370, 1380}), raise(1300, 1440), nil},
		{"last presence ends G/2+1 before the end under a raise", with(base, 7, sv{"emb-a", 1369, 1379}), raise(1300, 1440),
			[]string{"boundary: emb-a: last presence ends at 05:59, over half the max gap (120) before the day's end"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sd := dayWith(t, in, tc.visits)
			got := details(verifyDay(in, sd, tc.changes))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("verifyDay = %q; want %q", got, tc.want)
			}
		})
	}

	t.Run("unit added by a force change", func(t *testing.T) {
		sd := dayWith(t, in, base)
		r := sd.Routes[0]
		r.Unit, r.Officers, r.Visits = UnitID("wfo", Vehicle, 2), []string{}, []Visit{}
		sd.Routes = append(sd.Routes, r)
		if got := details(verifyDay(in, sd, nil)); len(got) != 1 || got[0] != "route: wfo-v02: unit unknown or of another mode than vehicle" {
			t.Fatalf("without the change: %q; want wfo-v02 unknown", got)
		}
		f := in.Force
		f.Units = map[Mode]int{Vehicle: 2, Foot: 0}
		if got := details(verifyDay(in, sd, []Change{{At: at(0), Force: &f}})); got != nil {
			t.Fatalf("with the force change: %q; want none", got)
		}
	})
}

// The details the verifier reports name the right minute and presence.
func TestVerifyDetails(t *testing.T) {
	in := edgeInputs(t, map[string]int{"emb-a": 3})
	base := threat3Base()
	for _, tc := range []struct {
		name   string
		visits []sv
		want   []string
	}{
		// Presence 2 ends at 430 (14:10); the next arrives 241 minutes later.
		{"gap", with(base, 3, sv{"emb-a", 671, 681}), []string{"max gap: emb-a: gap of 241 min from 14:10 (max 240)"}},
		{"first presence late", with(base, 0, sv{"emb-a", 121, 131}), []string{"boundary: emb-a: first presence at 09:01, over half the max gap (240) after the day's start"}},
		{"last presence early", base[:7], []string{
			"boundary: emb-a: last presence ends at 02:10, over half the max gap (240) before the day's end"}},
		{"dwell", with(base, 1, sv{"emb-a", 240, 256}), []string{"dwell: emb-a: visit by wfo-v01 at 11:00 lasts 16 min; want 10–15"}},
		{"one presence short", base[1:6], []string{
			"minimum visits: emb-a: 5 presences; want at least 6",
			"boundary: emb-a: first presence at 11:00, over half the max gap (240) after the day's start",
			"boundary: emb-a: last presence ends at 23:10, over half the max gap (240) before the day's end"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sd := dayWith(t, in, tc.visits)
			if got := details(verifyDay(in, sd, nil)); !slices.Equal(got, tc.want) {
				t.Fatalf("verifyDay = %q; want %q", got, tc.want)
			}
		})
	}
}

// A post stood by one officer for two blocks in a row is refused (relief alternates).
func TestVerifyPostSameOfficerTwice(t *testing.T) {
	in := edgeInputs(t, map[string]int{"emb-a": 5})
	p := mustPlan(t, in, testKey, edgeDate, 1)
	sd := &p.ServiceDays[0]
	b := sd.Posts[0].Blocks
	if len(b) < 2 || b[0].Officer == "" || b[0].Officer == b[1].Officer {
		t.Fatalf("blocks %+v; want two blocks of different officers", b)
	}
	if vs := Verify(in, p); len(vs) != 0 {
		t.Fatalf("Verify(real plan) = %v", vs)
	}
	// The last block takes the officer of the one before it.
	n := len(b) - 1
	off := b[n].Officer
	b[n].Officer = b[n-1].Officer
	var got []string
	for _, v := range Verify(in, p) {
		if v.Rule == "post staffing" {
			got = append(got, v.Detail)
		}
	}
	want := b[n].Officer + " stands two blocks in a row at " + b[n].Start.In(in.Office.Location).Format("15:04")
	if len(got) != 1 || got[0] != want {
		t.Fatalf("post staffing %q; want only %q (the last block was %s's)", got, want, off)
	}
}
