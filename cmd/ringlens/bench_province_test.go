package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
)

// TestBenchProvinceE2E partitions a small city by district and checks that
// the partitions hold the whole city, that the cross-partition pass finds
// crossing relations and a boundary data set, and that merging the
// boundary run into the partitions' union loses no planted ring.
func TestBenchProvinceE2E(t *testing.T) {
	dir := t.TempDir()
	res := runBinary(t, "bench", "province", "--scale", "20k", "--seed", "1", "--dir", dir, "--keep", "--json", "--log-format", "json")
	if res.code != exitOK {
		t.Fatalf("bench province: code %d, stderr:\n%s", res.code, res.stderr)
	}
	var b provinceBench
	if err := json.Unmarshal([]byte(res.stdout), &b); err != nil {
		t.Fatalf("decode result: %v\n%s", err, res.stdout)
	}
	if len(b.Partitions) < 2 {
		t.Fatalf("%d partitions; want the city's districts", len(b.Partitions))
	}
	for _, p := range b.Partitions {
		if len(p.Region) != 6 || p.Visits == 0 {
			t.Errorf("partition %+v: want a 6-digit admdvs with visits", p)
		}
		if _, err := os.Stat(filepath.Join(dir, "partitions", p.Region, "mdtrt.csv")); err != nil {
			t.Errorf("partition %s kept no data directory: %v", p.Region, err)
		}
		if p.Rejected != 0 {
			t.Errorf("partition %s: %d rows rejected; a partition must be a valid data set", p.Region, p.Rejected)
		}
	}
	if b.PartitionTotals.Visits != b.Whole.Visits || b.PartitionTotals.FeeLines != b.Whole.FeeLines {
		t.Errorf("partitions hold %d visits, %d fee lines; the whole city %d, %d",
			b.PartitionTotals.Visits, b.PartitionTotals.FeeLines, b.Whole.Visits, b.Whole.FeeLines)
	}
	if b.Cross.People == 0 || b.Cross.Doctors == 0 || b.Cross.KeyRows == 0 {
		t.Errorf("cross-partition relations %+v: want crossing people, doctors and exchanged keys", b.Cross)
	}
	if b.Boundary.Visits == 0 || b.Boundary.Visits > b.Whole.Visits || b.Cross.BoundaryBytes == 0 || b.Boundary.Rejected != 0 {
		t.Errorf("boundary run %+v, cross %+v: want a non-empty, valid subset of the city", b.Boundary, b.Cross)
	}
	if len(b.Recovery) != 3 {
		t.Fatalf("recovery %+v: want whole, partitions, partitions+boundary", b.Recovery)
	}
	whole, parts, merged := b.Recovery[0], b.Recovery[1], b.Recovery[2]
	if whole.Found == 0 || whole.Found > b.Planted {
		t.Errorf("whole city found %d of %d planted rings", whole.Found, b.Planted)
	}
	if merged.Found < parts.Found {
		t.Errorf("partitions+boundary found %d planted rings, fewer than the partitions alone (%d)", merged.Found, parts.Found)
	}
	if len(b.Rings) != b.Planted {
		t.Errorf("%d planted-ring outcomes; want %d", len(b.Rings), b.Planted)
	}

	text := runBinary(t, "bench", "province", "--scale", "20k", "--dir", dir, "--level", "city", "--log-format", "json")
	if text.code != exitOK || !strings.Contains(text.stdout, "partitions+boundary") || !strings.Contains(text.stdout, "350200") {
		t.Errorf("bench province --level city: code %d, stdout:\n%s\nstderr:\n%s", text.code, text.stdout, text.stderr)
	}
}

