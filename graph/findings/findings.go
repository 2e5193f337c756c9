package findings

// Member kinds as written in rings.json and entities.csv.
const (
	KindPatient  = "patient"
	KindDoctor   = "doctor"
	KindClinic   = "clinic" // any designated medical institution: clinic, hospital or station
	KindPharmacy = "pharmacy"
)

// Typology ids (docs/typologies.md), plus Unclassified.
const (
	TypFabricatedOutpatient = "fabricated_outpatient"
	TypLockstepSwiping      = "lockstep_swiping"
	TypFakeHospitalisation  = "fake_hospitalisation"
	TypCardCollection       = "card_collection"
	TypDrugReselling        = "drug_reselling"
	TypPharmacyCashout      = "pharmacy_cashout"
	TypBorrowedQualif       = "borrowed_qualification"
	TypSplitHospitalisation = "split_hospitalisation"
	TypUnclassified         = "unclassified"
)

// Member is one entity of a ring.
type Member struct {
	Kind  string  `json:"kind"`            // patient, doctor, clinic, pharmacy
	ID    string  `json:"id"`              // psn_no, dr_code or fixmedins_code
	Role  string  `json:"role"`            // e.g. organising_clinic, organised_doctor, recruited_patient, reselling_pharmacy
	Score float64 `json:"score"`           // the entity's score in [0, 1]
	Label string  `json:"label,omitempty"` // display label, personal data masked
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
	Visits    int                `json:"visits"` // rows involved (cited rows may be fewer)
	MdtrtIDs  []string           `json:"mdtrt_ids"`
	Fees      []FeeRef           `json:"fees,omitempty"`
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
	Timeline     []TimelinePoint    `json:"timeline"`
}

// EntityScore is one row of entities.csv: kind,id,score,ring_id,reasons.
type EntityScore struct {
	Kind    string   `json:"kind"`
	ID      string   `json:"id"`
	Score   float64  `json:"score"`
	RingID  string   `json:"ring_id"` // "" when in no reported ring
	Reasons []string `json:"reasons"` // top contributing signals, most important first
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

// Findings is everything detection reports.
type Findings struct {
	Rings       []Ring               `json:"rings"`        // ranked, best first
	Entities    []EntityScore        `json:"entities"`     // every patient, doctor, institution and pharmacy
	SingleHits  []Evidence           `json:"single_hits"`  // rule hits not in any reported ring
	DataQuality []DataQualityFinding `json:"data_quality"` // data-quality findings

	// RuleHits are the rule library's hits with their table rows, as
	// rings.Detect ran them (converted by rules.Hit.Finding), for
	// exporters that link hits to entities (Neo4j). They are not written
	// to rings.json (SingleHits and ring evidence carry the cited rows
	// there).
	RuleHits []RuleHit `json:"-"`
}
