package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Relief in place on a shift longer than a duty period (DESIGN.md §2): the autumn DST
// change makes a 12-hour night last 13 hours. Its officers work the first MaxDutyMinutes
// (reliefAt); the roster puts a relief crew on the rest (rosterDay.relief, made under the
// rules like a leave replacement: rested, under their caps, qualified), and each relief
// officer takes one position over in place, as a call-off's replacement would: a route in
// progress records the relief (Route.Reliefs), later routes change crew, a post block in
// progress is split. So the plan names who is on duty each minute.

// shiftRelief is who takes over whom at one shift's relief time.
type shiftRelief struct {
	at   time.Time
	next map[string]string // officer on duty → relief officer
}

// reliefHandover pairs the positions got (officer indices filling kinds, in order) of shift
// s with the relief crew rd.relief[s], each relief officer qualified for the position.
func reliefHandover(p *rosterPlan, rd rosterDay, s int, w ShiftWindow, d Date, kinds []posKind, got []int) (*shiftRelief, error) {
	at, ok := reliefAt(w)
	if !ok {
		return nil, nil
	}
	var crew []int
	if s < len(rd.relief) {
		crew = rd.relief[s]
	}
	by := fillPositions(kinds, p.m.sigs, func(posKind) []int { return crew })
	out := &shiftRelief{at: at, next: make(map[string]string, len(got))}
	for i, o := range by {
		if o < 0 {
			return nil, &InfeasibleError{Region: p.f.Region, Missing: fmt.Sprintf("shift %s on %s lasts %d min: no officer free under the rules to relieve a %s position at %s (%d relief officers)",
				w.Name, d, w.Minutes(), kindNames[kinds[i]], at.In(p.loc).Format("15:04 MST"), len(crew))}
		}
		out.next[p.m.officers[got[i]].ID] = p.m.officers[o].ID
	}
	return out, nil
}

// applyReliefs hands the positions of each relieved shift over at its relief time: routes
// of the shift running across it record a Relief per crew member, routes after it take the
// relief crew, post blocks across it are split.
func applyReliefs(wins []ShiftWindow, reliefs []*shiftRelief, routes []Route, posts []Post) {
	for s, rl := range reliefs {
		if rl == nil {
			continue
		}
		w := wins[s]
		for i, r := range routes {
			if r.Shift != w.Name || !rl.at.Before(r.End) {
				continue
			}
			if !r.Start.Before(rl.at) {
				r.Officers = slices.Clone(r.Officers)
				for k, o := range r.Officers {
					r.Officers[k] = rl.next[o]
				}
				sort.Strings(r.Officers)
			} else {
				r.Reliefs = slices.Clone(r.Reliefs)
				for _, o := range r.Officers {
					r.Reliefs = append(r.Reliefs, Relief{At: rl.at, Off: o, On: rl.next[o]})
				}
			}
			routes[i] = r
		}
		for pi := range posts {
			var blocks []Block
			for _, b := range posts[pi].Blocks {
				switch {
				case b.Start.Before(w.Start) || !b.Start.Before(w.End) || !rl.at.Before(b.End):
					blocks = append(blocks, b)
				case !b.Start.Before(rl.at):
					blocks = append(blocks, Block{Officer: rl.next[b.Officer], Start: b.Start, End: b.End})
				default:
					blocks = append(blocks, Block{Officer: b.Officer, Start: b.Start, End: rl.at},
						Block{Officer: rl.next[b.Officer], Start: rl.at, End: b.End})
				}
			}
			posts[pi].Blocks = blocks
		}
	}
}
