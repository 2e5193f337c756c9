package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringlens/ringlens/algorithms/eval"
	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/fixtures"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/ingest"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// Scales drawn for the cities of bench quality when --scale is not given.
const (
	qualityMinVisits = 150_000
	qualityMaxVisits = 300_000
)

// benchQualityCommand is `ringlens bench quality`: detection quality over
// several generated cities of varied make-up.
func benchQualityCommand() *cli.Command {
	return &cli.Command{
		Name:      "quality",
		Usage:     "generate several varied cities, detect in each and measure the findings against their truth",
		UsageText: "ringlens bench quality [--cities 6] [--seed 1] [--scale 200k] [--keep DIR] [--rules rules.json] [--json]",
		Description: "For city i of --cities, derives a configuration from (--seed, i): the grammar preset\n" +
			"(rings composed at random from primitives), every 4th city the default preset; a scale\n" +
			"drawn from 150k-300k visits (or --scale); a missing-column condition cycling through\n" +
			"none, mdtrt_cert_type, insuplc_admdvs+admdvs, lat+lon, drug_trac_codg,\n" +
			"atddr_no+bilg_dr_codg and optional (required columns only); and the coding of\n" +
			"hosp_lv cycling through text, national, grade and mixed. Each city is generated,\n" +
			"read, built and detected in this process like detect does, evaluated like eval does\n" +
			"(see package algorithms/eval), and deleted unless --keep. Prints one line per city,\n" +
			"the pooled metrics (recall and precision in the top K, merged rings, fragments, the planted share of the top K, hard negatives,\n" +
			"patient and doctor AUC mean and min) and recall by size band, typology, camouflage,\n" +
			"primitive and missing-column condition. Cities run one after the other.",
		Flags: append([]cli.Flag{
			&cli.IntFlag{Name: "cities", Value: 6, Usage: "number of cities"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed the cities' configurations are derived from"},
			&cli.StringFlag{Name: "scale", Usage: "visits of every city (k and M suffixes); default drawn from 150k-300k per city"},
			&cli.IntFlag{Name: "max-prefectures", Value: 1, Usage: fmt.Sprintf("draw each city's geography from 1 to N prefecture cities of a province (generate --cities; 1 to %d; 1: every city one prefecture, as the default)", fixtures.MaxCities)},
			&cli.StringFlag{Name: "keep", Usage: "keep the generated cities in `DIR` (city-00, city-01, ..., each replaced if present) instead of temporary directories"},
			&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters, as for detect"},
			ringParamsFlag(),
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			memoryLimitFlag(),
		}, logFlags()...),
		Action: runBenchQuality,
	}
}

// missingColumns is one missing-column condition: contract columns left out
// of a city's files.
type missingColumns struct {
	Name string
	Drop []string // Config.Drop; nil: none
}

// missingColumnConditions lists the conditions the cities cycle through.
func missingColumnConditions() []missingColumns {
	return []missingColumns{
		{"none", nil},
		{"mdtrt_cert_type", []string{"mdtrt_cert_type"}},
		{"insuplc_admdvs+admdvs", []string{"insuplc_admdvs", "admdvs"}},
		{"lat+lon", []string{"lat", "lon"}},
		{"drug_trac_codg", []string{"drug_trac_codg"}},
		{"atddr_no+bilg_dr_codg", []string{"atddr_no", "bilg_dr_codg"}},
		{"optional", []string{"optional"}},
	}
}

// hospLvCodings lists the hosp_lv codings the cities cycle through.
func hospLvCodings() []string {
	return []string{fixtures.HospLvText, fixtures.HospLvNational, fixtures.HospLvGrade, fixtures.HospLvMixed}
}

// qualityCity is the configuration of one city of bench quality.
type qualityCity struct {
	Index     int      `json:"index"`
	Preset    string   `json:"preset"`
	Seed      int64    `json:"seed"`
	Visits    int      `json:"visits"`
	Condition string   `json:"condition"` // missing-column condition
	Drop      []string `json:"drop,omitempty"`
	HospLv    string   `json:"hosp_lv"`
	// Prefectures is the number of prefecture cities of the generated
	// province (fixtures.Config.Cities).
	Prefectures int `json:"prefectures"`
}

// qualityCityConfig derives city i of a run with seed from its own
// deterministic generator: the grammar preset, the default preset for every
// 4th city; visits drawn from 150k-300k unless scale > 0; the i-th
// missing-column condition and hosp_lv coding, cyclically; prefecture
// cities drawn from 1 to maxPrefectures (drawn last, so that the rest of
// the configuration does not depend on it).
func qualityCityConfig(seed int64, i, scale, maxPrefectures int) qualityCity {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(i)))
	conds, lvs := missingColumnConditions(), hospLvCodings()
	q := qualityCity{
		Index:     i,
		Preset:    fixtures.PresetGrammar,
		Seed:      rng.Int64N(1 << 31),
		Visits:    qualityMinVisits + rng.IntN(qualityMaxVisits-qualityMinVisits+1),
		Condition: conds[i%len(conds)].Name,
		Drop:      conds[i%len(conds)].Drop,
		HospLv:    lvs[i%len(lvs)],
	}
	if i%4 == 3 {
		q.Preset = fixtures.PresetDefault
	}
	if scale > 0 {
		q.Visits = scale
	}
	q.Prefectures = 1
	if maxPrefectures > 1 {
		q.Prefectures = 1 + rng.IntN(maxPrefectures)
	}
	return q
}

