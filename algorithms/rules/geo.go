package rules

import (
	"math"

	"github.com/ringlens/ringlens/graph"
)

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

// separationKm returns the distance between institutions a and b: from
// their locations when both have one, else, from their region codes
// (six-digit admdvs), otherProvinceKm for different provinces (first two
// digits) or otherCityKm for different cities of one province (first
// four), else false (unknown, or the same city).
func (e *env) separationKm(a, b uint32, otherCityKm, otherProvinceKm float64) (float64, bool) {
	if km, ok := e.distanceKm(a, b); ok {
		return km, true
	}
	ra, rb := e.region(a), e.region(b)
	switch {
	case len(ra) < 4 || len(rb) < 4:
		return 0, false
	case ra[:2] != rb[:2]:
		return otherProvinceKm, true
	case ra[:4] != rb[:4]:
		return otherCityKm, true
	}
	return 0, false
}

// region returns the region code (admdvs) of institution i, or "".
func (e *env) region(i uint32) string {
	it := &e.t.Institutions
	if int(i) >= len(it.Admdvs) || it.Admdvs[i] == graph.None {
		return ""
	}
	return e.t.Str(it.Admdvs[i])
}
