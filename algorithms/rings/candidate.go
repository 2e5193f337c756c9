package rings

import (
	"cmp"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// candidate is a ring under construction: the entities a generator put
// together, the visits that look improper, the rule hits and graph facts it
// rests on, and, once scored, its features and score.
type candidate struct {
	source   string // generator id (sources.go)
	typology string // the generator's typology hint
	patients []graph.NodeID
	doctors  []graph.NodeID
	insts    []graph.NodeID // medical institutions and pharmacies
	visits   []uint32       // suspicious visit rows, sorted and distinct
	hits     []int          // indexes into rules.Result.Hits
	facts    []fact
	// strength is the generator's own evidence strength in [0, 1].
	strength float64
	feat     features
	score    float64
	roles    map[graph.NodeID]string

	// Set by the findings for reported candidates and kept for
	// incremental scoring (Live): the ring id, the rule-hit evidence
	// assigned to the ring and the number of such hits.
	id       string
	ruleEv   []findings.Evidence
	ruleHits int
	// ringHits are the indexes of the rule hits assigned to the ring (all
	// of them, ruleEv cites the strongest); stats and share are its
	// members' statistics and shares of its evidence (memberScores).
	ringHits []int
	stats    map[graph.NodeID]*memberStat
	share    map[graph.NodeID]float64
	// added lists the visit rows attached by Live.Add, recruited the
	// patients it recruited.
	added     []uint32
	recruited int
	// flags are the relation flags shared by at least half of a
	// relation-excess candidate's relations: new people are recruited on
	// those (Live).
	flags relFlag
	// widened are the people and visits growRegulars and growAdmissions
	// took in (sorted): counted in the ring's size and money, not in the
	// features its evidence rests on (finish).
	widenedPeople []graph.NodeID
	widenedVisits []uint32
	// twice are the people two merged candidates both held (absorb,
	// sorted): found by two generators, they are not peripheral
	// (trimPeripheral), and the merge fact counts them.
	twice []graph.NodeID
	// support marks a candidate that is no ring by itself: a pharmacy's
	// co-visit cohorts (covisitCandidates) join the ring they go together
	// with as widened members, and stand alone only when the cohorts of
	// two pharmacies go together (standing in merge.go).
	support bool
}

// fact is a graph fact behind a candidate, cited as evidence.
type fact struct {
	id               string // generator or fact id (sources.go)
	detail, detailZh string
	visits           []uint32 // the rows it rests on (all of them; cited rows are capped later)
	params           map[string]float64
}

// inStep reports whether c is people coming together (inStepSource).
func (c *candidate) inStep() bool { return inStepSource(c.source) }

// inStepSource reports whether candidates of source are people coming
// together: a lockstep block (lockstepCandidates), a doctor's cohorts
// (covisitCandidates) or a site's crowded hours (slotCandidates).
func inStepSource(source string) bool {
	return source == SourceLockstep || source == SourceCohorts || source == SourceSlots
}

// cohort reports whether c is an onset or offset cohort (onsetCandidates).
func (c *candidate) cohort() bool { return c.source == SourceOnset || c.source == SourceOffset }

// members returns the number of members of c.
func (c *candidate) members() int { return len(c.patients) + len(c.doctors) + len(c.insts) }

// normalise sorts and deduplicates the lists of c.
func (c *candidate) normalise() {
	c.patients = sortedUniq(c.patients)
	c.doctors = sortedUniq(c.doctors)
	c.insts = sortedUniq(c.insts)
	c.visits = sortedUniq(c.visits)
	c.hits = sortedUniq(c.hits)
}

// sortedUniq sorts xs and removes duplicates in place.
func sortedUniq[T int | uint32 | graph.NodeID](xs []T) []T {
	slices.Sort(xs)
	return slices.Compact(xs)
}

// intersect counts the common elements of two sorted lists.
func intersect[T int | uint32 | graph.NodeID](a, b []T) int { return len(common(a, b)) }

// common returns the elements of sorted a also in sorted b.
func common[T int | uint32 | graph.NodeID](a, b []T) []T {
	var out []T
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// without returns the elements of sorted a not in sorted b.
func without[T int | uint32 | graph.NodeID](a, b []T) []T {
	out := make([]T, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) || b[j] != x {
			out = append(out, x)
		}
	}
	return out
}

// fund returns the net fund of the live visits among vs.
func (s *state) fund(vs []uint32) claims.Money {
	var m claims.Money
	for _, v := range vs {
		if s.live(v) {
			m += s.t.Visits.FundPay.At(v)
		}
	}
	return m
}

// counter counts keys and lists them in first-seen order.
type counter[K comparable] struct {
	n     map[K]int
	keys  []K
	total int // Σ n
}

func newCounter[K comparable]() *counter[K] { return &counter[K]{n: make(map[K]int)} }

// share returns k's share of everything counted (0 when nothing is).
func (c *counter[K]) share(k K) float64 {
	if c.total == 0 {
		return 0
	}
	return float64(c.n[k]) / float64(c.total)
}

func (c *counter[K]) add(k K, d int) {
	if _, ok := c.n[k]; !ok {
		c.keys = append(c.keys, k)
	}
	c.n[k] += d
	c.total += d
}

// doctorOf returns the node of visit v's attending doctor, NoNode for a
// visit naming none or a placeholder.
func (s *state) doctorOf(v uint32) graph.NodeID {
	if d := s.t.Visits.Doctor[v]; s.doctorOK(d) {
		return s.g.DoctorNode(d)
	}
	return graph.NoNode
}

// doctorsOf returns the doctors (attending, placeholders left out) of at
// least minShare of vs and at least minVisits of them.
func (s *state) doctorsOf(vs []uint32, minShare float64, minVisits int) []graph.NodeID {
	c := newCounter[uint32]()
	for _, v := range vs {
		if d := s.t.Visits.Doctor[v]; s.doctorOK(d) {
			c.add(d, 1)
		}
	}
	var out []graph.NodeID
	need := max(minVisits, int(minShare*float64(len(vs))+0.999))
	for _, d := range c.keys {
		if c.n[d] >= need {
			if n := s.g.DoctorNode(d); n != graph.NoNode {
				out = append(out, n)
			}
		}
	}
	return sortedUniq(out)
}

// instsOf returns the institutions of at least minShare of vs.
func (s *state) instsOf(vs []uint32, minShare float64, minVisits int) []graph.NodeID {
	c := newCounter[graph.NodeID]()
	for _, v := range vs {
		if n := s.instNode(v); n != graph.NoNode {
			c.add(n, 1)
		}
	}
	var out []graph.NodeID
	need := max(minVisits, int(minShare*float64(len(vs))+0.999))
	for _, n := range c.keys {
		if c.n[n] >= need {
			out = append(out, n)
		}
	}
	return sortedUniq(out)
}

// unionFind is a plain disjoint-set forest over 0..n-1.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

// union joins the sets of a and b, keeping the smaller root.
func (u unionFind) union(a, b int32) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if ra < rb {
		u[rb] = ra
	} else {
		u[ra] = rb
	}
}

// components groups the items 0..n-1 by the root of their set in u (item
// i belongs to set of(i)) and returns the groups ordered by root.
func (u unionFind) components(n int, of func(i int) int32) [][]int {
	groups := make(map[int32][]int)
	var roots []int32
	for i := 0; i < n; i++ {
		r := u.find(of(i))
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	slices.Sort(roots)
	out := make([][]int, len(roots))
	for i, r := range roots {
		out[i] = groups[r]
	}
	return out
}

// sortedPairs returns the keys of m in order.
func sortedPairs[V any](m map[[2]int32]V) [][2]int32 {
	keys := make([][2]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y [2]int32) int { return cmp.Or(cmp.Compare(x[0], y[0]), cmp.Compare(x[1], y[1])) })
	return keys
}