// fixturesConfig is the generator configuration of the city, written into
// dir.
func (q qualityCity) fixturesConfig(dir string) fixtures.Config {
	return fixtures.Config{Preset: q.Preset, Seed: q.Seed, Visits: q.Visits, Out: dir, Drop: q.Drop, HospLv: q.HospLv, Cities: q.Prefectures}
}

// qualityCityResult is the outcome of one city.
type qualityCityResult struct {
	qualityCity
	Planted      int          `json:"planted"`
	Reported     int          `json:"reported"`
	Rejected     int64        `json:"rejected"` // rows ingest rejected
	Merged       int          `json:"merged"`
	HardNegs     int          `json:"hard_negatives_reported"`
	RecallAtK    *float64     `json:"recall_at_k"`
	PrecisionAtK *float64     `json:"precision_at_k"`
	PatientAUC   *float64     `json:"patient_auc"`
	DoctorAUC    *float64     `json:"doctor_auc"`
	Seconds      float64      `json:"seconds"` // generate, ingest, build, detect and evaluate
	Report       *eval.Report `json:"report"`
}

// aucStats are the mean and minimum of one AUC over the cities that have it.
type aucStats struct {
	Cities int      `json:"cities"` // cities with this AUC (not n/a)
	Mean   *float64 `json:"mean"`
	Min    *float64 `json:"min"`
}

// add counts one city's AUC (nil: n/a, skipped).
func (a *aucStats) add(v *float64) {
	if v == nil {
		return
	}
	if a.Min == nil || *v < *a.Min {
		m := *v
		a.Min = &m
	}
	mean := *v
	if a.Mean != nil {
		mean = (*a.Mean*float64(a.Cities) + *v) / float64(a.Cities+1)
	}
	a.Mean = &mean
	a.Cities++
}

