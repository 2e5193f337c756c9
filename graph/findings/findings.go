package findings

import "github.com/ringlens/ringlens/graph/vocab"

// Member kinds as written in rings.json and entities.csv (the codes of
// graph/vocab, category Kinds).
const (
	KindPatient  = vocab.KindPatient
	KindDoctor   = vocab.KindDoctor
	KindClinic   = vocab.KindClinic // any designated medical institution: clinic, hospital or station
	KindPharmacy = vocab.KindPharmacy
)

// Typology ids (docs/typologies.md), plus Unclassified (the codes of
// graph/vocab, category Typologies).
const (
	TypFabricatedOutpatient = vocab.TypFabricatedOutpatient
	TypLockstepSwiping      = vocab.TypLockstepSwiping
	TypFakeHospitalisation  = vocab.TypFakeHospitalisation
	TypCardCollection       = vocab.TypCardCollection
	TypDrugReselling        = vocab.TypDrugReselling
	TypPharmacyCashout      = vocab.TypPharmacyCashout
	TypBorrowedQualif       = vocab.TypBorrowedQualif
	TypSplitHospitalisation = vocab.TypSplitHospitalisation
	TypUnclassified         = vocab.TypUnclassified
)

// Member is one entity of a ring.
type Member struct {
	Kind  string  `json:"kind"`            // patient, doctor, clinic, pharmacy
	ID    string  `json:"id"`              // psn_no, dr_code or fixmedins_code
	Role  string  `json:"role"`            // e.g. organising_clinic, organised_doctor, recruited_patient, reselling_pharmacy
	Score float64 `json:"score"`           // its entity score, in [0.5, 1]: by its share of the evidence of the best-ranked ring holding it
	Label string  `json:"label,omitempty"` // display label, personal data masked
	// The member's part in the ring's own visits (those behind
	// amount_at_risk: as patient, institution or attending doctor) and in
	// the rule hits assigned to the ring.
	Visits   int     `json:"visits"`    // ring visits it takes part in
	Fund     float64 `json:"fund"`      // their fund yuan, fen-rounded, net of refunds
	RuleHits int     `json:"rule_hits"` // rule hits assigned to the ring that name it
	First    string  `json:"first"`     // its first ring visit, YYYY-MM-DD HH:MM:SS, "" if none
	Last     string  `json:"last"`      // its last ring visit, "" if none
}

// FeeRef cites one fee line.
type FeeRef struct {
	MdtrtID   string `json:"mdtrt_id"`
	FeedetlSn string `json:"feedetl_sn"`
}

// Evidence is one fact a ring rests on: a rule hit or a graph fact (a
// lockstep block, a shared-doctor pattern, a rhythm), with the rows it cites.
type Evidence struct {
	Kind      string             `json:"kind"`              // "rule" or "graph"
	Rule      string             `json:"rule,omitempty"`    // rule id, or graph-fact id such as "G-LOCKSTEP"
	Version   string             `json:"version,omitempty"` // rule version
	Params    map[string]float64 `json:"params,omitempty"`  // parameters used
	Result    string             `json:"result,omitempty"`  // definite or suspicious
	Article   string             `json:"article,omitempty"` // legal article (zh-CN)
	ArticleEn string             `json:"article_en,omitempty"`
	Detail    string             `json:"detail"` // English
	DetailZh  string             `json:"detail_zh"`
	Amount    float64            `json:"amount"` // fund yuan involved, net of refunds
	Visits    int                `json:"visits"` // rows involved (cited rows may be fewer); the same as Total
	// Shown counts the rows MdtrtIDs lists (capped), Total the rows the
	// evidence rests on: Shown < Total when the list is cut.
	Shown    int      `json:"shown"`
	Total    int      `json:"total"`
	MdtrtIDs []string `json:"mdtrt_ids"`
	Fees     []FeeRef `json:"fees,omitempty"`
}

// TimelinePoint counts a ring's visits on one day.
type TimelinePoint struct {
	Day    string  `json:"day"` // YYYY-MM-DD
	Visits int     `json:"visits"`
	Amount float64 `json:"amount"` // fund yuan
}

// Ring is one reported ring.
type Ring struct {
	ID           string             `json:"id"`
	Rank         int                `json:"rank"`
	Score        float64            `json:"score"` // higher = more suspicious, in [0, 1]
	Typology     string             `json:"typology"`
	Members      []Member           `json:"members"`
	AmountAtRisk float64            `json:"amount_at_risk"` // fund yuan, net of refunds
	Visits       int                `json:"visits"`         // ring visits behind amount_at_risk
	First        string             `json:"first"`          // first ring visit, YYYY-MM-DD HH:MM:SS
	Last         string             `json:"last"`
	Article      string             `json:"article"` // the main legal article (zh-CN)
	ArticleEn    string             `json:"article_en"`
	Features     map[string]float64 `json:"features"` // the signals behind the score (density, rule_hit_share, peer_distance, ...)
	Evidence     []Evidence         `json:"evidence"`
	// EvidenceTotal counts the ring's evidence items before the cap on
	// Evidence: every graph fact and every rule hit assigned to the ring.
	EvidenceTotal int             `json:"evidence_total"`
	Timeline      []TimelinePoint `json:"timeline"`
	// Why lists the signals that made the group a ring, strongest first
	// (three to five as a rule), each linked to the evidence behind it.
	Why []Signal `json:"why"`
	// Changed is set on a ring that incremental scoring (rings.Live)
	// changed since the last full run; never in a full run's rings.json.
	Changed *Change `json:"changed,omitempty"`
	// VisitRows are the visits behind AmountAtRisk, in table order, for
	// the visits endpoint and ring_visits.csv; not part of rings.json.
	VisitRows []RingVisit `json:"-"`
}

