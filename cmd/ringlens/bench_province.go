package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringlens/ringlens/algorithms/eval"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/ingest"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// benchProvinceCommand is `ringlens bench province`: a city cut into its
// regions (admdvs), detection per region, and the cross-region pass that
// a province larger than one machine needs (docs/scale.md, "Beyond one
// machine").
func benchProvinceCommand() *cli.Command {
	return &cli.Command{
		Name:      "province",
		Usage:     "partition a generated city by region (admdvs), detect per partition, and measure the cross-partition pass",
		UsageText: "ringlens bench province --scale 1M [--seed 1] [--preset default] [--dir /tmp/prov] [--keep] [--json]",
		Description: "Generates a city of --scale visits (or reuses --dir/city), cuts it into one data\n" +
			"directory per region: each visit goes to the admdvs of its institution (fixmedins.admdvs,\n" +
			"else the region digits of fixmedins_code), with its fee lines, the persons and staff it\n" +
			"references and the institutions those staff are registered at. Then it runs detection\n" +
			"(the same path as detect) on every partition and on the whole city, and the cross-partition\n" +
			"pass: the keys every partition would export (persons, doctors, drug trace codes), the\n" +
			"relations that cross partitions (people treated in several partitions or insured in another\n" +
			"region, doctors registered or billing in several, trace codes sold in several), the boundary\n" +
			"data set (every visit touching one of them) and detection on it. Prints per partition its\n" +
			"visits, time and rings, the pass's size and time, and how many planted rings (truth.json) the\n" +
			"whole city, the union of partitions and the union plus the boundary pass find. With\n" +
			"--reference-people SHARE each partition detects on its claims plus every claim of SHARE of\n" +
			"the other partitions' people (peers for its baselines) and keeps its own rings.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "level", Value: "district",
				Usage: "partition by district (6-digit admdvs) or city (its first 4 digits: prefecture level)"},
			&cli.StringFlag{Name: "doctor-visits", Value: doctorVisitsWindow,
				Usage: "a crossing doctor's visits the boundary takes: window (those outside the doctor's main partition, and the main partition's on the days the doctor works elsewhere) or all"},
			&cli.Float64Flag{Name: "reference-people", Value: 0,
				Usage: "give each partition, besides its own claims, every claim of this share (0-1) of the other partitions' people, as peers for its baselines (a partition keeps the rings holding one of its own institutions); 0 = none"},
			&cli.StringFlag{Name: "boundary", Value: "all",
				Usage: "boundary keys: all crossing people and doctors, or suspects: only those a partition put in a ring or scored ≥ --suspect-score (doctors registered in several partitions and trace codes always)"},
			citiesFlag(),
			&cli.Float64Flag{Name: "suspect-score", Value: 0.5, Usage: "entity score from which a crossing person or doctor is a suspect (--boundary suspects)"},
		}, append(provinceNeo4jFlags(), benchFlags()...)...),
		Action: runBenchProvince,
	}
}

// provinceBench is what `bench province` measures.
type provinceBench struct {
	Preset     string `json:"preset"`
	Seed       int64  `json:"seed"`
	Cities     int    `json:"cities"`    // prefecture cities of the generated province (fixtures.Config.Cities)
	Level      string `json:"level"`     // district or city
	Visits     int64  `json:"visits"`    // visits of the city (truth.json)
	FeeLines   int64  `json:"fee_lines"` // fee lines of the city (truth.json)
	Planted    int    `json:"planted"`   // planted rings
	GOMAXPROCS int    `json:"gomaxprocs"`
	// BoundaryKeys is all or suspects (see provinceCross.Suspects).
	BoundaryKeys string `json:"boundary_keys"`
	// DoctorVisits is the crossing doctors' visits the boundary takes:
	// window or all (bench_province_days.go).
	DoctorVisits string `json:"doctor_visits"`
	// PlantedSpanning counts the planted rings whose institutions stand in
	// two or more partitions.
	PlantedSpanning int     `json:"planted_spanning"`
	SplitSeconds    float64 `json:"split_seconds"` // cutting the city into partitions (setup, not part of the pipeline)
	// ReferenceShare is --reference-people: the share of the other
	// partitions' people each partition is given as peers
	// (bench_province_peers.go); ReferenceSeconds the time to write their
	// claims into the partitions' detection inputs (setup, like the split).
	ReferenceShare   float64 `json:"reference_share,omitempty"`
	ReferenceSeconds float64 `json:"reference_seconds,omitempty"`
	// Partitions are the per-region runs, by admdvs.
	Partitions []provinceRun `json:"partitions"`
	// PartitionTotals sums the partitions; its Seconds is the sum of the
	// partitions' seconds (one machine running them in turn) and
	// MaxSeconds the slowest (one machine per partition).
	PartitionTotals provinceTotals `json:"partition_totals"`
	Whole           provinceRun    `json:"whole"`    // the whole city on one machine
	Cross           provinceCross  `json:"cross"`    // the cross-partition relations and their boundary data set
	Boundary        provinceRun    `json:"boundary"` // detection on the boundary data set
	// Recovery compares the planted rings found by the whole-city run, the
	// merged union of the partitions' runs, and that union merged with the
	// boundary run.
	Recovery []provinceRecovery `json:"recovery"`
	// Rings is the outcome per planted ring.
	Rings []provincePlanted `json:"rings"`
	// Neo4j is the exchange through Neo4j (--neo4j).
	Neo4j *provinceNeo4j `json:"neo4j,omitempty"`
}

// provinceRun is one detection run on one data directory.
type provinceRun struct {
	Region        string  `json:"region,omitempty"` // admdvs of the partition
	Visits        int     `json:"visits"`           // visits accepted by ingest
	FeeLines      int     `json:"fee_lines"`
	Rows          int64   `json:"rows"`  // rows read from every file
	Bytes         int64   `json:"bytes"` // bytes of its files
	Rejected      int64   `json:"rejected"`
	IngestSeconds float64 `json:"ingest_seconds"`
	BuildSeconds  float64 `json:"build_seconds"`
	DetectSeconds float64 `json:"detect_seconds"`
	Seconds       float64 `json:"seconds"` // ingest + build + detect
	Rings         int     `json:"rings"`
	// ReferencePeople counts the other partitions' people sampled into
	// this partition's detection input (--reference-people) and
	// ReferenceVisits their visit rows, which Visits includes; Rings
	// counts the partition's own rings.
	ReferencePeople int `json:"reference_people,omitempty"`
	ReferenceVisits int `json:"reference_visits,omitempty"`
}

// provinceTotals sums the partition runs.
type provinceTotals struct {
	Visits     int     `json:"visits"`
	FeeLines   int     `json:"fee_lines"`
	Rows       int64   `json:"rows"`
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	MaxSeconds float64 `json:"max_seconds"`
	Rings      int     `json:"rings"`
	// ReferenceVisits sums the partitions' reference visits.
	ReferenceVisits int `json:"reference_visits,omitempty"`
}

