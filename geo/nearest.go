package geo

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// This file is Vigil's one nearest-neighbour search. Every caller (the zoning's travel
// estimate and its grains' neighbours here, the scheduler's travel per visit and zone
// workloads) asks it, so they agree on which points are nearest: the k points with the
// smallest distance, ties to the lower index.
//
// Three searches give that same answer: a k-d tree over latitude and longitude (many
// points), a sweep along one coordinate (few points, or points spread too wide for the
// tree's bound), and sorting every distance (coordinates that are not finite, which
// neither of the others can order).

// Nearest returns, for each point, the index of the nearest other point by great-circle
// distance (the lowest index among equals), or -1 if there is none.
func Nearest(pts []Point) []int {
	out := kNearest(pts, nil, 1)
	if out == nil {
		out = make([]int, len(pts))
		for i := range out {
			out[i] = -1
		}
	}
	return out
}

// KNearest returns, for each point, the indices of its k nearest other points by
// great-circle distance, nearest first, ties to the lower index; fewer than k when there
// are not k other points.
func KNearest(pts []Point, k int) [][]int { return KNearestOf(pts, nil, k) }

// KNearestOf is KNearest for the points at indices queries only (every point when queries
// is nil): its x-th answer is that of point queries[x]. The neighbours are searched among
// all points.
func KNearestOf(pts []Point, queries []int, k int) [][]int {
	nq := len(pts)
	if queries != nil {
		nq = len(queries)
	}
	out := make([][]int, nq)
	k = min(k, len(pts)-1)
	flat := kNearest(pts, queries, k)
	for x := range out {
		if k > 0 {
			out[x] = flat[x*k : (x+1)*k : (x+1)*k]
		} else {
			out[x] = []int{}
		}
	}
	return out
}

// kNearest returns the k nearest other points of each query (every point when queries is
// nil) by great-circle distance, flat: query x's are out[x*k : (x+1)*k]. k must be below
// len(pts); it returns nil when k < 1.
func kNearest(pts []Point, queries []int, k int) []int {
	k = min(k, len(pts)-1)
	if k < 1 {
		return nil
	}
	if queries == nil {
		queries = make([]int, len(pts))
		for i := range queries {
			queries[i] = i
		}
	}
	for _, p := range pts {
		if !finite(p.Lat) || !finite(p.Lon) {
			return nearestBrute(pts, queries, k)
		}
	}
	s := newSphere(pts)
	if t := newKDTree(s); t != nil {
		return t.search(queries, k)
	}
	lats := make([]float64, len(pts))
	for i, p := range pts {
		lats[i] = p.Lat
	}
	return sweep(s, lats, queries, k)
}

// kNearestPlanar returns the k nearest other points of every point by Euclidean distance in
// the plane (x, y), nearest first, ties to the lower index, flat as kNearest. k must be
// below len(x).
func kNearestPlanar(x, y []float64, k int) []int {
	queries := make([]int, len(x))
	for i := range queries {
		queries[i] = i
	}
	return sweep(plane2{x, y}, x, queries, k)
}

// metric is a distance between points given by index, with a lower bound of it that
// depends on one coordinate only (the key a sweep orders the points by).
type metric interface {
	dist(i, j int) float64
	// gap is a lower bound of dist(i, j) that grows with the difference of the points'
	// keys, so that points further along the key are at least as far.
	gap(i, j int) float64
}

// sphere is great-circle distance, with the cosines of the latitudes computed once.
type sphere struct {
	pts []Point
	cos []float64
}

func newSphere(pts []Point) sphere {
	cos := make([]float64, len(pts))
	for i, p := range pts {
		const rad = math.Pi / 180
		cos[i] = math.Cos(p.Lat * rad)
	}
	return sphere{pts, cos}
}

func (s sphere) dist(i, j int) float64 { return haversine(s.pts[i], s.pts[j], s.cos[i], s.cos[j]) }

// gap is the meridian arc between the points' latitudes (no great circle is shorter),
// lowered a little against rounding so that ties are still compared.
func (s sphere) gap(i, j int) float64 {
	const rad = math.Pi / 180
	return EarthRadiusM*math.Abs(s.pts[j].Lat-s.pts[i].Lat)*rad*(1-1e-9) - 1e-6
}

