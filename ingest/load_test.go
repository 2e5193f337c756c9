package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

func loadDir(t *testing.T, dir string, opts Options) (*Result, []Reject) {
	t.Helper()
	var rejects []Reject
	res, err := Load(context.Background(), dir, opts, func(r Reject) error {
		rejects = append(rejects, r)
		return nil
	})
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	for _, f := range res.Files {
		if f.Read != f.Accepted+f.Rejected {
			t.Errorf("%s: Read %d != Accepted %d + Rejected %d", f.Path, f.Read, f.Accepted, f.Rejected)
		}
	}
	return res, rejects
}

func TestLoadValid(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		res, rejects := loadDir(t, filepath.Join("testdata", "valid"), Options{Workers: workers})
		for _, r := range rejects {
			t.Errorf("unexpected reject %+v", r)
		}
		want := []FileReport{
			{Table: "psn", Format: "csv", Encoding: "utf-8-bom", Read: 4, Accepted: 4},
			{Table: "fixmedins", Format: "csv", Encoding: "gb18030", Read: 3, Accepted: 3},
			{Table: "staff", Format: "csv", Encoding: "utf-8", Compressed: true, Read: 4, Accepted: 4},
			{Table: "catalog", Format: "jsonl", Encoding: "utf-8", Read: 3, Accepted: 3, BlankLines: 1},
			{Table: "mdtrt", Format: "csv", Encoding: "utf-8", Read: 8, Accepted: 8, RefundsNetted: 3},
			{Table: "fee_list", Format: "csv", Encoding: "utf-8", Read: 8, Accepted: 8, RefundsNetted: 3, BlankLines: 1},
		}
		if len(res.Files) != len(want) {
			t.Fatalf("got %d files, want %d", len(res.Files), len(want))
		}
		for i, w := range want {
			g := res.Files[i]
			if g.BytesRead != g.Size || g.Size == 0 {
				t.Errorf("file %d: read %d bytes of %d", i, g.BytesRead, g.Size)
			}
			g.Path, g.Elapsed, g.BytesRead, g.Size = "", 0, 0, 0
			if g != w {
				t.Errorf("file %d: got %+v\nwant %+v", i, g, w)
			}
		}
		checkValidTables(t, res.Tables)
	}
}

func checkValidTables(t *testing.T, tb *graph.Tables) {
	t.Helper()
	if n := tb.Persons.Len(); n != 4 {
		t.Errorf("persons = %d", n)
	}
	p3 := tb.Persons.IDs.Lookup("P003")
	if got := tb.PII.String(tb.Persons.Name[p3]); got != "王\n五" {
		t.Errorf("P003 name = %q", got)
	}
	if got := tb.Persons.DieDate[p3]; got != claims.DateOf(2024, 5, 1) {
		t.Errorf("P003 die date = %v", got)
	}
	if got := tb.Persons.Birth[p3]; got != claims.DateOf(1950, 6, 1) {
		t.Errorf("P003 birth = %v", got)
	}
	p4 := tb.Persons.IDs.Lookup("P004")
	if got := tb.PII.String(tb.Persons.Name[p4]); got != `赵"六"` || tb.Persons.Sex[p4] != claims.Male {
		t.Errorf("P004 name = %q sex %v", got, tb.Persons.Sex[p4])
	}
	h := tb.Institutions.IDs.Lookup("H001")
	if got := tb.Str(tb.Institutions.Name[h]); got != "荆州市中心医院" || tb.Institutions.Beds[h] != 800 || !tb.Institutions.HasLoc[h] {
		t.Errorf("H001 = %q beds %d", got, tb.Institutions.Beds[h])
	}
	if tb.Doctors.Len() != 3 || len(tb.Doctors.Sites) != 4 {
		t.Errorf("doctors %d sites %d", tb.Doctors.Len(), len(tb.Doctors.Sites))
	}
	s1 := tb.Catalog.IDs.Lookup("S001")
	if tb.Catalog.PriceCap[s1] != 350123456 || tb.Catalog.LimitSex[s1] != claims.Female || tb.Str(tb.Catalog.Name[s1]) != "宫腔镜检查" {
		t.Errorf("S001 cap %d sex %v name %q", tb.Catalog.PriceCap[s1], tb.Catalog.LimitSex[s1], tb.Str(tb.Catalog.Name[s1]))
	}
	vt := &tb.Visits
	if vt.Len() != 5 {
		t.Fatalf("visits = %d", vt.Len())
	}
	visits := []struct {
		id        string
		med, fund claims.Money
		flags     graph.VisitFlag
		line      uint32
	}{
		{"V001", 8000, 5000, graph.VisitRefunded, 2},
		{"V002", 0, 0, graph.VisitRefunded | graph.VisitReversed, 4},
		{"V003", 500000, 350050, 0, 5},
		{"V004", 0, 0, graph.VisitRefunded | graph.VisitReversed, 6},
		{"V005", 8050, 4025, 0, 8},
	}
	for _, w := range visits {
		r := vt.IDs.Lookup(w.id)
		if r == graph.None {
			t.Errorf("visit %s missing", w.id)
			continue
		}
		if vt.MedFee.At(r) != w.med || vt.FundPay.At(r) != w.fund || vt.Flags[r] != w.flags || vt.Line.At(r) != w.line {
			t.Errorf("visit %s: med %d fund %d flags %b line %d; want %+v", w.id, vt.MedFee.At(r), vt.FundPay.At(r), vt.Flags[r], vt.Line.At(r), w)
		}
	}
	v3 := vt.IDs.Lookup("V003")
	if vt.Begin.At(v3) != claims.DateOf(2024, 3, 5).Time()+8*3600 || vt.End.At(v3) != claims.DateOf(2024, 3, 10).Time()+12*3600 {
		t.Errorf("V003 begin %v end %v", vt.Begin.At(v3), vt.End.At(v3))
	}
	ft := &tb.Fees
	fees := []struct {
		line   uint32
		amount claims.Money
		count  float64
	}{{2, 2500, 2}, {3, 0, 0}, {4, 7500, 6}, {9, 7000, 3}, {10, 62, 5}}
	if ft.Len() != len(fees) {
		t.Fatalf("fees = %d, want %d", ft.Len(), len(fees))
	}
	for i, w := range fees {
		if ft.Line.At(uint32(i)) != w.line || ft.AmountAt(uint32(i)) != w.amount || ft.Count.At(uint32(i)) != w.count {
			t.Errorf("fee %d: line %d amount %d count %v; want %+v", i, ft.Line.At(uint32(i)), ft.AmountAt(uint32(i)), ft.Count.At(uint32(i)), w)
		}
	}
	if ft.Price.At(4) != 123456 {
		t.Errorf("fee price = %d", ft.Price.At(4))
	}
}

