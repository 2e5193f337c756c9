package graph

import "github.com/ringlens/ringlens/graph/claims"

// NodeID identifies a node of the claims graph. Ids are dense over all kinds:
// patients occupy [0, P) in Persons row order, doctors come next in Doctors
// row order, then designated medical institutions and finally pharmacies,
// each in Institutions row order.
type NodeID uint32

// NoNode is returned where no node exists.
const NoNode NodeID = ^NodeID(0)

// Graph is the typed property graph built from Tables: nodes for patients,
// doctors, institutions and pharmacies, aggregated typed edges, a CSR
// adjacency over all nodes and time indexes over the visit and fee records.
// A Graph is immutable once built and safe for concurrent readers.
type Graph struct {
	t *Tables

	docBase, medBase, pharmBase, numNodes uint32
	instNode                              []NodeID // Institutions row -> node
	instRow                               []uint32 // (node - medBase) -> Institutions row

	edges   EdgeTable
	edgeSeg [NumEdgeTypes + 1]int // edges of type t are [edgeSeg[t], edgeSeg[t+1])

	adjOff  []uint32    // len numNodes+1
	adjNbr  []NodeID    // neighbour per adjacency entry
	adjEdge []EdgeIndex // edge per adjacency entry

	byTime     []uint32 // visit rows by (Begin, row)
	nodeVisOff []uint32 // len numNodes+1
	nodeVis    []uint32 // visit rows per node, by time
	feeOff     []uint32 // len visits+1
	feeRows    []uint32 // fee rows grouped by visit, input order within (empty when feeRuns)
	feeRuns    bool     // every visit's fee rows are the run feeOff[v]..feeOff[v+1]-1

	nodeVisits []uint32       // non-reversed visits per node
	nodeFund   []claims.Money // net fund of those visits

	skippedVisits int // visits with out-of-range person or institution rows
	skippedFees   int // fee lines with an out-of-range visit row
}

// Tables returns the tables the graph was built from.
func (g *Graph) Tables() *Tables { return g.t }

// NumNodes returns the number of nodes of all kinds.
func (g *Graph) NumNodes() int { return int(g.numNodes) }

// NumKind returns the number of nodes of kind k.
func (g *Graph) NumKind(k Kind) int {
	switch k {
	case KindPatient:
		return int(g.docBase)
	case KindDoctor:
		return int(g.medBase - g.docBase)
	case KindInstitution:
		return int(g.pharmBase - g.medBase)
	case KindPharmacy:
		return int(g.numNodes - g.pharmBase)
	}
	return 0
}

// valid reports whether n is a node of g.
func (g *Graph) valid(n NodeID) bool { return uint32(n) < g.numNodes }

// Kind returns the kind of node n (KindPatient for an invalid id is never
// returned: invalid ids give numKinds' String "unknown").
func (g *Graph) Kind(n NodeID) Kind {
	switch u := uint32(n); {
	case u < g.docBase:
		return KindPatient
	case u < g.medBase:
		return KindDoctor
	case u < g.pharmBase:
		return KindInstitution
	case u < g.numNodes:
		return KindPharmacy
	}
	return numKinds
}

// Row returns the row of n in its table: Persons for patients, Doctors for
// doctors, Institutions for institutions and pharmacies. It returns None for
// an invalid id.
func (g *Graph) Row(n NodeID) uint32 {
	switch u := uint32(n); {
	case u < g.docBase:
		return u
	case u < g.medBase:
		return u - g.docBase
	case u < g.numNodes:
		return g.instRow[u-g.medBase]
	}
	return None
}

// PatientNode returns the node of Persons row row, or NoNode.
func (g *Graph) PatientNode(row uint32) NodeID {
	if row >= g.docBase {
		return NoNode
	}
	return NodeID(row)
}

// DoctorNode returns the node of Doctors row row, or NoNode.
func (g *Graph) DoctorNode(row uint32) NodeID {
	if row >= g.medBase-g.docBase {
		return NoNode
	}
	return NodeID(g.docBase + row)
}

// InstitutionNode returns the node of Institutions row instRow: an
// institution node, or a pharmacy node for Type == Pharmacy rows; NoNode
// when out of range.
func (g *Graph) InstitutionNode(instRow uint32) NodeID {
	if int(instRow) >= len(g.instNode) {
		return NoNode
	}
	return g.instNode[instRow]
}

