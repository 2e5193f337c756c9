package graph

import (
	"cmp"
	"encoding/json"
	"math/bits"
	"slices"

	"github.com/ringlens/ringlens/graph/claims"
)

// Summary describes a built graph: counts, institution classes and the
// evidence behind them, warnings about implausible counts, degree
// distributions, hubs, time span and amounts. It is fully deterministic
// (ties broken by key) and serialises with snake_case JSON keys; money is in
// yuan with two decimals.
type Summary struct {
	Nodes NodeCounts `json:"nodes"`
	// Classes counts institutions by class (clinic, hospital, station,
	// pharmacy) and by the evidence that decided it.
	Classes []ClassCount `json:"institution_classes"`
	// Warnings lists implausible counts (never nil: empty when none).
	Warnings []Warning     `json:"warnings"`
	Visits   VisitCounts   `json:"visits"`
	Fees     FeeCounts     `json:"fee_lines"`
	Edges    []EdgeCount   `json:"edges"`
	Degrees  []DegreeStats `json:"degrees"`
	TopHubs  []HubList     `json:"top_hubs"`
	Span     TimeSpan      `json:"time_span"`
	Amounts  AmountTotals  `json:"amounts"`
}

// NodeCounts counts nodes by kind and institution class.
type NodeCounts struct {
	Total        int `json:"total"`
	Patients     int `json:"patients"`
	Doctors      int `json:"doctors"`
	Institutions int `json:"institutions"`
	Pharmacies   int `json:"pharmacies"`
	Clinics      int `json:"clinics"`
	Hospitals    int `json:"hospitals"`
	Stations     int `json:"stations"`
	// DoctorsRegistered are in staff.csv; DoctorsUnregistered are codes
	// only referenced by visits or fee lines.
	DoctorsRegistered   int `json:"doctors_registered"`
	DoctorsUnregistered int `json:"doctors_unregistered"`
}

// VisitCounts counts visits.
type VisitCounts struct {
	Total    int `json:"total"`
	Refunded int `json:"refunded"` // a refund was netted in
	Reversed int `json:"reversed"` // netted to no fund: in no edge
	// Skipped visits point outside the person or institution tables.
	Skipped   int            `json:"skipped"`
	ByMedType []MedTypeCount `json:"by_med_type"`
}

// MedTypeCount is the number of visits of one med_type.
type MedTypeCount struct {
	MedType int    `json:"med_type"`
	Name    string `json:"name"`
	Visits  int    `json:"visits"`
}

// FeeCounts counts fee lines.
type FeeCounts struct {
	Total   int `json:"total"`
	Skipped int `json:"skipped"` // pointing at no visit
}

// EdgeCount is the number of edges of one type and the visits they carry.
type EdgeCount struct {
	Type   string `json:"type"`
	Edges  int    `json:"edges"`
	Visits uint64 `json:"visits"`
}

// DegreeStats describes the degree distribution of one node kind.
type DegreeStats struct {
	Kind  string  `json:"kind"`
	Nodes int     `json:"nodes"`
	Min   int     `json:"min"`
	Mean  float64 `json:"mean"`
	P50   int     `json:"p50"`
	P90   int     `json:"p90"`
	P99   int     `json:"p99"`
	Max   int     `json:"max"`
	// Histogram bins degrees by powers of two: [0, 0], [1, 1], [2, 3],
	// [4, 7], ...; empty bins beyond the last non-empty one are omitted.
	Histogram []HistBin `json:"histogram"`
}

// HistBin is one bin of a degree histogram: Count nodes with degree in
// [Lo, Hi].
type HistBin struct {
	Lo    int `json:"lo"`
	Hi    int `json:"hi"`
	Count int `json:"count"`
}

// HubList lists the highest-degree nodes of one kind.
type HubList struct {
	Kind string `json:"kind"`
	Hubs []Hub  `json:"hubs"`
}

