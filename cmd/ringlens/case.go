package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"text/tabwriter"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/urfave/cli/v2"
)

// stateFlag is the workspace directory flag of the case and audit commands.
func stateFlag() cli.Flag {
	return &cli.StringFlag{Name: "state", Usage: "workspace directory (holds workspace.db; required)"}
}

// clueFlags are detect's flags for recording clues into a workspace.
func clueFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "state", Usage: "record the rings and large rule hits as clues in this workspace directory (docs/workflow.md)"},
		&cli.Float64Flag{Name: "clue-min-amount", Value: 10000, Usage: "with --state: a single rule hit of at least this fund yuan becomes a clue"},
		&cli.Float64Flag{Name: "clue-jaccard", Value: workspace.DefaultJaccard, Usage: "with --state: least member similarity (Jaccard) for a ring to keep the clue of a recorded ring"},
	}
}

// clueRecorder records detect's findings into the workspace of --state;
// nil (recording nothing) without --state.
type clueRecorder struct {
	w *workspace.Workspace
}

// openClues opens the workspace of --state before detection runs, so that a
// workspace this build cannot use stops the run at once.
func openClues(c *cli.Context) (*clueRecorder, error) {
	dir := c.String("state")
	if dir == "" {
		return nil, nil
	}
	w, err := workspace.Open(c.Context, dir)
	if err != nil {
		return nil, err
	}
	return &clueRecorder{w}, nil
}

// Close closes the workspace.
func (r *clueRecorder) Close() error {
	if r == nil {
		return nil
	}
	return r.w.Close()
}

// record records found as clues and prints what changed.
func (r *clueRecorder) record(c *cli.Context, found *findings.Findings) error {
	if r == nil {
		return nil
	}
	res, err := r.w.RecordFindings(c.Context, found, workspace.RecordOptions{
		By: "detect:" + osUser(), MinAmount: c.Float64("clue-min-amount"), Jaccard: c.Float64("clue-jaccard")})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "workspace: run %d, rings %d new, %d kept (%d changed); rule clues %d new, %d kept\n",
		res.Run, res.NewRings, res.KeptRings, res.Changed, res.NewRules, res.KeptRules)
	return nil
}

// osUser is the login name, or "unknown".
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// withWorkspace opens the workspace of --state for f.
func withWorkspace(c *cli.Context, f func(context.Context, *workspace.Workspace) error) error {
	dir := c.String("state")
	if dir == "" {
		return usagef("%s: --state is required", c.Command.FullName())
	}
	w, err := workspace.Open(c.Context, dir)
	if err != nil {
		return err
	}
	defer w.Close()
	return f(c.Context, w)
}

func caseCommand() *cli.Command {
	return &cli.Command{
		Name:  "case",
		Usage: "work the clues of a workspace: list, show, change state, import national batches",
		Description: "Clues come from 'ringlens detect --state DIR' and from national batches ('case import').\n" +
			"States: new → assigned → verifying → confirmed / dismissed → penalised → transferred\n" +
			"(see docs/workflow.md). Every change is kept in the audit trail ('ringlens audit').",
		Subcommands: []*cli.Command{
			{
				Name:      "list",
				Usage:     "list the cases",
				UsageText: "ringlens case list --state DIR [--status S] [--overdue] [--json]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "status", Usage: "only cases in this state"},
					&cli.BoolFlag{Name: "overdue", Usage: "only cases past their due date and not closed"},
					&cli.BoolFlag{Name: "json", Usage: "JSON instead of a table"}},
				Action: runCaseList,
			},
			{
				Name:      "show",
				Usage:     "show one case with its history",
				UsageText: "ringlens case show --case ID --state DIR [--json]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "case", Usage: "case id (CL-000001)"},
					&cli.BoolFlag{Name: "json", Usage: "JSON instead of text"}},
				Action: runCaseShow,
			},
			{
				Name:      "update",
				Usage:     "change a case's state",
				UsageText: "ringlens case update --case ID --status S --by USER [--note TEXT] [--due YYYY-MM-DD] [--to police|discipline|health|drug] --state DIR",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "case", Usage: "case id (CL-000001)"},
					&cli.StringFlag{Name: "status", Usage: "new state"},
					&cli.StringFlag{Name: "by", Usage: "who makes the change"},
					&cli.StringFlag{Name: "note", Usage: "why"},
					&cli.StringFlag{Name: "due", Usage: "due date, YYYY-MM-DD"},
					&cli.StringFlag{Name: "to", Usage: "transfer target with --status transferred: police, discipline, health, drug"}},
				Action: runCaseUpdate,
			},
			{
				Name:      "import",
				Usage:     "import a national clue batch (idempotent)",
				UsageText: "ringlens case import --file batch.json --state DIR [--by USER]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "file", Usage: "batch JSON (docs/workflow.md)"},
					&cli.StringFlag{Name: "by", Usage: "who imports (default: the login name)"}},
				Action: runCaseImport,
			},
		},
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runCaseList(c *cli.Context) error {
	if s := c.String("status"); s != "" {
		if _, ok := vocab.Lookup(vocab.CaseStates, s); !ok {
			return usagef("case list: unknown --status %q", s)
		}
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		cs, err := w.List(ctx, workspace.Filter{Status: c.String("status"), Overdue: c.Bool("overdue")})
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, cs)
		}
		tw := tabwriter.NewWriter(c.App.Writer, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tstatus\tsource\tamount\tdue\toverdue\ttitle")
		for _, x := range cs {
			od := ""
			if x.Overdue {
				od = "overdue"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\t%s\t%s\n", x.ID, x.Status, x.Source, x.Amount, x.Due, od, x.Title)
		}
		return tw.Flush()
	})
}