func TestReserveFeeSerials(t *testing.T) {
	tests := []struct {
		name    string
		sns     []string
		errs    int // rows rejected by parsing, at the front
		reserve bool
	}{
		{"unique serials", []string{"FD01", "FD02", "FD03", "FD04"}, 0, true},
		{"serials per visit", []string{"0001", "0002", "0001", "0002", "0001", "0002"}, 0, false},
		{"half distinct", []string{"0001", "0002", "0001", "0002"}, 0, false},
		{"rejected rows do not count", []string{"a", "b", "c", "0001", "0001", "0001"}, 3, false},
		{"no rows", nil, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := &loader{t: newTables(100, 100, Options{}), feeRows: 100_000}
			rows := make([]feeRow, len(tc.sns))
			errs := make([]rowErr, len(tc.sns))
			for i, sn := range tc.sns {
				rows[i].FeedetlSn = sn
				if i < tc.errs {
					errs[i] = bad(fSn, "bad", sn)
				}
			}
			l.reserveFeeSerials(rows, errs)
			if apart := l.t.Fees.Serials != nil; apart != tc.reserve {
				t.Errorf("serials kept apart %v, want %v", apart, tc.reserve)
			}
		})
	}
}

func TestEstimateRows(t *testing.T) {
	tests := []struct {
		name string
		src  *source
		min  int
		max  int
	}{
		{"absent", nil, 0, 0},
		{"from the sample", &source{size: 1_000_000, sampleLines: 100, sampleDisk: 10_000}, 10_000, 11_100},
		{"short sample: fixed width", &source{size: 1_000_000, sampleLines: 3, sampleDisk: 30}, 10_000, 10_000},
		{"compressed, from the sample", &source{size: 1_000_000, compressed: true, sampleLines: 100, sampleDisk: 3_000}, 33_333, 37_600},
		{"compressed, short sample", &source{size: 1_000_000, compressed: true, sampleLines: 3, sampleDisk: 30}, 80_000, 80_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := estimateRows(tc.src, 100); got < tc.min || got > tc.max {
				t.Errorf("estimateRows = %d; want %d..%d", got, tc.min, tc.max)
			}
		})
	}
}

func TestDropSettlementIDs(t *testing.T) {
	dir := filepath.Join("testdata", "valid")
	kept, _ := loadDir(t, dir, Options{})
	dropped, rejects := loadDir(t, dir, Options{DropSettlementIDs: true})
	if len(rejects) != 0 {
		t.Errorf("rejects %+v", rejects)
	}
	if dropped.Tables.Visits.SetlID != nil {
		t.Errorf("settlement ids kept: %d", dropped.Tables.Visits.SetlID.Len())
	}
	vt := &kept.Tables.Visits
	if got := vt.SetlID.String(vt.IDs.Lookup("V003")); got != "S003" {
		t.Errorf("V003 setl_id = %q", got)
	}
	// Every row is read, checked and counted as before; only the column is
	// not kept.
	for i, f := range dropped.Files {
		k := kept.Files[i]
		f.Elapsed, k.Elapsed = 0, 0
		if f != k {
			t.Errorf("file %d: %+v, kept %+v", i, f, k)
		}
	}
	checkValidTables(t, dropped.Tables)
	snap := dropped.Tables.Snapshot()
	if snap.Visits.SetlID != nil || len(dropped.Tables.Memory()) != len(kept.Tables.Memory()) {
		t.Error("snapshot or memory model of tables without settlement ids")
	}
}

// TestEstimateCompressedRows writes a gzipped file of known rows, larger
// than the sample, and checks that the estimate from its start is close:
// the compressed bytes behind the sample are counted exactly.
func TestEstimateCompressedRows(t *testing.T) {
	const rows = 200_000
	var raw bytes.Buffer
	raw.WriteString("mdtrt_id,medfee_sumamt\n")
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range rows {
		fmt.Fprintf(&raw, "V%012d,%d.%02d\n", i, rng.IntN(5000), rng.IntN(100))
	}
	path := filepath.Join(t.TempDir(), "mdtrt.csv.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(raw.Bytes())
	zw.Close()
	if err := os.WriteFile(path, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := openSource(tableMdtrt, path, formatCSV, true, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.sampleDisk <= 0 || src.sampleDisk >= int64(zb.Len()) {
		t.Fatalf("sample decoded from %d compressed bytes of %d", src.sampleDisk, zb.Len())
	}
	if got := estimateRows(src, 100); got < rows*95/100 || got > rows*5/4 {
		t.Errorf("estimated %d rows, have %d (file compressed %.1f times)", got, rows, float64(raw.Len())/float64(zb.Len()))
	}
}
