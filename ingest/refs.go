package ingest

import (
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Common reasons.
const (
	reasonEmpty      = "empty required value"
	reasonDupPrefix  = "duplicate "
	reasonUnknownIns = "unknown institution"
)

// required returns the first of cols whose value is empty.
func required(vals []string, cols ...int) (rowErr, bool) {
	for _, c := range cols {
		if vals[c] == "" {
			return bad(c, reasonEmpty, ""), false
		}
	}
	return rowErr{}, true
}

// Columns of psn.
const (
	psnNo = iota
	psnGend
	psnBrdy
	psnInsutype
	psnName
	psnCertno
	psnInsuplc
	psnDie
)

var psnCols = []column{
	{"psn_no", true}, {"gend", true}, {"brdy", true}, {"insutype", false},
	{"psn_name", false}, {"certno", false}, {"insuplc_admdvs", false}, {"die_date", false},
}

var psnSpec = spec[claims.Person]{table: tablePsn, cols: psnCols, parse: parsePerson}

func parsePerson(v []string, p *claims.Person) (rowErr, bool) {
	if e, ok := required(v, psnNo, psnGend, psnBrdy); !ok {
		return e, false
	}
	p.PsnNo = v[psnNo]
	var ok bool
	if p.Sex, ok = parseGend(v[psnGend]); !ok {
		return bad(psnGend, "invalid gend, want 1, 2, 男 or 女", v[psnGend]), false
	}
	if p.Birth, ok = parseDate(v[psnBrdy]); !ok {
		return bad(psnBrdy, reasonDate, v[psnBrdy]), false
	}
	p.DieDate = claims.NoDate
	if d := v[psnDie]; d != "" {
		if p.DieDate, ok = parseDate(d); !ok {
			return bad(psnDie, reasonDate, d), false
		}
		if p.DieDate < p.Birth {
			return bad(psnDie, "die_date before brdy", d), false
		}
	}
	p.InsuType, p.Name, p.CertNo, p.InsuplcAdmdvs = v[psnInsutype], v[psnName], v[psnCertno], v[psnInsuplc]
	return rowErr{}, true
}

func (l *loader) applyPerson(p *claims.Person, line int64) (rowErr, bool) {
	row, added := l.t.AddPerson(p)
	if !added {
		return bad(psnNo, firstAt("psn_no", l.personLine[row]), p.PsnNo), false
	}
	l.personLine = append(l.personLine, uint32(line))
	return rowErr{}, true
}

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

// Columns of staff.
const (
	staffDr = iota
	staffIns
	staffName
	staffDept
	staffProf
)

var staffCols = []column{
	{"dr_code", true}, {"fixmedins_code", true}, {"dr_name", false}, {"dept_code", false}, {"prof", false},
}

var staffSpec = spec[claims.Staff]{table: tableStaff, cols: staffCols, parse: parseStaff}

func parseStaff(v []string, s *claims.Staff) (rowErr, bool) {
	if e, ok := required(v, staffDr, staffIns); !ok {
		return e, false
	}
	s.DrCode, s.InstitutionCode, s.Name, s.Dept, s.Prof = v[staffDr], v[staffIns], v[staffName], v[staffDept], v[staffProf]
	return rowErr{}, true
}

func (l *loader) applyStaff(s *claims.Staff, line int64) (rowErr, bool) {
	inst := l.t.Institutions.IDs.Lookup(s.InstitutionCode)
	if inst == graph.None {
		return bad(staffIns, reasonUnknownIns, s.InstitutionCode), false
	}
	if dr := l.t.Doctors.IDs.Lookup(s.DrCode); dr != graph.None {
		if first, dup := l.staffPairs[uint64(dr)<<32|uint64(inst)]; dup {
			return bad(staffDr, firstAt("registration (dr_code, fixmedins_code)", first), s.DrCode), false
		}
	}
	dr := l.t.AddStaff(s, inst)
	l.staffPairs[uint64(dr)<<32|uint64(inst)] = uint32(line)
	return rowErr{}, true
}

// Columns of catalog.
const (
	catCode = iota
	catName
	catListType
	catGend
	catAgeMin
	catAgeMax
	catMaxDays
	catPriceCap
)

var catalogCols = []column{
	{"med_list_codg", true}, {"med_list_name", true}, {"list_type", false}, {"lmt_gend", false},
	{"lmt_age_min", false}, {"lmt_age_max", false}, {"max_days", false}, {"pric_uplmt_amt", false},
}

var catalogSpec = spec[claims.CatalogItem]{table: tableCatalog, cols: catalogCols, parse: parseCatalogItem}

func parseCatalogItem(v []string, it *claims.CatalogItem) (rowErr, bool) {
	if e, ok := required(v, catCode, catName); !ok {
		return e, false
	}
	it.Code, it.Name = v[catCode], v[catName]
	var e rowErr
	var ok bool
	if it.ListType, e, ok = parseListType(v, catListType); !ok {
		return e, false
	}
	if g := v[catGend]; g != "" {
		if it.LimitSex, ok = parseGend(g); !ok {
			return bad(catGend, "invalid lmt_gend, want 1 or 2", g), false
		}
	}
	for _, c := range [2]int{catAgeMin, catAgeMax} {
		age := int16(-1)
		if a := v[c]; a != "" {
			n, ok := parseInt(a)
			if !ok || n < 0 || n > 150 {
				return bad(c, "age limit not an integer in 0-150", a), false
			}
			age = int16(n)
		}
		if c == catAgeMin {
			it.AgeMin = age
		} else {
			it.AgeMax = age
		}
	}
	if d := v[catMaxDays]; d != "" {
		n, ok := parseInt(d)
		if !ok || n < 0 || n > 1<<30 {
			return bad(catMaxDays, "max_days not a non-negative integer", d), false
		}
		it.MaxDays = int32(n)
	}
	if p := v[catPriceCap]; p != "" {
		price, reason, ok := parsePrice(p)
		if !ok {
			return bad(catPriceCap, reason, p), false
		}
		if price < 0 {
			return bad(catPriceCap, "negative price cap", p), false
		}
		it.PriceCap = price
	}
	return rowErr{}, true
}

// parseListType parses an optional list_type column.
func parseListType(v []string, col int) (uint16, rowErr, bool) {
	s := v[col]
	if s == "" {
		return 0, rowErr{}, true
	}
	n, ok := parseInt(s)
	if !ok || n < 0 || n > 65535 {
		return 0, bad(col, "list_type not an integer code", s), false
	}
	return uint16(n), rowErr{}, true
}

func (l *loader) applyCatalog(it *claims.CatalogItem, line int64) (rowErr, bool) {
	row, added := l.t.AddCatalogItem(it)
	if !added {
		return bad(catCode, firstAt("med_list_codg", l.catalogLine[row]), it.Code), false
	}
	for len(l.catalogLine) <= int(row) {
		l.catalogLine = append(l.catalogLine, 0)
	}
	l.catalogLine[row] = uint32(line)
	return rowErr{}, true
}
