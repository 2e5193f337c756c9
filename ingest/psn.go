package ingest

import (
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/intern"
)

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

// personRow is a parsed person with the hashes of its id, name and
// certificate number (intern.Hash; 0 for a blank name or number),
// computed by the parsing workers for prefetching.
type personRow struct {
	claims.Person
	idHash, nameHash, certHash uint64
}

// psnSpec returns the person parser. The person ids, names and
// certificate numbers are mostly new: each insert misses the cache
// unless prefetched.
func (l *loader) psnSpec() *spec[personRow] {
	t := l.t
	return &spec[personRow]{table: tablePsn, cols: psnCols,
		parse: func(v []string, r *personRow) (rowErr, bool) { return parsePerson(v, &r.Person) },
		resolve: func(rows []personRow, errs []rowErr, _ *refMemo) {
			for i := range rows {
				if errs[i].reason != "" {
					continue
				}
				r := &rows[i]
				r.idHash, r.nameHash, r.certHash = intern.Hash(r.PsnNo), 0, 0
				if r.Name != "" {
					r.nameHash = intern.Hash(r.Name)
				}
				if r.CertNo != "" {
					r.certHash = intern.Hash(r.CertNo)
				}
			}
		},
		prefetch: func(rows []personRow, errs []rowErr) uint32 {
			var sink uint32
			for i := range rows {
				if errs[i].reason == "" {
					sink += t.PrefetchPerson(rows[i].idHash, rows[i].nameHash, rows[i].certHash)
				}
			}
			return sink
		}}
}

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

func (l *loader) applyPerson(p *personRow, line int64) (rowErr, bool) {
	row, added := l.t.AddPerson(&p.Person)
	if !added {
		return bad(psnNo, firstAt("psn_no", l.personLine[row]), p.PsnNo), false
	}
	l.personLine = append(l.personLine, uint32(line))
	return rowErr{}, true
}
