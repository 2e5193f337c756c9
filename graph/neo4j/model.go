package neo4j

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// Node labels and id spaces. Every institution node carries the Institution
// label (its id space: fixmedins_code is unique across classes) plus one of
// Clinic (clinics and stations, told apart by the class property),
// Hospital or Pharmacy.
const (
	LabelPatient     = "Patient"
	LabelDoctor      = "Doctor"
	LabelInstitution = "Institution"
	LabelClinic      = "Clinic"
	LabelHospital    = "Hospital"
	LabelPharmacy    = "Pharmacy"
	LabelVisit       = "Visit"
	LabelFeeLine     = "FeeLine"
	LabelItem        = "Item"
	LabelRing        = "Ring"
	LabelRuleHit     = "RuleHit"
)

// Relationship types.
const (
	RelVisited      = "VISITED"       // Patient -> Institution (clinic, hospital)
	RelTreatedBy    = "TREATED_BY"    // Patient -> Doctor
	RelRegisteredAt = "REGISTERED_AT" // Doctor -> Institution (staff.csv)
	RelBilledAt     = "BILLED_AT"     // Doctor -> Institution (visits attended or billed)
	RelFilledAt     = "FILLED_AT"     // Patient -> Pharmacy
	RelPrescribedTo = "PRESCRIBED_TO" // Doctor -> Pharmacy
	RelHad          = "HAD"           // Patient -> Visit
	RelAt           = "AT"            // Visit -> Institution
	RelAttendedBy   = "ATTENDED_BY"   // Visit -> Doctor
	RelBilled       = "BILLED"        // Visit -> FeeLine
	RelMemberOf     = "MEMBER_OF"     // Patient|Doctor|Institution -> Ring {role, score}
	RelConcerns     = "CONCERNS"      // RuleHit -> Patient|Doctor|Institution
	RelEvidenceOf   = "EVIDENCE_OF"   // RuleHit -> Ring {rank}: the hit is cited in the ring's evidence
)

// PropType is a property's type, named as in neo4j-admin import headers.
type PropType string

// Property types.
const (
	TString   PropType = "string"
	TInt      PropType = "long"
	TFloat    PropType = "double"
	TBool     PropType = "boolean"
	TDateTime PropType = "datetime"
	TDate     PropType = "date"
	TStrings  PropType = "string[]"
)

// Prop is a property of a node or relationship set.
type Prop struct {
	Name string
	Type PropType
}

// Day is a calendar date value (written as a Neo4j date).
type Day claims.Date

// Stamp is a date-time value (written as a Neo4j datetime in +08:00).
type Stamp claims.Time

// NodeSet is a set of nodes sharing labels, key and properties. Row fills
// props (len(Props) values; nil means absent) for node i and returns its
// key. Values are string, int64, float64, bool, Day, Stamp, []string or nil.
type NodeSet struct {
	Name   string   // file-name stem, e.g. "clinic"
	Space  string   // id space and key label, e.g. "Institution"
	Labels []string // all labels, Space first
	Key    string   // key property, e.g. "code"
	Props  []Prop
	Len    int
	Row    func(i int, props []any) (key string)
}

// End is one end of a relationship set: the key label (id space) and key
// property of the nodes it matches.
type End struct {
	Space string
	Key   string
}

// RelSet is a set of relationships of one type between two id spaces. Row
// fills props for relationship i and returns the keys of its ends; ok false
// skips the row (it is not counted).
type RelSet struct {
	Name     string // file-name stem
	Type     string
	From, To End
	Props    []Prop
	Len      int
	Row      func(i int, props []any) (from, to string, ok bool)
}

