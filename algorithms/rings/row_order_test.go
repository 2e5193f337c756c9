package rings_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	. "github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
)

// TestRowOrder: the rings do not depend on the order of the input rows. A
// generated city is detected as written (person by person) and with its
// visits written site by site (mdtrt sorted by fixmedins_code, then
// begntime) and its fee lines in reverse, as another export could have
// them; both must give the same rings, members and scores. Rule hits cite
// a sample of their first rows (rules.Set.MaxRowsPerHit), so ring
// formation must not read a hit's rows for what only all of them tell: a
// borrowed qualification's clashes were once read from that sample, and a
// city written site by site lost every borrowed-qualification ring.
func TestRowOrder(t *testing.T) {
	for _, preset := range []string{fixtures.PresetDefault, fixtures.PresetGrammar} {
		t.Run(preset, func(t *testing.T) { checkRowOrder(t, genCity(t, preset, 1, 100_000)) })
	}
}

// checkRowOrder detects the city in src as written and with its rows
// reordered, and compares the rings.
func checkRowOrder(t *testing.T, src string) {
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		in, out := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch e.Name() {
		case "mdtrt.csv":
			rewriteRows(t, in, out, func(hdr []string, rows [][]string) {
				site, begin := slices.Index(hdr, "fixmedins_code"), slices.Index(hdr, "begntime")
				slices.SortStableFunc(rows, func(a, b []string) int {
					return cmp.Or(strings.Compare(a[site], b[site]), strings.Compare(a[begin], b[begin]))
				})
			})
		case "fee_list.csv":
			rewriteRows(t, in, out, func(_ []string, rows [][]string) { slices.Reverse(rows) })
		default:
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var got [2]map[string]float64
	for i, dir := range []string{src, dst} {
		g, _ := loadCity(t, dir)
		f, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		got[i] = ringSet(f)
	}
	if len(got[0]) == 0 {
		t.Fatal("no ring in the city as written")
	}
	for k, s := range got[0] {
		if s2, ok := got[1][k]; !ok {
			t.Errorf("ring %s (score %.4f) lost with the rows reordered", short(k), s)
		} else if math.Abs(s-s2) > 1e-3 {
			t.Errorf("ring %s: score %.4f as written, %.4f reordered", short(k), s, s2)
		}
	}
	for k, s := range got[1] {
		if _, ok := got[0][k]; !ok {
			t.Errorf("ring %s (score %.4f) only with the rows reordered", short(k), s)
		}
	}
}

// ringSet keys each ring of f by its typology and sorted member ids, with
// its score.
func ringSet(f *findings.Findings) map[string]float64 {
	out := map[string]float64{}
	for _, r := range f.Rings {
		ids := make([]string, 0, len(r.Members))
		for _, m := range r.Members {
			ids = append(ids, m.ID)
		}
		slices.Sort(ids)
		out[fmt.Sprintf("%s[%d]%s", r.Typology, len(ids), strings.Join(ids, ","))] = r.Score
	}
	return out
}

// short cuts a ring's key for a message.
func short(key string) string {
	if len(key) > 100 {
		return key[:100] + "…"
	}
	return key
}

// rewriteRows copies CSV file in to out with its data rows reordered by
// order (the header first, unchanged).
func rewriteRows(t *testing.T, in, out string, order func(hdr []string, rows [][]string)) {
	t.Helper()
	rows := readCSV(t, in)
	if len(rows) == 0 {
		t.Fatalf("%s: empty", in)
	}
	order(rows[0], rows[1:])
	writeCSV(t, out, rows)
}
