package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// TestChunkBoundaries loads the committed datasets with tiny chunks (so
// records straddle chunks and chunks must grow) and many workers, and
// checks that results and rejects match a default load exactly.
func TestChunkBoundaries(t *testing.T) {
	for _, name := range []string{"valid", "malformed"} {
		dir := filepath.Join("testdata", name)
		want, wantRejects := loadWith(t, dir, Options{Workers: 1}, defaultChunkSize)
		for _, size := range []int{1, 7, 64, 333} {
			for _, workers := range []int{1, 4} {
				got, gotRejects := loadWith(t, dir, Options{Workers: workers}, size)
				if !reflect.DeepEqual(gotRejects, wantRejects) {
					t.Errorf("%s chunk %d workers %d: rejects differ:\n got %v\nwant %v", name, size, workers, gotRejects, wantRejects)
				}
				if g, w := summary(got), summary(want); g != w {
					t.Errorf("%s chunk %d workers %d:\n got %s\nwant %s", name, size, workers, g, w)
				}
			}
		}
	}
}

func loadWith(t *testing.T, dir string, opts Options, chunkSize int) (*Result, []Reject) {
	t.Helper()
	var rejects []Reject
	res, err := load(context.Background(), dir, opts, func(r Reject) error {
		rejects = append(rejects, r)
		return nil
	}, chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	return res, rejects
}

// summary renders the counts and the visit and fee columns of res.
func summary(res *Result) string {
	s := ""
	for _, f := range res.Files {
		s += fmt.Sprintf("%s %d/%d/%d/%d/%d; ", f.Table, f.Read, f.Accepted, f.Rejected, f.RefundsNetted, f.BlankLines)
	}
	tb := res.Tables
	s += fmt.Sprint(tb.Persons.Len(), tb.Institutions.Len(), tb.Doctors.Len(), tb.Catalog.Len())
	s += fmt.Sprint(tb.Visits.MedFee, tb.Visits.FundPay, tb.Visits.Flags, tb.Visits.Line, tb.Visits.Begin, tb.Visits.End)
	s += fmt.Sprint(tb.Fees.Visit, tb.Fees.Amount, tb.Fees.Count, tb.Fees.Line, tb.Fees.Item)
	// Serials by value: whether they are kept apart (unique per line)
	// is judged on the first batch, whose size the chunks set.
	for f := range uint32(tb.Fees.Len()) {
		s += " " + tb.FeeSerial(f)
	}
	return s
}

// FuzzLoad feeds arbitrary visit and fee files through the whole pipeline:
// Load must not panic, must account for every row and must give the same
// result with tiny chunks.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(validFiles["mdtrt.csv"]), []byte(validFiles["fee_list.csv"]))
	f.Add([]byte("mdtrt_id,psn_no,fixmedins_code,med_type,begntime,medfee_sumamt,fund_pay_sumamt\n\"x\n"), []byte("{}"))
	f.Fuzz(func(t *testing.T, mdtrt, fees []byte) {
		dir := copyValid(t, map[string][]byte{"mdtrt.csv": mdtrt, "fee_list.csv": fees})
		var n int
		res, err := load(context.Background(), dir, Options{}, func(Reject) error { n++; return nil }, defaultChunkSize)
		if err != nil {
			return // schema errors are fine
		}
		var rejected int64
		for _, fr := range res.Files {
			if fr.Read != fr.Accepted+fr.Rejected {
				t.Fatalf("%s: Read %d != %d + %d", fr.Path, fr.Read, fr.Accepted, fr.Rejected)
			}
			rejected += fr.Rejected
		}
		if int64(n) != rejected {
			t.Fatalf("sink got %d rejects, reports say %d", n, rejected)
		}
		small, err := load(context.Background(), dir, Options{Workers: 3}, nil, 5)
		if err != nil {
			t.Fatalf("tiny chunks: %v", err)
		}
		if summary(small) != summary(res) {
			t.Fatalf("tiny chunks differ:\n%s\n%s", summary(small), summary(res))
		}
	})
}