// TestBenchProvinceCities runs the simulation on a generated province of
// three cities cut by city: one partition per city and the distant one,
// every visit in exactly one of them.
func TestBenchProvinceCities(t *testing.T) {
	res := runBinary(t, "bench", "province", "--scale", "30k", "--seed", "2", "--cities", "3", "--level", "city", "--json", "--log-format", "json")
	if res.code != exitOK {
		t.Fatalf("bench province --cities 3: code %d, stderr:\n%s", res.code, res.stderr)
	}
	var b provinceBench
	if err := json.Unmarshal([]byte(res.stdout), &b); err != nil {
		t.Fatalf("decode result: %v\n%s", err, res.stdout)
	}
	var regions []string
	for _, p := range b.Partitions {
		regions = append(regions, p.Region)
	}
	if want := "350100 350200 350500 420100"; strings.Join(regions, " ") != want || b.Cities != 3 {
		t.Errorf("%d cities, partitions %v; want 3 cities, %s", b.Cities, regions, want)
	}
	if b.PartitionTotals.Visits != b.Whole.Visits || b.Cross.People == 0 || b.Boundary.Visits == 0 {
		t.Errorf("partitions %+v, whole %+v, cross %+v: want every visit in one partition and people crossing cities",
			b.PartitionTotals, b.Whole, b.Cross)
	}
	if b.Recovery[0].Found == 0 {
		t.Errorf("the whole province found no planted ring: %+v", b.Recovery)
	}
}

func TestBenchProvinceUsage(t *testing.T) {
	for _, args := range [][]string{{"--level", "street"}, {"--scale", "lots"}, {"--scale", "100"}, {"--cities", "0"}, {"--cities", "9"}, {"--neo4j", "--uri", "http://localhost"}, {"--doctor-visits", "some"}, {"--reference-people", "-0.1"}, {"--reference-people", "1.5"}, {"--reference-people", "0.1", "--neo4j"}} {
		res := runBinary(t, append([]string{"bench", "province", "--log-format", "json"}, args...)...)
		if res.code != exitUsage {
			t.Errorf("bench province %v: code %d; want %d (stderr %q)", args, res.code, exitUsage, res.stderr)
		}
	}
}

func TestInstitutionRegion(t *testing.T) {
	tests := []struct{ code, admdvs, want string }{
		{"H35020302090", "350203", "350203"},
		{"H35020302090", "", "350203"},     // region digits of the code
		{"H35020302090", "3502", "350203"}, // malformed admdvs
		{"X1", "", unknownRegion},
	}
	for _, tc := range tests {
		if got := institutionRegion(tc.code, tc.admdvs); got != tc.want {
			t.Errorf("institutionRegion(%q, %q) = %q; want %q", tc.code, tc.admdvs, got, tc.want)
		}
	}
	city := &citySplit{level: "city"}
	if got := city.cut("350203"); got != "350200" {
		t.Errorf("city cut of 350203 = %q; want 350200", got)
	}
}

func TestMergeRings(t *testing.T) {
	ring := func(id string, score float64, ids ...string) findings.Ring {
		r := findings.Ring{ID: id, Score: score, Typology: findings.TypFabricatedOutpatient}
		for _, m := range ids {
			r.Members = append(r.Members, findings.Member{Kind: findings.KindPatient, ID: m})
		}
		return r
	}
	lockstep := ring("R001", 0.8, "c", "d", "e", "f", "g", "h")
	lockstep.Typology = findings.TypLockstepSwiping
	got, dup := mergeRings([]ringSource{
		{"boundary", []findings.Ring{ring("R001", 0.5, "a", "b", "c", "d"), ring("R002", 0.6, "x", "q"), ring("R003", 0.65, "f", "g")}},
		{"350203", []findings.Ring{ring("R001", 0.9, "a", "b", "c"), ring("R002", 0.7, "x", "y", "z", "w")}},
		{"350206", []findings.Ring{lockstep}},
	})
	// 350203/R001 is the boundary's R001 seen again; boundary/R002 is a
	// fragment of 350203/R002 (half its members in it, same typology);
	// boundary/R003 lies wholly inside 350206/R001, a fragment of it
	// whatever its typology; boundary/R001 shares half its members with
	// 350206/R001 but is of another typology and has members of its own,
	// so it stays.
	if dup != 3 {
		t.Errorf("%d duplicates and fragments; want 3", dup)
	}
	var ids []string
	for i, r := range got {
		ids = append(ids, r.ID)
		if r.Rank != i+1 {
			t.Errorf("ring %s rank %d; want %d", r.ID, r.Rank, i+1)
		}
	}
	if want := "350206/R001,350203/R002,boundary/R001"; strings.Join(ids, ",") != want {
		t.Errorf("merged %s; want %s", strings.Join(ids, ","), want)
	}
}