// qualityTotals are metrics pooled over several cities: recall and
// precision are ratios of the summed counts.
type qualityTotals struct {
	Cities             int      `json:"cities"`
	Planted            int      `json:"planted"`
	Reported           int      `json:"reported"`
	Found              int      `json:"found"`      // by any reported ring
	FoundAtK           int      `json:"found_at_k"` // by a top-K reported ring
	TopK               int      `json:"top_k"`
	TopKMatched        int      `json:"top_k_matched"`
	Recall             *float64 `json:"recall"`
	RecallAtK          *float64 `json:"recall_at_k"`
	PrecisionAtK       *float64 `json:"precision_at_k"`
	TypologyKnown      int      `json:"typology_known"`
	TypologyKnownRight int      `json:"typology_known_right"`
	TypologyAccuracy   *float64 `json:"typology_accuracy"`
	// UnclassifiedFound counts the found planted rings of typology
	// unclassified, UnclassifiedCalled the typologies their best rings
	// were given.
	UnclassifiedFound  int            `json:"unclassified_found"`
	UnclassifiedCalled map[string]int `json:"unclassified_called"`
	Merged             int            `json:"merged"`
	// Fragments counts the top-K rings that match no planted ring but are
	// mostly one planted ring's members (eval.FragmentRing); FragmentsOfFound
	// those whose planted ring was found whole elsewhere.
	Fragments        int `json:"fragments"`
	FragmentsOfFound int `json:"fragments_of_found"`
	// PlantedShareAtK is (TopKMatched + Fragments) / TopK
	// (eval.Report.PlantedShareAtK).
	PlantedShareAtK *float64 `json:"planted_share_at_k"`
	HardNegs        int      `json:"hard_negatives_reported"`
	PatientAUC      aucStats `json:"patient_auc"`
	DoctorAUC       aucStats `json:"doctor_auc"`
}

// add pools one city's report.
func (t *qualityTotals) add(r *eval.Report) {
	t.Cities++
	t.Planted += r.Planted
	t.Reported += r.Reported
	t.Found += r.Found
	t.FoundAtK += r.FoundAtK
	t.TopK += r.TopK
	t.TopKMatched += r.TopKMatched
	t.TypologyKnown += r.TypologyKnown
	t.TypologyKnownRight += r.TypologyKnownRight
	t.UnclassifiedFound += r.UnclassifiedFound
	if t.UnclassifiedCalled == nil {
		t.UnclassifiedCalled = map[string]int{}
	}
	for _, tc := range r.UnclassifiedCalled {
		t.UnclassifiedCalled[tc.Typology] += tc.Count
	}
	t.Merged += r.Merged
	t.Fragments += r.Fragments
	for _, fr := range r.FragmentRings {
		if fr.PlantedFound {
			t.FragmentsOfFound++
		}
	}
	t.HardNegs += len(r.HardNegReports)
	t.PatientAUC.add(kindAUC(r, findings.KindPatient))
	t.DoctorAUC.add(kindAUC(r, findings.KindDoctor))
	t.Recall = ratioOf(t.Found, t.Planted)
	t.RecallAtK = ratioOf(t.FoundAtK, t.Planted)
	t.PrecisionAtK = ratioOf(t.TopKMatched, t.TopK)
	t.PlantedShareAtK = ratioOf(t.TopKMatched+t.Fragments, t.TopK)
	t.TypologyAccuracy = ratioOf(t.TypologyKnownRight, t.TypologyKnown)
}

// qualityCondition is the pooled outcome of the cities of one
// missing-column condition.
type qualityCondition struct {
	Condition string `json:"condition"`
	qualityTotals
}

// qualityResult is what `ringlens bench quality` prints.
type qualityResult struct {
	Seed         int64               `json:"seed"`
	Cities       []qualityCityResult `json:"cities"`
	Overall      qualityTotals       `json:"overall"`
	BySize       []eval.Breakdown    `json:"by_size"`
	ByTypology   []eval.Breakdown    `json:"by_typology"`
	ByCamouflage []eval.Breakdown    `json:"by_camouflage"`
	ByPrimitive  []eval.Breakdown    `json:"by_primitive"`
	ByCondition  []qualityCondition  `json:"by_condition"` // in the order of the conditions
	// ByGeography pools the cities by prefecture cities ("1 prefecture",
	// "4 prefectures"), in that order; only with --max-prefectures above 1.
	ByGeography []qualityCondition `json:"by_geography,omitempty"`
}

func ratioOf(num, den int) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// kindAUC is the report's AUC of one entity kind, nil when n/a.
func kindAUC(r *eval.Report, kind string) *float64 {
	for _, a := range r.AUC {
		if a.Kind == kind {
			return a.AUC
		}
	}
	return nil
}

