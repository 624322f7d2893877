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
	m := c.Metres(a, b) / (c.SpeedKmh * 1000 / 60)
	return int(math.Ceil(m - 1e-9))
}
