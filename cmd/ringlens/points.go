package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/vocab"
	"github.com/ringlens/ringlens/graph/workspace"
	"github.com/urfave/cli/v2"
)

// maxPatternCodes caps the staff codes a site pattern lists as evidence.
const maxPatternCodes = 20

func pointsCommand() *cli.Command {
	entry := func() cli.Flag {
		return &cli.StringFlag{Name: "entry", Usage: "ledger entry id (ORIGIN/PT-000001, as propose and show print it)"}
	}
	by := func() cli.Flag { return &cli.StringFlag{Name: "by", Usage: "who decides (required)"} }
	reason := func() cli.Flag { return &cli.StringFlag{Name: "reason", Usage: "why"} }
	jsonOut := func() cli.Flag { return &cli.BoolFlag{Name: "json", Usage: "JSON instead of text"} }
	return &cli.Command{
		Name:  "points",
		Usage: "points of responsible staff (医保支付资格记分): propose, confirm, repair, appeal, show, export, import",
		Description: "From a confirmed case the tool proposes points per responsible staff member; an investigator\n" +
			"confirms or changes them with a reason. One lifetime file per staff code; 9 points in a calendar\n" +
			"year suspend payment eligibility (1-6 months), 12 terminate it (1- or 3-year bar). See docs/points.md.",
		Subcommands: []*cli.Command{
			{
				Name:      "propose",
				Usage:     "propose points for the staff of a confirmed case",
				UsageText: "ringlens points propose --state DIR --case CL-000001 --by USER --sanction penalty|agreement|damages [--staff D1:main,D2] [--scope-unaware D2] [--in DATASET] [--date YYYY-MM-DD] [--article 40]",
				Flags: append([]cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "case", Usage: "case id (required; confirmed, penalised or transferred)"},
					by(),
					&cli.StringFlag{Name: "sanction", Usage: "what the institution received: penalty, agreement (suspended or terminated) or damages (required)"},
					&cli.StringFlag{Name: "staff", Usage: "staff codes with responsibility, CODE[:main|important|general],... (default: the case's doctors, general)"},
					&cli.StringFlag{Name: "scope-unaware", Usage: "staff codes found not to have known the reimbursement scope (a first offence gets a warning)"},
					&cli.StringFlag{Name: "date", Usage: "date the sanction was decided, YYYY-MM-DD (default today)"},
					&cli.IntFlag{Name: "article", Usage: "article of the regulation (38, 39, 40, 41; default from the case's rule or typology)"},
					&cli.StringFlag{Name: "in", Usage: "dataset directory: look for the case's rule hit pattern among the doctors of each site and department"},
					&cli.StringFlag{Name: "rules", Usage: "with --in: rules file (JSON) overriding rule parameters"},
					&cli.StringFlag{Name: "encoding", Value: "auto", Usage: "with --in: text encoding of CSV files"},
					&cli.Float64Flag{Name: "share", Value: workspace.DefaultInstitutionShare, Usage: "least share of a site's doctors with the same hits for the pattern to be the institution's"},
					&cli.IntFlag{Name: "min-doctors", Value: workspace.DefaultInstitutionMinDoctors, Usage: "fewest doctors of a site or department for a shared pattern to count"},
					jsonOut()}, logFlags()...),
				Action: runPointsPropose,
			},
			{
				Name:      "confirm",
				Usage:     "confirm, change (with a reason) or reject a proposal",
				UsageText: "ringlens points confirm --state DIR --entry ID --by USER [--points N] [--kind points|warning|institutional] [--responsibility R] [--suspend-months 1..6] [--date YYYY-MM-DD] [--reason TEXT] [--reject]",
				Flags: []cli.Flag{stateFlag(), entry(), by(), reason(),
					&cli.IntFlag{Name: "points", Value: -1, Usage: "points to give (0-12; default the proposal's)"},
					&cli.StringFlag{Name: "kind", Usage: "points, warning or institutional (default the proposal's)"},
					&cli.StringFlag{Name: "responsibility", Usage: "main, important or general (default the proposal's)"},
					&cli.IntFlag{Name: "suspend-months", Usage: "suspension should this entry reach 9 points in the year (1-6, default 1)"},
					&cli.StringFlag{Name: "date", Usage: "date the sanction was decided (default the proposal's)"},
					&cli.BoolFlag{Name: "reject", Usage: "reject the proposal (needs --reason)"}},
				Action: runPointsConfirm,
			},
			{
				Name:      "repair",
				Usage:     "reduce a confirmed entry's points or suspension after correction (修复)",
				UsageText: "ringlens points repair --state DIR --entry ID --by USER --reason TEXT [--points N] [--suspend-months N]",
				Flags: []cli.Flag{stateFlag(), entry(), by(), reason(),
					&cli.IntFlag{Name: "points", Value: -1, Usage: "points after repair"},
					&cli.IntFlag{Name: "suspend-months", Value: -1, Usage: "suspension after repair, months"}},
				Action: runPointsRepair,
			},
			{
				Name:      "appeal",
				Usage:     "record the bureau's answer to an appeal",
				UsageText: "ringlens points appeal --state DIR --entry ID --by USER --reason TEXT --outcome upheld|reduced|annulled [--points N]",
				Flags: []cli.Flag{stateFlag(), entry(), by(), reason(),
					&cli.StringFlag{Name: "outcome", Usage: "upheld, reduced or annulled"},
					&cli.IntFlag{Name: "points", Usage: "with reduced: the points after the appeal"}},
				Action: runPointsAppeal,
			},
			{
				Name:      "show",
				Usage:     "show a staff member's lifetime file and standing on a date, or a case's entries",
				UsageText: "ringlens points show --state DIR --staff CODE [--on YYYY-MM-DD] [--json] | --case CL-000001 [--json]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "staff", Usage: "staff code"},
					&cli.StringFlag{Name: "case", Usage: "case id"},
					&cli.StringFlag{Name: "on", Usage: "date of the standing, YYYY-MM-DD (default today)"},
					jsonOut()},
				Action: runPointsShow,
			},
			{
				Name:      "export",
				Usage:     "write the confirmed ledger entries as JSON for other regions",
				UsageText: "ringlens points export --state DIR --out FILE.json [--staff CODE] [--by USER]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "out", Usage: "output file (required)"},
					&cli.StringFlag{Name: "staff", Usage: "only this staff member's entries"},
					&cli.StringFlag{Name: "by", Usage: "who exports (default: the login name)"}},
				Action: runPointsExport,
			},
			{
				Name:      "import",
				Usage:     "import ledger entries of another region (idempotent; conflicts reported)",
				UsageText: "ringlens points import --state DIR --file FILE.json [--by USER]",
				Flags: []cli.Flag{stateFlag(),
					&cli.StringFlag{Name: "file", Usage: "ledger JSON (docs/points.md)"},
					&cli.StringFlag{Name: "by", Usage: "who imports (default: the login name)"}},
				Action: runPointsImport,
			},
		},
	}
}

