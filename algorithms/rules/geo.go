package rules

import "math"

// earthRadiusKm is the mean Earth radius.
const earthRadiusKm = 6371.0088

// haversineKm returns the great-circle distance between two points given in
// degrees.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	a = min(max(a, 0), 1)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(a))
}

// distanceKm returns the distance between institutions a and b, or false
// when either location is missing or invalid.
func (e *env) distanceKm(a, b uint32) (float64, bool) {
	lat1, lon1, ok1 := e.location(a)
	lat2, lon2, ok2 := e.location(b)
	if !ok1 || !ok2 || !validCoord(lat1, lon1) || !validCoord(lat2, lon2) {
		return 0, false
	}
	return haversineKm(lat1, lon1, lat2, lon2), true
}

// validCoord reports whether lat, lon is a plausible coordinate (not 0,0).
func validCoord(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && (lat != 0 || lon != 0)
}