func runBenchQuality(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	n := c.Int("cities")
	if n < 1 {
		return usagef("bench quality: --cities %d: want at least 1", n)
	}
	scale := 0
	if s := c.String("scale"); s != "" {
		if scale, err = parseScale(s); err != nil {
			return usagef("bench quality: --scale: %v", err)
		}
		if scale < fixtures.MinVisits {
			return usagef("bench quality: --scale %d: want at least %d visits", scale, fixtures.MinVisits)
		}
	}
	maxPref, err := prefectures(c, "bench quality", "max-prefectures")
	if err != nil {
		return err
	}
	if err := applyMemoryLimit(c); err != nil {
		return err
	}
	set, params, err := detectionSettings(c)
	if err != nil {
		return err
	}
	keep := c.String("keep")
	if keep != "" {
		if err := os.MkdirAll(keep, 0o755); err != nil {
			return fmt.Errorf("bench quality: --keep: %w", err)
		}
	}

	res := qualityResult{Seed: c.Int64("seed")}
	for i := range n {
		if err := c.Context.Err(); err != nil {
			return fmt.Errorf("bench quality: %w", err)
		}
		q := qualityCityConfig(c.Int64("seed"), i, scale, maxPref)
		cr, err := runQualityCity(c, log, newMeter(log, c.App.ErrWriter, tty), q, keep, set, params)
		if err != nil {
			return fmt.Errorf("bench quality: city %d (%s, seed %d, %s visits, missing %s, hosp_lv %s): %w",
				i, q.Preset, q.Seed, humanCount(int64(q.Visits)), q.Condition, q.HospLv, err)
		}
		log.Info().Int("city", i).Int("of", n).Str("preset", q.Preset).Int64("seed", q.Seed).Int("visits", q.Visits).
			Str("missing", q.Condition).Str("hosp_lv", q.HospLv).Int("prefectures", q.Prefectures).Int("planted", cr.Planted).Int("reported", cr.Reported).
			Str("recall_at_k", fmtPct(cr.RecallAtK)).Str("precision_at_k", fmtPct(cr.PrecisionAtK)).Int("merged", cr.Merged).
			Str("patient_auc", fmtAUC(cr.PatientAUC)).Str("doctor_auc", fmtAUC(cr.DoctorAUC)).
			Str("elapsed", roundDur(time.Duration(cr.Seconds*float64(time.Second)))).Msg("city evaluated")
		res.Cities = append(res.Cities, cr)
		runtime.GC() // return the city's graph before the next one
	}
	res.aggregate(maxPref > 1)

	if c.Bool("json") {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("bench quality: write result: %w", err)
		}
		return nil
	}
	return res.writeText(c.App.Writer)
}