// Input is what is written to Neo4j.
type Input struct {
	Graph    *graph.Graph
	Findings *findings.Findings // may be nil: no Ring nodes, no scores
	Hits     []findings.RuleHit // rule hits (Findings.RuleHits); may be nil
	// RunID namespaces Ring and RuleHit nodes: pushing a run replaces the
	// Ring and RuleHit nodes of the same run id and leaves other runs.
	RunID string
	// IncludePII writes names and certificate numbers raw instead of
	// masked.
	IncludePII bool
	// Visits adds Visit nodes (with HAD, AT, ATTENDED_BY), FeeLine nodes
	// (with BILLED from their visit) and Item nodes (the catalogue), which
	// reading back needs.
	Visits bool
	// TraceLines, without Visits, adds only the FeeLine nodes that carry a
	// drug trace code, with their Visit nodes and the same relationships:
	// what the partitions of a province exchange to find the trace codes
	// sold in several regions (docs/scale.md, "Beyond one machine").
	TraceLines bool
}

// Model is the data model instantiated for one Input.
type Model struct {
	Nodes []NodeSet
	Rels  []RelSet
	RunID string
}

// Ends of relationship sets: each id space with its key property.
func endPatient() End     { return End{LabelPatient, "psn_no"} }
func endDoctor() End      { return End{LabelDoctor, "dr_code"} }
func endInstitution() End { return End{LabelInstitution, "code"} }
func endVisit() End       { return End{LabelVisit, "mdtrt_id"} }
func endFeeLine() End     { return End{LabelFeeLine, "id"} }
func endItem() End        { return End{LabelItem, "code"} }
func endRing() End        { return End{LabelRing, "id"} }
func endRuleHit() End     { return End{LabelRuleHit, "id"} }

// scoreProps are the entity-score properties of patients, doctors and
// institutions.
func scoreProps() []Prop {
	return []Prop{{"score", TFloat}, {"ring_id", TString}, {"reasons", TStrings}}
}

// NewModel describes in as node and relationship sets.
func NewModel(in Input) (*Model, error) {
	g := in.Graph
	if g == nil || g.Tables() == nil {
		return nil, errors.New("neo4j: nil graph")
	}
	if in.RunID == "" {
		in.RunID = "latest"
	}
	t := g.Tables()
	m := &Model{RunID: in.RunID}
	ec := &entityContext{g: g, t: t, scores: entityScores(in.Findings), includePII: in.IncludePII}
	m.addPatients(ec)
	m.addDoctors(ec)
	m.addInstitutions(ec)
	m.addEdges(g)
	m.addRegistrations(t)
	switch {
	case in.Visits:
		m.addVisits(t, nil)
		m.addCatalog(t)
		m.addFees(t, nil)
	case in.TraceLines:
		fees, visits := traceLines(t)
		m.addVisits(t, visits)
		m.addFees(t, fees)
	}
	if in.Findings != nil {
		m.addRings(in.Findings, in.RunID)
	}
	m.addHits(t, in.Hits, in.RunID)
	if in.Findings != nil {
		m.addEvidence(t, in.Findings, in.Hits, in.RunID)
	}
	return m, nil
}

// entityContext is what the entity node sets read: the graph and its
// tables, the entity scores by kind and id, and whether personal data is
// written unmasked.
type entityContext struct {
	g          *graph.Graph
	t          *graph.Tables
	scores     map[string]*findings.EntityScore
	includePII bool
}

// setScore fills the score properties (scoreProps, the first three) of
// entity kind/id. The reasons are stored as entities.csv writes them: their
// English sentences (findings.Reason.Text), a list of strings.
func (ec *entityContext) setScore(kind, id string, props []any) {
	if e, ok := ec.scores[kind+"\x00"+id]; ok {
		props[0], props[1], props[2] = e.Score, nonEmpty(e.RingID), findings.ReasonTexts(e.Reasons, vocab.LangEn)
	}
}

// pii returns the personal-data value of row of col, masked with mask
// unless personal data is written unmasked; nil when absent.
func (ec *entityContext) pii(col []uint32, row int, mask func(string) string) any {
	if row >= len(col) || col[row] == graph.None || ec.t.PII == nil {
		return nil
	}
	s := ec.t.PII.String(col[row])
	if !ec.includePII {
		s = mask(s)
	}
	return nonEmpty(s)
}

