package rules_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// Example screens a tiny dataset: a man billed for a hysteroscopy.
func Example() {
	t := graph.NewTables(0, 0)
	p, _ := t.AddPerson(&claims.Person{PsnNo: "P1", Sex: claims.Male, Birth: claims.DateOf(1970, 1, 1), DieDate: claims.NoDate})
	c, _ := t.AddInstitution(&claims.Institution{Code: "C1", Name: "阳光诊所", Type: claims.Medical, Beds: -1})
	t.AddCatalogItem(&claims.CatalogItem{Code: "HYST", Name: "宫腔镜检查", LimitSex: claims.Female, AgeMin: -1, AgeMax: -1})
	begin := claims.TimeOf(time.Date(2024, 3, 1, 9, 0, 0, 0, claims.Shanghai()))
	v, _ := t.AddVisit(&claims.Visit{MdtrtID: "M001", PsnNo: "P1", InstitutionCode: "C1", MedType: claims.MedOutpatient,
		Begin: begin, End: claims.NoTime, MedFee: 60000, FundPay: 48000}, p, c, 2)
	t.AddFee(&claims.FeeLine{FeedetlSn: "1", MdtrtID: "M001", ItemCode: "HYST", Count: 1, Price: 600e6, Amount: 60000, Time: begin}, v, 2)

	g, err := graph.Build(context.Background(), t, graph.BuildOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := rules.Run(context.Background(), g, rules.Defaults())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range res.Hits {
		ids, fees := rules.Cite(t, h)
		fmt.Println(h.Rule, h.Version, h.Result, h.Amount, ids, fees)
		fmt.Println(h.Detail)
	}
	// Output:
	// R-SEX-ITEM 1.0 definite 480.00 [M001] [{M001 1}]
	// item HYST is limited to female patients but was billed 1 times for a male patient
}
