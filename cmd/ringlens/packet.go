package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/ringlens/ringlens/ingest"
	"github.com/ringlens/ringlens/viz/packet"
	"github.com/ringlens/ringlens/viz/report"
	"github.com/urfave/cli/v2"
)

// packetState reports whether a case in state s may have its packet
// built: under verification (a joint investigation with police),
// confirmed, penalised or transferred.
func packetState(s string) bool {
	switch s {
	case vocab.StateVerifying, vocab.StateConfirmed, vocab.StatePenalised, vocab.StateTransferred:
		return true
	}
	return false
}

// packetCommand is `ringlens packet`: the sealed evidence packet of a case.
func packetCommand() *cli.Command {
	return &cli.Command{
		Name:  "packet",
		Usage: "build and verify a case's sealed evidence packet for transfer to the police",
		Description: "A packet is one ZIP: the ring's dossier (HTML, PDF with chromium), XLSX workbooks of\n" +
			"members, visits and fee lines, rule hits and timeline, the transfer letter (移送函) and the\n" +
			"investigation-report skeleton (调查报告) filled from the case record, a manifest of the\n" +
			"SHA-256 of every file and the manifest's Ed25519 signature with the workspace's key\n" +
			"(docs/packets.md).",
		Subcommands: []*cli.Command{
			{
				Name:      "build",
				Usage:     "write a case's evidence packet (an audited export)",
				UsageText: "ringlens packet build --state DIR --in DETECT_OUT --case CL-000001 --out FILE.zip [--by USER] [--data CLAIMS_DIR] [--lang zh|en] [--no-pdf]",
				Description: "--in is the output of the detect run that recorded the case's ring (rings.json,\n" +
					"entities.csv, ring_visits.csv). --data, the claims that run read, adds every fee line of\n" +
					"the ring's visits; without it visits.xlsx lists the fee lines the evidence cites. The key\n" +
					"is DIR/" + packet.KeyFile + ", made on first use (mode 0600); its public half is\n" +
					"DIR/" + packet.PublicKeyFile + ", to give the receiving agency apart from the packet.",
				Flags: append([]cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "in", Usage: "output directory of detect (required)"},
					&cli.StringFlag{Name: "case", Usage: "case id, CL-000001 (required)"},
					&cli.StringFlag{Name: "out", Usage: "packet file to write, .zip (required)"},
					&cli.StringFlag{Name: "by", Usage: "who builds the packet (default: the login name)"},
					&cli.StringFlag{Name: "data", Usage: "the claims dataset detect read, for every fee line of the ring's visits"},
					&cli.StringFlag{Name: "lang", Value: "zh", Usage: "language of the dossier and workbooks: zh or en"},
					&cli.BoolFlag{Name: "no-pdf", Usage: "leave the dossier's PDF out even when chromium is on PATH"},
				}, logFlags()...),
				Action: runPacketBuild,
			},
			{
				Name:      "verify",
				Usage:     "check a packet; names every file missing, extra or altered, a bad signature, a swapped key",
				UsageText: "ringlens packet verify FILE.zip [--pubkey KEY.pem] [--json]",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "pubkey", Usage: "the workspace's public key, given apart from the packet (PEM)"},
					&cli.BoolFlag{Name: "json", Usage: "the report as JSON"},
				},
				Before: func(c *cli.Context) error {
					if c.Args().Len() == 0 {
						return usagef("packet verify: give the packet file")
					}
					return nil
				},
				Action: runPacketVerify,
			},
		},
	}
}

func runPacketBuild(c *cli.Context) error {
	log, _, err := newLogger(c)
	if err != nil {
		return err
	}
	id, out := c.String("case"), c.String("out")
	if c.String("in") == "" || id == "" || out == "" {
		return usagef("packet build: --in, --case and --out are required")
	}
	if err := checkLang(c.String("lang")); err != nil {
		return err
	}
	by := c.String("by")
	if by == "" {
		by = osUser()
	}
	// The export is audited before the file is written: make sure it can be.
	if st, err := os.Stat(filepath.Dir(out)); err != nil || !st.IsDir() {
		return fmt.Errorf("packet build: --out %s: no such directory to write it in", out)
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		started := time.Now()
		pin, err := packetInput(c, w, id, by)
		if err != nil {
			return err
		}
		p, err := packet.Build(pin)
		if err != nil {
			return err
		}
		err = w.RecordAccess(ctx, by, vocab.AuditExport, pin.Case.ID, "", map[string]any{"what": "evidence_packet", "ring": pin.Ring.ID,
			"manifest_sha256": p.ManifestSHA256, "files": len(p.Manifest.Files), "key": p.Manifest.KeyFingerprint})
		if err != nil {
			return err
		}
		if err := packet.WriteFile(out, p.Zip, 0o644); err != nil {
			return fmt.Errorf("packet build: write %s: %w", out, err)
		}
		for _, n := range p.Manifest.Notes {
			log.Warn().Str("case", pin.Case.ID).Msg(n)
		}
		log.Info().Str("case", pin.Case.ID).Str("ring", pin.Ring.ID).Int("bytes", len(p.Zip)).
			Str("took", time.Since(started).Round(time.Millisecond).String()).Msg("packet written")
		fmt.Fprintf(c.App.Writer, "%s: %d files, %d bytes, manifest sha256 %s, key %s\n",
			out, len(p.Manifest.Files), len(p.Zip), p.ManifestSHA256, p.Manifest.KeyFingerprint)
		return nil
	})
}

