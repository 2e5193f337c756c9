package graph

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ringlens/ringlens/graph/claims"
)

// synthTables synthesises a city: about visits/20 patients, each going
// mostly to one or two home institutions, visits/2000+10 institutions (one
// in eight a pharmacy), visits/500+10 doctors working where registered
// (5% of visits have a fee line billed by another doctor), feesPer fee
// lines per visit on average, a year of visit times, 2% refunded and 0.5%
// reversed visits. It is deterministic.
func synthTables(visits, feesPer int) *Tables {
	r := rand.New(rand.NewPCG(7, 11))
	tb := NewTables(visits, visits*feesPer)
	np, ni, nd := visits/20+10, visits/2000+10, visits/500+10
	for i := 0; i < np; i++ {
		tb.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("P%08d", i), Sex: claims.Sex(1 + i%2), Name: "张三"})
	}
	for i := 0; i < ni; i++ {
		ty := claims.Medical
		if i%8 == 7 {
			ty = claims.Pharmacy
		}
		tb.AddInstitution(&claims.Institution{Code: fmt.Sprintf("H%06d", i), Name: fmt.Sprintf("机构%d", i), Type: ty, Beds: -1})
	}
	docs := make([]string, nd)
	for i := range docs {
		docs[i] = fmt.Sprintf("D%012d", i)
		tb.AddStaff(&claims.Staff{DrCode: docs[i], Name: "李医生"}, uint32(i%ni))
	}
	start := at(2024, 1, 1, 0, 0)
	var fl claims.FeeLine
	fl.ItemCode = "X"
	for v := 0; v < visits; v++ {
		// Patients mostly return to a home institution or a second one.
		p := r.IntN(np)
		inst := uint32(r.IntN(ni))
		switch x := r.IntN(10); {
		case x < 8:
			inst = uint32(p * 7919 % ni)
		case x < 9:
			inst = uint32(p * 104729 % ni)
		}
		// Doctors mostly work where they are registered.
		d := docs[(int(inst)+ni*r.IntN(max(nd/ni, 1)))%nd]
		cv := claims.Visit{MdtrtID: fmt.Sprintf("M%010d", v), MedType: 11, Begin: start + claims.Time(r.IntN(365*86400)),
			DoctorCode: d, MedFee: claims.Money(1000 + r.IntN(10000)), FundPay: claims.Money(500 + r.IntN(5000))}
		row, _ := tb.AddVisit(&cv, uint32(p), inst, uint32(v+2))
		switch x := r.IntN(200); {
		case x == 0:
			tb.Visits.Flags[row] = VisitRefunded | VisitReversed
		case x < 4:
			tb.Visits.Flags[row] = VisitRefunded
		}
		nf := r.IntN(2*feesPer + 1)
		cross := r.IntN(20) == 0 // 5% of visits have a line billed elsewhere
		for f := 0; f < nf; f++ {
			fl.DoctorCode = d
			if f == 2 && cross {
				fl.DoctorCode = docs[r.IntN(nd)]
			}
			fl.Amount = claims.Money(100 + r.IntN(1000))
			fl.Time = cv.Begin
			tb.AddFee(&fl, row, uint32(f+2))
		}
	}
	return tb
}

// synthGraph builds a graph over synthTables.
func synthGraph(t testing.TB, visits, feesPer int) *Graph {
	t.Helper()
	g, err := Build(context.Background(), synthTables(visits, feesPer), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}