// addPatients adds the Patient node set.
func (m *Model) addPatients(ec *entityContext) {
	g, t := ec.g, ec.t
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "patient", Space: LabelPatient, Labels: []string{LabelPatient}, Key: "psn_no",
		Props: append(scoreProps(), Prop{"name", TString}, Prop{"cert_no", TString}, Prop{"sex", TInt},
			Prop{"birth", TDate}, Prop{"insu_type", TString}, Prop{"insuplc_admdvs", TString}, Prop{"die_date", TDate},
			Prop{"visits", TInt}, Prop{"fund", TFloat}),
		Len: g.NumKind(graph.KindPatient),
		Row: func(i int, p []any) string {
			n := g.PatientNode(uint32(i))
			pt := &t.Persons
			key := g.Key(n)
			ec.setScore(findings.KindPatient, key, p)
			p[3] = ec.pii(pt.Name, i, claims.MaskName)
			p[4] = ec.pii(pt.CertNo, i, claims.MaskCertNo)
			p[5] = int64(pt.Sex[i])
			p[6] = day(pt.Birth[i])
			p[7] = nonEmpty(t.Str(pt.InsuType[i]))
			p[8] = nonEmpty(t.Str(pt.InsuplcAdmdvs[i]))
			p[9] = day(pt.DieDate[i])
			p[10] = int64(g.NodeVisits(n))
			p[11] = g.NodeFund(n).Yuan()
			return key
		},
	})
}

// addDoctors adds the Doctor node set.
func (m *Model) addDoctors(ec *entityContext) {
	g, t := ec.g, ec.t
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "doctor", Space: LabelDoctor, Labels: []string{LabelDoctor}, Key: "dr_code",
		Props: append(scoreProps(), Prop{"name", TString}, Prop{"dept", TString}, Prop{"prof", TString},
			Prop{"registered", TBool}, Prop{"visits", TInt}, Prop{"fund", TFloat}),
		Len: g.NumKind(graph.KindDoctor),
		Row: func(i int, p []any) string {
			n := g.DoctorNode(uint32(i))
			dt := &t.Doctors
			key := g.Key(n)
			ec.setScore(findings.KindDoctor, key, p)
			p[3] = ec.pii(dt.Name, i, claims.MaskName)
			p[4] = nonEmpty(t.Str(dt.Dept[i]))
			p[5] = nonEmpty(t.Str(dt.Prof[i]))
			p[6] = dt.Registered[i]
			p[7] = int64(g.NodeVisits(n))
			p[8] = g.NodeFund(n).Yuan()
			return key
		},
	})
}

// addInstitutions adds the institution node sets, one per label (Clinic,
// Hospital, Pharmacy).
func (m *Model) addInstitutions(ec *entityContext) {
	g, t := ec.g, ec.t
	instProps := append(scoreProps(), Prop{"name", TString}, Prop{"class", TString}, Prop{"type", TInt},
		Prop{"level", TString}, Prop{"admdvs", TString}, Prop{"beds", TInt}, Prop{"lat", TFloat}, Prop{"lon", TFloat},
		Prop{"visits", TInt}, Prop{"fund", TFloat})
	byLabel := map[string][]uint32{}
	for r := 0; r < t.Institutions.Len(); r++ {
		l := institutionLabel(t.Institutions.Class[r])
		byLabel[l] = append(byLabel[l], uint32(r))
	}
	for _, l := range []string{LabelClinic, LabelHospital, LabelPharmacy} {
		rows := byLabel[l]
		m.Nodes = append(m.Nodes, NodeSet{
			Name: lower(l), Space: LabelInstitution, Labels: []string{LabelInstitution, l}, Key: "code",
			Props: instProps, Len: len(rows),
			Row: func(i int, p []any) string {
				r := rows[i]
				it := &t.Institutions
				n := g.InstitutionNode(r)
				key := it.IDs.String(r)
				kind := findings.KindClinic
				if it.Class[r] == graph.ClassPharmacy {
					kind = findings.KindPharmacy
				}
				ec.setScore(kind, key, p)
				p[3] = nonEmpty(t.Str(it.Name[r]))
				p[4] = it.Class[r].String()
				p[5] = int64(it.Type[r])
				p[6] = nonEmpty(t.Str(it.Level[r]))
				p[7] = nonEmpty(t.Str(it.Admdvs[r]))
				p[8] = int64(it.Beds[r])
				if it.HasLoc[r] {
					p[9], p[10] = it.Lat[r], it.Lon[r]
				}
				p[11] = int64(g.NodeVisits(n))
				p[12] = g.NodeFund(n).Yuan()
				return key
			},
		})
	}
}

