package workspace

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ringlens/ringlens/graph/vocab"
)

// Fairness parameters (docs/points.md, "Individual or institutional").
const (
	// DefaultInstitutionShare is the least share of a site's (or
	// department's) doctors with a hit of the same rule at which the
	// pattern is the institution's (an order-set template, a billing
	// configuration) and not scored to each doctor: "most doctors".
	DefaultInstitutionShare = 0.6
	// DefaultInstitutionMinDoctors is the fewest doctors a site or
	// department must have for a shared pattern to be told from
	// individual conduct: with fewer, every doctor is judged alone.
	DefaultInstitutionMinDoctors = 3
)

// Band is a range of points of the national guidance.
type Band struct {
	Min, Max int
}

// BandDamages is the band when the institution paid liquidated damages.
func BandDamages() Band { return Band{1, 3} }

// BandPenalty is the band of an Art. 38 or 39 penalty or an agreement
// sanction; practising outside the registered scope.
func BandPenalty() Band { return Band{4, 6} }

// BandRepeat is the band of the same violation repeated within the year,
// or settling under an ineligible person's identity.
func BandRepeat() Band { return Band{7, 9} }

// BandFraud is the band of an Art. 40 fraud penalty; licence revoked.
func BandFraud() Band { return Band{10, 12} }

// BandOf returns the band that holds points (the zero Band for 0).
func BandOf(points int) Band {
	for _, b := range []Band{BandDamages(), BandPenalty(), BandRepeat(), BandFraud()} {
		if points >= b.Min && points <= b.Max {
			return b
		}
	}
	return Band{}
}

// String writes the band as "4-6", or "" for the zero Band.
func (b Band) String() string {
	if b == (Band{}) {
		return ""
	}
	return fmt.Sprintf("%d-%d", b.Min, b.Max)
}

// Points is the band's points for a responsibility level: the top of the
// band for main, the middle for important, the bottom for general.
func (b Band) Points(responsibility string) int {
	switch responsibility {
	case vocab.RespMain:
		return b.Max
	case vocab.RespImportant:
		return (b.Min + b.Max + 1) / 2
	}
	return b.Min
}

// SitePattern is the evidence whether a rule's hits are shared by the
// doctors of a site or department: of Doctors doctors who billed there in
// Period, WithHit have a hit of Rule.
type SitePattern struct {
	Institution string   `json:"institution"`
	Dept        string   `json:"dept,omitempty"` // "" for the whole site
	Rule        string   `json:"rule"`
	Period      string   `json:"period,omitempty"` // the data's first and last day
	Doctors     int      `json:"doctors"`
	WithHit     int      `json:"with_hit"`
	Codes       []string `json:"codes,omitempty"` // staff codes with a hit (capped by the caller)
}

// Share is WithHit / Doctors (0 without doctors).
func (p SitePattern) Share() float64 {
	if p.Doctors == 0 {
		return 0
	}
	return float64(p.WithHit) / float64(p.Doctors)
}

// Shared reports whether the pattern is the institution's under the
// thresholds share and minDoctors.
func (p SitePattern) Shared(share float64, minDoctors int) bool {
	return p.Doctors >= minDoctors && p.Share() >= share
}

// Basis is why an entry has its kind, band and points: the reasons in
// order, in English, without personal data, and the site patterns looked
// at.
type Basis struct {
	Reasons  []string      `json:"reasons"`
	Patterns []SitePattern `json:"patterns,omitempty"`
	// PatternsChecked is false when no claims were given to look for
	// shared patterns: the attribution is then the investigator's to make.
	PatternsChecked bool `json:"patterns_checked"`
}