// Change is what incremental scoring added to a ring since the last full
// run: the visits that joined it and their net fund yuan. Since (RFC 3339)
// is when the ring first changed, stamped by the server that scores
// incrementally ("" from rings.Live itself).
type Change struct {
	Since  string  `json:"since"`
	Visits int     `json:"visits"`
	Fund   float64 `json:"fund"`
}

// RingVisit is one visit behind a ring's amount at risk: its mdtrt_id,
// patient (psn_no and masked name), attending doctor, site, times and net
// fund yuan (fen-rounded).
type RingVisit struct {
	MdtrtID      string  `json:"mdtrt_id"`
	Patient      string  `json:"patient"`
	PatientLabel string  `json:"patient_label"`
	Doctor       string  `json:"doctor"`
	Site         string  `json:"site"`
	Begin        string  `json:"begin"` // YYYY-MM-DD HH:MM:SS
	End          string  `json:"end"`   // "" when absent
	Fund         float64 `json:"fund"`
}

// EntityScore is one row of entities.csv: kind,id,score,ring_id,reasons
// (a row of Entities).
type EntityScore struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	Score   float64  `json:"score"`
	RingID  string   `json:"ring_id"` // "" when in no reported ring
	Reasons []Reason `json:"reasons"` // top contributing signals, most important first
}

// Reason is one score reason of an entity: a code of the vocabulary's
// reasons (graph/vocab, category Reasons) and the values of its
// parameters by name, each formatted as the sentence shows it (a score
// with two decimals, a share as a whole percentage, ...); in JSON an object
// ({} for a reason without parameters).
// entities.csv writes a reason as its English sentence (Text).
type Reason struct {
	Code   string       `json:"code"`
	Params vocab.Params `json:"params"`
}

// Text renders r in lang (zh or en) with the vocabulary's template
// (vocab.RenderParams): in English the sentence entities.csv writes. A code
// the vocabulary does not know renders as the code itself.
func (r Reason) Text(lang string) string {
	return vocab.RenderParams(vocab.Reasons, r.Code, r.Params, lang)
}

// ReasonTexts renders rs in lang (Text), in order; nil for none.
func ReasonTexts(rs []Reason, lang string) []string {
	if rs == nil {
		return nil
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text(lang)
	}
	return out
}

// DataQualityFinding is a problem of the data, not fraud (e.g. a placeholder
// doctor code shared by implausibly many visits).
type DataQualityFinding struct {
	Kind         string  `json:"kind"`
	Code         string  `json:"code"`
	Visits       int     `json:"visits"`
	Institutions int     `json:"institutions"`
	Patients     int     `json:"patients"`
	Amount       float64 `json:"amount"`
	Detail       string  `json:"detail"`
}

// RegionScope says what a detection restricted to a region (an admdvs
// code or its prefix) left out. A partition of a province detects on its
// claims beside a sample of other regions' people, who serve as peers
// (docs/scale.md): their rings, rule hits and scores are their own
// regions' to report.
type RegionScope struct {
	// Region is the region code or prefix.
	Region string `json:"region"`
	// Rings counts the rings that scored high enough to be reported but
	// hold no institution of the region.
	Rings int `json:"rings_outside"`
	// SingleHits counts the rule hits in no reported ring that concern
	// no institution, visit, doctor or person of the region; they are in
	// neither SingleHits nor SingleHitsTotal.
	SingleHits int `json:"single_hits_outside"`
	// Entities counts the entities left out of Entities: institutions
	// and pharmacies of other regions, and the doctors and people with
	// no visit, registration or purchase at one of the region's.
	Entities int `json:"entities_outside"`
}

// Findings is everything detection reports.
type Findings struct {
	Rings      []Ring     `json:"rings"`       // ranked, best first
	Entities   *Entities  `json:"entities"`    // every patient, doctor, institution and pharmacy
	SingleHits []Evidence `json:"single_hits"` // rule hits not in any reported ring, the largest amount first (capped)
	// SingleHitsTotal counts the rule hits in no reported ring before the
	// cap on SingleHits.
	SingleHitsTotal int `json:"single_hits_total"`
	// RingsNotReported counts the rings that scored high enough to be
	// reported but fell beyond the max_rings cap (an investigator's short
	// list: a province can hold hundreds); absent when none did.
	RingsNotReported int                  `json:"rings_not_reported,omitempty"`
	DataQuality      []DataQualityFinding `json:"data_quality"` // data-quality findings
	// Scope is the region the rings, single hits and entities were
	// restricted to, with counts of what that left out; nil when they
	// were not (every region of the input).
	Scope *RegionScope `json:"region_scope,omitempty"`

	// RuleHits are the rule library's hits with their table rows, as
	// rings.Detect ran them (converted by rules.Hit.Finding), for
	// exporters that link hits to entities (Neo4j). They are not written
	// to rings.json (SingleHits and ring evidence carry the cited rows
	// there).
	RuleHits []RuleHit `json:"-"`
}
