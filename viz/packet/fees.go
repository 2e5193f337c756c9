package packet

import (
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/intern"
)

// FeeLine is one fee line (fee_list row) of a visit behind a ring's amount
// at risk, net of refunds, as the packet lists it. It holds no personal
// data: codes, item names, amounts and times.
type FeeLine struct {
	MdtrtID    string  `json:"mdtrt_id"`
	FeedetlSn  string  `json:"feedetl_sn"`
	ItemCode   string  `json:"med_list_codg"`
	ItemName   string  `json:"item_name"`
	Count      float64 `json:"cnt"`
	Price      float64 `json:"pric"`          // yuan
	Amount     float64 `json:"amount"`        // yuan, net of refunds
	Time       string  `json:"fee_ocur_time"` // YYYY-MM-DD HH:MM:SS
	DoctorCode string  `json:"bilg_dr_codg"`
	SupplyDays int32   `json:"prd_days"`
}

// FeeLinesOf returns, in input order, the fee lines of t that belong to
// the visits of ring r (Ring.VisitRows): every fee line behind its amount
// at risk.
func FeeLinesOf(t *graph.Tables, r *findings.Ring) []FeeLine {
	ft, vt, ct := &t.Fees, &t.Visits, &t.Catalog
	want := make(map[uint32]bool, len(r.VisitRows))
	for _, v := range r.VisitRows {
		if row := vt.IDs.Lookup(v.MdtrtID); row != intern.None {
			want[row] = true
		}
	}
	var out []FeeLine
	for i, vrow := range ft.Visit.All() {
		if !want[vrow] {
			continue
		}
		fl := FeeLine{MdtrtID: vt.IDs.String(vrow), FeedetlSn: t.FeeSerial(i), Count: ft.Count.At(i), Price: ft.Price.At(i).Yuan(),
			Amount: ft.AmountAt(i).Yuan(), Time: ft.Time.At(i).String(), SupplyDays: ft.SupplyDays.At(i)}
		if item := ft.Item.At(i); item != graph.None {
			fl.ItemCode, fl.ItemName = ct.IDs.String(item), t.Str(ct.Name[item])
		}
		if dr := t.FeeDoctor(i); dr != graph.None {
			fl.DoctorCode = t.Doctors.IDs.String(dr)
		}
		out = append(out, fl)
	}
	return out
}
