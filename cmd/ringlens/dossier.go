package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ringlens/ringlens/viz/report"
	"github.com/urfave/cli/v2"
)

// dossierCommand is `ringlens dossier`: one ring's print-ready dossier from
// a detect output directory.
func dossierCommand() *cli.Command {
	return &cli.Command{
		Name:      "dossier",
		Usage:     "write one ring's print-ready dossier (HTML, or PDF with --pdf) from a detect output directory",
		UsageText: "ringlens dossier --in report --ring R001 [--lang zh|en] [--out FILE] [--pdf]",
		Description: "Reads rings.json, entities.csv and ring_visits.csv that detect wrote into --in and\n" +
			"writes the dossier of one ring: summary, why it is a ring, every member with its ring\n" +
			"visits, fund, rule hits, first and last visit, the timeline by day, every evidence item\n" +
			"with each cited visit and its own amount, the legal articles and the SHA-256 seal of\n" +
			"rings.json and entities.csv; A4 with page numbers, Chinese by default. --out defaults to\n" +
			"dossier-<ring>.html (.pdf with --pdf) in --in. --pdf prints it with headless Chromium\n" +
			"(chromium on PATH). The server answers the same document at GET /api/v1/rings/{id}/dossier.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "in", Usage: "output directory of detect (required)"},
			&cli.StringFlag{Name: "ring", Usage: "ring id, as in rings.json (required)"},
			&cli.StringFlag{Name: "lang", Value: "zh", Usage: "language: zh or en"},
			&cli.StringFlag{Name: "out", Usage: "file to write (default: dossier-<ring>.html, or .pdf with --pdf, in --in)"},
			&cli.BoolFlag{Name: "pdf", Usage: "write a PDF, printed by headless Chromium (chromium on PATH)"},
		}, logFlags()...),
		Action: runDossier,
	}
}

func runDossier(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	in, id, lang := c.String("in"), c.String("ring"), c.String("lang")
	if in == "" || id == "" {
		return usagef("dossier: --in and --ring are required")
	}
	if err := checkLang(lang); err != nil {
		return err
	}
	chromium := ""
	if c.Bool("pdf") {
		if chromium, err = exec.LookPath("chromium"); err != nil {
			return errors.New("dossier: --pdf needs Chromium: no chromium on PATH (install it, or leave out --pdf and print the HTML from a browser)")
		}
	}
	f, err := report.ReadFindings(in)
	if err != nil {
		return err
	}
	if err := report.ReadRingVisits(in, f); err != nil {
		return err
	}
	var html bytes.Buffer
	if err := report.WriteDossier(&html, f, id, filepath.Base(filepath.Clean(in)), lang); err != nil {
		return err
	}
	out := c.String("out")
	if out == "" {
		out = filepath.Join(in, report.DossierFile(id))
		if c.Bool("pdf") {
			out = strings.TrimSuffix(out, ".html") + ".pdf"
		}
	}
	if !c.Bool("pdf") {
		if err := os.WriteFile(out, html.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
		log.Info().Str("ring", id).Str("out", out).Msg("dossier written")
		return nil
	}
	if err := printPDF(c.Context, chromium, html.Bytes(), out); err != nil {
		return err
	}
	log.Info().Str("ring", id).Str("out", out).Msg("dossier printed")
	return nil
}

// printPDF prints an HTML document to the PDF file out with headless
// Chromium (the binary at chromium), from a temporary copy of the page.
func printPDF(ctx context.Context, chromium string, html []byte, out string) error {
	dir, err := os.MkdirTemp("", "ringlens-dossier-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "dossier.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+abs, "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("dossier: chromium failed: %w: %s", err, lastLine(stderr.String()))
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("dossier: chromium wrote no PDF to %s: %s", abs, lastLine(stderr.String()))
	}
	return nil
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
