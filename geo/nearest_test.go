package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// bruteNearest is the definition kNearest answers to: every other point by distance, ties
// to the lower index.
func bruteNearest(n, k int, dist func(i, j int) float64) [][]int {
	out := make([][]int, n)
	for i := range n {
		var idx []int
		for j := range n {
			if j != i {
				idx = append(idx, j)
			}
		}
		sort.SliceStable(idx, func(a, b int) bool { return dist(i, idx[a]) < dist(i, idx[b]) })
		out[i] = idx[:min(k, len(idx))]
	}
	return out
}

func nearestSets(t *testing.T) []struct {
	name string
	pts  []Point
} {
	lattice := func(n int) []Point {
		var pts []Point
		for i := range n {
			pts = append(pts, Point{38.9 + float64(i%17)*0.001, -77.0 + float64(i/17)*0.001})
		}
		return pts
	}
	line := func(n int) []Point {
		var pts []Point
		for i := range n {
			pts = append(pts, Point{10, float64(i%50) * 0.01})
		}
		return pts
	}
	r := rand.New(rand.NewPCG(9, 9))
	wide := make([]Point, 300)
	for i := range wide {
		wide[i] = Point{38.9 + (r.Float64()-0.5)*40, -77.0 + (r.Float64()-0.5)*40}
	}
	return []struct {
		name string
		pts  []Point
	}{
		{"two", pointsOf(randomSites(6, 2))},
		{"three", pointsOf(randomSites(7, 3))},
		{"random-63", pointsOf(randomSites(8, 63))},
		{"random-64", pointsOf(randomSites(1, 64))},
		{"random-500", pointsOf(randomSites(2, 500))},
		{"dc", pointsOf(dcSites(t))},
		{"lattice", lattice(600)},
		{"repeated", append(pointsOf(randomSites(4, 300)), pointsOf(randomSites(4, 300))...)},
		{"one-line", line(200)},
		{"short-line", line(30)},
		{"wide", wide},
	}
}

// TestKNearest checks the tree and the sweep against sorting every distance, ties to the
// lowest index included: on clustered and scattered sets, a lattice (many equal
// distances), repeated and collinear points, and points too far apart for the tree.
func TestKNearest(t *testing.T) {
	for _, tt := range nearestSets(t) {
		s := newSphere(tt.pts)
		for _, k := range []int{1, 3, 6} {
			want := bruteNearest(len(tt.pts), k, s.dist)
			if got := KNearest(tt.pts, k); !reflect.DeepEqual(got, want) {
				t.Errorf("KNearest(%s, %d) differs from sorting every distance", tt.name, k)
			}
			if len(tt.pts) > k {
				lats := make([]float64, len(tt.pts))
				for i, p := range tt.pts {
					lats[i] = p.Lat
				}
				all := make([]int, len(tt.pts))
				for i := range all {
					all[i] = i
				}
				if got := sweep(s, lats, all, k); !slices.Equal(got, slices.Concat(want...)) {
					t.Errorf("sweep(%s, %d) differs from sorting every distance", tt.name, k)
				}
			}
		}
		if n := Nearest(tt.pts); len(tt.pts) > 1 && n[0] != bruteNearest(len(tt.pts), 1, s.dist)[0][0] {
			t.Errorf("Nearest(%s)[0] = %d", tt.name, n[0])
		}
	}
}

// TestKDTree checks that the tree is used where its bound holds, and not where it does not.
func TestKDTree(t *testing.T) {
	if newKDTree(newSphere(pointsOf(randomSites(3, 3000)))) == nil {
		t.Error("newKDTree(3000 points) = nil; want a tree")
	}
	if newKDTree(newSphere(pointsOf(randomSites(3, 63)))) != nil {
		t.Error("newKDTree(63 points) is a tree; want the sweep")
	}
	far := pointsOf(randomSites(5, 100))
	far[0].Lon = 170
	if newKDTree(newSphere(far)) != nil {
		t.Error("newKDTree(longitudes 240° apart) is a tree; want the sweep")
	}
}

// TestKNearestEdges: one point has no neighbour, and points that are not finite are still
// answered (by sorting every distance).
func TestKNearestEdges(t *testing.T) {
	if got := Nearest([]Point{{1, 1}}); !slices.Equal(got, []int{-1}) {
		t.Errorf("Nearest(one point) = %v; want [-1]", got)
	}
	if got := KNearest([]Point{{1, 1}}, 3); len(got) != 1 || len(got[0]) != 0 {
		t.Errorf("KNearest(one point, 3) = %v; want one empty answer", got)
	}
	// A NaN distance compares equal to every other, so the order is the stable sort's.
	pts := []Point{{1, 1}, {math.NaN(), 2}, {1, 1.001}, {1, 1.01}}
	if got, want := KNearest(pts, 2), [][]int{{1, 2}, {0, 2}, {0, 1}, {0, 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("KNearest(with NaN, 2) = %v; want %v", got, want)
	}
	many := pointsOf(randomSites(2, 500))
	all := KNearest(many, 2)
	if got := KNearestOf(many, []int{7, 3}, 2); !reflect.DeepEqual(got, [][]int{all[7], all[3]}) {
		t.Errorf("KNearestOf(queries 7, 3) = %v; want KNearest's answers for 7 and 3", got)
	}
}

// TestKNearestPlanar checks the planar sweep (the zoning's grain neighbours) against sorting
// every squared distance.
func TestKNearestPlanar(t *testing.T) {
	for _, tt := range nearestSets(t) {
		n := len(tt.pts)
		x, y := make([]float64, n), make([]float64, n)
		for i, p := range tt.pts {
			x[i], y[i] = p.Lon*80, p.Lat*111
		}
		k := min(6, n-1)
		want := bruteNearest(n, k, plane2{x, y}.dist)
		if got := kNearestPlanar(x, y, k); !slices.Equal(got, slices.Concat(want...)) {
			t.Errorf("kNearestPlanar(%s, %d) differs from sorting every distance", tt.name, k)
		}
	}
}

func BenchmarkNearest(b *testing.B) {
	for _, n := range []int{30, 3000} {
		pts := pointsOf(randomSites(3, n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				Nearest(pts)
			}
		})
	}
}
