package check

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/ingest"
)

// fixtureDir is the committed Huli fixture.
const fixtureDir = "../../fixtures/testdata/huli-small"

// fixtureClaims loads the fixture and returns its index and up to n of
// its visits with their fee lines, as claims to check.
func fixtureClaims(tb testing.TB, n int) (*Index, []*Claim) {
	tb.Helper()
	return cityClaims(tb, fixtureDir, n)
}

// cityClaims loads the city in dir and returns its index and up to n of
// its visits, evenly spread, with their fee lines, as claims to check.
func cityClaims(tb testing.TB, dir string, n int) (*Index, []*Claim) {
	tb.Helper()
	res, err := ingest.Load(context.Background(), dir, ingest.Options{}, func(ingest.Reject) error { return nil })
	if err != nil {
		tb.Fatal(err)
	}
	g, err := graph.Build(context.Background(), res.Tables, graph.BuildOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	x := NewIndex(g)
	t := res.Tables
	vt := &t.Visits
	var out []*Claim
	step := max(1, vt.Len()/n)
	for v := 0; v < vt.Len() && len(out) < n; v += step {
		m := newMini(x, vt.Person[v], 1, 8)
		m.addVisit(uint32(v))
		cl := &Claim{}
		mt := m.t
		cl.Visit = visitOf(mt, 0)
		cl.Visit.PsnNo = t.Persons.IDs.String(vt.Person[v])
		cl.Visit.InstitutionCode = t.Institutions.IDs.String(vt.Institution[v])
		for f := 0; f < mt.Fees.Len(); f++ {
			cl.Fees = append(cl.Fees, feeOf(mt, uint32(f), cl.Visit.MdtrtID))
		}
		out = append(out, cl)
	}
	return x, out
}

// visitOf reads visit row v of t back as a claims.Visit (without person
// and institution codes).
func visitOf(t *graph.Tables, v uint32) claims.Visit {
	vt := &t.Visits
	cv := claims.Visit{MdtrtID: vt.IDs.String(v), MedType: vt.MedType[v], Begin: vt.Begin.At(v), End: vt.End.At(v),
		DiseCode: t.Str(vt.Dise.At(v)), MedFee: vt.MedFee.At(v), FundPay: vt.FundPay.At(v), CertType: vt.Cert[v]}
	if d := vt.Doctor[v]; d != graph.None {
		cv.DoctorCode = t.Doctors.IDs.String(d)
	}
	return cv
}

// feeOf reads fee row f of t back as a claims.FeeLine of visit id.
func feeOf(t *graph.Tables, f uint32, id string) claims.FeeLine {
	ft, ct := &t.Fees, &t.Catalog
	cf := claims.FeeLine{FeedetlSn: t.Str(ft.Sn.At(f)), MdtrtID: id, ItemCode: ct.IDs.String(ft.Item.At(f)), ListType: ct.ListType[ft.Item.At(f)],
		Count: ft.Count.At(f), Price: ft.Price.At(f), Amount: ft.AmountAt(f), Time: ft.Time.At(f), SupplyDays: ft.SupplyDays.At(f)}
	if d := t.FeeDoctor(f); d != graph.None {
		cf.DoctorCode = t.Doctors.IDs.String(d)
	}
	return cf
}

// BenchmarkCheck checks visits of the Huli fixture (their ids are
// settled, so each is checked beside its person's other visits), one
// after the other.
func BenchmarkCheck(b *testing.B) {
	x, cls := fixtureClaims(b, 500)
	chk := newChecker(b, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := chk.Check(ctx, View{Index: x}, cls[i%len(cls)]); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCityLatency checks claims of the city in $RINGLENS_CHECK_CITY (a
// generated city; skipped when unset) one at a time and logs the
// percentiles of the check alone (no HTTP) and the longest history.
func TestCityLatency(t *testing.T) {
	dir := os.Getenv("RINGLENS_CHECK_CITY")
	if dir == "" {
		t.Skip("RINGLENS_CHECK_CITY not set")
	}
	x, cls := cityClaims(t, dir, 5000)
	chk := newChecker(t, Options{})
	lat := make([]time.Duration, 0, len(cls))
	longest, slowest := 0, time.Duration(0)
	for _, cl := range cls {
		t0 := time.Now()
		res, err := chk.Check(context.Background(), View{Index: x}, cl)
		d := time.Since(t0)
		if err != nil {
			t.Fatal(err)
		}
		lat = append(lat, d)
		if d > slowest {
			slowest, longest = d, res.History
		}
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("%d checks: p50 %v p99 %v p999 %v max %v (history of the slowest: %d visits)", len(lat), q(0.5), q(0.99), q(0.999), slowest, longest)
}

// TestFixtureClaims checks visits of the Huli fixture: every one is known
// as settled and checks without error.
func TestFixtureClaims(t *testing.T) {
	x, cls := fixtureClaims(t, 200)
	chk := newChecker(t, Options{})
	for _, cl := range cls {
		res, err := chk.Check(context.Background(), View{Index: x}, cl)
		if err != nil {
			t.Fatal(err)
		}
		if !res.AlreadySettled {
			t.Fatalf("%s not known as settled", cl.Visit.MdtrtID)
		}
	}
}
