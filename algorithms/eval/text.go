package eval

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// pct formats a ratio as a percentage, or n/a.
func pct(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100**r)
}

// dec formats an AUC, or n/a.
func dec(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", *r)
}

// maxHardNegLines bounds the listed hard-negative hits in the text report;
// the JSON report lists them all.
const maxHardNegLines = 20

// WriteText writes the report as readable tables: the headline metrics,
// recall per typology, hard negatives, AUC per entity kind and one line per
// planted ring.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Evaluation against truth: preset %s, seed %d\n\n", r.Preset, r.Seed)
	fmt.Fprintf(tw, "planted rings\t%d\t\n", r.Planted)
	fmt.Fprintf(tw, "reported rings\t%d\t\n", r.Reported)
	fmt.Fprintf(tw, "K (2 × planted)\t%d\t\n", r.K)
	fmt.Fprintf(tw, "ring recall\t%s\t(%d of %d found among all reported)\n", pct(r.Recall), r.Found, r.Planted)
	fmt.Fprintf(tw, "ring recall in top K\t%s\t(%d of %d)\n", pct(r.RecallAtK), r.FoundAtK, r.Planted)
	fmt.Fprintf(tw, "precision in top K\t%s\t(%d of the top %d match a planted ring)\n", pct(r.PrecisionAtK), r.TopKMatched, r.TopK)
	fmt.Fprintf(tw, "typology right\t%s\t(%d of the %d found rings)\n", pct(ratio(r.TypologyRight, r.Found)), r.TypologyRight, r.Found)

	fmt.Fprintln(tw, "\nRecall per typology")
	fmt.Fprintln(tw, "typology\tplanted\tfound\trecall\t")
	for _, t := range r.ByTypology {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", t.Typology, t.Planted, t.Found, pct(t.Recall))
	}

	fmt.Fprintln(tw, "\nHard negatives reported in the top K")
	fmt.Fprintln(tw, "kind\tgroups listed\tgroups in city\treported\t")
	for _, h := range r.HardNegatives {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", h.Kind, h.Groups, h.Total, h.Reported)
	}
	for i, h := range r.HardNegReports {
		if i == maxHardNegLines {
			fmt.Fprintf(tw, "  … %d more (see --json)\n", len(r.HardNegReports)-i)
			break
		}
		fmt.Fprintf(tw, "  %s reported by ring %s (rank %d): %d shared of the group's %d members outside planted rings (%d in all); the ring has %d\n",
			h.Group, h.Ring, h.Rank, h.Shared, h.Free, h.Members, h.RingSize)
	}

	fmt.Fprintln(tw, "\nEntity-score ROC-AUC (label: member of a planted ring)")
	fmt.Fprintln(tw, "kind\tpositives\tnegatives\tmissing\tAUC\t")
	for _, a := range r.AUC {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t\n", a.Kind, a.Positives, a.Negatives, a.Missing, dec(a.AUC))
	}

	fmt.Fprintln(tw, "\nPlanted rings")
	fmt.Fprintln(tw, "planted\ttypology\tmembers\tfound\tbest ring\trank\tas typology\tshared\tcoverage\tpurity\t")
	for _, p := range r.Rings {
		found, best, rank, typ := "no", "-", "-", "-"
		if p.Found {
			found = "yes"
		}
		if p.Best != "" {
			best, rank, typ = p.Best, fmt.Sprint(p.BestRank), p.BestTypology
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%d\t%.0f%%\t%.0f%%\t\n", p.ID, p.Typology, p.Members, found, best, rank,
			typ, p.Shared, 100*p.Coverage, 100*p.Purity)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("eval: write report: %w", err)
	}
	return nil
}