// StaffCandidate is one staff member of a case for whom points are to be
// proposed.
type StaffCandidate struct {
	Code           string // staff code (dr_code)
	Institution    string // where the violation happened (fixmedins_code)
	Dept           string
	Region         string // admdvs of the institution
	Responsibility string // main, important or general
	// ScopeUnaware is the investigator's finding that the person did not
	// know the reimbursement scope (不了解医保支付范围).
	ScopeUnaware bool
	// Patterns are the site and department patterns of the case's rule
	// at the candidate's site; nil when not checked.
	Patterns []SitePattern
}

// ProposeRequest asks for proposals for the staff of a confirmed case.
type ProposeRequest struct {
	Case     string
	By       string
	Sanction string // what the institution received: penalty, agreement or damages
	Date     string // YYYY-MM-DD the sanction was decided (today if "")
	// Article is the regulation's article of the case (38, 39, 40, 41; 0
	// unknown: from the rule or typology).
	Article int
	Staff   []StaffCandidate
	// PatternsChecked says the caller looked for shared site patterns
	// (claims were given).
	PatternsChecked bool
	// Share and MinDoctors are the fairness thresholds
	// (DefaultInstitutionShare, DefaultInstitutionMinDoctors when 0).
	Share      float64
	MinDoctors int
}

// History is what the staff member's lifetime file already holds that
// bears on a proposal.
type History struct {
	Prior          int // confirmed entries of any kind, anywhere, ever
	SameRuleInYear int // confirmed scored entries of the same rule in the same calendar year
}

// Decision is a proposal's kind, band and points with its basis.
type Decision struct {
	Kind   string
	Band   Band // zero without points
	Points int
	Basis  Basis
}

// Decide proposes for one candidate: the institution's when a site or
// department pattern is shared (Share, MinDoctors); a warning for a first
// offence of not knowing the reimbursement scope; else points from the
// band of the sanction and article (raised to 7-9 for a repeat of the same
// rule within the year), placed in the band by responsibility.
func Decide(c StaffCandidate, sanction string, article int, h History, share float64, minDoctors int) Decision {
	var d Decision
	shared := false
	for _, p := range c.Patterns {
		d.Basis.Patterns = append(d.Basis.Patterns, p)
		where := "site " + p.Institution
		if p.Dept != "" {
			where += " department " + p.Dept
		}
		verdict := "the individual's conduct, not a shared pattern"
		switch {
		case p.Shared(share, minDoctors):
			shared, verdict = true, "the institution's pattern"
		case p.Doctors < minDoctors:
			verdict = "too few doctors to tell a shared pattern: judged as the individual's"
		}
		d.Basis.Reasons = append(d.Basis.Reasons, fmt.Sprintf(
			"%d of %d doctors of %s have hits of %s (%.0f%%; at least %.0f%% of at least %d doctors is the institution's pattern): %s",
			p.WithHit, p.Doctors, where, p.Rule, 100*p.Share(), 100*share, minDoctors, verdict))
	}
	if shared {
		d.Kind = vocab.PointsInstitutional
	}
	if d.Kind != "" {
		return d
	}
	if c.ScopeUnaware && h.Prior == 0 {
		d.Kind = vocab.PointsWarning
		d.Basis.Reasons = append(d.Basis.Reasons, "first offence, the reimbursement scope was not known: a warning, no points")
		return d
	}
	d.Kind = vocab.PointsScored
	switch {
	case sanction == vocab.SanctionDamages:
		d.Band = BandDamages()
		d.Basis.Reasons = append(d.Basis.Reasons, "the institution paid liquidated damages: band 1-3")
	case article == 40:
		d.Band = BandFraud()
		d.Basis.Reasons = append(d.Basis.Reasons, "an Art. 40 fraud penalty: band 10-12")
	default:
		d.Band = BandPenalty()
		d.Basis.Reasons = append(d.Basis.Reasons, fmt.Sprintf("an Art. %d penalty or agreement sanction: band 4-6", article))
	}
	if h.SameRuleInYear > 0 && d.Band.Max < BandRepeat().Max {
		d.Band = BandRepeat()
		d.Basis.Reasons = append(d.Basis.Reasons, "the same violation repeated within the year: band 7-9")
	}
	d.Points = d.Band.Points(c.Responsibility)
	d.Basis.Reasons = append(d.Basis.Reasons, fmt.Sprintf("%s responsibility: %d points", c.Responsibility, d.Points))
	return d
}