// edgeSpec maps an aggregated edge type to its relationship type, file
// stem and start. DoctorInstitutionRegistered gives "" (it is written from
// the registrations instead, see addRegistrations).
func edgeSpec(ty graph.EdgeType) (typ, name string, from End) {
	switch ty {
	case graph.PatientInstitution:
		return RelVisited, "visited", endPatient()
	case graph.PatientDoctor:
		return RelTreatedBy, "treated_by", endPatient()
	case graph.DoctorInstitutionBilled:
		return RelBilledAt, "billed_at", endDoctor()
	case graph.PatientPharmacy:
		return RelFilledAt, "filled_at", endPatient()
	case graph.DoctorPharmacy:
		return RelPrescribedTo, "prescribed_to", endDoctor()
	}
	return "", "", End{}
}

// edgeProps are the aggregated properties of relationships built from
// graph edges.
func edgeProps() []Prop {
	return []Prop{{"visits", TInt}, {"fund", TFloat}, {"med_fee", TFloat}, {"first", TDateTime}, {"last", TDateTime}}
}

func (m *Model) addEdges(g *graph.Graph) {
	et := g.Edges()
	for ty := graph.EdgeType(0); ty < graph.NumEdgeTypes; ty++ {
		typ, name, from := edgeSpec(ty)
		if typ == "" {
			continue
		}
		lo, hi := g.EdgeRange(ty)
		to := endInstitution()
		if ty == graph.PatientDoctor {
			to = endDoctor()
		}
		m.Rels = append(m.Rels, RelSet{
			Name: name, Type: typ, From: from, To: to, Props: edgeProps(), Len: int(hi - lo),
			Row: func(i int, p []any) (string, string, bool) {
				e := lo + graph.EdgeIndex(i)
				p[0] = int64(et.Visits[e])
				p[1] = et.Fund.At(uint32(e)).Yuan()
				p[2] = et.MedFee.At(uint32(e)).Yuan()
				p[3] = stamp(et.First.At(uint32(e)))
				p[4] = stamp(et.Last.At(uint32(e)))
				return g.Key(et.U[e]), g.Key(et.V[e]), true
			},
		})
	}
}

// addRegistrations writes REGISTERED_AT from staff.csv registrations,
// keeping the first of duplicate (doctor, site) rows.
func (m *Model) addRegistrations(t *graph.Tables) {
	seen := make(map[graph.Registration]bool, len(t.Doctors.Sites))
	var regs []graph.Registration
	for _, r := range t.Doctors.Sites {
		if !seen[r] {
			seen[r] = true
			regs = append(regs, r)
		}
	}
	m.Rels = append(m.Rels, RelSet{
		Name: "registered_at", Type: RelRegisteredAt, From: endDoctor(), To: endInstitution(), Len: len(regs),
		Row: func(i int, _ []any) (string, string, bool) {
			r := regs[i]
			return t.Doctors.IDs.String(r.Doctor), t.Institutions.IDs.String(r.Institution), true
		},
	})
}

// traceLines returns the fee lines that carry a drug trace code and their
// visits, each in row order.
func traceLines(t *graph.Tables) (fees, visits []uint32) {
	ft := &t.Fees
	for f := range uint32(ft.Len()) {
		if ft.Trace.At(f) == graph.None {
			continue
		}
		fees = append(fees, f)
		if v := ft.Visit.At(f); len(visits) == 0 || visits[len(visits)-1] != v {
			visits = append(visits, v)
		}
	}
	slices.Sort(visits)
	return fees, slices.Compact(visits)
}