func runCaseShow(c *cli.Context) error {
	if c.String("case") == "" {
		return usagef("case show: --case is required")
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		x, err := w.Show(ctx, c.String("case"))
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, x)
		}
		out := c.App.Writer
		fmt.Fprintf(out, "%s  %s (%s)\n", x.ID, x.Status, vocab.Label(vocab.CaseStates, x.Status, vocab.LangZh))
		fmt.Fprintf(out, "source %s %s, amount %.2f yuan, %d members\n", x.Source, x.Ref, x.Amount, len(x.Members))
		if x.Title != "" {
			fmt.Fprintf(out, "title: %s\n", x.Title)
		}
		if x.Due != "" {
			fmt.Fprintf(out, "due %s%s\n", x.Due, map[bool]string{true: " (overdue)"}[x.Overdue])
		}
		if x.TransferTo != "" {
			fmt.Fprintf(out, "transferred to %s\n", vocab.Label(vocab.TransferTargets, x.TransferTo, vocab.LangEn))
		}
		for _, e := range x.Events {
			fmt.Fprintf(out, "%s  %s: %s → %s", e.At, e.By, e.From, e.To)
			if e.TransferTo != "" {
				fmt.Fprintf(out, " (%s)", e.TransferTo)
			}
			if e.Due != "" {
				fmt.Fprintf(out, " due %s", e.Due)
			}
			if e.Note != "" {
				fmt.Fprintf(out, ": %s", e.Note)
			}
			fmt.Fprintln(out)
		}
		for _, ch := range x.Changes {
			fmt.Fprintf(out, "%s  run %d (ring %s): +%d −%d members, amount %.2f → %.2f\n",
				ch.At, ch.Run, ch.Ring, len(ch.MembersAdded), len(ch.MembersRemoved), ch.AmountBefore, ch.AmountAfter)
		}
		return nil
	})
}

func runCaseUpdate(c *cli.Context) error {
	u := workspace.Update{Case: c.String("case"), Status: c.String("status"), By: c.String("by"),
		Note: c.String("note"), Due: c.String("due"), TransferTo: c.String("to")}
	switch {
	case u.Case == "":
		return usagef("case update: --case is required")
	case u.Status == "":
		return usagef("case update: --status is required")
	case u.By == "":
		return usagef("case update: --by is required")
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		x, err := w.UpdateCase(ctx, u)
		if err != nil {
			if errors.Is(err, workspace.ErrTransition) {
				return usageError{err}
			}
			return err
		}
		fmt.Fprintf(c.App.Writer, "%s: %s\n", x.ID, x.Status)
		return nil
	})
}

func runCaseImport(c *cli.Context) error {
	if c.String("file") == "" {
		return usagef("case import: --file is required")
	}
	f, err := os.Open(c.String("file"))
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := workspace.ParseBatch(f)
	if err != nil {
		return err
	}
	by := c.String("by")
	if by == "" {
		by = osUser()
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		res, err := w.Import(ctx, b, by)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "batch %s: %d added, %d already present\n", res.Batch, res.Added, res.Present)
		return nil
	})
}

func auditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "export and verify the workspace's audit trail (a SHA-256 hash chain)",
		Subcommands: []*cli.Command{
			{
				Name:      "export",
				Usage:     "write the audit trail as JSON Lines",
				UsageText: "ringlens audit export --state DIR --out FILE.jsonl",
				Flags:     []cli.Flag{stateFlag(), &cli.StringFlag{Name: "out", Usage: "output file (required)"}},
				Action:    runAuditExport,
			},
			{
				Name:      "verify",
				Usage:     "check an exported trail's hash chain; names the first entry that does not fit",
				UsageText: "ringlens audit verify FILE.jsonl",
				Before: func(c *cli.Context) error {
					if c.Args().Len() != 1 {
						return usagef("audit verify: give one file")
					}
					return nil
				},
				Action: runAuditVerify,
			},
		},
	}
}

func runAuditExport(c *cli.Context) error {
	path := c.String("out")
	if path == "" {
		return usagef("audit export: --out is required")
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		n, head, err := w.ExportAudit(ctx, f)
		if err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "%d entries, head %s\n", n, head)
		return nil
	})
}

func runAuditVerify(c *cli.Context) error {
	f, err := os.Open(c.Args().First())
	if err != nil {
		return err
	}
	defer f.Close()
	n, head, err := workspace.VerifyAudit(f)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "ok: %d entries, head %s\n", n, head)
	return nil
}