// plane2 is the square of the Euclidean distance in the plane; its key is x.
type plane2 struct{ x, y []float64 }

func (p plane2) dist(i, j int) float64 {
	dx := p.x[j] - p.x[i]
	return dx*dx + (p.y[j]-p.y[i])*(p.y[j]-p.y[i])
}

func (p plane2) gap(i, j int) float64 {
	dx := p.x[j] - p.x[i]
	return dx * dx
}

// best keeps the k nearest candidates offered so far, nearest first, ties to the lower
// index.
type best struct {
	k int
	c []candidate
}

type candidate struct {
	d float64
	j int
}

func (c candidate) before(o candidate) bool { return c.d < o.d || c.d == o.d && c.j < o.j }

// kth returns the distance of the k-th nearest so far, or +Inf while there are fewer.
func (b *best) kth() float64 {
	if len(b.c) < b.k {
		return math.Inf(1)
	}
	return b.c[b.k-1].d
}

func (b *best) offer(d float64, j int) {
	c := candidate{d, j}
	if len(b.c) == b.k && !c.before(b.c[b.k-1]) {
		return
	}
	at := len(b.c)
	for at > 0 && c.before(b.c[at-1]) {
		at--
	}
	if len(b.c) < b.k {
		b.c = append(b.c, candidate{})
	}
	copy(b.c[at+1:], b.c[at:len(b.c)-1])
	b.c[at] = c
}

// put writes the indices kept to out.
func (b *best) put(out []int) {
	for x, c := range b.c {
		out[x] = c.j
	}
}

