package simulate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// svgStroke is one stroked path or polyline of a chart, as its points in drawing order.
type svgStroke struct {
	pts    [][2]float64
	closed bool
}

// backStep returns the first segment that goes left by more than a hundredth of a unit,
// or 0 when none does.
func (s svgStroke) backStep() int {
	for i := 1; i < len(s.pts); i++ {
		if s.pts[i][0] < s.pts[i-1][0]-0.01 {
			return i
		}
	}
	return 0
}

var (
	svgPathRe     = regexp.MustCompile(`<path d="([^"]*)" style="([^"]*)"`)
	svgPolylineRe = regexp.MustCompile(`<polyline points="([^"]*)"`)
	svgNumRe      = regexp.MustCompile(`-?[0-9.]+(?:e-?[0-9]+)?`)
)

// strokes returns the stroked (unfilled) paths and polylines of an SVG chart, for either
// gonum's writer (paths of M and L commands) or a hand-written one (polylines).
func strokes(t *testing.T, svg string) []svgStroke {
	t.Helper()
	var out []svgStroke
	pairs := func(s string) [][2]float64 {
		nums := svgNumRe.FindAllString(s, -1)
		var pts [][2]float64
		for i := 0; i+1 < len(nums); i += 2 {
			x, err1 := strconv.ParseFloat(nums[i], 64)
			y, err2 := strconv.ParseFloat(nums[i+1], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("bad coordinates %q, %q", nums[i], nums[i+1])
			}
			pts = append(pts, [2]float64{x, y})
		}
		return pts
	}
	for _, m := range svgPathRe.FindAllStringSubmatch(svg, -1) {
		if !strings.Contains(m[2], "fill:none") {
			continue // a filled shape: the background or a legend box
		}
		if strings.ContainsAny(m[1], "ACQacq") {
			t.Fatalf("stroked path %q has curves; the charts draw straight segments", m[1])
		}
		out = append(out, svgStroke{pts: pairs(m[1]), closed: strings.ContainsAny(m[1], "Zz")})
	}
	for _, m := range svgPolylineRe.FindAllStringSubmatch(svg, -1) {
		out = append(out, svgStroke{pts: pairs(m[1])})
	}
	return out
}

// The gaps chart's curves run left to right, from t = 0 to the axis' end, each an open
// line: none returns from its last point to its first (a stray diagonal across the plot).
func TestGapsChartCurvesRunForward(t *testing.T) {
	b, err := gapsChart(base(t))
	if err != nil {
		t.Fatalf("gapsChart = %v", err)
	}
	curves := 0
	for _, s := range strokes(t, string(b)) {
		if s.closed {
			t.Errorf("a stroke of %d points is closed (Z): it draws a line back to its start", len(s.pts))
		}
		if i := s.backStep(); i > 0 {
			t.Errorf("a stroke of %d points goes back from x=%v to x=%v (segment %d)", len(s.pts), s.pts[i-1][0], s.pts[i][0], i)
		}
		if len(s.pts) > 100 {
			curves++
			if first, last := s.pts[0], s.pts[len(s.pts)-1]; last[0]-first[0] < 300 {
				t.Errorf("a curve runs from x=%v to x=%v; want it across the plot", first[0], last[0])
			}
		}
	}
	if curves != 5 {
		t.Errorf("gaps.svg has %d curves; want 4 planners and the memoryless reference", curves)
	}
}

// A hand-made closed or backward line is what the check above must catch.
func TestStrokesSeesDiagonal(t *testing.T) {
	tests := []struct {
		name, svg string
	}{
		{"closed path", `<path d="M0,0L10,5L20,8Z" style="fill:none;stroke:#000"/>`},
		{"back to start", `<path d="M0,0L10,5L20,8L0,0" style="fill:none;stroke:#000"/>`},
		{"polyline", `<polyline points="0,0 10,5 20,8 0,0" fill="none"/>`},
	}
	for _, tt := range tests {
		s := strokes(t, tt.svg)
		if len(s) != 1 {
			t.Fatalf("%s: strokes = %d; want 1", tt.name, len(s))
		}
		if !s[0].closed && s[0].backStep() == 0 {
			t.Errorf("%s: no return to the start seen in %v", tt.name, s[0].pts)
		}
	}
}
