package eval

import (
	"fmt"
	"io"
	"strings"
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

// WriteText writes the report as readable tables: the headline metrics
// (with typology accuracy and merged rings), recall per typology, size band,
// camouflage level and primitive, hard negatives, AUC per entity kind and
// one line per planted ring.
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
	fmt.Fprintf(tw, "typology accuracy\t%s\t(%d of the %d found rings of a known typology)\n", pct(r.TypologyAccuracy), r.TypologyKnownRight, r.TypologyKnown)
	fmt.Fprintf(tw, "unclassified found\t%d\t%s\n", r.UnclassifiedFound, calledText(r.UnclassifiedCalled))
	fmt.Fprintf(tw, "merged rings in top K\t%d\t(holding substantial parts of two or more planted rings)\n", r.Merged)
	for _, m := range r.MergedRings {
		fmt.Fprintf(tw, "  %s (rank %d, %d members) holds %s\n", m.Ring, m.Rank, m.Members, mergedText(m))
	}
	fmt.Fprintf(tw, "fragments in top K\t%d\t(unmatched rings at least half of whose members are one planted ring's)\n", r.Fragments)
	fmt.Fprintf(tw, "planted share of top K\t%s\t(%d matching + %d fragments of the top %d)\n", pct(r.PlantedShareAtK), r.TopKMatched, r.Fragments, r.TopK)
	for _, fr := range r.FragmentRings {
		fmt.Fprintf(tw, "  %s (rank %d, %d members) is %d of the %d members of %s (%s)\n",
			fr.Ring, fr.Rank, fr.Members, fr.Shared, fr.PlantedMembers, fr.Planted, map[bool]string{true: "found whole elsewhere", false: "not found whole"}[fr.PlantedFound])
	}

	fmt.Fprintln(tw, "\nRecall per typology")
	fmt.Fprintln(tw, "typology\tplanted\tfound\trecall\tfound in top K\trecall in top K\t")
	for _, t := range r.ByTypology {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t\n", t.Typology, t.Planted, t.Found, pct(t.Recall), t.FoundAtK, pct(t.RecallAtK))
	}
	writeBreakdown(tw, "Recall per size band (patient members)", "size", r.BySize)
	writeBreakdown(tw, "Recall per camouflage level", "camouflage", r.ByCamouflage)
	writeBreakdown(tw, "Recall per primitive (a ring counts under each of its primitives)", "primitive", r.ByPrimitive)

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
	fmt.Fprintln(tw, "planted\ttypology\tmembers\tpatients\tcamouflage\tfound\tbest ring\trank\tas typology\tshared\tcoverage\tpurity\t")
	for _, p := range r.Rings {
		found, best, rank, typ := "no", "-", "-", "-"
		if p.FoundAtK {
			found = "yes"
		} else if p.Found {
			found = "beyond K"
		}
		if p.Best != "" {
			best, rank, typ = p.Best, fmt.Sprint(p.BestRank), p.BestTypology
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%.0f%%\t%.0f%%\t\n", p.ID, p.Typology, p.Members, p.Patients, p.Camouflage, found, best, rank,
			typ, p.Shared, 100*p.Coverage, 100*p.Purity)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("eval: write report: %w", err)
	}
	return nil
}

// WriteBreakdown writes one breakdown table under a title: per row the
// planted rings, those found among all reported and in the top K, and the
// two recalls. An empty breakdown is written as "(none)".
func WriteBreakdown(w io.Writer, title, label string, rows []Breakdown) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writeBreakdown(tw, title, label, rows)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("eval: write %s: %w", title, err)
	}
	return nil
}

func writeBreakdown(tw *tabwriter.Writer, title, label string, rows []Breakdown) {
	fmt.Fprintf(tw, "\n%s\n", title)
	if len(rows) == 0 {
		fmt.Fprintln(tw, "(none)")
		return
	}
	fmt.Fprintf(tw, "%s\tplanted\tfound\trecall\tfound in top K\trecall in top K\t\n", label)
	for _, b := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s\t\n", b.Label, b.Planted, b.Found, pct(b.Recall), b.FoundAtK, pct(b.RecallAtK))
	}
}

// calledText lists what found unclassified rings were called.
func calledText(cs []TypologyCount) string {
	if len(cs) == 0 {
		return ""
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%d as %s", c.Count, c.Typology)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// mergedText lists the planted rings a merged ring holds.
func mergedText(m MergedRing) string {
	parts := make([]string, len(m.Planted))
	for i := range m.Planted {
		parts[i] = fmt.Sprintf("%d of %s", m.Shared[i], m.Planted[i])
	}
	return strings.Join(parts, ", ")
}