// runQualityCity generates city q, reads it, builds its graph, detects and
// evaluates. The city is written into keep/city-NN, or a temporary
// directory removed afterwards.
func runQualityCity(c *cli.Context, log zerolog.Logger, m *meter, q qualityCity, keep string, set rules.Set, params rings.Params) (qualityCityResult, error) {
	start := time.Now()
	cr := qualityCityResult{qualityCity: q}
	var dir string
	if keep != "" {
		dir = filepath.Join(keep, fmt.Sprintf("city-%02d", q.Index))
		if err := os.RemoveAll(dir); err != nil {
			return cr, fmt.Errorf("clear %s: %w", dir, err)
		}
	} else {
		var err error
		if dir, err = os.MkdirTemp("", "ringlens-quality-"); err != nil {
			return cr, fmt.Errorf("temporary directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}

	cfg := q.fixturesConfig(dir)
	cfg.Progress = func(done, total int64) { m.update("generate", "visits", done, total) }
	truth, err := fixtures.Generate(c.Context, cfg)
	m.finish()
	if err != nil {
		return cr, fmt.Errorf("generate: %w", err)
	}
	log.Debug().Int("city", q.Index).Str("dir", dir).Int64("visits", truth.Visits).Int("planted", len(truth.Rings)).Msg("city generated")

	p, err := loadGraph(c, m, dir, ingest.Options{DropSettlementIDs: true}, func(ingest.Reject) error {
		cr.Rejected++
		return nil
	})
	if err != nil {
		return cr, err
	}
	found, err := detectRings(c.Context, m, p.graph, set, params, 1, "")
	if err != nil {
		return cr, err
	}
	rep, err := eval.Evaluate(truth, found)
	if err != nil {
		return cr, fmt.Errorf("evaluate: %w", err)
	}
	cr.Report = rep
	cr.Planted, cr.Reported, cr.Merged, cr.HardNegs = rep.Planted, rep.Reported, rep.Merged, len(rep.HardNegReports)
	cr.RecallAtK, cr.PrecisionAtK = rep.RecallAtK, rep.PrecisionAtK
	cr.PatientAUC, cr.DoctorAUC = kindAUC(rep, findings.KindPatient), kindAUC(rep, findings.KindDoctor)
	cr.Seconds = time.Since(start).Seconds()
	return cr, nil
}

// aggregate pools the cities' reports into the overall metrics and the
// breakdowns.
func (res *qualityResult) aggregate(geography bool) {
	var sizes, typs, camo, prims [][]eval.Breakdown
	byCond := map[string]*qualityCondition{}
	byGeo := map[int]*qualityCondition{}
	for _, cr := range res.Cities {
		r := cr.Report
		res.Overall.add(r)
		sizes = append(sizes, r.BySize)
		typs = append(typs, eval.TypologyBreakdown(r.ByTypology))
		camo = append(camo, r.ByCamouflage)
		prims = append(prims, r.ByPrimitive)
		qc := byCond[cr.Condition]
		if qc == nil {
			qc = &qualityCondition{Condition: cr.Condition}
			byCond[cr.Condition] = qc
		}
		qc.add(r)
		if geography {
			g := byGeo[cr.Prefectures]
			if g == nil {
				g = &qualityCondition{Condition: prefecturesName(cr.Prefectures)}
				byGeo[cr.Prefectures] = g
			}
			g.add(r)
		}
	}
	for n := 1; n <= fixtures.MaxCities; n++ {
		if g := byGeo[n]; g != nil {
			res.ByGeography = append(res.ByGeography, *g)
		}
	}
	res.BySize = eval.SumBreakdowns(sizes...)
	res.ByTypology = eval.SumBreakdowns(typs...)
	res.ByCamouflage = eval.SumBreakdowns(camo...)
	res.ByPrimitive = eval.SumBreakdowns(prims...)
	res.ByCondition = []qualityCondition{}
	for _, mc := range missingColumnConditions() {
		if qc := byCond[mc.Name]; qc != nil {
			res.ByCondition = append(res.ByCondition, *qc)
		}
	}
}

// prefecturesName names a geography of n prefecture cities.
func prefecturesName(n int) string {
	if n == 1 {
		return "1 prefecture"
	}
	return fmt.Sprintf("%d prefectures", n)
}

func fmtPct(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100**r)
}

func fmtAUC(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", *r)
}

// fmtAUCStats formats mean and minimum of an AUC.
func fmtAUCStats(a aucStats) string {
	if a.Cities == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%s (min %s)", fmtAUC(a.Mean), fmtAUC(a.Min))
}

// calledList lists what found unclassified rings were called, most
// frequent first.
func calledList(called map[string]int) string {
	if len(called) == 0 {
		return ""
	}
	ts := make([]string, 0, len(called))
	for t := range called {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool {
		if called[ts[i]] != called[ts[j]] {
			return called[ts[i]] > called[ts[j]]
		}
		return ts[i] < ts[j]
	})
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%d as %s", called[t], t)
	}
	return "(called " + strings.Join(parts, ", ") + ")"
}

// writeConditions prints the pooled outcome of each group of cities (a
// missing-column condition, a geography) as rows of tw under a header
// naming the group by label.
func writeConditions(tw io.Writer, label string, rows []qualityCondition) {
	fmt.Fprintf(tw, "%s\tcities\tplanted\tfound in top K\trecall in top K\tprecision in top K\tplanted share\tpatient AUC\tdoctor AUC\t\n", label)
	for _, g := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", g.Condition, g.Cities, g.Planted, g.FoundAtK, fmtPct(g.RecallAtK),
			fmtPct(g.PrecisionAtK), fmtPct(g.PlantedShareAtK), fmtAUCStats(g.PatientAUC), fmtAUCStats(g.DoctorAUC))
	}
}