// Hub is one high-degree node; Label is masked.
type Hub struct {
	Key    string      `json:"key"`
	Label  string      `json:"label"`
	Degree int         `json:"degree"`
	Visits uint32      `json:"visits"`
	Fund   json.Number `json:"fund"`
}

// TimeSpan is the first and last visit begin time, "YYYY-MM-DD HH:MM:SS"
// (empty without visits).
type TimeSpan struct {
	First string `json:"first"`
	Last  string `json:"last"`
}

// AmountTotals sums net visit amounts over all indexed visits (reversed
// ones included: their net fund is zero or less). The tables keep only net
// amounts, so the refunded amount itself is not recoverable: Refunded*
// give the net amounts left on visits a refund was netted into.
type AmountTotals struct {
	MedFee         json.Number `json:"med_fee"`
	Fund           json.Number `json:"fund"`
	RefundedMedFee json.Number `json:"refunded_visits_med_fee"`
	RefundedFund   json.Number `json:"refunded_visits_fund"`
}

// yuan formats fen as a JSON number with two decimals.
func yuan(m claims.Money) json.Number { return json.Number(m.String()) }

// medTypeName names a med_type code.
func medTypeName(m claims.MedType) string {
	switch {
	case m == claims.MedOutpatient:
		return "ordinary outpatient"
	case m == claims.MedEmergency:
		return "emergency"
	case m == claims.MedChronic:
		return "chronic outpatient"
	case m == claims.MedInpatient:
		return "ordinary inpatient"
	case m.Inpatient():
		return "other inpatient"
	case m.Outpatient():
		return "other outpatient"
	case m == claims.MedPharmacy:
		return "pharmacy purchase"
	}
	return "other"
}

// Summarize describes g, listing the topN highest-degree nodes per kind
// (ties by key).
func Summarize(g *Graph, topN int) Summary {
	var s Summary
	t := g.t
	s.Nodes = NodeCounts{
		Total: g.NumNodes(), Patients: g.NumKind(KindPatient), Doctors: g.NumKind(KindDoctor),
		Institutions: g.NumKind(KindInstitution), Pharmacies: g.NumKind(KindPharmacy),
	}
	s.Classes = classCounts(&t.Institutions)
	s.Nodes.Clinics = s.Classes[ClassClinic].Institutions
	s.Nodes.Hospitals = s.Classes[ClassHospital].Institutions
	s.Nodes.Stations = s.Classes[ClassStation].Institutions
	s.Warnings = classWarnings(t, s.Classes)
	for _, r := range t.Doctors.Registered {
		if r {
			s.Nodes.DoctorsRegistered++
		} else {
			s.Nodes.DoctorsUnregistered++
		}
	}
	s.Visits, s.Amounts, s.Span = summarizeVisits(g)
	s.Fees = FeeCounts{Total: t.Fees.Len(), Skipped: g.skippedFees}
	for ty := EdgeType(0); ty < NumEdgeTypes; ty++ {
		s.Edges = append(s.Edges, EdgeCount{Type: ty.String()})
	}
	for e, ty := range g.edges.Type {
		s.Edges[ty].Edges++
		s.Edges[ty].Visits += uint64(g.edges.Visits[e])
	}
	for k := KindPatient; k < numKinds; k++ {
		s.Degrees = append(s.Degrees, degreeStats(g, k))
		s.TopHubs = append(s.TopHubs, topHubs(g, k, topN))
	}
	return s
}

