package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ringlens/ringlens/fixtures"
	"github.com/urfave/cli/v2"
)

func generateCommand() *cli.Command {
	var presets []string
	for _, p := range fixtures.Presets() {
		presets = append(presets, fmt.Sprintf("%s (%s)", p.Name, p.Description))
	}
	return &cli.Command{
		Name:      "generate",
		Usage:     "write a synthetic city with planted fraud rings",
		UsageText: "ringlens generate --preset huli --seed 1 --scale 200k --out city",
		Description: "Writes the data contract's files (psn, fixmedins, staff, catalog, mdtrt, fee_list)\n" +
			"and truth.json, which lists the planted rings with each member's role, the hard\n" +
			"negatives and the isolated rule violations. The same flags give the same bytes.\n\n" +
			"Presets: " + strings.Join(presets, "; "),
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "preset", Value: "default", Usage: "city preset"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "random seed"},
			&cli.StringFlag{Name: "scale", Value: "200k", Usage: "number of visits in the city (suffixes k and M allowed)"},
			&cli.StringFlag{Name: "out", Usage: "output directory (required)"},
			&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or jsonl"},
			&cli.BoolFlag{Name: "gzip", Usage: "gzip every file"},
			&cli.StringFlag{Name: "encoding", Value: "utf-8", Usage: "utf-8 or gb18030 (CSV only)"},
			&cli.IntFlag{Name: "rings", Usage: "rings the grammar preset composes (0: a default scaled by the city)"},
			citiesFlag(),
			&cli.StringFlag{Name: "drop", Usage: "optional contract columns to leave out of the files, comma-separated (e.g. mdtrt_cert_type,lat,lon), or \"optional\" for all of them"},
			&cli.StringFlag{Name: "hosp-lv", Usage: "coding of fixmedins.hosp_lv: text (default), national, grade or mixed"},
		}, logFlags()...),
		Action: runGenerate,
	}
}

// citiesFlag is --cities, the number of prefecture cities of a generated
// province (fixtures.Config.Cities).
func citiesFlag() cli.Flag {
	return &cli.IntFlag{Name: "cities", Value: 1, Usage: fmt.Sprintf("prefecture cities of the generated province, 1 to %d (more than 1: a capital taking referrals and cross-city care)", fixtures.MaxCities)}
}

// prefectures returns the number of prefecture cities flag of command cmd
// gives, or a usage error when it is outside 1 to fixtures.MaxCities.
func prefectures(c *cli.Context, cmd, flag string) (int, error) {
	n := c.Int(flag)
	if n < 1 || n > fixtures.MaxCities {
		return 0, usagef("%s: --%s %d: want 1 to %d", cmd, flag, n, fixtures.MaxCities)
	}
	return n, nil
}

func runGenerate(c *cli.Context) error {
	log, tty, err := newLogger(c)
	if err != nil {
		return err
	}
	if c.String("out") == "" {
		return usagef("generate: --out is required")
	}
	visits, err := parseScale(c.String("scale"))
	if err != nil {
		return usagef("generate: --scale: %v", err)
	}
	if !knownPreset(c.String("preset")) {
		return usagef("generate: unknown preset %q", c.String("preset"))
	}
	if c.Int("rings") < 0 {
		return usagef("generate: --rings %d: want 0 or more", c.Int("rings"))
	}
	if _, err := prefectures(c, "generate", "cities"); err != nil {
		return err
	}
	m := newMeter(log, c.App.ErrWriter, tty)
	cfg := fixtures.Config{
		Preset:   c.String("preset"),
		Seed:     c.Int64("seed"),
		Visits:   visits,
		Out:      c.String("out"),
		Format:   c.String("format"),
		Gzip:     c.Bool("gzip"),
		Encoding: c.String("encoding"),
		Rings:    c.Int("rings"),
		Cities:   c.Int("cities"),
		Drop:     splitList(c.String("drop")),
		HospLv:   c.String("hosp-lv"),
		Progress: func(done, total int64) { m.update("generate", "visits", done, total) },
	}
	start := time.Now()
	truth, err := fixtures.Generate(c.Context, cfg)
	m.finish()
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	log.Info().Str("preset", cfg.Preset).Int64("seed", cfg.Seed).Int("visits", visits).
		Int("rings", len(truth.Rings)).Int("hard_negatives", len(truth.HardNegatives)).
		Str("elapsed", roundDur(time.Since(start))).Str("out", cfg.Out).Msg("city written")
	return nil
}

// splitList splits a comma-separated flag value, dropping blanks; nil for
// an empty value.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func knownPreset(name string) bool {
	for _, p := range fixtures.Presets() {
		if p.Name == name {
			return true
		}
	}
	return false
}

// parseScale reads a visit count such as 5000, 200k, 2.5M or 10m.
func parseScale(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1e3, s[:len(s)-1]
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult, s = 1e6, s[:len(s)-1]
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || f*mult < 1 || f*mult > 1e9 {
		return 0, fmt.Errorf("want a visit count such as 5000, 200k or 10M, not %q", s)
	}
	return int(f * mult), nil
}
