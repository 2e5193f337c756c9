package ingest

import "github.com/ringlens/ringlens/graph/claims"

// Columns of fixmedins.
const (
	insCode = iota
	insName
	insType
	insLevel
	insAdmdvs
	insBeds
	insLat
	insLon
)

var fixmedinsCols = []column{
	{"fixmedins_code", true}, {"fixmedins_name", true}, {"fixmedins_type", true}, {"hosp_lv", false},
	{"admdvs", false}, {"bed_cnt", false}, {"lat", false}, {"lon", false},
}

var fixmedinsSpec = spec[claims.Institution]{table: tableFixmedins, cols: fixmedinsCols, parse: parseInstitution}

func parseInstitution(v []string, in *claims.Institution) (rowErr, bool) {
	if e, ok := required(v, insCode, insName, insType); !ok {
		return e, false
	}
	in.Code, in.Name, in.Level, in.Admdvs = v[insCode], v[insName], v[insLevel], v[insAdmdvs]
	switch v[insType] {
	case "1":
		in.Type = claims.Medical
	case "2":
		in.Type = claims.Pharmacy
	default:
		return bad(insType, "invalid fixmedins_type, want 1 or 2", v[insType]), false
	}
	in.Beds = -1
	if b := v[insBeds]; b != "" {
		n, ok := parseInt(b)
		if !ok {
			return bad(insBeds, reasonInt, b), false
		}
		if n < 0 || n > 1<<30 {
			return bad(insBeds, "bed_cnt out of range", b), false
		}
		in.Beds = int32(n)
	}
	lat, lon := v[insLat], v[insLon]
	if (lat == "") != (lon == "") {
		if lat == "" {
			return bad(insLat, "lon without lat", lon), false
		}
		return bad(insLon, "lat without lon", lat), false
	}
	if lat != "" {
		var ok bool
		if in.Lat, ok = parseFloat(lat); !ok || in.Lat < -90 || in.Lat > 90 {
			return bad(insLat, "latitude not a number in [-90, 90]", lat), false
		}
		if in.Lon, ok = parseFloat(lon); !ok || in.Lon < -180 || in.Lon > 180 {
			return bad(insLon, "longitude not a number in [-180, 180]", lon), false
		}
		in.HasLocation = true
	}
	return rowErr{}, true
}

func (l *loader) applyInstitution(in *claims.Institution, line int64) (rowErr, bool) {
	row, added := l.t.AddInstitution(in)
	if !added {
		return bad(insCode, firstAt("fixmedins_code", l.instLine[row]), in.Code), false
	}
	l.instLine = append(l.instLine, uint32(line))
	return rowErr{}, true
}
