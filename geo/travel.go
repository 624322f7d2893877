// Package geo holds Vigil's geometry: distances and travel times, H3 zoning and GeoJSON
// drawing. It knows nothing about missions: it takes ids, points and weights.
package geo

import "math"

// EarthRadiusM is the mean Earth radius used by every distance (DESIGN.md §2).
const EarthRadiusM = 6371008.8

// Point is a WGS84 location in degrees.
type Point struct {
	Lat, Lon float64
}

// Haversine returns the great-circle distance between a and b in metres.
func Haversine(a, b Point) float64 {
	const rad = math.Pi / 180
	return haversine(a, b, math.Cos(a.Lat*rad), math.Cos(b.Lat*rad))
}

// haversine is Haversine with the cosines of a's and b's latitudes given.
func haversine(a, b Point, cosA, cosB float64) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		cosA*cosB*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(s)))
}

// Traveler estimates travel between two points. A road network may implement it later.
type Traveler interface {
	// Metres returns the travel distance from a to b in metres.
	Metres(a, b Point) float64
	// Minutes returns the travel time from a to b, rounded up to the whole minute.
	Minutes(a, b Point) int
}

// Crow is the default travel model: great-circle distance × circuity ÷ speed.
type Crow struct {
	Circuity float64 // e.g. 1.35
	SpeedKmh float64 // e.g. 25 for a vehicle, 4.5 on foot
}

var _ Traveler = Crow{}

// Metres returns the haversine distance × circuity.
func (c Crow) Metres(a, b Point) float64 { return Haversine(a, b) * c.Circuity }

// Minutes returns Metres ÷ speed, rounded up to the minute.
func (c Crow) Minutes(a, b Point) int {
	return int(math.Ceil(c.FractionalMinutes(a, b) - 1e-9))
}

// FractionalMinutes returns Metres ÷ speed in minutes, not rounded.
func (c Crow) FractionalMinutes(a, b Point) float64 {
	return c.Metres(a, b) / (c.SpeedKmh * 1000 / 60)
}

// FractionalMinutes returns the travel time from a to b by t in minutes, not rounded where
// t can say so (as Crow can), else t.Minutes.
func FractionalMinutes(t Traveler, a, b Point) float64 {
	if f, ok := t.(interface{ FractionalMinutes(a, b Point) float64 }); ok {
		return f.FractionalMinutes(a, b)
	}
	return float64(t.Minutes(a, b))
}

// NeighbourTravel estimates the travel that goes with a visit among a set of points: the
// mean travel time from a point to its k nearest other points (by great-circle distance,
// KNearest), averaged over the points sampled, every stride-th from the first. The
// neighbours are found once; MeanMinutes prices them for any traveler.
type NeighbourTravel struct {
	pts     []Point
	samples []int
	near    [][]int
}

// NewNeighbourTravel finds the k nearest other points of every stride-th point of pts.
func NewNeighbourTravel(pts []Point, k, stride int) NeighbourTravel {
	nt := NeighbourTravel{pts: pts}
	if len(pts) < 2 {
		return nt
	}
	for i := 0; i < len(pts); i += max(stride, 1) {
		nt.samples = append(nt.samples, i)
	}
	nt.near = KNearestOf(pts, nt.samples, k)
	return nt
}

// MeanMinutes returns the mean over the sampled points of the mean of t.Minutes from the
// point to each of its neighbours (nearest first); 0 where there are fewer than two points.
func (nt NeighbourTravel) MeanMinutes(t Traveler) float64 {
	sum, n := nt.SumMinutes(t)
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// SumMinutes returns MeanMinutes before its division: the sum over the sampled points of
// their mean travel to their neighbours, and how many points were sampled.
func (nt NeighbourTravel) SumMinutes(t Traveler) (sum float64, samples int) {
	for x, i := range nt.samples {
		nb := nt.near[x]
		var s float64
		for _, j := range nb {
			s += float64(t.Minutes(nt.pts[i], nt.pts[j]))
		}
		sum += s / float64(len(nb))
	}
	return sum, len(nt.samples)
}