// subset maps a node or relationship set's index to a table row: rows[i],
// or i itself when rows is nil (every row of a table of n rows). It
// returns the set's length too.
func subset(rows []uint32, n int) (int, func(i int) int) {
	if rows == nil {
		return n, func(i int) int { return i }
	}
	return len(rows), func(i int) int { return int(rows[i]) }
}

// addVisits adds the Visit nodes of the visit rows given (nil: all) with
// HAD, AT and ATTENDED_BY.
func (m *Model) addVisits(t *graph.Tables, rows []uint32) {
	vt := &t.Visits
	n, row := subset(rows, vt.Len())
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "visit", Space: LabelVisit, Labels: []string{LabelVisit}, Key: "mdtrt_id",
		Props: []Prop{{"psn_no", TString}, {"code", TString}, {"dr_code", TString}, {"med_type", TInt},
			{"begin", TDateTime}, {"end", TDateTime}, {"dise_codg", TString}, {"dise_name", TString},
			{"med_fee", TFloat}, {"fund", TFloat}, {"cert_type", TInt}, {"flags", TInt}, {"setl_id", TString}},
		Len: n,
		Row: func(i int, p []any) string {
			i = row(i)
			p[0] = t.Persons.IDs.String(vt.Person[i])
			p[1] = t.Institutions.IDs.String(vt.Institution[i])
			p[2] = nil
			if d := vt.Doctor[i]; d != graph.None {
				p[2] = t.Doctors.IDs.String(d)
			}
			p[3] = int64(vt.MedType[i])
			p[4] = stamp(vt.Begin.At(uint32(i)))
			p[5] = stamp(vt.End.At(uint32(i)))
			p[6] = nonEmpty(t.Str(vt.Dise.At(uint32(i))))
			p[7] = nonEmpty(t.Str(vt.DiseName.At(uint32(i))))
			p[8] = vt.MedFee.At(uint32(i)).Yuan()
			p[9] = vt.FundPay.At(uint32(i)).Yuan()
			p[10] = int64(vt.Cert[i])
			p[11] = int64(vt.Flags[i])
			p[12] = nil
			if vt.SetlID.Len() > i { // not kept: ingest.Options.DropSettlementIDs
				if s := vt.SetlID.String(uint32(i)); s != "" {
					p[12] = s
				}
			}
			return vt.IDs.String(uint32(i))
		},
	})
	m.Rels = append(m.Rels,
		RelSet{Name: "had", Type: RelHad, From: endPatient(), To: endVisit(), Len: n,
			Row: func(i int, _ []any) (string, string, bool) {
				i = row(i)
				return t.Persons.IDs.String(vt.Person[i]), vt.IDs.String(uint32(i)), true
			}},
		RelSet{Name: "at", Type: RelAt, From: endVisit(), To: endInstitution(), Len: n,
			Row: func(i int, _ []any) (string, string, bool) {
				i = row(i)
				return vt.IDs.String(uint32(i)), t.Institutions.IDs.String(vt.Institution[i]), true
			}},
		RelSet{Name: "attended_by", Type: RelAttendedBy, From: endVisit(), To: endDoctor(), Len: n,
			Row: func(i int, _ []any) (string, string, bool) {
				i = row(i)
				d := vt.Doctor[i]
				if d == graph.None {
					return "", "", false
				}
				return vt.IDs.String(uint32(i)), t.Doctors.IDs.String(d), true
			}},
	)
}

// FeeKey returns the key of a FeeLine node: mdtrt_id "/" feedetl_sn
// (feedetl_sn is unique within its visit once ingest has rejected
// duplicates and netted refunds). Reading back splits it with the sn
// property, so a "/" inside mdtrt_id is harmless; two lines whose keys
// collide (a "/" inside both ids) would be merged by the uniqueness
// constraint, and the count check would report it.
func FeeKey(mdtrtID, sn string) string { return mdtrtID + "/" + sn }

