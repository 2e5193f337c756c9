package main

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/viz/report"
	"github.com/urfave/cli/v2"
)

// detectionFlags are the flags of the detection stage of detect.
func detectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "rules", Usage: "rules file (JSON) overriding rule parameters; see algorithms/rules/RULES.md"},
		ringParamsFlag(),
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of community detection (same data, rules and seed give the same rings.json)"},
		&cli.StringFlag{Name: "lang", Value: "zh", Usage: "language of report.html and the terminal table: zh or en"},
		&cli.IntFlag{Name: "show", Value: 15, Usage: "rings to print in the terminal table"},
	}
}

// ruleSet returns the rules in force: the defaults, or --rules FILE.
func ruleSet(c *cli.Context) (rules.Set, error) {
	if path := c.String("rules"); path != "" {
		set, err := rules.LoadFile(path)
		if err != nil {
			return rules.Set{}, fmt.Errorf("rules: %w", err)
		}
		return set, nil
	}
	return rules.Defaults(), nil
}

// detectionSettings returns the rule set (--rules) and ring parameters
// (--ring-params) in force, shared by every command that detects.
func detectionSettings(c *cli.Context) (rules.Set, rings.Params, error) {
	set, err := ruleSet(c)
	if err != nil {
		return rules.Set{}, rings.Params{}, err
	}
	params, err := ringParams(c)
	return set, params, err
}

// ringParamsFlag is --ring-params, shared by every command that detects.
func ringParamsFlag() cli.Flag {
	return &cli.StringFlag{Name: "ring-params", Usage: "ring-formation parameters file (JSON) overriding thresholds; see docs/RING_PARAMS.md"}
}

// ringParams returns the ring-formation parameters in force: the
// defaults, or those of --ring-params FILE.
func ringParams(c *cli.Context) (rings.Params, error) {
	if path := c.String("ring-params"); path != "" {
		p, err := rings.LoadParams(path)
		if err != nil {
			return rings.Params{}, usagef("%v", err)
		}
		return p, nil
	}
	return rings.DefaultParams(), nil
}

// checkLang validates --lang before any work.
func checkLang(lang string) error {
	switch lang {
	case "zh", "zh-CN", "en":
		return nil
	}
	return usagef("--lang: want zh or en, not %q", lang)
}

// writeFindings writes rings.json, entities.csv, report.html,
// ring_visits.csv (the visits behind each ring's amount at risk) and
// single_hits.csv (report.html's appendix of single rule hits) into out and
// returns the report's path.
func writeFindings(out string, f *findings.Findings, meta report.Meta, lang string) (string, error) {
	// The files are rendered side by side (they only read f): report.html,
	// the slowest, beside the others in turn.
	var rj, ec, html, rv, sh bytes.Buffer
	var htmlErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := report.WriteHTML(&html, f, meta, lang); err != nil {
			htmlErr = fmt.Errorf("report.html: %w", err)
		}
	})
	err := func() error {
		if err := report.WriteRingsJSON(&rj, f); err != nil {
			return fmt.Errorf("rings.json: %w", err)
		}
		if err := report.WriteEntitiesCSV(&ec, f); err != nil {
			return fmt.Errorf("entities.csv: %w", err)
		}
		if err := report.WriteSingleHitsCSV(&sh, f); err != nil {
			return err
		}
		visits := make([]report.RingVisits, len(f.Rings))
		for i := range f.Rings {
			visits[i] = report.VisitsOf(&f.Rings[i], "", "")
		}
		return report.WriteRingVisitsCSV(&rv, visits...)
	}()
	wg.Wait()
	if err := cmp.Or(err, htmlErr); err != nil {
		return "", err
	}
	files := []struct {
		name string
		data []byte
	}{{report.RingsFile, rj.Bytes()}, {report.EntitiesFile, ec.Bytes()}, {report.HTMLFile, html.Bytes()},
		{report.VisitsFile, rv.Bytes()}, {report.SingleHitsFile, sh.Bytes()}}
	for _, file := range files {
		if err := os.WriteFile(filepath.Join(out, file.name), file.data, 0o644); err != nil {
			return "", fmt.Errorf("write %s: %w", file.name, err)
		}
	}
	return filepath.Join(out, "report.html"), nil
}

// reportMeta is the head of report.html in lang (zh or en): the dataset
// and what was read.
func reportMeta(in string, rep runSummary, started time.Time, lang string) report.Meta {
	label := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	return report.Meta{
		Dataset:   filepath.Base(filepath.Clean(in)),
		Generated: started.Format("2006-01-02 15:04"),
		Summary: []report.Fact{
			{Label: label("读取行数", "rows read"), Value: humanCount(rep.Rows.Read)},
			{Label: label("拒绝行数", "rows rejected"), Value: humanCount(rep.Rows.Rejected)},
			{Label: label("就诊", "visits"), Value: humanCount(int64(rep.Graph.Visits.Total))},
			{Label: label("时间范围", "period"), Value: rep.Graph.Span.First + " – " + rep.Graph.Span.Last},
		},
	}
}