// ArticleOf returns the article of the regulation a case falls under:
// article when given, else Art. 38 for split hospitalisation and Art. 40
// for every other ring typology (fraud rings); 0 when unknown.
func ArticleOf(article int, typology string) int {
	switch {
	case article != 0:
		return article
	case typology == vocab.TypSplitHospitalisation:
		return 38
	case typology != "":
		return 40
	}
	return 0
}

// ProposeResult is what ProposePoints did.
type ProposeResult struct {
	Proposed []PointsEntry `json:"proposed"`
	// Skipped are the staff codes that already have a proposal or entry
	// for this case (proposing again changes nothing).
	Skipped []string `json:"skipped"`
}

// scoringStates are the case states from which points may be proposed.
func scoringStates() []string {
	return []string{vocab.StateConfirmed, vocab.StatePenalised, vocab.StateTransferred}
}

// Check reports what is malformed in r before anything is read.
func (r ProposeRequest) Check() error {
	if err := checkText("who proposes (by)", r.By, true); err != nil {
		return err
	}
	if err := checkCode("sanction", sanctionCodes(), r.Sanction); err != nil {
		return err
	}
	if err := checkDate(r.Date, false); err != nil {
		return invalid("date: %v", err)
	}
	if len(r.Staff) == 0 {
		return invalid("no staff member to propose points for")
	}
	seen := map[string]bool{}
	for _, c := range r.Staff {
		if strings.TrimSpace(c.Code) == "" {
			return invalid("a staff member without a code")
		}
		if seen[c.Code] {
			return invalid("staff member %s given twice", c.Code)
		}
		seen[c.Code] = true
		if err := checkCode("responsibility", responsibilityCodes(), c.Responsibility); err != nil {
			return err
		}
	}
	return nil
}

// ProposePoints proposes points for the staff of a case in state
// confirmed, penalised or transferred: one proposal per staff member
// (Decide), each with its audit entry, all in one transaction. A staff
// member with a proposal or entry for the case already is skipped.
func (w *Workspace) ProposePoints(ctx context.Context, r ProposeRequest) (ProposeResult, error) {
	res := ProposeResult{Proposed: []PointsEntry{}, Skipped: []string{}}
	if err := r.Check(); err != nil {
		return res, err
	}
	if r.Share <= 0 {
		r.Share = DefaultInstitutionShare
	}
	if r.MinDoctors <= 0 {
		r.MinDoctors = DefaultInstitutionMinDoctors
	}
	at := w.now()
	if r.Date == "" {
		r.Date = w.Now().UTC().Format(time.DateOnly)
	}
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		c, err := getClue(ctx, tx, r.Case)
		if err != nil {
			return err
		}
		if !slices.Contains(scoringStates(), c.Status) {
			return fmt.Errorf("%w: case %s is %s; points are proposed for a case confirmed, penalised or transferred",
				ErrEntryState, c.ID, c.Status)
		}
		org, err := origin(ctx, tx)
		if err != nil {
			return err
		}
		article := ArticleOf(r.Article, c.Typology)
		for _, cand := range r.Staff {
			e, ok, err := proposeOne(ctx, tx, at, org, c, r, article, cand)
			if err != nil {
				return fmt.Errorf("staff %s: %w", cand.Code, err)
			}
			if !ok {
				res.Skipped = append(res.Skipped, cand.Code)
				continue
			}
			res.Proposed = append(res.Proposed, e)
		}
		return nil
	})
	if err != nil {
		return ProposeResult{}, fmt.Errorf("workspace: propose points for %s: %w", r.Case, err)
	}
	return res, nil
}

