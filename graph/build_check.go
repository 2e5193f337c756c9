package graph

import (
	"errors"
	"fmt"
	"math"
)

// errNilTables is returned by Build for nil tables or tables not made by
// NewTables.
var errNilTables = errors.New("graph: tables are nil or were not made by NewTables")

// checkTables verifies that the columns of t have consistent lengths and
// that the sizes fit the uint32 ids of the graph, so that Build never
// indexes out of range.
func checkTables(t *Tables) error {
	if t == nil || t.Strings == nil || t.PII == nil || t.Persons.IDs == nil ||
		t.Institutions.IDs == nil || t.Doctors.IDs == nil || t.Visits.IDs == nil {
		return errNilTables
	}
	check := func(table string, n int, cols map[string]int) error {
		for name, l := range cols {
			if l != n {
				return fmt.Errorf("graph: %s column %s has %d rows, want %d", table, name, l, n)
			}
		}
		return nil
	}
	p := &t.Persons
	if err := check("persons", p.Len(), map[string]int{"ids": p.IDs.Len(), "name": len(p.Name)}); err != nil {
		return err
	}
	it := &t.Institutions
	if err := check("institutions", it.Len(), map[string]int{"ids": it.IDs.Len(), "name": len(it.Name), "class": len(it.Class),
		"evidence": len(it.Evidence), "admissions": len(it.Admissions), "level": len(it.Level), "beds": len(it.Beds)}); err != nil {
		return err
	}
	d := &t.Doctors
	if err := check("doctors", d.Len(), map[string]int{"ids": d.IDs.Len(), "name": len(d.Name)}); err != nil {
		return err
	}
	v := &t.Visits
	if err := check("visits", v.Len(), map[string]int{"institution": len(v.Institution), "doctor": len(v.Doctor),
		"med_type": len(v.MedType), "begin": v.Begin.Len(), "med_fee": v.MedFee.Len(), "fund_pay": v.FundPay.Len(),
		"flags": len(v.Flags)}); err != nil {
		return err
	}
	f := &t.Fees
	if err := check("fees", f.Len(), map[string]int{"doctor": f.Doctor.Len(), "amount": f.Amount.Len()}); err != nil {
		return err
	}
	nodes := uint64(p.Len()) + uint64(d.Len()) + uint64(it.Len())
	if nodes >= math.MaxInt32 || uint64(v.Len()) >= math.MaxInt32 || uint64(f.Len()) >= math.MaxUint32-1 {
		return fmt.Errorf("graph: %d nodes, %d visits, %d fee lines exceed the 32-bit ids", nodes, v.Len(), f.Len())
	}
	return nil
}