// pointsErr makes a malformed request or a decision the entry's state
// does not allow a usage error (exit 2).
func pointsErr(err error) error {
	if errors.Is(err, workspace.ErrInvalid) || errors.Is(err, workspace.ErrEntryState) {
		return usageError{err}
	}
	return err
}

// require returns a usage error naming the first flag of names not given.
func require(c *cli.Context, names ...string) error {
	for _, n := range names {
		if c.String(n) == "" {
			return usagef("points %s: --%s is required", c.Command.Name, n)
		}
	}
	return nil
}

// optInt is flag name as a pointer, nil when it holds the "not given"
// value unset.
func optInt(c *cli.Context, name string, unset int) *int {
	if v := c.Int(name); v != unset {
		return &v
	}
	return nil
}

func runPointsPropose(c *cli.Context) error {
	if err := require(c, "case", "by", "sanction"); err != nil {
		return err
	}
	scopeUnaware := splitList(c.String("scope-unaware"))
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		cs, err := w.Show(ctx, c.String("case"))
		if err != nil {
			return err
		}
		cands, err := candidates(c.String("staff"), cs.Members)
		if err != nil {
			return err
		}
		req := workspace.ProposeRequest{Case: cs.ID, By: c.String("by"), Sanction: c.String("sanction"), Date: c.String("date"),
			Article: c.Int("article"), Share: c.Float64("share"), MinDoctors: c.Int("min-doctors")}
		if in := c.String("in"); in != "" {
			s, err := screenDataset(c, in)
			if err != nil {
				return err
			}
			if req.Article == 0 {
				req.Article = ruleArticle(s.set, cs.Rule)
			}
			locate(s, cs.Rule, cands)
			req.PatternsChecked = true
		}
		for i := range cands {
			cands[i].ScopeUnaware = slices.Contains(scopeUnaware, cands[i].Code)
		}
		req.Staff = cands
		res, err := w.ProposePoints(ctx, req)
		if err != nil {
			return pointsErr(err)
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, res)
		}
		out := c.App.Writer
		for _, e := range res.Proposed {
			fmt.Fprintf(out, "%s  staff %s: %s", e.UID, e.Staff, e.Kind)
			if e.Kind == vocab.PointsScored {
				fmt.Fprintf(out, " %d (band %s, %s)", e.Points, e.Band, e.Responsibility)
			}
			fmt.Fprintln(out)
			for _, r := range e.Basis.Reasons {
				fmt.Fprintf(out, "    %s\n", r)
			}
		}
		for _, code := range res.Skipped {
			fmt.Fprintf(out, "staff %s: already proposed for %s\n", code, cs.ID)
		}
		return nil
	})
}