// addCatalog writes one Item node per catalogue row: the items of
// catalog.csv (known true, with their limits) and the codes only seen on
// fee lines (known false).
func (m *Model) addCatalog(t *graph.Tables) {
	ct := &t.Catalog
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "item", Space: LabelItem, Labels: []string{LabelItem}, Key: "code",
		Props: []Prop{{"name", TString}, {"list_type", TInt}, {"known", TBool}, {"lmt_gend", TInt},
			{"age_min", TInt}, {"age_max", TInt}, {"max_days", TInt}, {"price_cap", TFloat}},
		Len: ct.Len(),
		Row: func(i int, p []any) string {
			p[0] = nonEmpty(t.Str(ct.Name[i]))
			p[1] = int64(ct.ListType[i])
			p[2] = ct.Known[i]
			if s := ct.LimitSex[i]; s != claims.SexUnknown {
				p[3] = int64(s)
			}
			if a := ct.AgeMin[i]; a >= 0 {
				p[4] = int64(a)
			}
			if a := ct.AgeMax[i]; a >= 0 {
				p[5] = int64(a)
			}
			if d := ct.MaxDays[i]; d != 0 {
				p[6] = int64(d)
			}
			if c := ct.PriceCap[i]; c != 0 {
				p[7] = c.Yuan()
			}
			return ct.IDs.String(uint32(i))
		},
	})
}

// addFees writes one FeeLine node per fee line of the rows given (nil:
// every fee line, net of refunds, as ingest left it) and BILLED from its
// visit. The item and the billing doctor are
// properties (item code, dr_code), not relationships: a city has tens of
// millions of fee lines, and a common drug's Item node would otherwise
// become a supernode with millions of relationships.
func (m *Model) addFees(t *graph.Tables, rows []uint32) {
	ft := &t.Fees
	vt := &t.Visits
	key := func(i int) string { return FeeKey(vt.IDs.String(ft.Visit.At(uint32(i))), t.FeeSerial(uint32(i))) }
	n, row := subset(rows, ft.Len())
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "feeline", Space: LabelFeeLine, Labels: []string{LabelFeeLine}, Key: "id",
		Props: []Prop{{"sn", TString}, {"item", TString}, {"cnt", TFloat}, {"pric", TFloat}, {"amount", TFloat},
			{"time", TDateTime}, {"dr_code", TString}, {"prd_days", TInt}, {"trace", TString}},
		Len: n,
		Row: func(i int, p []any) string {
			i = row(i)
			sn := t.FeeSerial(uint32(i))
			p[0] = sn
			p[1] = t.Catalog.IDs.String(ft.Item.At(uint32(i)))
			p[2] = ft.Count.At(uint32(i))
			p[3] = ft.Price.At(uint32(i)).Yuan()
			p[4] = ft.AmountAt(uint32(i)).Yuan()
			p[5] = stamp(ft.Time.At(uint32(i)))
			if d := t.FeeDoctor(uint32(i)); d != graph.None {
				p[6] = t.Doctors.IDs.String(d)
			}
			if d := ft.SupplyDays.At(uint32(i)); d != 0 {
				p[7] = int64(d)
			}
			if tr := ft.Trace.At(uint32(i)); tr != graph.None {
				p[8] = ft.Traces.String(tr)
			}
			return FeeKey(vt.IDs.String(ft.Visit.At(uint32(i))), sn)
		},
	})
	m.Rels = append(m.Rels, RelSet{Name: "billed", Type: RelBilled, From: endVisit(), To: endFeeLine(), Len: n,
		Row: func(i int, _ []any) (string, string, bool) {
			i = row(i)
			return vt.IDs.String(ft.Visit.At(uint32(i))), key(i), true
		}})
}

// RingKey returns the key of ring ringID of run run.
func RingKey(run, ringID string) string { return run + "/" + ringID }