// TestCrossKeysReversed: a visit its refund reverses (fund netted to zero)
// is no care, as in the graph, so it makes no person or doctor of the
// partition's keys; a partly refunded visit still does.
func TestCrossKeysReversed(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "350200")
	files := map[string]string{
		"psn.csv": "psn_no,insuplc_admdvs\nP1,350200\nP2,350200\nP3,350100\n",
		"mdtrt.csv": "mdtrt_id,psn_no,fixmedins_code,atddr_no,fund_pay_sumamt,refd_setl_flag\n" +
			"V1,P1,H35020300001,D1,16.00,0\n" + // reversed by its refund below
			"V2,P2,H35020300001,D2,30.00,0\n" + // partly refunded: still care
			"V1,P1,H35020300001,D1,-16.00,1\n" +
			"V2,P2,H35020300001,D2,-10.00,1\n" +
			"V3,P3,H35020300001,,5.00,0\n",
		"fee_list.csv": "feedetl_sn,mdtrt_id,bilg_dr_codg,drug_trac_codg\n",
		"staff.csv":    "dr_code,fixmedins_code\n",
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sp := &citySplit{root: root, level: "city", regions: []string{"350200"}, index: map[string]int{"350200": 0},
		inst: map[string]string{"H35020300001": "350203"}}
	k := newCrossKeys(1, doctorVisitsWindow)
	if err := k.read(sp, 0, "350200"); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]partMask) string { return strings.Join(slices.Sorted(maps.Keys(m)), " ") }
	if got := keys(k.persons); got != "P2 P3" {
		t.Errorf("persons %q, want P2 P3 (P1's only visit is reversed)", got)
	}
	if got := keys(k.doctors); got != "D2" {
		t.Errorf("doctors %q, want D2", got)
	}
	if got := keys(k.insuredElsewhere); got != "P3" {
		t.Errorf("insured elsewhere %q, want P3", got)
	}
}

// TestDayOf: dates of one year get distinct bits, times of one day the
// same, and text that is no date none.
func TestDayOf(t *testing.T) {
	seen := map[int]string{}
	for d := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		n, ok := dayOf(d.Format("2006-01-02 15:04:05"))
		if !ok || n < 0 || n >= dayBits {
			t.Fatalf("%s: %d %v", d, n, ok)
		}
		if other, dup := seen[n]; dup {
			t.Fatalf("%s and %s share day bit %d", other, d.Format("2006-01-02"), n)
		}
		seen[n] = d.Format("2006-01-02")
	}
	a, _ := dayOf("2025-03-04 08:00:00")
	b, _ := dayOf("2025-03-04")
	if a != b {
		t.Errorf("a timestamp and its date: %d, %d", a, b)
	}
	for _, s := range []string{"", "2025-3-4", "20250304", "2025-0a-04"} {
		if _, ok := dayOf(s); ok {
			t.Errorf("dayOf(%q): want no day", s)
		}
	}
}

// TestTakeDoctorVisit: with the window, a crossing doctor's rows outside
// the main partition are taken, the main partition's only on the days of
// the doctor's rows elsewhere (and without a readable day); with all,
// every row.
func TestTakeDoctorVisit(t *testing.T) {
	k := newCrossKeys(3, doctorVisitsWindow)
	for _, day := range []string{"2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06"} {
		k.note("D1", 1, day+" 09:00:00") // home: partition 1
	}
	k.note("D1", 2, "2025-03-04 10:00:00") // a clinic elsewhere
	k.settleDays()
	cases := []struct {
		part int
		day  string
		want bool
	}{
		{2, "2025-03-04 10:00:00", true},  // outside the main partition
		{0, "2025-07-01 10:00:00", true},  // any day outside it
		{1, "2025-03-04 08:30:00", true},  // home, the day of the clinic
		{1, "2025-03-05 08:30:00", false}, // home, another day
		{1, "", true},                     // home, no day
	}
	for _, c := range cases {
		if got := k.takeDoctorVisit("D1", c.part, c.day); got != c.want {
			t.Errorf("partition %d, %q: %v, want %v", c.part, c.day, got, c.want)
		}
	}
	if !k.takeDoctorVisit("D9", 1, "2025-03-05") {
		t.Error("a doctor never noted: want taken")
	}
	k.doctorVisits = doctorVisitsAll
	if !k.takeDoctorVisit("D1", 1, "2025-03-05 08:30:00") {
		t.Error("all: want every row taken")
	}
}