// candidates are the staff of --staff (CODE[:responsibility]), or the
// case's doctor members with general responsibility.
func candidates(staff string, members []string) ([]workspace.StaffCandidate, error) {
	var out []workspace.StaffCandidate
	for _, s := range splitList(staff) {
		code, resp, _ := strings.Cut(s, ":")
		if resp == "" {
			resp = vocab.RespGeneral
		}
		out = append(out, workspace.StaffCandidate{Code: code, Responsibility: resp})
	}
	if staff != "" {
		return out, nil
	}
	for _, m := range members {
		if code, ok := strings.CutPrefix(m, vocab.KindDoctor+":"); ok {
			out = append(out, workspace.StaffCandidate{Code: code, Responsibility: vocab.RespGeneral})
		}
	}
	if len(out) == 0 {
		return nil, usagef("points propose: the case names no doctor; give --staff")
	}
	return out, nil
}

// ruleArticle is the article number of rule's legal article (0 unknown).
func ruleArticle(set rules.Set, id string) int {
	r, ok := set.Rule(id)
	if !ok {
		return 0
	}
	for n, a := range map[int]string{38: rules.Art38, 40: rules.Art40, 41: rules.Art41} {
		if r.Article == a {
			return n
		}
	}
	return 0
}

// locate fills each candidate's institution, department and region from
// the dataset and, when the case has a rule, the patterns of that rule
// among the doctors of the candidate's site and department.
func locate(s *screened, rule string, cands []workspace.StaffCandidate) {
	t := s.graph.Tables()
	siteDoctors := doctorsBySite(s)
	withHit := doctorsWithHits(s, rule)
	period := dataPeriod(t)
	for i := range cands {
		c := &cands[i]
		doc := t.Doctors.IDs.Lookup(c.Code)
		if doc == graph.None || int(doc) >= t.Doctors.Len() {
			continue
		}
		inst := homeSite(t, doc, siteDoctors)
		if inst == graph.None {
			continue
		}
		c.Institution = t.Institutions.IDs.String(inst)
		c.Region = t.Str(t.Institutions.Admdvs[inst])
		c.Dept = t.Str(t.Doctors.Dept[doc])
		if rule == "" {
			continue
		}
		all := siteDoctors[inst]
		c.Patterns = append(c.Patterns, pattern(t, c.Institution, "", rule, period, all, withHit))
		if dept := t.Doctors.Dept[doc]; dept != graph.None {
			var same []uint32
			for _, d := range all {
				if t.Doctors.Dept[d] == dept {
					same = append(same, d)
				}
			}
			c.Patterns = append(c.Patterns, pattern(t, c.Institution, c.Dept, rule, period, same, withHit))
		}
	}
}

// pattern counts the doctors of one site (or department) with hits.
func pattern(t *graph.Tables, inst, dept, rule, period string, doctors []uint32, withHit map[uint32]bool) workspace.SitePattern {
	p := workspace.SitePattern{Institution: inst, Dept: dept, Rule: rule, Period: period, Doctors: len(doctors)}
	for _, d := range doctors {
		if withHit[d] {
			p.WithHit++
			if len(p.Codes) < maxPatternCodes {
				p.Codes = append(p.Codes, t.Doctors.IDs.String(d))
			}
		}
	}
	slices.Sort(p.Codes)
	return p
}

