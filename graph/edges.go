package graph

import "github.com/ringlens/ringlens/graph/claims"

// EdgeType is the type of an aggregated edge.
type EdgeType uint8

// Edge types. In every edge U has the lower kind (patient < doctor <
// institution < pharmacy), so U < V as NodeIDs.
const (
	// PatientInstitution: visits of a patient at a medical institution.
	PatientInstitution EdgeType = iota
	// PatientDoctor: visits where the doctor attended or billed a fee line,
	// counted once per visit.
	PatientDoctor
	// DoctorInstitutionRegistered: a staff.csv registration (the site may be
	// a pharmacy for pharmacists); Visits, amounts are 0 and First, Last
	// NoTime.
	DoctorInstitutionRegistered
	// DoctorInstitutionBilled: visits at a medical institution the doctor
	// attended or billed.
	DoctorInstitutionBilled
	// PatientPharmacy: purchases of a patient at a pharmacy.
	PatientPharmacy
	// DoctorPharmacy: pharmacy visits with a fee line billed by a doctor code
	// not registered at that pharmacy (prescriptions filled there).
	DoctorPharmacy
	// NumEdgeTypes is the number of edge types.
	NumEdgeTypes
)

// String returns the snake_case name of the type.
func (t EdgeType) String() string {
	switch t {
	case PatientInstitution:
		return "patient_institution"
	case PatientDoctor:
		return "patient_doctor"
	case DoctorInstitutionRegistered:
		return "doctor_institution_registered"
	case DoctorInstitutionBilled:
		return "doctor_institution_billed"
	case PatientPharmacy:
		return "patient_pharmacy"
	case DoctorPharmacy:
		return "doctor_pharmacy"
	}
	return "unknown"
}

// MarshalText makes EdgeType serialise by name.
func (t EdgeType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// EdgeIndex is the index of an edge in the EdgeTable.
type EdgeIndex uint32

// EdgeTable holds the aggregated edges as columns, ordered by Type, then
// (U, V) (see Graph.EdgeRange).
// Visits counts distinct non-reversed visits; Fund and MedFee are the net
// fund_pay_sumamt and medfee_sumamt of those whole visits; First and Last
// are the earliest and latest visit begin times.
type EdgeTable struct {
	Type        []EdgeType
	U, V        []NodeID
	Visits      []uint32
	Fund        Narrow[claims.Money]
	MedFee      Narrow[claims.Money]
	First, Last Times
}

// Len returns the number of edges.
func (e *EdgeTable) Len() int { return len(e.Type) }

// Edge is one aggregated edge, as returned by Graph.Edge.
type Edge struct {
	Type   EdgeType
	U, V   NodeID
	Visits uint32
	Fund   claims.Money
	MedFee claims.Money
	First  claims.Time
	Last   claims.Time
}

// Edges returns the edge columns; callers must not modify them.
func (g *Graph) Edges() *EdgeTable { return &g.edges }

// EdgeRange returns the edges of type ty: indexes [lo, hi), sorted by
// (U, V).
func (g *Graph) EdgeRange(ty EdgeType) (lo, hi EdgeIndex) {
	if ty >= NumEdgeTypes {
		return 0, 0
	}
	return EdgeIndex(g.edgeSeg[ty]), EdgeIndex(g.edgeSeg[ty+1])
}

// NumEdges returns the number of edges.
func (g *Graph) NumEdges() int { return g.edges.Len() }

// Edge returns edge e; ok is false when e is out of range.
func (g *Graph) Edge(e EdgeIndex) (Edge, bool) {
	et := &g.edges
	if int(e) >= et.Len() {
		return Edge{}, false
	}
	return Edge{Type: et.Type[e], U: et.U[e], V: et.V[e], Visits: et.Visits[e],
		Fund: et.Fund.At(uint32(e)), MedFee: et.MedFee.At(uint32(e)), First: et.First.At(uint32(e)), Last: et.Last.At(uint32(e))}, true
}