// summarizeVisits counts visits and sums amounts over indexed visits.
func summarizeVisits(g *Graph) (VisitCounts, AmountTotals, TimeSpan) {
	vt := &g.t.Visits
	vc := VisitCounts{Total: vt.Len(), Skipped: g.skippedVisits, ByMedType: []MedTypeCount{}}
	var byType [256]int
	var med, fund, rMed, rFund claims.Money
	for _, v := range g.byTime {
		byType[vt.MedType[v]]++
		med += vt.MedFee.At(v)
		fund += vt.FundPay.At(v)
		if f := vt.Flags[v]; f&VisitRefunded != 0 {
			vc.Refunded++
			rMed += vt.MedFee.At(v)
			rFund += vt.FundPay.At(v)
		}
		if vt.Flags[v]&VisitReversed != 0 {
			vc.Reversed++
		}
	}
	for m, n := range byType {
		if n > 0 {
			vc.ByMedType = append(vc.ByMedType, MedTypeCount{MedType: m, Name: medTypeName(claims.MedType(m)), Visits: n})
		}
	}
	var span TimeSpan
	if n := len(g.byTime); n > 0 {
		span = TimeSpan{First: vt.Begin.At(g.byTime[0]).String(), Last: vt.Begin.At(g.byTime[n-1]).String()}
	}
	return vc, AmountTotals{MedFee: yuan(med), Fund: yuan(fund), RefundedMedFee: yuan(rMed), RefundedFund: yuan(rFund)}, span
}

// kindRange returns the node id range of kind k.
func (g *Graph) kindRange(k Kind) (NodeID, NodeID) {
	bounds := [...]uint32{0, g.docBase, g.medBase, g.pharmBase, g.numNodes}
	if k >= numKinds {
		return 0, 0
	}
	return NodeID(bounds[k]), NodeID(bounds[k+1])
}

// degreeStats computes the degree distribution of kind k.
func degreeStats(g *Graph, k Kind) DegreeStats {
	lo, hi := g.kindRange(k)
	ds := DegreeStats{Kind: k.String(), Nodes: int(hi - lo), Histogram: []HistBin{}}
	if hi == lo {
		return ds
	}
	deg := make([]int, 0, hi-lo)
	sum := 0
	var hist [34]int
	for n := lo; n < hi; n++ {
		d := g.Degree(n)
		deg = append(deg, d)
		sum += d
		hist[bits.Len(uint(d))]++
	}
	slices.Sort(deg)
	q := func(p int) int { return deg[(len(deg)-1)*p/100] }
	ds.Min, ds.Max, ds.P50, ds.P90, ds.P99 = deg[0], deg[len(deg)-1], q(50), q(90), q(99)
	ds.Mean = float64(int64(float64(sum)/float64(len(deg))*100+0.5)) / 100
	last := 0
	for b, c := range hist {
		if c > 0 {
			last = b
		}
	}
	for b := 0; b <= last; b++ {
		bin := HistBin{Count: hist[b]}
		if b > 0 {
			bin.Lo, bin.Hi = 1<<(b-1), 1<<b-1
		}
		ds.Histogram = append(ds.Histogram, bin)
	}
	return ds
}

// topHubs lists the topN nodes of kind k by degree, ties by key.
func topHubs(g *Graph, k Kind, topN int) HubList {
	hl := HubList{Kind: k.String(), Hubs: []Hub{}}
	lo, hi := g.kindRange(k)
	if topN <= 0 || hi == lo {
		return hl
	}
	type entry struct {
		n   NodeID
		deg int
	}
	// Keep candidates with the largest degrees first; keys only for ties.
	all := make([]entry, 0, hi-lo)
	for n := lo; n < hi; n++ {
		all = append(all, entry{n, g.Degree(n)})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(b.deg, a.deg) })
	cut := min(topN, len(all))
	for cut < len(all) && all[cut].deg == all[topN-1].deg {
		cut++ // keep every node tied with the last place for the key tie-break
	}
	top := all[:cut]
	slices.SortFunc(top, func(a, b entry) int {
		return cmp.Or(cmp.Compare(b.deg, a.deg), cmp.Compare(g.Key(a.n), g.Key(b.n)))
	})
	for _, e := range top[:min(topN, len(top))] {
		hl.Hubs = append(hl.Hubs, Hub{Key: g.Key(e.n), Label: g.Label(e.n), Degree: e.deg,
			Visits: g.NodeVisits(e.n), Fund: yuan(g.NodeFund(e.n))})
	}
	return hl
}
