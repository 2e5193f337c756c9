package rules

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// synthCity builds a synthetic city of about nVisits visits and three fee
// lines per visit through the Tables.Add methods: 20 visits per person, 500
// institutions (50 hospitals with beds, 100 pharmacies) in a 100 km square,
// 3000 registered doctors plus a placeholder code on 2% of visits, 2000
// catalogue items (some sex-, age-, supply- or price-limited), a year of
// visits of every medical type, trace codes on a tenth of the drug lines,
// supplies of 1–7 days (28–84 for chronic care) with one acute line in 30
// over-long, and one sex- or age-inconsistent diagnosis or item in 500.
func synthCity(nVisits int) *graph.Tables {
	rng := rand.New(rand.NewPCG(1, 2))
	t := graph.NewTables(nVisits, 3*nVisits)
	nPersons := max(nVisits/20, 10)
	sexes := make([]claims.Sex, 0, nPersons)
	// rare reports whether to keep an inconsistent choice (1 in 500).
	rare := func() bool { return rng.IntN(500) == 0 }
	for p := 0; p < nPersons; p++ {
		sex := claims.Sex(1 + rng.IntN(2))
		die := claims.NoDate
		if rng.IntN(500) == 0 {
			die = claims.DateOf(2024, 1+rng.IntN(12), 1+rng.IntN(28))
		}
		t.AddPerson(&claims.Person{PsnNo: fmt.Sprintf("P%09d", p), Sex: sex, Birth: claims.DateOf(1930+rng.IntN(90), 1+rng.IntN(12), 1+rng.IntN(28)), DieDate: die})
		sexes = append(sexes, sex)
	}
	const nInst, nHosp, nPharm = 500, 50, 100
	for i := 0; i < nInst; i++ {
		in := claims.Institution{Code: fmt.Sprintf("H%011d", i), Name: fmt.Sprintf("机构%d", i), Type: claims.Medical, Beds: -1,
			Lat: 24 + rng.Float64()*0.9, Lon: 118 + rng.Float64()*0.9, HasLocation: rng.IntN(20) != 0}
		switch {
		case i < nHosp:
			in.Beds, in.Level = int32(50+rng.IntN(500)), "二级"
		case i >= nInst-nPharm:
			in.Type = claims.Pharmacy
		}
		t.AddInstitution(&in)
	}
	const nDoc = 3000
	for d := 0; d < nDoc; d++ {
		t.AddStaff(&claims.Staff{DrCode: fmt.Sprintf("D41%010d", d)}, uint32(rng.IntN(nInst-nPharm)))
	}
	for i := 0; i < 2000; i++ {
		it := claims.CatalogItem{Code: fmt.Sprintf("X%010d", i), Name: fmt.Sprintf("项目%d", i), ListType: 101, AgeMin: -1, AgeMax: -1}
		switch i % 50 {
		case 0:
			it.LimitSex = claims.Sex(1 + i%2)
		case 1:
			it.AgeMax = 14
		case 2:
			it.MaxDays = 30
		case 3:
			it.PriceCap = 20e6
		}
		if i%3 == 0 {
			it.ListType = 201
		}
		t.AddCatalogItem(&it)
	}
	dises := []string{"I10", "E11.900", "J06.900", "J20.9", "K29.7", "N18.5", "O80", "N40", "M54.5", "R50.9"}
	start := claims.TimeOf(claims.DateOf(2024, 1, 1).Time().Std())
	var fee claims.FeeLine
	for v := 0; v < nVisits; v++ {
		p := uint32(rng.IntN(nPersons))
		inst := uint32(rng.IntN(nInst - nPharm))
		med := claims.MedOutpatient
		switch r := rng.IntN(20); {
		case r == 0:
			med = claims.MedEmergency
		case r <= 2:
			med = claims.MedChronic
		case r == 3:
			med, inst = claims.MedInpatient, uint32(rng.IntN(nHosp))
		case r >= 16:
			med, inst = claims.MedPharmacy, uint32(nInst-nPharm+rng.IntN(nPharm))
		}
		doc := fmt.Sprintf("D41%010d", rng.IntN(nDoc))
		if rng.IntN(50) == 0 {
			doc = "009999"
		}
		begin := start + claims.Time(rng.IntN(365*86400))
		end := claims.NoTime
		if med.Inpatient() {
			end = begin + claims.Time((1+rng.IntN(14))*86400)
		}
		fund := claims.Money(1000 + rng.IntN(50000))
		cv := claims.Visit{MdtrtID: "V" + strconv.Itoa(v), PsnNo: "", MedType: med, Begin: begin, End: end,
			DoctorCode: doc, DiseCode: dises[rng.IntN(len(dises))], MedFee: fund * 5 / 4, FundPay: fund}
		if sx := sexes[p]; (cv.DiseCode == "O80" && sx != claims.Female || cv.DiseCode == "N40" && sx != claims.Male) && !rare() {
			cv.DiseCode = "J06.900"
		}
		age := t.Persons.Birth[p].AgeAt(begin.Day())
		row, _ := t.AddVisit(&cv, p, inst, uint32(v+2))
		if rng.IntN(200) == 0 {
			t.Visits.Flags[row] = graph.VisitRefunded | graph.VisitReversed
		}
		for j := 0; j < 3; j++ {
			item := rng.IntN(2000)
			for (item%50 == 0 && claims.Sex(1+item%2) != sexes[p] || item%50 == 1 && age > 14) && !rare() {
				item = rng.IntN(2000)
			}
			fee = claims.FeeLine{FeedetlSn: strconv.Itoa(j + 1), ItemCode: fmt.Sprintf("X%010d", item), Count: float64(1 + rng.IntN(5)),
				Price: claims.Price(1e6 + rng.IntN(30e6)), Time: begin, DoctorCode: doc}
			if med == claims.MedPharmacy && item%7 == 0 {
				fee.Count, fee.Price = 70, 1e6
			}
			fee.Amount = claims.Money(fee.Count * float64(fee.Price) / 1e4)
			if item%3 != 0 && !med.Inpatient() {
				switch {
				case med == claims.MedChronic:
					fee.SupplyDays = int32(28 * (1 + rng.IntN(3)))
				case rng.IntN(30) == 0: // a few over-long acute prescriptions
					fee.SupplyDays = int32(8 + rng.IntN(23))
				default:
					fee.SupplyDays = int32(1 + rng.IntN(7))
				}
				if rng.IntN(10) == 0 {
					fee.TraceCode = "T" + strconv.Itoa(rng.IntN(3*nVisits))
				}
			}
			t.AddFee(&fee, row, 0)
		}
	}
	return t
}

// cpuSeconds returns the process's user and system CPU time: on a shared
// machine it measures the work better than the wall clock.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// benchVisits returns the synthetic city size: RINGLENS_BENCH_VISITS or 1M.
func benchVisits() int {
	if n, err := strconv.Atoi(os.Getenv("RINGLENS_BENCH_VISITS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkRun runs the whole library, then each rule alone, on a
// synthetic city (go test -run - -bench Run -benchtime 1x).
func BenchmarkRun(b *testing.B) {
	t := synthCity(benchVisits())
	g, err := graph.Build(context.Background(), t, graph.BuildOptions{})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, s Set) {
		b.ReportAllocs()
		var res *Result
		cpu0 := cpuSeconds()
		for b.Loop() {
			if res, err = Run(context.Background(), g, s); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
		b.ReportMetric(float64(len(res.Hits)), "hits")
		b.ReportMetric(float64(t.Visits.Len()), "visits")
	}
	b.Run("all", func(b *testing.B) { run(b, Defaults()) })
	defs := Defaults()
	for _, id := range defs.IDs() {
		b.Run(id, func(b *testing.B) { run(b, only(id, nil)) })
	}
}