// Key returns the natural key of n: psn_no, dr_code or fixmedins_code ("" for
// an invalid id). It shares the tables' memory (intern.Table.Shared): findings
// that name every entity of a city hold no copy of each key.
func (g *Graph) Key(n NodeID) string {
	row := g.Row(n)
	if row == None {
		return ""
	}
	switch g.Kind(n) {
	case KindPatient:
		return g.t.Persons.IDs.Shared(row)
	case KindDoctor:
		return g.t.Doctors.IDs.Shared(row)
	default:
		return g.t.Institutions.IDs.Shared(row)
	}
}

// Label returns a display label for n with personal data masked: the
// institution's name, the masked person or doctor name (claims.MaskName), or
// the key when there is no name.
func (g *Graph) Label(n NodeID) string {
	row := g.Row(n)
	if row == None {
		return ""
	}
	var name string
	switch g.Kind(n) {
	case KindPatient:
		name = g.piiName(g.t.Persons.Name, row)
		name = claims.MaskName(name)
	case KindDoctor:
		name = g.piiName(g.t.Doctors.Name, row)
		name = claims.MaskName(name)
	default:
		if int(row) < len(g.t.Institutions.Name) {
			id := g.t.Institutions.Name[row]
			if id != None && int(id) < g.t.Strings.Len() {
				name = g.t.Strings.String(id)
			}
		}
	}
	if name == "" {
		return g.Key(n)
	}
	return name
}

// Identity returns the unmasked name and certificate number of a patient
// node (a doctor's name, with no certificate number), or empty strings for
// other kinds. It is personal data: only an audited reveal may show it,
// and nothing may log it.
func (g *Graph) Identity(n NodeID) (name, certNo string) {
	row := g.Row(n)
	if row == None {
		return "", ""
	}
	switch g.Kind(n) {
	case KindPatient:
		return g.piiName(g.t.Persons.Name, row), g.piiName(g.t.Persons.CertNo, row)
	case KindDoctor:
		return g.piiName(g.t.Doctors.Name, row), ""
	}
	return "", ""
}

// piiName returns the PII string of col[row], or "".
func (g *Graph) piiName(col []uint32, row uint32) string {
	if int(row) >= len(col) {
		return ""
	}
	id := col[row]
	if id == None || g.t.PII == nil || int(id) >= g.t.PII.Len() {
		return ""
	}
	return g.t.PII.Shared(id)
}

// Class returns the institution class of an institution or pharmacy node
// (ClassPharmacy for pharmacies); other kinds give ClassClinic, the zero
// class.
func (g *Graph) Class(n NodeID) InstitutionClass {
	k := g.Kind(n)
	if k == KindPharmacy {
		return ClassPharmacy
	}
	if k != KindInstitution {
		return ClassClinic
	}
	row := g.Row(n)
	if int(row) < len(g.t.Institutions.Class) {
		return g.t.Institutions.Class[row]
	}
	return ClassClinic
}

// Lookup returns the node of kind with the natural key key.
func (g *Graph) Lookup(kind Kind, key string) (NodeID, bool) {
	var n NodeID
	switch kind {
	case KindPatient:
		n = g.PatientNode(g.t.Persons.IDs.Lookup(key))
	case KindDoctor:
		n = g.DoctorNode(g.t.Doctors.IDs.Lookup(key))
	case KindInstitution, KindPharmacy:
		n = g.InstitutionNode(g.t.Institutions.IDs.Lookup(key))
	default:
		return NoNode, false
	}
	if n == NoNode || g.Kind(n) != kind {
		return NoNode, false
	}
	return n, true
}

// NodeVisits returns the number of non-reversed visits node n takes part in
// (as patient, institution, pharmacy, or attending or billing doctor).
func (g *Graph) NodeVisits(n NodeID) uint32 {
	if !g.valid(n) {
		return 0
	}
	return g.nodeVisits[n]
}

// NodeFund returns the net fund amount of the visits counted by NodeVisits.
func (g *Graph) NodeFund(n NodeID) claims.Money {
	if !g.valid(n) {
		return 0
	}
	return g.nodeFund[n]
}