func (m *Model) addRings(f *findings.Findings, run string) {
	rs := f.Rings
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "ring", Space: LabelRing, Labels: []string{LabelRing}, Key: "id",
		Props: []Prop{{"run", TString}, {"ring_id", TString}, {"rank", TInt}, {"score", TFloat}, {"typology", TString},
			{"amount", TFloat}, {"visits", TInt}, {"first", TString}, {"last", TString}, {"article", TString},
			{"rule_hits", TInt}},
		Len: len(rs),
		Row: func(i int, p []any) string {
			r := &rs[i]
			p[0], p[1], p[2], p[3], p[4] = run, r.ID, int64(r.Rank), r.Score, r.Typology
			p[5], p[6], p[7], p[8], p[9] = r.AmountAtRisk, int64(r.Visits), nonEmpty(r.First), nonEmpty(r.Last), nonEmpty(r.Article)
			p[10] = int64(r.Features["rule_hits"])
			return RingKey(run, r.ID)
		},
	})
	type member struct {
		ring int
		m    *findings.Member
	}
	byKind := map[End][]member{}
	for i := range rs {
		for j := range rs[i].Members {
			mb := &rs[i].Members[j]
			e := memberEnd(mb.Kind)
			byKind[e] = append(byKind[e], member{i, mb})
		}
	}
	for _, e := range []End{endPatient(), endDoctor(), endInstitution()} {
		ms := byKind[e]
		m.Rels = append(m.Rels, RelSet{
			Name: "member_of_" + lower(e.Space), Type: RelMemberOf, From: e, To: endRing(),
			Props: []Prop{{"role", TString}, {"score", TFloat}}, Len: len(ms),
			Row: func(i int, p []any) (string, string, bool) {
				mb := ms[i]
				p[0], p[1] = mb.m.Role, mb.m.Score
				return mb.m.ID, RingKey(run, rs[mb.ring].ID), true
			},
		})
	}
}

// HitKey returns the key of the i-th rule hit of run run.
func HitKey(run string, i int, rule string) string { return run + "/" + rule + "/" + strconv.Itoa(i) }

func (m *Model) addHits(t *graph.Tables, hits []findings.RuleHit, run string) {
	m.Nodes = append(m.Nodes, NodeSet{
		Name: "rulehit", Space: LabelRuleHit, Labels: []string{LabelRuleHit}, Key: "id",
		Props: []Prop{{"run", TString}, {"rule", TString}, {"version", TString}, {"result", TString},
			{"amount", TFloat}, {"visits", TInt}, {"at", TDateTime}, {"detail", TString}, {"mdtrt_ids", TStrings}},
		Len: len(hits),
		Row: func(i int, p []any) string {
			h := &hits[i]
			ids := make([]string, 0, len(h.Visits))
			for _, v := range h.Visits {
				if int(v) < t.Visits.Len() {
					ids = append(ids, t.Visits.IDs.String(v))
				}
			}
			p[0], p[1], p[2], p[3] = run, h.Rule, h.Version, h.Result
			p[4], p[5], p[6], p[7], p[8] = h.Amount.Yuan(), int64(h.NVisits), stamp(h.At), h.Detail, ids
			return HitKey(run, i, h.Rule)
		},
	})
	type ref struct {
		hit int
		key string
	}
	var pats, docs, insts []ref
	add := func(dst []ref, hit int, rows []uint32, n int, key func(uint32) string) []ref {
		seen := make(map[uint32]bool, len(rows))
		for _, r := range rows {
			if int(r) < n && !seen[r] {
				seen[r] = true
				dst = append(dst, ref{hit, key(r)})
			}
		}
		return dst
	}
	for i := range hits {
		h := &hits[i]
		pats = add(pats, i, h.Persons, t.Persons.Len(), t.Persons.IDs.String)
		docs = add(docs, i, h.Doctors, t.Doctors.Len(), t.Doctors.IDs.String)
		insts = add(insts, i, h.Institutions, t.Institutions.Len(), t.Institutions.IDs.String)
	}
	for _, s := range []struct {
		e    End
		refs []ref
	}{{endPatient(), pats}, {endDoctor(), docs}, {endInstitution(), insts}} {
		refs := s.refs
		m.Rels = append(m.Rels, RelSet{
			Name: "concerns_" + lower(s.e.Space), Type: RelConcerns, From: endRuleHit(), To: s.e, Len: len(refs),
			Row: func(i int, _ []any) (string, string, bool) {
				r := refs[i]
				return HitKey(run, r.hit, hits[r.hit].Rule), r.key, true
			},
		})
	}
}