// provinceCross is the cross-partition pass: the keys exchanged, the
// relations that cross partitions and the boundary data set.
type provinceCross struct {
	// People treated in two or more partitions.
	People int `json:"people"`
	// PeopleInsuredElsewhere counts the people with a visit in a partition
	// other than their place insured (insuplc_admdvs).
	PeopleInsuredElsewhere int `json:"people_insured_elsewhere"`
	// Doctors registered (staff.csv) or attending or billing (mdtrt,
	// fee_list) in two or more partitions; DoctorsRegistered those
	// registered in two or more, DoctorsBilling those on claims of two or
	// more.
	Doctors           int `json:"doctors"`
	DoctorsRegistered int `json:"doctors_registered"`
	DoctorsBilling    int `json:"doctors_billing"`
	// UnregisteredCodes counts the doctor codes on claims of two or more
	// partitions that no partition's staff registers (placeholders such as
	// 009999, typos): not a doctor any partition knows, so not exchanged;
	// each partition reports them as data quality. Doctors excludes them.
	UnregisteredCodes int `json:"unregistered_codes"`
	// TraceCodes counts drug trace codes (drug_trac_codg) on fee lines of
	// two or more partitions.
	TraceCodes int `json:"trace_codes"`
	// KeyRows and KeyBytes measure what the partitions export to find the
	// crossing keys: one row (kind, key, admdvs) per distinct person,
	// doctor and trace code per partition. KeySeconds is the time to read
	// them from the partitions and find the crossing ones.
	KeyRows    int64   `json:"key_rows"`
	KeyBytes   int64   `json:"key_bytes"`
	KeySeconds float64 `json:"key_seconds"`
	// Suspects counts the patients and doctors the partitions put in rings
	// or scored high (--boundary suspects); BoundaryPeople and
	// BoundaryDoctors the crossing ones kept as boundary keys.
	Suspects        int `json:"suspects,omitempty"`
	BoundaryPeople  int `json:"boundary_people,omitempty"`
	BoundaryDoctors int `json:"boundary_doctors,omitempty"`
	// The boundary data set: every visit touching a crossing person,
	// doctor or trace code, with its fee lines, persons, staff and
	// institutions; VisitsBy* count the visits selected by each reason (a
	// visit may have several).
	BoundaryVisitRows  int64   `json:"boundary_visit_rows"` // mdtrt rows: visits and refund rows
	BoundaryFeeLines   int64   `json:"boundary_fee_lines"`
	BoundaryRows       int64   `json:"boundary_rows"`
	BoundaryBytes      int64   `json:"boundary_bytes"`
	BoundaryShare      float64 `json:"boundary_share"` // visits of the boundary run / visits of the whole city
	VisitsByPeople     int64   `json:"visits_by_people"`
	VisitsByInsured    int64   `json:"visits_by_insured_elsewhere"`
	VisitsByDoctors    int64   `json:"visits_by_doctors"`
	VisitsByTraceCodes int64   `json:"visits_by_trace_codes"`
	ExtractSeconds     float64 `json:"extract_seconds"`
	// Seconds is the whole pass: keys, extract and the boundary's
	// detection (ingest, build, detect).
	Seconds float64 `json:"seconds"`
}

// provinceRecovery is how many planted rings one combination of runs finds.
type provinceRecovery struct {
	Run          string   `json:"run"`        // whole, partitions, partitions+boundary
	Rings        int      `json:"rings"`      // after merging
	Duplicates   int      `json:"duplicates"` // rings dropped as reported twice
	Found        int      `json:"found"`
	FoundAtK     int      `json:"found_at_k"`
	K            int      `json:"k"`
	TopKMatched  int      `json:"top_k_matched"`
	PrecisionAtK *float64 `json:"precision_at_k"`
}

// provincePlanted is the outcome for one planted ring.
type provincePlanted struct {
	ID         string   `json:"id"`
	Typology   string   `json:"typology"`
	Regions    []string `json:"regions"` // admdvs of its institutions
	Whole      bool     `json:"whole"`
	Partitions bool     `json:"partitions"`
	Boundary   bool     `json:"partitions_boundary"`
}

// runBenchProvince is the action of `bench province`.
func runBenchProvince(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	visits, err := parseScale(c.String("scale"))
	if err != nil {
		return usagef("bench province: --scale: %v", err)
	}
	if visits < fixtures.MinVisits {
		return usagef("bench province: --scale %d: want at least %d visits", visits, fixtures.MinVisits)
	}
	level := c.String("level")
	if level != "district" && level != "city" {
		return usagef("bench province: --level %q: want district or city", level)
	}
	if _, err := prefectures(c, "bench province", "cities"); err != nil {
		return err
	}
	refShare := c.Float64("reference-people")
	if !(refShare >= 0 && refShare <= 1) {
		return usagef("bench province: --reference-people %v: want a share from 0 to 1", refShare)
	}
	if refShare > 0 && c.Bool("neo4j") {
		return usagef("bench province: --reference-people does not combine with --neo4j (a partition's graph would carry its reference people's claims)")
	}
	if err := checkProvinceNeo4j(c); err != nil {
		return err
	}
	if dv := c.String("doctor-visits"); dv != doctorVisitsWindow && dv != doctorVisitsAll {
		return usagef("bench province: --doctor-visits %q: want %s or %s", dv, doctorVisitsWindow, doctorVisitsAll)
	}
	bmode := c.String("boundary")
	if bmode != "all" && bmode != "suspects" {
		return usagef("bench province: --boundary %q: want all or suspects", bmode)
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	root := c.String("dir")
	if root == "" {
		if root, err = os.MkdirTemp("", "ringlens-province-"); err != nil {
			return fmt.Errorf("temporary directory: %w", err)
		}
		if !c.Bool("keep") {
			defer os.RemoveAll(root)
		}
	}
	city := filepath.Join(root, "city")
	m := newMeter(log, c.App.ErrWriter, tty)
	truth, err := provinceCity(c, log, m, city, visits)
	if err != nil {
		return err
	}

	parts := filepath.Join(root, "partitions")
	boundary := filepath.Join(root, "boundary")
	peers := filepath.Join(root, "peers")
	for _, d := range []string{parts, boundary, peers} {
		if err := os.RemoveAll(d); err != nil {
			return fmt.Errorf("clear %s: %w", d, err)
		}
		if !c.Bool("keep") {
			defer os.RemoveAll(d)
		}
	}
	start := time.Now()
	sp, err := splitCity(c.Context, city, parts, level)
	if err != nil {
		return fmt.Errorf("bench province: partition the city: %w", err)
	}
	res := provinceBench{
		Preset: truth.Preset, Seed: truth.Seed, Cities: max(1, truth.Cities), Level: level, BoundaryKeys: bmode, DoctorVisits: c.String("doctor-visits"), Visits: truth.Visits, FeeLines: truth.FeeLines,
		Planted: len(truth.Rings), GOMAXPROCS: runtime.GOMAXPROCS(0),
		SplitSeconds: time.Since(start).Seconds(),
	}
	log.Info().Int("partitions", len(sp.regions)).Strs("regions", sp.regions).Str("elapsed", roundDur(time.Since(start))).Msg("city partitioned")
	var ps *peerSplit
	if refShare > 0 {
		start := time.Now()
		if ps, err = addReferencePeople(c.Context, city, peers, sp, refShare); err != nil {
			return fmt.Errorf("bench province: reference people: %w", err)
		}
		res.ReferenceShare = refShare
		res.ReferenceSeconds = time.Since(start).Seconds()
		log.Info().Float64("share", refShare).Str("elapsed", roundDur(time.Since(start))).Msg("reference people added")
	}

	x, err := openProvinceExchange(c)
	if err != nil {
		return err
	}
	defer x.close(c.Context)
	set, params := rules.Defaults(), rings.DefaultParams()
	partFound := make([][]findings.Ring, len(sp.regions))
	var suspects map[string]bool // kind + "\x00" + id; nil: every crossing key
	if bmode == "suspects" {
		suspects = map[string]bool{}
	}
	for i, reg := range sp.regions {
		var push func(*graph.Graph, *findings.Findings) error
		if x != nil {
			push = func(g *graph.Graph, f *findings.Findings) error { return x.push(c.Context, reg, g, f) }
		}
		in := sp.dir(reg)
		region := ""
		if ps != nil {
			in, region = ps.dir(reg), sp.regionPrefix(reg)
		}
		run, found, err := provinceDetect(c, m, in, set, params, region, push)
		if err != nil {
			return fmt.Errorf("bench province: partition %s: %w", reg, err)
		}
		run.Region = reg
		if ps != nil {
			run.ReferencePeople, run.ReferenceVisits = ps.people[i], ps.visits[i]
		}
		res.Partitions = append(res.Partitions, run)
		partFound[i] = found.Rings
		if suspects != nil {
			addSuspects(suspects, found, c.Float64("suspect-score"))
		}
		log.Info().Str("region", reg).Int("visits", run.Visits).Int("rings", run.Rings).Float64("seconds", run.Seconds).Msg("partition detected")
	}
	for _, p := range res.Partitions {
		t := &res.PartitionTotals
		t.Visits += p.Visits
		t.FeeLines += p.FeeLines
		t.Rows += p.Rows
		t.Bytes += p.Bytes
		t.Seconds += p.Seconds
		t.MaxSeconds = max(t.MaxSeconds, p.Seconds)
		t.Rings += p.Rings
		t.ReferenceVisits += p.ReferenceVisits
	}

	whole, wholeFound, err := provinceDetect(c, m, city, set, params, "", nil)
	if err != nil {
		return fmt.Errorf("bench province: whole city: %w", err)
	}
	res.Whole = whole
	log.Info().Int("visits", whole.Visits).Int("rings", whole.Rings).Float64("seconds", whole.Seconds).Msg("whole city detected")

	cross, err := crossPartitions(c.Context, sp, boundary, suspects, res.DoctorVisits)
	if err != nil {
		return fmt.Errorf("bench province: cross-partition pass: %w", err)
	}
	if x != nil {
		if err := x.count(c.Context, level, &cross); err != nil {
			return fmt.Errorf("bench province: crossing queries: %w", err)
		}
		res.Neo4j = &x.res
		log.Info().Bool("agrees", x.res.Agrees).Float64("push_seconds", x.res.PushSeconds).Float64("query_seconds", x.res.QuerySeconds).Msg("exchange through Neo4j counted")
	}
	bRun, bFound, err := provinceDetect(c, m, boundary, set, params, "", nil)
	if err != nil {
		return fmt.Errorf("bench province: boundary: %w", err)
	}
	res.Boundary = bRun
	cross.Seconds = cross.KeySeconds + cross.ExtractSeconds + bRun.Seconds
	if res.Whole.Visits > 0 {
		cross.BoundaryShare = float64(bRun.Visits) / float64(res.Whole.Visits)
	}
	res.Cross = cross
	log.Info().Int("boundary_visits", bRun.Visits).Int("rings", bRun.Rings).Float64("seconds", cross.Seconds).Msg("cross-partition pass done")

	if err := res.evaluate(truth, sp, wholeFound.Rings, partFound, bFound.Rings); err != nil {
		return fmt.Errorf("bench province: %w", err)
	}
	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("bench province: write result: %w", err)
		}
		return nil
	}
	return res.writeText(c.App.Writer)
}