// TestBenchProvinceReferencePeople runs the simulation with reference
// people: every partition's detection input is a valid data set holding
// its own claims and every claim of a fifth of the other partitions'
// people, none of whom it treats.
func TestBenchProvinceReferencePeople(t *testing.T) {
	dir := t.TempDir()
	res := runBinary(t, "bench", "province", "--scale", "30k", "--seed", "2", "--cities", "3", "--level", "city",
		"--reference-people", "0.2", "--dir", dir, "--keep", "--json", "--log-format", "json")
	if res.code != exitOK {
		t.Fatalf("bench province --reference-people 0.2: code %d, stderr:\n%s", res.code, res.stderr)
	}
	var b provinceBench
	if err := json.Unmarshal([]byte(res.stdout), &b); err != nil {
		t.Fatalf("decode result: %v\n%s", err, res.stdout)
	}
	if b.ReferenceShare != 0.2 {
		t.Errorf("reference share %v; want 0.2", b.ReferenceShare)
	}
	refVisits := 0
	for _, p := range b.Partitions {
		if p.ReferencePeople == 0 || p.ReferenceVisits == 0 || p.Rejected != 0 {
			t.Errorf("partition %s: %d reference people, %d visits, %d rows rejected; want some, and a valid data set",
				p.Region, p.ReferencePeople, p.ReferenceVisits, p.Rejected)
		}
		refVisits += p.ReferenceVisits
		own := map[string]bool{}
		if err := scanTable(filepath.Join(dir, "partitions", p.Region), filePsn, func(t *tableReader, row []string) error {
			own[strings.Clone(row[t.col("psn_no")])] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		people := 0
		if err := scanTable(filepath.Join(dir, "peers", p.Region), filePsn, func(tr *tableReader, row []string) error {
			if id := row[tr.col("psn_no")]; !own[id] {
				people++
				if !referencePick(p.Region, id, 0.2) {
					t.Errorf("partition %s holds %s, a person it neither treats nor samples", p.Region, id)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if people != p.ReferencePeople {
			t.Errorf("partition %s: %d people besides its own in its detection input; reported %d", p.Region, people, p.ReferencePeople)
		}
	}
	if b.PartitionTotals.ReferenceVisits != refVisits || b.PartitionTotals.Visits <= b.Whole.Visits {
		t.Errorf("totals %+v, whole %d visits: want the reference visits summed and added", b.PartitionTotals, b.Whole.Visits)
	}
	if b.Recovery[1].Found == 0 {
		t.Errorf("the partitions found no planted ring: %+v", b.Recovery)
	}
}

func TestReferencePick(t *testing.T) {
	const n = 20000
	for _, share := range []float64{0, 0.1, 0.5, 1} {
		picked, both := 0, 0
		for i := range n {
			id := fmt.Sprintf("P%06d", i)
			a := referencePick("350100", id, share)
			if a != referencePick("350100", id, share) {
				t.Fatalf("share %v: %s drawn differently twice", share, id)
			}
			if a {
				picked++
				if referencePick("350200", id, share) {
					both++
				}
			}
		}
		got := float64(picked) / n
		if math.Abs(got-share) > 0.02 {
			t.Errorf("share %v: picked %.3f of the people", share, got)
		}
		// Each partition draws on its own: at 0.5, about a quarter in both.
		if share == 0.5 && math.Abs(float64(both)/n-0.25) > 0.02 {
			t.Errorf("share 0.5: %.3f picked by both partitions; want about 0.25", float64(both)/n)
		}
	}
}