// addEvidence links rule hits to the rings whose evidence cites them:
// (:RuleHit)-[:EVIDENCE_OF {rank}]->(:Ring). rings.Detect assigns every
// rule hit to at most one ring (the ring holding its first cited visit, or
// the ring the hit generated) and cites the ring's largest hits (at most
// 25) in its evidence; a hit is linked when it is one of those cited
// hits, recognised by identity: same rule, version, detail, amount, cited
// mdtrt_ids and fee lines (what rings.json shows). Hits with identical
// evidence are matched one to one in order. rank is the position among the
// ring's rule evidence (1: largest amount); the Ring's rule_hits property
// counts all the hits assigned to it, cited or not.
func (m *Model) addEvidence(t *graph.Tables, f *findings.Findings, hits []findings.RuleHit, run string) {
	type link struct {
		hit, ring, rank int
	}
	var links []link
	var byKey map[string][]int
	for ri := range f.Rings {
		rank := 0
		for j := range f.Rings[ri].Evidence {
			e := &f.Rings[ri].Evidence[j]
			if e.Kind != "rule" {
				continue
			}
			rank++
			if byKey == nil {
				byKey = make(map[string][]int, len(hits))
				for i := range hits {
					h := &hits[i]
					ids, fees := findings.Cite(t, h, nil)
					k := evidenceKey(h.Rule, h.Version, h.Detail, h.Amount.Yuan(), ids, fees)
					byKey[k] = append(byKey[k], i)
				}
			}
			k := evidenceKey(e.Rule, e.Version, e.Detail, e.Amount, e.MdtrtIDs, e.Fees)
			if q := byKey[k]; len(q) > 0 {
				links = append(links, link{q[0], ri, rank})
				byKey[k] = q[1:]
			}
		}
	}
	rs := f.Rings
	m.Rels = append(m.Rels, RelSet{
		Name: "evidence_of", Type: RelEvidenceOf, From: endRuleHit(), To: endRing(),
		Props: []Prop{{"rank", TInt}}, Len: len(links),
		Row: func(i int, p []any) (string, string, bool) {
			l := links[i]
			p[0] = int64(l.rank)
			return HitKey(run, l.hit, hits[l.hit].Rule), RingKey(run, rs[l.ring].ID), true
		},
	})
}

// evidenceKey identifies a rule hit by what its evidence shows.
func evidenceKey(rule, version, detail string, amount float64, ids []string, fees []findings.FeeRef) string {
	var b strings.Builder
	b.WriteString(rule)
	b.WriteByte(0)
	b.WriteString(version)
	b.WriteByte(0)
	b.WriteString(detail)
	b.WriteByte(0)
	b.WriteString(strconv.FormatFloat(amount, 'g', -1, 64))
	for _, id := range ids {
		b.WriteByte(1)
		b.WriteString(id)
	}
	for _, f := range fees {
		b.WriteByte(2)
		b.WriteString(f.MdtrtID)
		b.WriteByte(3)
		b.WriteString(f.FeedetlSn)
	}
	return b.String()
}

// memberEnd maps a ring member kind (findings.Kind*) to its node end.
func memberEnd(kind string) End {
	switch kind {
	case findings.KindPatient:
		return endPatient()
	case findings.KindDoctor:
		return endDoctor()
	}
	return endInstitution()
}

// institutionLabel returns the class label of an institution.
func institutionLabel(c graph.InstitutionClass) string {
	switch c {
	case graph.ClassHospital:
		return LabelHospital
	case graph.ClassPharmacy:
		return LabelPharmacy
	}
	return LabelClinic
}

func entityScores(f *findings.Findings) map[string]*findings.EntityScore {
	if f == nil {
		return nil
	}
	m := make(map[string]*findings.EntityScore, f.Entities.Len())
	for _, e := range f.Entities.All() {
		m[e.Kind+"\x00"+e.ID] = &e
	}
	return m
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func day(d claims.Date) any {
	if d == claims.NoDate {
		return nil
	}
	return Day(d)
}

func stamp(t claims.Time) any {
	if t == claims.NoTime {
		return nil
	}
	return Stamp(t)
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