// proposeOne stores the proposal for one candidate, or reports false when
// the case already has one for the staff member.
func proposeOne(ctx context.Context, tx *sql.Tx, at, org string, c Clue, r ProposeRequest, article int, cand StaffCandidate) (PointsEntry, bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM points_entries WHERE clue_id=? AND staff=? AND status<>?`,
		c.ID, cand.Code, vocab.PointsRejected).Scan(&n); err != nil {
		return PointsEntry{}, false, err
	}
	if n > 0 {
		return PointsEntry{}, false, nil
	}
	h, err := history(ctx, tx, cand.Code, c.Rule, r.Date[:4])
	if err != nil {
		return PointsEntry{}, false, err
	}
	d := Decide(cand, r.Sanction, article, h, r.Share, r.MinDoctors)
	d.Basis.PatternsChecked = r.PatternsChecked
	switch {
	case !r.PatternsChecked:
		d.Basis.Reasons = append(d.Basis.Reasons, "no claims given: whether the pattern is shared by the site's doctors was not checked")
	case len(cand.Patterns) == 0:
		d.Basis.Reasons = append(d.Basis.Reasons, "no site pattern compared: the case has no single rule, or the staff code is not in the claims")
	}
	band := d.Band.String()
	e := PointsEntry{LedgerEntry: LedgerEntry{Origin: org, Staff: cand.Code, Institution: cand.Institution, Dept: cand.Dept,
		Region: cand.Region, Rule: c.Rule, Typology: c.Typology, Article: article, Sanction: r.Sanction,
		Responsibility: cand.Responsibility, Kind: d.Kind, Points: d.Points, EventDate: r.Date, Revision: 1},
		Case: c.ID, Band: band, Proposed: d.Points, Status: vocab.PointsProposed, Basis: d.Basis, CreatedAt: at, UpdatedAt: at}
	res, err := tx.ExecContext(ctx, `INSERT INTO points_entries(uid, origin, staff, institution, dept, region, clue_id, rule, typology,
		article, sanction, responsibility, kind, band, proposed, points, suspend_months, status, event_date, basis, revision, created_at, updated_at)
		VALUES ('',?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,?,1,?,?)`,
		e.Origin, e.Staff, e.Institution, e.Dept, e.Region, e.Case, e.Rule, e.Typology, e.Article, e.Sanction,
		e.Responsibility, e.Kind, e.Band, e.Proposed, e.Points, e.Status, e.EventDate, jsonText(e.Basis), at, at)
	if err != nil {
		return e, false, err
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return e, false, err
	}
	e.UID = fmt.Sprintf("%s/PT-%06d", org, seq)
	if _, err := tx.ExecContext(ctx, `UPDATE points_entries SET uid=? WHERE seq=?`, e.UID, seq); err != nil {
		return e, false, err
	}
	// The reasons name sites and doctors: the trail keeps only the outcome.
	err = recordAction(ctx, tx, at, PointsAction{By: r.By, Action: vocab.AuditPointsPropose,
		Reason: strings.TrimSpace("proposed: " + d.Kind + " " + band), PointsAfter: e.Points}, e)
	return e, err == nil, err
}

// history reads what the staff member's file holds that bears on a new
// proposal: confirmed entries ever, and scored ones of rule in year.
func history(ctx context.Context, q querier, staff, rule, year string) (History, error) {
	var h History
	err := q.QueryRowContext(ctx, `SELECT
		COUNT(*),
		COALESCE(SUM(CASE WHEN kind=? AND rule<>'' AND rule=? AND substr(event_date,1,4)=? AND points>0 THEN 1 ELSE 0 END), 0)
		FROM points_entries WHERE staff=? AND status=?`,
		vocab.PointsScored, rule, year, staff, vocab.PointsConfirmed).Scan(&h.Prior, &h.SameRuleInYear)
	if err != nil {
		return h, fmt.Errorf("read the staff file: %w", err)
	}
	return h, nil
}