// writeText prints the result as readable tables.
func (res *qualityResult) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Detection quality on %d generated cities (seed %d)\n\n", len(res.Cities), res.Seed)
	fmt.Fprintln(tw, "city\tpreset\tseed\tvisits\tmissing columns\thosp_lv\tplanted\treported\trecall@K\tprecision@K\tmerged\thard neg\tpatient AUC\tdoctor AUC\trejected\ttime\t")
	for _, cr := range res.Cities {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%.1f s\t\n", cr.Index, cr.Preset, cr.Seed,
			humanCount(int64(cr.Visits)), cr.Condition, cr.HospLv, cr.Planted, cr.Reported, fmtPct(cr.RecallAtK), fmtPct(cr.PrecisionAtK),
			cr.Merged, cr.HardNegs, fmtAUC(cr.PatientAUC), fmtAUC(cr.DoctorAUC), humanCount(cr.Rejected), cr.Seconds)
	}
	o := res.Overall
	fmt.Fprintln(tw, "\nOverall (pooled over the cities; K = 2 × planted rings per city)")
	fmt.Fprintf(tw, "planted rings\t%d\t\n", o.Planted)
	fmt.Fprintf(tw, "ring recall in top K\t%s\t(%d of %d; %s among all reported)\n", fmtPct(o.RecallAtK), o.FoundAtK, o.Planted, fmtPct(o.Recall))
	fmt.Fprintf(tw, "precision in top K\t%s\t(%d of the top %d match a planted ring)\n", fmtPct(o.PrecisionAtK), o.TopKMatched, o.TopK)
	fmt.Fprintf(tw, "typology accuracy\t%s\t(%d of the %d found rings of a known typology)\n", fmtPct(o.TypologyAccuracy), o.TypologyKnownRight, o.TypologyKnown)
	fmt.Fprintf(tw, "unclassified found\t%d\t%s\n", o.UnclassifiedFound, calledList(o.UnclassifiedCalled))
	fmt.Fprintf(tw, "merged rings in top K\t%d\t\n", o.Merged)
	fmt.Fprintf(tw, "fragments in top K\t%d\t(unmatched rings at least half of whose members are one planted ring's; %d of rings found whole elsewhere)\n", o.Fragments, o.FragmentsOfFound)
	fmt.Fprintf(tw, "planted share of top K\t%s\t(%d matching + %d fragments of the top %d: planted fraud, whole or in part)\n", fmtPct(o.PlantedShareAtK), o.TopKMatched, o.Fragments, o.TopK)
	fmt.Fprintf(tw, "hard negatives reported\t%d\t(groups reported in the top K)\n", o.HardNegs)
	fmt.Fprintf(tw, "patient AUC\t%s\t(mean over %d cities)\n", fmtAUCStats(o.PatientAUC), o.PatientAUC.Cities)
	fmt.Fprintf(tw, "doctor AUC\t%s\t(mean over %d cities)\n", fmtAUCStats(o.DoctorAUC), o.DoctorAUC.Cities)

	fmt.Fprintln(tw, "\nRecall per missing-column condition")
	writeConditions(tw, "missing columns", res.ByCondition)
	if len(res.ByGeography) > 0 {
		fmt.Fprintln(tw, "\nRecall per geography")
		writeConditions(tw, "geography", res.ByGeography)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("bench quality: write result: %w", err)
	}
	tables := []struct {
		title, label string
		rows         []eval.Breakdown
	}{
		{"Recall per size band (patient members)", "size", res.BySize},
		{"Recall per typology", "typology", res.ByTypology},
		{"Recall per camouflage level", "camouflage", res.ByCamouflage},
		{"Recall per primitive (a ring counts under each of its primitives)", "primitive", res.ByPrimitive},
	}
	for _, t := range tables {
		if err := eval.WriteBreakdown(w, t.title, t.label, t.rows); err != nil {
			return fmt.Errorf("bench quality: %w", err)
		}
	}
	return nil
}