// doctorsBySite lists, per institution, the doctors (not placeholders)
// who billed a visit there, in row order.
func doctorsBySite(s *screened) map[uint32][]uint32 {
	vt := &s.graph.Tables().Visits
	seen := map[[2]uint32]bool{}
	out := map[uint32][]uint32{}
	for v := range vt.Doctor {
		d, inst := vt.Doctor[v], vt.Institution[v]
		if d == graph.None || s.res.IsPlaceholder(d) || seen[[2]uint32{inst, d}] {
			continue
		}
		seen[[2]uint32{inst, d}] = true
		out[inst] = append(out[inst], d)
	}
	for _, ds := range out {
		slices.Sort(ds)
	}
	return out
}

// doctorsWithHits are the doctors concerned by a hit of rule: named by the
// hit or attending or billing one of its rows.
func doctorsWithHits(s *screened, rule string) map[uint32]bool {
	t := s.graph.Tables()
	out := map[uint32]bool{}
	for i := range s.res.Hits {
		h := &s.res.Hits[i]
		if h.Rule != rule {
			continue
		}
		for _, d := range h.Doctors {
			out[d] = true
		}
		for _, v := range h.Visits {
			out[t.Visits.Doctor[v]] = true
		}
		for _, f := range h.Fees {
			out[t.FeeDoctor(f)] = true
		}
	}
	delete(out, graph.None)
	return out
}

// homeSite is the doctor's first registered site, else the site where the
// doctor billed visits (the lowest row), or graph.None.
func homeSite(t *graph.Tables, doc uint32, siteDoctors map[uint32][]uint32) uint32 {
	for _, r := range t.Doctors.Sites {
		if r.Doctor == doc {
			return r.Institution
		}
	}
	for _, inst := range slices.Sorted(maps.Keys(siteDoctors)) {
		if _, ok := slices.BinarySearch(siteDoctors[inst], doc); ok {
			return inst
		}
	}
	return graph.None
}

// dataPeriod is the first and last day of the dataset's visits.
func dataPeriod(t *graph.Tables) string {
	if t.Visits.Begin.Len() == 0 {
		return ""
	}
	begin := &t.Visits.Begin
	lo, hi := begin.At(0), begin.At(0)
	for v := range uint32(begin.Len()) {
		lo, hi = min(lo, begin.At(v)), max(hi, begin.At(v))
	}
	return lo.Day().String() + " to " + hi.Day().String()
}

func runPointsConfirm(c *cli.Context) error {
	if err := require(c, "entry", "by"); err != nil {
		return err
	}
	conf := workspace.Confirmation{UID: c.String("entry"), By: c.String("by"), Reason: c.String("reason"), Reject: c.Bool("reject"),
		Kind: c.String("kind"), Responsibility: c.String("responsibility"), Points: optInt(c, "points", -1),
		SuspendMonths: c.Int("suspend-months"), Date: c.String("date")}
	return decide(c, func(ctx context.Context, w *workspace.Workspace) (workspace.PointsEntry, error) {
		return w.ConfirmPoints(ctx, conf)
	})
}

func runPointsRepair(c *cli.Context) error {
	if err := require(c, "entry", "by", "reason"); err != nil {
		return err
	}
	r := workspace.Repair{UID: c.String("entry"), By: c.String("by"), Reason: c.String("reason"),
		Points: optInt(c, "points", -1), SuspendMonths: optInt(c, "suspend-months", -1)}
	return decide(c, func(ctx context.Context, w *workspace.Workspace) (workspace.PointsEntry, error) {
		return w.RepairPoints(ctx, r)
	})
}

func runPointsAppeal(c *cli.Context) error {
	if err := require(c, "entry", "by", "reason", "outcome"); err != nil {
		return err
	}
	if c.String("outcome") == vocab.AppealReduced && !c.IsSet("points") {
		return usagef("points appeal: --outcome reduced needs --points")
	}
	a := workspace.Appeal{UID: c.String("entry"), By: c.String("by"), Reason: c.String("reason"),
		Outcome: c.String("outcome"), Points: c.Int("points")}
	return decide(c, func(ctx context.Context, w *workspace.Workspace) (workspace.PointsEntry, error) {
		return w.DecideAppeal(ctx, a)
	})
}