// sweep finds the k nearest by m over the points sorted by key (then index): from each
// query outwards in both directions until m's gap alone exceeds the k-th distance found.
// That is O(n) distances a query where points are few or spread along the key, O(√n)
// where they are spread in a region.
func sweep(m metric, key []float64, queries []int, k int) []int {
	n := len(key)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(key[a], key[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	rank := make([]int, n)
	for r, i := range order {
		rank[i] = r
	}
	out := make([]int, len(queries)*k)
	b := best{k: k, c: make([]candidate, 0, k)}
	for x, i := range queries {
		b.c = b.c[:0]
		for r := rank[i] + 1; r < n && m.gap(i, order[r]) <= b.kth(); r++ {
			b.offer(m.dist(i, order[r]), order[r])
		}
		for r := rank[i] - 1; r >= 0 && m.gap(i, order[r]) <= b.kth(); r-- {
			b.offer(m.dist(i, order[r]), order[r])
		}
		b.put(out[x*k : (x+1)*k])
	}
	return out
}

// nearestBrute is kNearest by sorting every distance (a stable sort, so ties keep index
// order), for coordinates the other searches cannot order.
func nearestBrute(pts []Point, queries []int, k int) []int {
	out := make([]int, len(queries)*k)
	idx := make([]int, 0, len(pts))
	dist := make([]float64, len(pts))
	for x, i := range queries {
		idx = idx[:0]
		for j := range pts {
			if i != j {
				idx = append(idx, j)
				dist[j] = Haversine(pts[i], pts[j])
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return dist[idx[a]] < dist[idx[b]] })
		copy(out[x*k:(x+1)*k], idx[:k])
	}
	return out
}

// treeMinPoints is the fewest points kNearest searches with a tree, treeLeaf the most
// points a leaf of the tree holds.
const (
	treeMinPoints = 64
	treeLeaf      = 8
)

// kdTree is a k-d tree over latitude and longitude.
type kdTree struct {
	s     sphere
	order []int // the points, each node's contiguous
	nodes []kdNode
	// cosMin2 is the square of the smallest cosine of a latitude, lowered a little
	// against rounding: sin²(d/2R) = sin²(Δlat/2) + cos lat₁ cos lat₂ sin²(Δlon/2) ≥
	// sin²(Δlat/2) + cosMin² sin²(Δlon/2).
	cosMin2 float64
}

// kdNode is a node of the tree: the points order[lo:hi], in a box of latitudes and
// longitudes; a leaf has no children (left < 0).
type kdNode struct {
	lo, hi                         int32
	left, right                    int32
	minLat, maxLat, minLon, maxLon float64
}

// newKDTree builds the tree of s's points, or returns nil where its bound does not hold
// (few points, longitudes more than 90° apart, or latitudes beyond ±84°).
func newKDTree(s sphere) *kdTree {
	n := len(s.pts)
	if n < treeMinPoints {
		return nil
	}
	minLon, maxLon := math.Inf(1), math.Inf(-1)
	cosMin := 1.0
	for i, p := range s.pts {
		minLon, maxLon = min(minLon, p.Lon), max(maxLon, p.Lon)
		cosMin = min(cosMin, s.cos[i])
	}
	if maxLon-minLon > 90 || cosMin < 0.1 {
		return nil
	}
	t := &kdTree{s: s, order: make([]int, n), cosMin2: cosMin * cosMin * (1 - 1e-12)}
	for i := range t.order {
		t.order[i] = i
	}
	t.build(0, n, cosMin)
	return t
}

// build adds the node of order[lo:hi] and its children, split at the median of the
// longer side of their box, and returns its index.
func (t *kdTree) build(lo, hi int, cosMin float64) int32 {
	pts := t.s.pts
	nd := kdNode{lo: int32(lo), hi: int32(hi), left: -1, right: -1,
		minLat: math.Inf(1), maxLat: math.Inf(-1), minLon: math.Inf(1), maxLon: math.Inf(-1)}
	for _, i := range t.order[lo:hi] {
		p := pts[i]
		nd.minLat, nd.maxLat = min(nd.minLat, p.Lat), max(nd.maxLat, p.Lat)
		nd.minLon, nd.maxLon = min(nd.minLon, p.Lon), max(nd.maxLon, p.Lon)
	}
	at := int32(len(t.nodes))
	t.nodes = append(t.nodes, nd)
	if hi-lo <= treeLeaf {
		return at
	}
	byLat := nd.maxLat-nd.minLat >= (nd.maxLon-nd.minLon)*cosMin
	slices.SortFunc(t.order[lo:hi], func(a, b int) int {
		if byLat {
			if c := cmp.Compare(pts[a].Lat, pts[b].Lat); c != 0 {
				return c
			}
		} else if c := cmp.Compare(pts[a].Lon, pts[b].Lon); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	mid := (lo + hi) / 2
	l := t.build(lo, mid, cosMin)
	r := t.build(mid, hi, cosMin)
	t.nodes[at].left, t.nodes[at].right = l, r
	return at
}

// bound returns a lower bound of the distance from q to any point of node k.
func (t *kdTree) bound(q Point, k int32) float64 {
	const rad = math.Pi / 180
	nd := &t.nodes[k]
	dLat := max(nd.minLat-q.Lat, q.Lat-nd.maxLat, 0) * rad
	dLon := max(nd.minLon-q.Lon, q.Lon-nd.maxLon, 0) * rad
	sl, so := math.Sin(dLat/2), math.Sin(dLon/2)
	s := sl*sl + t.cosMin2*so*so
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(s))) * (1 - 1e-9)
}

// search returns the k nearest of each query, flat as kNearest, with the same answers as
// the sweep: a node is skipped only where the bound of the distance to any point in it
// exceeds the k-th distance found, so every point as near as the k-th is compared.
func (t *kdTree) search(queries []int, k int) []int {
	out := make([]int, len(queries)*k)
	b := best{k: k, c: make([]candidate, 0, k)}
	var stack []int32
	for x, i := range queries {
		q := t.s.pts[i]
		b.c = b.c[:0]
		stack = append(stack[:0], 0)
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if t.bound(q, k) > b.kth() {
				continue
			}
			nd := &t.nodes[k]
			if nd.left < 0 {
				for _, j := range t.order[nd.lo:nd.hi] {
					if j != i && t.s.gap(i, j) <= b.kth() {
						b.offer(t.s.dist(i, j), j)
					}
				}
				continue
			}
			// The nearer child last, so that it is searched first.
			l, r := nd.left, nd.right
			if t.bound(q, l) < t.bound(q, r) {
				l, r = r, l
			}
			stack = append(stack, l, r)
		}
		b.put(out[x*k : (x+1)*k])
	}
	return out
}