// provinceCity generates the city into dir, or reuses the one there, and
// returns its truth.
func provinceCity(c *cli.Context, log zerolog.Logger, m *meter, dir string, visits int) (*fixtures.Truth, error) {
	truthPath := filepath.Join(dir, "truth.json")
	if _, err := os.Stat(truthPath); err == nil {
		log.Info().Str("dir", dir).Msg("reusing generated city")
		t, err := fixtures.ReadTruth(truthPath)
		if err != nil {
			return nil, fmt.Errorf("bench province: read %s: %w", truthPath, err)
		}
		return t, nil
	}
	start := time.Now()
	t, err := fixtures.Generate(c.Context, fixtures.Config{
		Preset: c.String("preset"), Seed: c.Int64("seed"), Visits: visits, Out: dir, Cities: c.Int("cities"),
		Progress: func(done, total int64) { m.update("generate", "visits", done, total) },
	})
	m.finish()
	if err != nil {
		return nil, fmt.Errorf("bench province: generate city: %w", err)
	}
	log.Info().Int64("visits", t.Visits).Str("elapsed", roundDur(time.Since(start))).Str("dir", dir).Msg("city generated")
	return t, nil
}

// provinceDetect reads dir, builds its graph and detects, as detect does
// (detect --region region when region is not empty), timing each stage;
// then, when push is not nil, it hands the graph and the findings to push
// (not timed in the run).
func provinceDetect(c *cli.Context, m *meter, dir string, set rules.Set, params rings.Params, region string,
	push func(*graph.Graph, *findings.Findings) error) (provinceRun, *findings.Findings, error) {
	var run provinceRun
	p, err := loadGraph(c, m, dir, ingest.Options{DropSettlementIDs: true}, func(ingest.Reject) error {
		run.Rejected++
		return nil
	})
	if err != nil {
		return run, nil, err
	}
	start := time.Now()
	found, err := detectRings(c.Context, m, p.graph, set, params, 1, region)
	if err != nil {
		return run, nil, err
	}
	run.DetectSeconds = time.Since(start).Seconds()
	run.Visits, run.FeeLines = p.result.Tables.Visits.Len(), p.result.Tables.Fees.Len()
	run.IngestSeconds, run.BuildSeconds = p.ingestTime.Seconds(), p.buildTime.Seconds()
	run.Seconds = run.IngestSeconds + run.BuildSeconds + run.DetectSeconds
	run.Rings = len(found.Rings)
	for _, f := range p.result.Files {
		run.Rows += f.Read
		if st, err := os.Stat(f.Path); err == nil {
			run.Bytes += st.Size()
		}
	}
	if push != nil {
		if err := push(p.graph, found); err != nil {
			return run, nil, err
		}
	}
	p = nil
	runtime.GC() // return this run's tables and graph before the next one
	return run, found, nil
}

// The files of a data set (docs/data-contract.md) and the columns the
// partitioning reads.
const (
	filePsn       = "psn"
	fileFixmedins = "fixmedins"
	fileStaff     = "staff"
	fileCatalog   = "catalog"
	fileMdtrt     = "mdtrt"
	fileFees      = "fee_list"
)

// unknownRegion is the partition of visits whose institution has no
// region (no admdvs and a code without region digits).
const unknownRegion = "000000"

// partMask is a set of partitions, by index in citySplit.regions.
type partMask uint64

// maxPartitions is the number of partitions a partMask can hold.
const maxPartitions = 64

// citySplit is a city cut into partitions by region.
type citySplit struct {
	root    string            // the partitions' parent directory
	level   string            // district or city
	regions []string          // admdvs of each partition, sorted
	index   map[string]int    // admdvs → index in regions
	inst    map[string]string // fixmedins_code → admdvs of the institution
	// persons holds, per psn_no, the partitions whose visits name the
	// person.
	persons map[string]partMask
}

// cut is the partition of region admdvs: the district itself, or at city
// level its first four digits followed by 00 (e.g. 350203 → 350200).
func (s *citySplit) cut(admdvs string) string {
	if s.level == "city" && claims.Digits(admdvs, 6) {
		return admdvs[:4] + "00"
	}
	return admdvs
}

