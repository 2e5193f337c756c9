package ingest

import "github.com/ringlens/ringlens/graph/claims"

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