// packetInput gathers what the packet of case id is built from: the case
// record (in a state that may have a packet), its ring in the detect output
// of --in, the fee lines of --data and its people (whose names and ID
// numbers are masked in the case record's notes), the audit trail's head,
// the signing key of --state and the PDF printer.
func packetInput(c *cli.Context, w *workspace.Workspace, id, by string) (packet.Input, error) {
	ctx, in := c.Context, c.String("in")
	x, err := w.Show(ctx, id)
	if err != nil {
		return packet.Input{}, err
	}
	if !packetState(x.Status) {
		return packet.Input{}, usagef("packet build: case %s is %s: a packet is built for a case under verification, confirmed, penalised or transferred", x.ID, x.Status)
	}
	f, ring, err := readCaseRing(in, x.Clue)
	if err != nil {
		return packet.Input{}, err
	}
	trail, err := w.AuditEntries(ctx, 0, 1)
	if err != nil {
		return packet.Input{}, err
	}
	key, err := packet.LoadOrCreateKey(c.String("state"))
	if err != nil {
		return packet.Input{}, err
	}
	pin := packet.Input{Case: x, Findings: f, Ring: ring, Dataset: filepath.Base(filepath.Clean(in)), Lang: c.String("lang"),
		AuditHead: trail.Head, AuditEntries: trail.Total, By: by, At: w.Now().UTC(), Tool: versionString(), Key: key}
	if dir := c.String("data"); dir != "" {
		res, err := ingest.Load(ctx, dir, ingest.Options{}, nil)
		if err != nil {
			return packet.Input{}, fmt.Errorf("packet build: read the claims: %w", err)
		}
		pin.Fees, pin.FeesKnown = packet.FeeLinesOf(res.Tables, ring), true
		pin.People = packet.KnownPeople(res.Tables)
	}
	pin.PDF, pin.NoPDFNote = pdfPrinter(ctx, c.Bool("no-pdf"))
	return pin, nil
}

// readCaseRing reads the detect output in and returns it with the ring of
// case c.
func readCaseRing(in string, c workspace.Clue) (*findings.Findings, *findings.Ring, error) {
	f, err := report.ReadFindings(in)
	if err != nil {
		return nil, nil, err
	}
	if err := report.ReadRingVisits(in, f); err != nil {
		return nil, nil, err
	}
	ring, err := packet.RingOf(f, c)
	if err != nil {
		return nil, nil, err
	}
	return f, ring, nil
}

// pdfPrinter returns the dossier's PDF printer (headless Chromium, as the
// dossier command prints), or nil and why there is none.
func pdfPrinter(ctx context.Context, off bool) (func([]byte) ([]byte, error), string) {
	if off {
		return nil, "dossier.pdf left out (--no-pdf)"
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		return nil, "dossier.pdf not produced: no chromium on PATH (print dossier.html from a browser)"
	}
	return func(html []byte) ([]byte, error) {
		dir, err := os.MkdirTemp("", "ringlens-packet-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "dossier.pdf")
		if err := printPDF(ctx, chromium, html, out); err != nil {
			return nil, err
		}
		return os.ReadFile(out)
	}, ""
}

func runPacketVerify(c *cli.Context) error {
	// Flags may follow the file: ringlens packet verify FILE.zip --pubkey KEY.
	fs := flag.NewFlagSet("packet verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pubkey := fs.String("pubkey", c.String("pubkey"), "")
	asJSON := fs.Bool("json", c.Bool("json"), "")
	args := c.Args().Slice()
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("packet verify: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("packet verify: unexpected argument %q", fs.Arg(0))
	}
	var trusted ed25519.PublicKey
	if *pubkey != "" {
		b, err := os.ReadFile(*pubkey)
		if err != nil {
			return fmt.Errorf("packet verify: %w", err)
		}
		if trusted, err = packet.ParsePublicKey(b); err != nil {
			return fmt.Errorf("packet verify: %s: %w", *pubkey, err)
		}
	}
	file, err := os.Open(args[0])
	if err != nil {
		return fmt.Errorf("packet verify: %w", err)
	}
	defer file.Close()
	st, err := file.Stat()
	if err != nil {
		return fmt.Errorf("packet verify: %w", err)
	}
	rep, err := packet.Verify(file, st.Size(), trusted)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(c.App.Writer, rep); err != nil {
			return err
		}
	} else {
		printPacketReport(c.App.Writer, args[0], rep)
	}
	if !rep.OK() {
		return fmt.Errorf("packet verify: %s: %d problem(s), the packet is not as sealed", args[0], len(rep.Problems))
	}
	return nil
}

// printPacketReport writes Verify's findings for a person.
func printPacketReport(w io.Writer, name string, rep *packet.Report) {
	for _, p := range rep.Problems {
		fmt.Fprintln(w, p)
	}
	if !rep.OK() {
		return
	}
	m := rep.Manifest
	fmt.Fprintf(w, "ok: %s: case %s, ring %s, %d files as sealed on %s by %s\n", name, m.Case, m.Ring, rep.Files, m.CreatedAt, m.CreatedBy)
	if rep.Trusted {
		fmt.Fprintf(w, "signed with the trusted key %s\n", rep.KeyFingerprint)
		return
	}
	fmt.Fprintf(w, "signed with the key the packet carries, %s: compare it with the bureau's key (--pubkey)\n", rep.KeyFingerprint)
}