// dir is the data directory of the partition of region reg.
func (s *citySplit) dir(reg string) string { return filepath.Join(s.root, reg) }

// regionOf is the partition of institution code: that of its fixmedins
// row, else the region its code carries.
func (s *citySplit) regionOf(code string) string {
	if r, ok := s.inst[code]; ok {
		return r
	}
	return s.cut(institutionRegion(code, ""))
}

// regionPrefix is the region prefix (rings.Options.Region) of the
// partition of region reg: its first four digits at city level, all six
// by district, none for unknownRegion (its institutions carry no region).
func (s *citySplit) regionPrefix(reg string) string {
	switch {
	case reg == unknownRegion:
		return ""
	case s.level == "city":
		return reg[:4]
	}
	return reg
}

// institutionRegion is the region of an institution
// (claims.InstitutionRegion: its admdvs, else the region digits of its
// national code), else unknownRegion.
func institutionRegion(code, admdvs string) string {
	if r := claims.InstitutionRegion(code, admdvs); r != "" {
		return r
	}
	return unknownRegion
}

// splitCity cuts the city in src into one data directory per region under
// dst: every visit goes to the region of its institution with its fee
// lines; each partition gets the persons its visits name, the staff rows
// of the doctors on its claims or registered at its institutions, the
// institutions of those (its own and the foreign sites where its doctors
// are registered) and the whole catalogue.
func splitCity(ctx context.Context, src, dst, level string) (*citySplit, error) {
	sp := &citySplit{root: dst, level: level, index: map[string]int{}, inst: map[string]string{}, persons: map[string]partMask{}}
	insts, err := readAll(src, fileFixmedins)
	if err != nil {
		return nil, err
	}
	ic, ac := insts.col("fixmedins_code"), insts.col("admdvs")
	if ic < 0 {
		return nil, fmt.Errorf("%s: no fixmedins_code column", insts.name)
	}
	for _, row := range insts.rows {
		sp.inst[row[ic]] = sp.cut(institutionRegion(row[ic], field(row, ac)))
	}
	staff, err := readAll(src, fileStaff)
	if err != nil {
		return nil, err
	}
	// Regions: those of the institutions and of the visits' institutions
	// missing from fixmedins, found while reading the visits.
	for _, r := range sp.inst {
		sp.addRegion(r)
	}
	sp.sortRegions()

	parts := make([]*dataWriter, 0, len(sp.regions))
	defer func() {
		for _, w := range parts {
			w.close()
		}
	}()
	writerOf := func(reg string) (*dataWriter, error) {
		i, ok := sp.index[reg]
		if !ok {
			return nil, fmt.Errorf("region %s of no institution", reg)
		}
		for len(parts) <= i {
			w, err := newDataWriter(sp.dir(sp.regions[len(parts)]))
			if err != nil {
				return nil, err
			}
			parts = append(parts, w)
		}
		return parts[i], nil
	}
	for _, r := range sp.regions {
		if _, err := writerOf(r); err != nil {
			return nil, err
		}
	}

	// Visits: to the region of their institution. Regions only visits
	// name (an institution missing from fixmedins) are added on the way.
	visitPart := map[string]uint8{}
	persons := sp.persons
	doctors := map[string]partMask{}
	mt, err := openTable(src, fileMdtrt)
	if err != nil {
		return nil, err
	}
	defer mt.close()
	idc, pc, fc, dc := mt.col("mdtrt_id"), mt.col("psn_no"), mt.col("fixmedins_code"), mt.col("atddr_no")
	if idc < 0 || pc < 0 || fc < 0 {
		return nil, fmt.Errorf("%s: needs mdtrt_id, psn_no and fixmedins_code", mt.name)
	}
	for n := 0; ; n++ {
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, err := mt.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		reg := sp.regionOf(row[fc])
		if _, ok := sp.index[reg]; !ok {
			if len(sp.regions) >= maxPartitions {
				return nil, fmt.Errorf("more than %d regions", maxPartitions)
			}
			sp.index[reg] = len(sp.regions)
			sp.regions = append(sp.regions, reg)
		}
		w, err := writerOf(reg)
		if err != nil {
			return nil, err
		}
		i := sp.index[reg]
		bit := partMask(1) << i
		visitPart[strings.Clone(row[idc])] = uint8(i)
		addMask(persons, row[pc], bit)
		if d := field(row, dc); d != "" {
			addMask(doctors, d, bit)
		}
		if err := w.write(fileMdtrt, mt.header, row); err != nil {
			return nil, err
		}
	}

	// Fee lines: to their visit's partition; lines of unknown visits are
	// left out (ingest would reject them).
	ft, err := openTable(src, fileFees)
	if err != nil {
		return nil, err
	}
	defer ft.close()
	vc, bc := ft.col("mdtrt_id"), ft.col("bilg_dr_codg")
	if vc < 0 {
		return nil, fmt.Errorf("%s: no mdtrt_id column", ft.name)
	}
	for n := 0; ; n++ {
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		row, err := ft.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		i, ok := visitPart[row[vc]]
		if !ok {
			continue
		}
		if d := field(row, bc); d != "" {
			addMask(doctors, d, partMask(1)<<i)
		}
		if err := parts[i].write(fileFees, ft.header, row); err != nil {
			return nil, err
		}
	}
	visitPart = nil

	// Persons: to every partition that treats them.
	pt, err := openTable(src, filePsn)
	if err != nil {
		return nil, err
	}
	defer pt.close()
	ppc := pt.col("psn_no")
	if ppc < 0 {
		return nil, fmt.Errorf("%s: no psn_no column", pt.name)
	}
	for {
		row, err := pt.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		for mask := persons[row[ppc]]; mask != 0; mask &= mask - 1 {
			if err := parts[bits.TrailingZeros64(uint64(mask))].write(filePsn, pt.header, row); err != nil {
				return nil, err
			}
		}
	}

	// Staff: to the partitions of the doctor's claims and of the site;
	// institutions: to their own partition and to those of staff
	// registered there.
	sdc, sic := staff.col("dr_code"), staff.col("fixmedins_code")
	if sdc < 0 || sic < 0 {
		return nil, fmt.Errorf("%s: needs dr_code and fixmedins_code", staff.name)
	}
	instParts := map[string]partMask{}
	for _, row := range staff.rows {
		mask := doctors[row[sdc]]
		if i, ok := sp.index[sp.regionOf(row[sic])]; ok {
			mask |= partMask(1) << i
		}
		instParts[row[sic]] |= mask
		for ; mask != 0; mask &= mask - 1 {
			if err := parts[bits.TrailingZeros64(uint64(mask))].write(fileStaff, staff.header, row); err != nil {
				return nil, err
			}
		}
	}
	for _, row := range insts.rows {
		mask := instParts[row[ic]] | partMask(1)<<sp.index[sp.inst[row[ic]]]
		for ; mask != 0; mask &= mask - 1 {
			if err := parts[bits.TrailingZeros64(uint64(mask))].write(fileFixmedins, insts.header, row); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range parts {
		if err := w.ensure(fileStaff, staff.header); err != nil {
			return nil, err
		}
		if err := w.ensure(filePsn, pt.header); err != nil {
			return nil, err
		}
		if err := w.ensure(fileFees, ft.header); err != nil {
			return nil, err
		}
		if err := copyTable(src, w.dir, fileCatalog); err != nil {
			return nil, err
		}
	}
	for _, w := range parts {
		if err := w.close(); err != nil {
			return nil, err
		}
	}
	parts = nil
	return sp, nil
}

// addRegion adds region r to sp's partitions if it is new.
func (s *citySplit) addRegion(r string) {
	if _, ok := s.index[r]; !ok {
		s.index[r] = len(s.regions)
		s.regions = append(s.regions, r)
	}
}

// sortRegions orders the partitions by admdvs.
func (s *citySplit) sortRegions() {
	sort.Strings(s.regions)
	for i, r := range s.regions {
		s.index[r] = i
	}
}

// addMask adds bit to the mask of key, cloning key when it is new (the
// CSV reader's strings share one buffer per record).
func addMask(m map[string]partMask, key string, bit partMask) {
	if v, ok := m[key]; ok {
		m[key] = v | bit
		return
	}
	m[strings.Clone(key)] = bit
}

// field returns row[i], or "" when the column is absent (i < 0) or the
// row short.
func field(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// crossKeys are the keys of one partition that other partitions may share.
type crossKeys struct {
	persons, traces map[string]partMask
	// doctors is registered ∪ billing: the partitions where a doctor is
	// registered at a site (staff.csv) or on claims (atddr_no,
	// bilg_dr_codg).
	doctors, registered, billing map[string]partMask
	insuredElsewhere             map[string]partMask // persons treated in a partition other than their place insured
	// days are where and when each doctor on the claims works, for the
	// doctor-visit window (takeDoctorVisit); parts is the number of
	// partitions and doctorVisits the selection (doctorVisitsWindow or
	// doctorVisitsAll).
	days         map[string]*doctorDays
	parts        int
	doctorVisits string
}

// newCrossKeys returns empty keys for parts partitions with the given
// doctor-visit selection.
func newCrossKeys(parts int, doctorVisits string) crossKeys {
	return crossKeys{
		persons: map[string]partMask{}, doctors: map[string]partMask{}, registered: map[string]partMask{},
		billing: map[string]partMask{}, traces: map[string]partMask{}, insuredElsewhere: map[string]partMask{},
		days: map[string]*doctorDays{}, parts: parts, doctorVisits: doctorVisits,
	}
}

// addSuspects adds to suspects the patients and doctors of f's rings and
// those f scored at least minScore.
func addSuspects(suspects map[string]bool, f *findings.Findings, minScore float64) {
	for _, r := range f.Rings {
		for _, m := range r.Members {
			suspects[m.Kind+"\x00"+m.ID] = true
		}
	}
	for i := range f.Entities.Len() {
		if f.Entities.Score(i) >= minScore {
			e := f.Entities.At(i)
			suspects[e.Kind+"\x00"+e.ID] = true
		}
	}
}

// crossPartitions runs the cross-partition pass on the partitions of sp:
// it reads every partition's keys (what each would export), finds those
// in two or more partitions, and writes the boundary data set into dst:
// every visit touching a crossing person, doctor or trace code, or of a
// person insured in another region, with its fee lines, persons, staff
// and institutions. With suspects not nil, only the people and doctors in
// it count (doctors registered in several partitions and trace codes
// sold in several always do): the partitions exchange the neighbourhood
// of what they already suspect.
func crossPartitions(ctx context.Context, sp *citySplit, dst string, suspects map[string]bool, doctorVisits string) (provinceCross, error) {
	var cr provinceCross
	start := time.Now()
	k := newCrossKeys(len(sp.regions), doctorVisits)
	for i, reg := range sp.regions {
		if err := ctx.Err(); err != nil {
			return cr, err
		}
		if err := k.read(sp, i, reg); err != nil {
			return cr, fmt.Errorf("partition %s: %w", reg, err)
		}
	}
	k.settleDays()
	for _, m := range []map[string]partMask{k.persons, k.doctors, k.traces} {
		for key, mask := range m {
			n := int64(bits.OnesCount64(uint64(mask)))
			cr.KeyRows += n
			cr.KeyBytes += n * int64(len(key)+2+6+2) // kind,key,admdvs and newline
		}
	}
	crossing := func(m map[string]partMask) map[string]bool {
		out := map[string]bool{}
		for key, mask := range m {
			if bits.OnesCount64(uint64(mask)) >= 2 {
				out[key] = true
			}
		}
		return out
	}
	people, doctors, traces := crossing(k.persons), crossing(k.doctors), crossing(k.traces)
	for d := range doctors {
		if _, ok := k.registered[d]; !ok {
			delete(doctors, d)
			cr.UnregisteredCodes++
		}
	}
	registered := crossing(k.registered)
	cr.People, cr.Doctors, cr.TraceCodes = len(people), len(doctors), len(traces)
	cr.DoctorsRegistered, cr.DoctorsBilling = len(registered), len(crossing(k.billing))
	cr.PeopleInsuredElsewhere = len(k.insuredElsewhere)
	if suspects != nil {
		keep := func(m map[string]bool, kind string) {
			for key := range m {
				if !suspects[kind+"\x00"+key] {
					delete(m, key)
				}
			}
		}
		keep(people, findings.KindPatient)
		keep(doctors, findings.KindDoctor)
		for d := range registered {
			doctors[d] = true
		}
		for p := range k.insuredElsewhere {
			if !suspects[findings.KindPatient+"\x00"+p] {
				delete(k.insuredElsewhere, p)
			}
		}
		cr.Suspects = len(suspects)
		cr.BoundaryPeople, cr.BoundaryDoctors = len(people), len(doctors)
	}
	cr.KeySeconds = time.Since(start).Seconds()

	start = time.Now()
	if err := extractBoundary(ctx, sp, dst, &k, people, doctors, traces, &cr); err != nil {
		return cr, err
	}
	cr.ExtractSeconds = time.Since(start).Seconds()
	return cr, nil
}

// read adds the keys of partition i (region reg) to k.
func (k *crossKeys) read(sp *citySplit, i int, reg string) error {
	dir := sp.dir(reg)
	bit := partMask(1) << i
	insured := map[string]bool{} // persons of this partition insured elsewhere
	err := scanColumns(dir, filePsn, []string{"psn_no", "insuplc_admdvs"}, func(t *tableReader, row []string, c []int) error {
		if c[0] < 0 {
			return fmt.Errorf("%s: no psn_no column", t.name)
		}
		if ins := field(row, c[1]); ins != "" && sp.cut(ins) != reg {
			insured[strings.Clone(row[c[0]])] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	refunded, err := refundedVisits(dir)
	if err != nil {
		return err
	}
	// A visit its refunds reverse (fund netted to zero or less, as ingest
	// nets them) is no care: like the graph, which gives it no edge, the
	// keys leave it out. Its rows wait for the end of the scan.
	type pending struct {
		fund     float64
		psn, doc string
	}
	held := map[string]*pending{}
	add := func(psn, doc string) {
		addMask(k.persons, psn, bit)
		if insured[psn] {
			addMask(k.insuredElsewhere, psn, bit)
		}
		if doc != "" {
			addMask(k.doctors, doc, bit)
			addMask(k.billing, doc, bit)
		}
	}
	mdtrtCols := []string{"psn_no", "atddr_no", "mdtrt_id", "fund_pay_sumamt", "refd_setl_flag", "begntime"}
	err = scanColumns(dir, fileMdtrt, mdtrtCols, func(t *tableReader, row []string, c []int) error {
		mpc, dc, ic, fc, rc, tc := c[0], c[1], c[2], c[3], c[4], c[5]
		if mpc < 0 {
			return fmt.Errorf("%s: no psn_no column", t.name)
		}
		if d := field(row, dc); d != "" {
			k.note(d, i, field(row, tc))
		}
		id := field(row, ic)
		if !refunded[id] {
			add(row[mpc], field(row, dc))
			return nil
		}
		h := held[id]
		if h == nil {
			h = &pending{}
			held[strings.Clone(id)] = h
		}
		fund, _ := strconv.ParseFloat(field(row, fc), 64)
		h.fund += fund
		if field(row, rc) != "1" {
			h.psn, h.doc = strings.Clone(row[mpc]), strings.Clone(field(row, dc))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, h := range held {
		if h.psn != "" && h.fund > 0 {
			add(h.psn, h.doc)
		}
	}
	err = scanColumns(dir, fileFees, []string{"bilg_dr_codg", "drug_trac_codg", "fee_ocur_time"}, func(_ *tableReader, row []string, c []int) error {
		bc, trc, fdc := c[0], c[1], c[2]
		if d := field(row, bc); d != "" {
			addMask(k.doctors, d, bit)
			addMask(k.billing, d, bit)
			k.note(d, i, field(row, fdc))
		}
		if t := field(row, trc); t != "" {
			addMask(k.traces, t, bit)
		}
		return nil
	})
	if err != nil {
		return err
	}

	st, err := readAll(dir, fileStaff)
	if err != nil {
		return err
	}
	sdc, sic := st.col("dr_code"), st.col("fixmedins_code")
	for _, row := range st.rows {
		if sp.inst[row[sic]] == reg { // registered at one of this partition's own sites
			addMask(k.doctors, row[sdc], bit)
			addMask(k.registered, row[sdc], bit)
		}
	}
	return nil
}

// refundedVisits returns the mdtrt_id of the refund rows
// (refd_setl_flag 1) of the visits of the data set in dir.
func refundedVisits(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	err := scanColumns(dir, fileMdtrt, []string{"mdtrt_id", "refd_setl_flag"}, func(_ *tableReader, row []string, c []int) error {
		if field(row, c[1]) == "1" {
			out[strings.Clone(field(row, c[0]))] = true
		}
		return nil
	})
	return out, err
}

// extractBoundary writes the boundary data set into dst from every
// partition and counts it in cr.
func extractBoundary(ctx context.Context, sp *citySplit, dst string, k *crossKeys, people, doctors, traces map[string]bool, cr *provinceCross) error {
	w, err := newDataWriter(dst)
	if err != nil {
		return err
	}
	defer w.close()
	seenPsn, seenStaff, seenInst := map[string]bool{}, map[string]bool{}, map[string]bool{}
	var staffHeader, instHeader []string
	for i, reg := range sp.regions {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := sp.dir(reg)
		bit := partMask(1) << i
		// Visits with a fee line of a crossing trace code or billing doctor.
		byTrace, byDoctor := map[string]bool{}, map[string]bool{}
		feeCols := []string{"mdtrt_id", "drug_trac_codg", "bilg_dr_codg", "fee_ocur_time"}
		if err := scanColumns(dir, fileFees, feeCols, func(_ *tableReader, row []string, fc []int) error {
			if tr := field(row, fc[1]); tr != "" && traces[tr] {
				byTrace[strings.Clone(row[fc[0]])] = true
			}
			if d := field(row, fc[2]); d != "" && doctors[d] && k.takeDoctorVisit(d, i, field(row, fc[3])) {
				byDoctor[strings.Clone(row[fc[0]])] = true
			}
			return nil
		}); err != nil {
			return err
		}
		selected, psns, docs, insts := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
		mdtrtCols := []string{"mdtrt_id", "psn_no", "atddr_no", "begntime", "fixmedins_code"}
		if err := scanColumns(dir, fileMdtrt, mdtrtCols, func(t *tableReader, row []string, mc []int) error {
			id, psn, d := row[mc[0]], row[mc[1]], field(row, mc[2])
			p, ins := people[psn], k.insuredElsewhere[psn]&bit != 0
			dd := (d != "" && doctors[d] && k.takeDoctorVisit(d, i, field(row, mc[3]))) || byDoctor[id]
			tr := byTrace[id]
			if !p && !ins && !dd && !tr {
				return nil
			}
			cr.BoundaryVisitRows++
			cr.VisitsByPeople += b2i(p)
			cr.VisitsByInsured += b2i(ins)
			cr.VisitsByDoctors += b2i(dd)
			cr.VisitsByTraceCodes += b2i(tr)
			selected[strings.Clone(id)] = true
			psns[strings.Clone(psn)] = true
			if d != "" {
				docs[strings.Clone(d)] = true
			}
			insts[strings.Clone(row[mc[4]])] = true
			return w.write(fileMdtrt, t.header, row)
		}); err != nil {
			return err
		}
		if err := scanTable(dir, fileFees, func(t *tableReader, row []string) error {
			if !selected[row[t.col("mdtrt_id")]] {
				return nil
			}
			cr.BoundaryFeeLines++
			if d := field(row, t.col("bilg_dr_codg")); d != "" {
				docs[strings.Clone(d)] = true
			}
			return w.write(fileFees, t.header, row)
		}); err != nil {
			return err
		}
		if err := scanTable(dir, filePsn, func(t *tableReader, row []string) error {
			psn := row[t.col("psn_no")]
			if !psns[psn] || seenPsn[psn] {
				return nil
			}
			seenPsn[strings.Clone(psn)] = true
			return w.write(filePsn, t.header, row)
		}); err != nil {
			return err
		}
		st, err := readAll(dir, fileStaff)
		if err != nil {
			return err
		}
		staffHeader = st.header
		for _, row := range st.rows {
			key := row[st.col("dr_code")] + "\x00" + row[st.col("fixmedins_code")]
			if !docs[row[st.col("dr_code")]] || seenStaff[key] {
				continue
			}
			seenStaff[key] = true
			insts[row[st.col("fixmedins_code")]] = true
			if err := w.write(fileStaff, st.header, row); err != nil {
				return err
			}
		}
		it, err := readAll(dir, fileFixmedins)
		if err != nil {
			return err
		}
		instHeader = it.header
		for _, row := range it.rows {
			code := row[it.col("fixmedins_code")]
			if !insts[code] || seenInst[code] {
				continue
			}
			seenInst[code] = true
			if err := w.write(fileFixmedins, it.header, row); err != nil {
				return err
			}
		}
	}
	if len(sp.regions) > 0 {
		if err := copyTable(sp.dir(sp.regions[0]), dst, fileCatalog); err != nil {
			return err
		}
	}
	if err := w.ensure(fileStaff, staffHeader); err != nil {
		return err
	}
	if err := w.ensure(fileFixmedins, instHeader); err != nil {
		return err
	}
	if err := w.close(); err != nil {
		return err
	}
	cr.BoundaryRows, cr.BoundaryBytes = w.rows, w.bytes
	if st, err := os.Stat(filepath.Join(dst, fileCatalog+".csv")); err == nil {
		cr.BoundaryBytes += st.Size()
	}
	return nil
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// evaluate fills res.Recovery, res.Rings and res.PlantedSpanning from the
// truth and the rings of the whole city, of each partition and of the
// boundary.
func (res *provinceBench) evaluate(truth *fixtures.Truth, sp *citySplit, whole []findings.Ring, parts [][]findings.Ring, boundary []findings.Ring) error {
	var sources []ringSource
	for i, rs := range parts {
		sources = append(sources, ringSource{name: sp.regions[i], rings: rs})
	}
	union, unionDup := mergeRings(sources)
	withBoundary, bDup := mergeRings(append([]ringSource{{name: "boundary", rings: boundary}}, sources...))
	runs := []struct {
		name  string
		rings []findings.Ring
		dup   int
	}{{"whole", whole, 0}, {"partitions", union, unionDup}, {"partitions+boundary", withBoundary, bDup}}
	reports := make([]*eval.Report, len(runs))
	for i, r := range runs {
		rep, err := eval.Evaluate(truth, &findings.Findings{Rings: r.rings})
		if err != nil {
			return fmt.Errorf("evaluate %s: %w", r.name, err)
		}
		reports[i] = rep
		res.Recovery = append(res.Recovery, provinceRecovery{
			Run: r.name, Rings: len(r.rings), Duplicates: r.dup, Found: rep.Found, FoundAtK: rep.FoundAtK,
			K: rep.K, TopKMatched: rep.TopKMatched, PrecisionAtK: rep.PrecisionAtK,
		})
	}
	for i, p := range truth.Rings {
		regs := map[string]bool{}
		for _, m := range p.Members {
			if r, ok := sp.inst[m.ID]; ok && m.Kind != findings.KindPatient && m.Kind != findings.KindDoctor {
				regs[r] = true
			}
		}
		pr := provincePlanted{ID: p.ID, Typology: p.Typology, Regions: sortedKeys(regs),
			Whole: reports[0].Rings[i].Found, Partitions: reports[1].Rings[i].Found, Boundary: reports[2].Rings[i].Found}
		if len(regs) >= 2 {
			res.PlantedSpanning++
		}
		res.Rings = append(res.Rings, pr)
	}
	return nil
}

// ringSource is the rings one run reported.
type ringSource struct {
	name  string
	rings []findings.Ring
}

// mergeRings merges the rings of several runs into one ranked list: the
// sources are taken in order (the boundary first, when given, since it
// sees the relations the partitions cut), each ring of a source is
// dropped as a duplicate when it and an already kept ring share at least
// half of the members of each (the criterion eval matches planted rings
// with); then a kept ring of which at least half the members are in a
// larger kept ring of the same typology, or all of them in a larger kept
// ring of any typology, is dropped as a fragment of it (the boundary sees
// the crossing members of a partition's ring, a few of a pharmacy's
// customers, and may call them otherwise). The kept rings are ranked by
// score. IDs become
// "source/ID". It returns the rings and the duplicates and fragments
// dropped.
func mergeRings(sources []ringSource) ([]findings.Ring, int) {
	type keyed struct {
		ring findings.Ring
		set  map[string]bool
	}
	var kept []keyed
	dup := 0
	for _, s := range sources {
		for _, r := range s.rings {
			set := make(map[string]bool, len(r.Members))
			for _, m := range r.Members {
				set[m.Kind+"\x00"+m.ID] = true
			}
			isDup := false
			for _, k := range kept {
				n := sharedKeys(set, k.set)
				if n > 0 && 2*n >= len(set) && 2*n >= len(k.set) {
					isDup = true
					break
				}
			}
			if isDup {
				dup++
				continue
			}
			r.ID = s.name + "/" + r.ID
			kept = append(kept, keyed{r, set})
		}
	}
	whole := kept[:0:0]
	for i, a := range kept {
		fragment := false
		for j, b := range kept {
			if i == j || len(b.set) <= len(a.set) {
				continue
			}
			n := sharedKeys(a.set, b.set)
			if fragment = n > 0 && (n == len(a.set) || 2*n >= len(a.set) && a.ring.Typology == b.ring.Typology); fragment {
				break
			}
		}
		if fragment {
			dup++
			continue
		}
		whole = append(whole, a)
	}
	kept = whole
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].ring.Score > kept[j].ring.Score })
	out := make([]findings.Ring, len(kept))
	for i, k := range kept {
		out[i] = k.ring
		out[i].Rank = i + 1
	}
	return out, dup
}

// sharedKeys counts the keys of a that are in b.
func sharedKeys(a, b map[string]bool) int {
	n := 0
	for key := range a {
		if b[key] {
			n++
		}
	}
	return n
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// writeText prints the result as tables.
func (res *provinceBench) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	what := "a city"
	if res.Cities > 1 {
		what = fmt.Sprintf("a province of %d cities", res.Cities)
	}
	fmt.Fprintf(w, "province simulation: %s and a distant one, %s visits (preset %s, seed %d, %d planted rings, %d spanning partitions) cut into %d partitions by %s (admdvs), crossing doctors' visits: %s, GOMAXPROCS=%d\n\n",
		what, humanCount(res.Visits), res.Preset, res.Seed, res.Planted, res.PlantedSpanning, len(res.Partitions), res.Level, res.DoctorVisits, res.GOMAXPROCS)
	if res.ReferenceShare > 0 {
		fmt.Fprintf(w, "each partition given every claim of %.0f%% of the other partitions' people as peers (%.1f s to write); visits below include theirs (reference visits), rings are the partition's own\n\n",
			100*res.ReferenceShare, res.ReferenceSeconds)
	}
	fmt.Fprintln(tw, "partition\tvisits\treference visits\tfee lines\tMB\tingest s\tbuild s\tdetect s\ttotal s\trings\t")
	row := func(name string, r provinceRun) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", name, humanCount(int64(r.Visits)), humanCount(int64(r.ReferenceVisits)), humanCount(int64(r.FeeLines)),
			float64(r.Bytes)/1e6, r.IngestSeconds, r.BuildSeconds, r.DetectSeconds, r.Seconds, r.Rings)
	}
	for _, p := range res.Partitions {
		row(p.Region, p)
	}
	t := res.PartitionTotals
	fmt.Fprintf(tw, "all partitions\t%s\t%s\t%s\t%.1f\t\t\t\t%.2f\t%d\t\n", humanCount(int64(t.Visits)), humanCount(int64(t.ReferenceVisits)), humanCount(int64(t.FeeLines)), float64(t.Bytes)/1e6, t.Seconds, t.Rings)
	fmt.Fprintf(tw, "slowest partition\t\t\t\t\t\t\t\t%.2f\t\t\n", t.MaxSeconds)
	row("whole city", res.Whole)
	row("boundary", res.Boundary)
	if err := tw.Flush(); err != nil {
		return err
	}
	c := res.Cross
	fmt.Fprintf(w, "\ncross-partition relations: %s people treated in 2+ partitions, %s treated outside their place insured,\n",
		humanCount(int64(c.People)), humanCount(int64(c.PeopleInsuredElsewhere)))
	fmt.Fprintf(w, "  %s doctors in 2+ partitions (%s registered in 2+, %s on claims of 2+; %s unregistered codes on claims of 2+ not exchanged), %s trace codes sold in 2+\n",
		humanCount(int64(c.Doctors)), humanCount(int64(c.DoctorsRegistered)), humanCount(int64(c.DoctorsBilling)), humanCount(int64(c.UnregisteredCodes)), humanCount(int64(c.TraceCodes)))
	fmt.Fprintf(w, "  keys exchanged: %s rows, %.1f MB, %.2f s to read and match\n", humanCount(c.KeyRows), float64(c.KeyBytes)/1e6, c.KeySeconds)
	if res.BoundaryKeys == "suspects" {
		fmt.Fprintf(w, "  boundary keys: suspects only (%s suspects in the partitions): %s crossing people, %s doctors\n",
			humanCount(int64(c.Suspects)), humanCount(int64(c.BoundaryPeople)), humanCount(int64(c.BoundaryDoctors)))
	}
	fmt.Fprintf(w, "  boundary data set: %s visits (%.1f%% of the city; visit rows selected by people %s, insured elsewhere %s, doctors %s, trace codes %s),\n",
		humanCount(int64(res.Boundary.Visits)), 100*c.BoundaryShare, humanCount(c.VisitsByPeople), humanCount(c.VisitsByInsured), humanCount(c.VisitsByDoctors), humanCount(c.VisitsByTraceCodes))
	fmt.Fprintf(w, "    %s fee lines, %s rows, %.1f MB, extracted in %.2f s\n", humanCount(c.BoundaryFeeLines), humanCount(c.BoundaryRows), float64(c.BoundaryBytes)/1e6, c.ExtractSeconds)
	fmt.Fprintf(w, "  whole pass (keys + extract + boundary detection): %.2f s\n", c.Seconds)
	if res.Neo4j != nil {
		res.Neo4j.writeText(w, &res.Cross)
	}
	fmt.Fprintln(w)

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\trings\tduplicates\tplanted found\tfound in top K\tK\tprecision@K\t")
	for _, r := range res.Recovery {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d/%d\t%d/%d\t%d\t%s\t\n", r.Run, r.Rings, r.Duplicates, r.Found, res.Planted, r.FoundAtK, res.Planted, r.K, fmtPct(r.PrecisionAtK))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var lost []string
	for _, p := range res.Rings {
		if p.Whole != p.Partitions || p.Partitions != p.Boundary {
			lost = append(lost, fmt.Sprintf("%s (%s, %s): whole %s, partitions %s, +boundary %s", p.ID, p.Typology,
				strings.Join(p.Regions, "+"), yesNo(p.Whole), yesNo(p.Partitions), yesNo(p.Boundary)))
		}
	}
	if len(lost) > 0 {
		fmt.Fprintln(w, "\nplanted rings found differently:")
		for _, l := range lost {
			fmt.Fprintln(w, "  "+l)
		}
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// tableReader reads one CSV file of a data set (plain or gzipped).
type tableReader struct {
	name   string
	header []string
	cols   map[string]int
	f      *os.File
	gz     *gzip.Reader
	r      *csv.Reader
}

// tablePath finds base.csv or base.csv.gz in dir.
func tablePath(dir, base string) (string, error) {
	for _, ext := range []string{".csv", ".csv.gz"} {
		p := filepath.Join(dir, base+ext)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: no %s.csv or %s.csv.gz (bench province reads CSV data sets)", dir, base, base)
}

// openTable opens base's file in dir and reads its header.
func openTable(dir, base string) (*tableReader, error) {
	path, err := tablePath(dir, base)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	t := &tableReader{name: path, f: f}
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(path, ".gz") {
		if t.gz, err = gzip.NewReader(r); err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		r = t.gz
	}
	t.r = csv.NewReader(r)
	t.r.FieldsPerRecord = -1
	t.r.ReuseRecord = true
	h, err := t.r.Read()
	if err != nil {
		t.close()
		return nil, fmt.Errorf("read %s header: %w", path, err)
	}
	t.header = make([]string, len(h))
	t.cols = make(map[string]int, len(h))
	for i, c := range h {
		c = strings.TrimPrefix(c, "\ufeff")
		t.header[i] = c
		t.cols[c] = i
	}
	return t, nil
}

// col is the index of column name, or -1.
func (t *tableReader) col(name string) int {
	if i, ok := t.cols[name]; ok {
		return i
	}
	return -1
}

// next returns the next row (valid until the following call) or io.EOF.
func (t *tableReader) next() ([]string, error) {
	row, err := t.r.Read()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read %s: %w", t.name, err)
	}
	return row, err
}

// close closes the file.
func (t *tableReader) close() {
	if t.gz != nil {
		t.gz.Close()
	}
	t.f.Close()
}

// scanTable calls fn on every row of base's file in dir.
func scanTable(dir, base string, fn func(t *tableReader, row []string) error) error {
	t, err := openTable(dir, base)
	if err != nil {
		return err
	}
	defer t.close()
	for {
		row, err := t.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(t, row); err != nil {
			return err
		}
	}
}

// scanColumns is scanTable with the columns names resolved once: fn gets
// their indexes in cols (-1 for a column the file lacks; field reads
// those as "").
func scanColumns(dir, base string, names []string, fn func(t *tableReader, row []string, cols []int) error) error {
	var cols []int
	return scanTable(dir, base, func(t *tableReader, row []string) error {
		if cols == nil {
			cols = make([]int, len(names))
			for i, n := range names {
				cols[i] = t.col(n)
			}
		}
		return fn(t, row, cols)
	})
}

// table is a small file read whole.
type table struct {
	*tableReader
	rows [][]string
}

// readAll reads base's file in dir whole.
func readAll(dir, base string) (*table, error) {
	t, err := openTable(dir, base)
	if err != nil {
		return nil, err
	}
	defer t.close()
	t.r.ReuseRecord = false
	out := &table{tableReader: t}
	for {
		row, err := t.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out.rows = append(out.rows, row)
	}
}

// copyTable copies base's file from src into dst when src has one.
func copyTable(src, dst, base string) error {
	path, err := tablePath(src, base)
	if err != nil {
		return nil // optional file absent
	}
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	defer in.Close()
	target := filepath.Join(dst, filepath.Base(path))
	out, err := os.Create(target)
	if err != nil {
		return fmt.Errorf("copy %s: %w", path, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", path, target, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s to %s: %w", path, target, err)
	}
	return nil
}

// dataWriter writes the CSV files of one data directory, each created
// with its header on its first row.
type dataWriter struct {
	dir   string
	files map[string]*tableWriter
	rows  int64 // rows written, headers excluded
	bytes int64 // bytes written, once closed
}

// tableWriter is one CSV file being written.
type tableWriter struct {
	f  *os.File
	bw *bufio.Writer
	cw *csv.Writer
	n  countWriter
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func newDataWriter(dir string) (*dataWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	return &dataWriter{dir: dir, files: map[string]*tableWriter{}}, nil
}

// ensure creates base's file with header if no row was written to it.
func (w *dataWriter) ensure(base string, header []string) error {
	if _, ok := w.files[base]; ok || header == nil {
		return nil
	}
	_, err := w.file(base, header)
	return err
}

func (w *dataWriter) file(base string, header []string) (*tableWriter, error) {
	if t, ok := w.files[base]; ok {
		return t, nil
	}
	path := filepath.Join(w.dir, base+".csv")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	t := &tableWriter{f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	t.n.w = t.bw
	t.cw = csv.NewWriter(&t.n)
	w.files[base] = t
	if err := t.cw.Write(header); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return t, nil
}

// write appends row to base's file.
func (w *dataWriter) write(base string, header, row []string) error {
	t, err := w.file(base, header)
	if err != nil {
		return err
	}
	if err := t.cw.Write(row); err != nil {
		return fmt.Errorf("write %s/%s.csv: %w", w.dir, base, err)
	}
	w.rows++
	return nil
}

// close flushes and closes every file; it may be called more than once.
func (w *dataWriter) close() error {
	var errs []error
	for base, t := range w.files {
		t.cw.Flush()
		errs = append(errs, t.cw.Error(), t.bw.Flush(), t.f.Close())
		w.bytes += t.n.n
		delete(w.files, base)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("write %s: %w", w.dir, err)
	}
	return nil
}
