package scheduler

import (
	"math/rand/v2"
	"sort"
	"time"
)

// PostJitterMinutes is the most a post block boundary moves from its nominal time
// (DESIGN.md §2 Post: reliefs are regular but do not follow the clock).
const PostJitterMinutes = 15

// PostSite is one fixed post to staff: its id and its mission.
type PostSite struct {
	ID      string
	Mission string
}

// PostSites returns the fixed posts of missions under profiles, sorted by post id.
func PostSites(missions []Mission, profiles Profiles) []PostSite {
	out := []PostSite{}
	for _, m := range missions {
		for n := 1; n <= m.Posts(profiles); n++ {
			out = append(out, PostSite{ID: PostID(m.ID, n), Mission: m.ID})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// postBlockJitter returns the jitter bound and the minimum block length for nominal blocks
// of blockMinutes: ±15 min, less for short blocks so that no block falls under half its
// nominal length.
func postBlockJitter(blockMinutes int) (jitter, minBlock int) {
	jitter = min(PostJitterMinutes, blockMinutes/4)
	return jitter, blockMinutes - 2*jitter
}

// PostBlockBounds returns the block boundaries of one shift of a post: start, the interior
// boundaries, end. Blocks are nominally blockMinutes long from the shift's start; the last
// absorbs the remainder (a 7- or 9-hour DST night included), and each interior boundary is
// moved by a whole number of minutes drawn uniformly from ±PostJitterMinutes (less for blocks
// under an hour). A shift shorter than one block is a single block.
func PostBlockBounds(start, end time.Time, blockMinutes int, rng *rand.Rand) []time.Time {
	if blockMinutes <= 0 {
		blockMinutes = DefaultPostBlockMinutes
	}
	total := int(end.Sub(start) / time.Minute)
	n := max(1, total/blockMinutes)
	jitter, _ := postBlockJitter(blockMinutes)
	out := make([]time.Time, 0, n+1)
	out = append(out, start)
	for k := 1; k < n; k++ {
		j := rng.IntN(2*jitter+1) - jitter
		out = append(out, start.Add(time.Duration(k*blockMinutes+j)*time.Minute))
	}
	return append(out, end)
}

// postShiftBlocks returns the blocks of one post in one shift, its team relieving each
// other at every boundary: team[first] stands the first block, the other the next, and so on.
func postShiftBlocks(bounds []time.Time, team [PostTeam]string, first int) []Block {
	out := make([]Block, len(bounds)-1)
	for i := range out {
		out[i] = Block{Officer: team[(first+i)%PostTeam], Start: bounds[i], End: bounds[i+1]}
	}
	return out
}