// decide runs one decision about an entry and prints the entry after it.
func decide(c *cli.Context, f func(context.Context, *workspace.Workspace) (workspace.PointsEntry, error)) error {
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		e, err := f(ctx, w)
		if err != nil {
			return pointsErr(err)
		}
		fmt.Fprintf(c.App.Writer, "%s: %s, %s, %d points", e.UID, e.Status, e.Kind, e.Points)
		if e.SuspendMonths > 0 {
			fmt.Fprintf(c.App.Writer, ", suspension %d months if reached", e.SuspendMonths)
		}
		fmt.Fprintf(c.App.Writer, " (revision %d)\n", e.Revision)
		return nil
	})
}

func runPointsShow(c *cli.Context) error {
	staff, caseID := c.String("staff"), c.String("case")
	if (staff == "") == (caseID == "") {
		return usagef("points show: give --staff or --case")
	}
	on := c.String("on")
	if on == "" {
		on = time.Now().UTC().Format(time.DateOnly)
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		if caseID != "" {
			es, err := w.Entries(ctx, workspace.EntryFilter{Case: caseID})
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, es)
			}
			return entryTable(c.App.Writer, es)
		}
		f, err := w.File(ctx, staff, on)
		if err != nil {
			return pointsErr(err)
		}
		if c.Bool("json") {
			return writeJSON(c.App.Writer, f)
		}
		out := c.App.Writer
		fmt.Fprintf(out, "staff %s on %s: %s, %d points this year\n", f.Staff, f.On, f.Status, f.YearPoints)
		for _, s := range f.Sanctions {
			what := "eligible again from"
			if s.Status == vocab.StaffTerminated {
				what = "re-registration possible from"
			}
			fmt.Fprintf(out, "%s from %s (%d points of %d, entry %s), %s %s\n", s.Status, s.From, threshold(s), s.Year, s.Trigger, what, s.Until)
		}
		for _, y := range slices.Sorted(maps.Keys(f.Years)) {
			fmt.Fprintf(out, "year %s: %d points\n", y, f.Years[y])
		}
		return entryTable(out, f.Entries)
	})
}

// threshold is the year's total a sanction's threshold stands for.
func threshold(s workspace.Sanction) int {
	if s.Status == vocab.StaffTerminated {
		return workspace.TerminatePoints
	}
	return workspace.SuspendPoints
}

// entryTable prints entries as a table.
func entryTable(w io.Writer, es []workspace.PointsEntry) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "entry\tstaff\tstatus\tkind\tpoints\tband\tresponsibility\tdate\tinstitution\tregion\tcase\trule\trevision")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", e.UID, e.Staff, e.Status, e.Kind, e.Points, e.Band,
			e.Responsibility, e.EventDate, e.Institution, e.Region, e.Case, e.Rule, e.Revision)
	}
	return tw.Flush()
}

func runPointsExport(c *cli.Context) error {
	if err := require(c, "out"); err != nil {
		return err
	}
	by := c.String("by")
	if by == "" {
		by = osUser()
	}
	path := c.String("out")
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("points export: %w", err)
		}
		n, err := w.ExportLedger(ctx, f, c.String("staff"), by)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("points export %s: %w", path, err)
		}
		fmt.Fprintf(c.App.Writer, "%d entries written to %s\n", n, path)
		return nil
	})
}

func runPointsImport(c *cli.Context) error {
	if err := require(c, "file"); err != nil {
		return err
	}
	f, err := os.Open(c.String("file"))
	if err != nil {
		return fmt.Errorf("points import: %w", err)
	}
	defer f.Close()
	l, err := workspace.ParseLedger(f)
	if err != nil {
		return fmt.Errorf("points import %s: %w", c.String("file"), err)
	}
	by := c.String("by")
	if by == "" {
		by = osUser()
	}
	return withWorkspace(c, func(ctx context.Context, w *workspace.Workspace) error {
		res, err := w.ImportLedger(ctx, l, by)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.App.Writer, "ledger %s: %d added, %d updated, %d already present, %d conflicts\n",
			res.Origin, res.Added, res.Updated, res.Present, len(res.Conflicts))
		for _, x := range res.Conflicts {
			fmt.Fprintf(c.App.Writer, "conflict %s: %s\n", x.UID, x.Reason)
		}
		return nil
	})
}
