package report

import (
	"fmt"
	"io"
	"slices"

	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// DossierFile is the default name of a ring's dossier in a detect output
// directory: dossier-<ring id>.html.
func DossierFile(ringID string) string { return "dossier-" + ringID + ".html" }

// dossier is what the dossier template renders.
type dossier struct {
	HTMLLang, Title, Dataset     string
	Ring                         ringView
	Members                      []memberRow
	Days                         []dayRow
	Evidence                     []dossierEvidence
	Articles                     []string
	SealRings, SealEntities      string
	VisitsKnown                  bool
	VisitsListed                 int
	EvidenceShown, EvidenceTotal int
}

// dayRow is one day of a ring's timeline.
type dayRow struct {
	Day, Amount string
	Visits      int
}

// dossierEvidence is one evidence item with each cited visit on its own
// row and its own amount.
type dossierEvidence struct {
	evidenceView
	Total, Shown int
	Cited        []citedRow
}

// citedRow is one visit an evidence item cites: its id, and when the ring's
// visits are known (ring_visits.csv, the server's tables) its begin,
// patient (masked), site and own fund.
type citedRow struct {
	MdtrtID, Begin, Patient, Site, Fund, Fees string
}

// WriteDossier writes the dossier of ring ringID of f: one print-ready,
// self-contained HTML document (A4, page numbers) in Chinese (lang "zh" or
// "", the default) or English, for the file of a case: the ring's summary,
// why it is a ring, every member with its ring visits, fund, rule hits and
// first and last visit, the timeline (a chart and a table by day), every
// evidence item with each cited visit once and its own amount (when the
// ring's visits are known: Ring.VisitRows), the legal articles, and the
// seal of rings.json and entities.csv that report.html prints. dataset
// names the data (may be empty). It fails for an unknown ring.
func WriteDossier(w io.Writer, f *findings.Findings, ringID, dataset, lang string) error {
	lang, err := normLang(lang)
	if err != nil {
		return err
	}
	idx := slices.IndexFunc(f.Rings, func(r findings.Ring) bool { return r.ID == ringID })
	if idx < 0 {
		return fmt.Errorf("report: no ring %q in the findings", ringID)
	}
	r := f.Rings[idx]
	d := dossier{HTMLLang: "zh-CN", Dataset: dataset, Ring: newRingView(idx, r, lang), VisitsKnown: len(r.VisitRows) > 0,
		VisitsListed: len(r.VisitRows), EvidenceShown: len(r.Evidence), EvidenceTotal: max(r.EvidenceTotal, len(r.Evidence))}
	if lang == LangEn {
		d.HTMLLang = "en"
	}
	d.Title = fmt.Sprintf(lookup(ui, "dossier_title", lang), vocab.Label(vocab.Typologies, r.Typology, lang), r.ID)
	d.Members, _ = memberRows(r.Members, len(r.Members), lang)
	for _, p := range r.Timeline {
		d.Days = append(d.Days, dayRow{Day: p.Day, Visits: p.Visits, Amount: money(p.Amount)})
	}
	visit := make(map[string]*findings.RingVisit, len(r.VisitRows))
	for i := range r.VisitRows {
		visit[r.VisitRows[i].MdtrtID] = &r.VisitRows[i]
	}
	articles := []string{pickArticle(r.Article, r.ArticleEn, lang)}
	for _, e := range r.Evidence {
		de := dossierEvidence{evidenceView: newEvidenceView(e, lang), Total: max(e.Total, e.Visits), Shown: len(e.MdtrtIDs)}
		fees := map[string][]string{}
		for _, fr := range e.Fees {
			fees[fr.MdtrtID] = append(fees[fr.MdtrtID], fr.FeedetlSn)
		}
		seen := map[string]bool{}
		for _, id := range e.MdtrtIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			c := citedRow{MdtrtID: id}
			if sns := fees[id]; len(sns) > 0 {
				c.Fees = fmt.Sprint(len(sns))
			}
			if v := visit[id]; v != nil {
				c.Begin, c.Patient, c.Site, c.Fund = v.Begin, v.PatientLabel, v.Site, money(v.Fund)
			}
			de.Cited = append(de.Cited, c)
		}
		d.Evidence = append(d.Evidence, de)
		articles = append(articles, pickArticle(e.Article, e.ArticleEn, lang))
	}
	for _, a := range articles {
		if a != "" && !slices.Contains(d.Articles, a) {
			d.Articles = append(d.Articles, a)
		}
	}
	if d.SealRings, d.SealEntities, err = seals(f); err != nil {
		return err
	}
	tmpl, err := parse("dossier", dossierTemplate, lang)
	if err != nil {
		return err
	}
	if err := tmpl.Execute(w, d); err != nil {
		return fmt.Errorf("write dossier: %w", err)
	}
	return nil
}
