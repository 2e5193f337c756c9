package ingest

import (
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

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
