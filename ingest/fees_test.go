package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/intern"
)

// TestFeeResolutionLargeGroup checks duplicate and refund handling in a
// visit with more lines than the pairwise limit, with lines out of order.
func TestFeeResolutionLargeGroup(t *testing.T) {
	var b strings.Builder
	b.WriteString("feedetl_sn,mdtrt_id,med_list_codg,cnt,pric,det_item_fee_sumamt,fee_ocur_time\n")
	// A refund of sn 5 before its charge, then charges 0..99, a duplicate
	// of sn 7, a refund by item only and a refund that matches nothing.
	b.WriteString("5,V003,XA01,-1,12.5,-12.50,2024-03-06 08:00:00\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "%d,V003,XA01,1,12.5,12.50,2024-03-06 08:00:00\n", i)
	}
	b.WriteString("7,V003,XA01,1,12.5,12.50,2024-03-06 08:00:00\n")
	b.WriteString("R1,V003,XA01,-1,12.5,-12.50,2024-03-06 09:00:00\n")
	b.WriteString("R2,V003,ZZ99,-1,12.5,-12.50,2024-03-06 09:00:00\n")
	dir := copyValid(t, map[string][]byte{"fee_list.csv": []byte(b.String())})
	for _, workers := range []int{1, 3} {
		res, rejects := loadDir(t, dir, Options{Workers: workers})
		want := []Reject{
			{File: "fee_list.csv", Line: 103, Column: "feedetl_sn", Reason: "duplicate feedetl_sn in visit, first at line 10", Value: "7"},
			{File: "fee_list.csv", Line: 105, Column: "feedetl_sn", Reason: "refund line reverses nothing", Value: "R2"},
		}
		if fmt.Sprint(rejects) != fmt.Sprint(want) {
			t.Errorf("rejects = %+v\nwant %+v", rejects, want)
		}
		fee := res.Files[len(res.Files)-1]
		if fee.Read != 104 || fee.Accepted != 102 || fee.Rejected != 2 || fee.RefundsNetted != 2 {
			t.Errorf("report %+v", fee)
		}
		ft := &res.Tables.Fees
		if ft.Len() != 100 {
			t.Fatalf("fees = %d", ft.Len())
		}
		// sn 5 (line 8) is netted to zero; sn 0 (line 3) took the item refund.
		for i := 0; i < ft.Len(); i++ {
			want := int64(1250)
			if ft.Line.At(uint32(i)) == 8 || ft.Line.At(uint32(i)) == 3 {
				want = 0
			}
			if int64(ft.AmountAt(uint32(i))) != want {
				t.Errorf("line %d amount %d, want %d", ft.Line.At(uint32(i)), ft.AmountAt(uint32(i)), want)
			}
		}
	}
}

func TestRefMemo(t *testing.T) {
	ids := intern.NewPacked(4)
	for _, s := range []string{"a", "b", "c", "d"} {
		ids.Intern(s)
	}
	var m refMemo
	for _, tc := range []struct {
		key  string
		want uint32
	}{{"a", 0}, {"a", 0}, {"b", 1}, {"c", 2}, {"a", 0}, {"zz", graph.None}, {"d", 3}, {"x", graph.None}, {"x", graph.None}} {
		if got := m.lookup(tc.key, ids); got != tc.want {
			t.Errorf("lookup(%q) = %d, want %d", tc.key, got, tc.want)
		}
	}
}
