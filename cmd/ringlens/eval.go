package main

import (
	"encoding/json"
	"fmt"

	"github.com/ringlens/ringlens/algorithms/eval"
	"github.com/ringlens/ringlens/fixtures"
	vizreport "github.com/ringlens/ringlens/viz/report"
	"github.com/urfave/cli/v2"
)

// evalCommand is `ringlens eval`: detection quality against the truth of a
// generated city.
func evalCommand() *cli.Command {
	return &cli.Command{
		Name:      "eval",
		Usage:     "measure detect's findings against the truth of a generated city",
		UsageText: "ringlens eval --truth city/truth.json --out report [--json]",
		Description: "Reads truth.json (written by generate) and the rings.json and entities.csv that\n" +
			"detect wrote into --out, and prints: ring recall (a planted ring is found when a\n" +
			"reported ring shares at least half of its members and at least half of the reported\n" +
			"ring's members are the planted one's), precision in the top K = 2 × planted rings,\n" +
			"recall per typology (unclassified included), per ring-size band, camouflage level and\n" +
			"primitive of the ring's shape, typology accuracy, merged rings (one reported ring\n" +
			"holding members of two planted ones), fragments (unmatched top-K rings at least half\n" +
			"of whose members are one planted ring's), hard negatives (legitimate look-alikes)\n" +
			"reported in the top K, ROC-AUC of the entity scores per kind, and the outcome for\n" +
			"every planted ring. `ringlens bench quality` runs the same over many generated cities.\n" +
			"See the documentation of package algorithms/eval for the exact rules.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "truth", Usage: "truth.json of the generated city (required)"},
			&cli.StringFlag{Name: "out", Usage: "output directory of detect, holding rings.json and entities.csv (required)"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
		}, logFlags()...),
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	truthPath, out := c.String("truth"), c.String("out")
	if truthPath == "" || out == "" {
		return usagef("eval: --truth and --out are required")
	}
	truth, err := fixtures.ReadTruth(truthPath)
	if err != nil {
		return fmt.Errorf("read %s: %w", truthPath, err)
	}
	findings, err := vizreport.ReadFindings(out)
	if err != nil {
		return err
	}
	log.Debug().Int("planted", len(truth.Rings)).Int("reported", len(findings.Rings)).Int("entities", findings.Entities.Len()).Msg("evaluating")
	rep, err := eval.Evaluate(truth, findings)
	if err != nil {
		return err
	}
	w := c.App.Writer
	if c.Bool("json") {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write evaluation: %w", err)
		}
		return nil
	}
	return rep.WriteText(w)
}
