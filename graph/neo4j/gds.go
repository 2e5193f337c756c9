package neo4j

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ringlens/ringlens/algorithms/community"
	"github.com/ringlens/ringlens/graph"
)

// LeidenOptions configure the in-database community detection.
type LeidenOptions struct {
	GraphName string // GDS projection name; "" means "ringlens"
	Seed      int64  // randomSeed (runs with concurrency 1 for reproducibility)
	MaxLevels int    // maxLevels; <= 0 leaves the GDS default
}

// LeidenQueries returns the Cypher of an in-database Leiden run with the
// Graph Data Science plugin: project (patients, doctors and institutions
// with the aggregated relationships, undirected, weighted by visit count,
// registrations weighing 1), stream (one record per node: space, key,
// community) and drop. Each statement takes the parameter map returned
// alongside.
func LeidenQueries(opt LeidenOptions) (project, stream, drop string, params map[string]any) {
	name := opt.GraphName
	if name == "" {
		name = "ringlens"
	}
	rel := func(t string) string {
		return fmt.Sprintf("%s: {orientation: 'UNDIRECTED', properties: {visits: {property: 'visits', defaultValue: 1.0}}}", t)
	}
	project = "CALL gds.graph.project($graph, ['Patient', 'Doctor', 'Institution'], {" +
		rel(RelVisited) + ", " + rel(RelTreatedBy) + ", " + rel(RelBilledAt) + ", " + rel(RelFilledAt) + ", " +
		rel(RelPrescribedTo) + ", " + rel(RelRegisteredAt) + "}) YIELD nodeCount, relationshipCount " +
		"RETURN nodeCount, relationshipCount"
	cfg := "{relationshipWeightProperty: 'visits', randomSeed: $seed, concurrency: 1"
	if opt.MaxLevels > 0 {
		cfg += fmt.Sprintf(", maxLevels: %d", opt.MaxLevels)
	}
	cfg += "}"
	stream = "CALL gds.leiden.stream($graph, " + cfg + ") YIELD nodeId, communityId " +
		"WITH gds.util.asNode(nodeId) AS n, communityId " +
		"RETURN CASE WHEN n:Patient THEN 'Patient' WHEN n:Doctor THEN 'Doctor' ELSE 'Institution' END AS space, " +
		"coalesce(n.psn_no, n.dr_code, n.code) AS `key`, communityId AS community"
	drop = "CALL gds.graph.drop($graph, false) YIELD graphName RETURN graphName"
	return project, stream, drop, map[string]any{"graph": name, "seed": opt.Seed}
}

// GDSVersionQuery returns the GDS version; it fails when the plugin is
// absent.
const GDSVersionQuery = "RETURN gds.version() AS version"

// MemberKey names a node by id space and key.
type MemberKey struct {
	Space string // Patient, Doctor or Institution
	Key   string
}

// RunLeiden runs gds.leiden in the database and reads the membership back,
// streaming the records. The projection is dropped first (if left over)
// and afterwards.
func RunLeiden(ctx context.Context, ex Executor, retry Retry, opt LeidenOptions) (map[MemberKey]int64, error) {
	project, stream, drop, params := LeidenQueries(opt)
	if err := ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
		return drain(ctx, tx, GDSVersionQuery, nil)
	}); err != nil {
		return nil, fmt.Errorf("neo4j: Graph Data Science plugin not available: %w", err)
	}
	run := func(what, q string) error {
		_, err := retry.Do(ctx, func(ctx context.Context) error {
			return ex.ExecuteWrite(ctx, func(ctx context.Context, tx Runner) error { return drain(ctx, tx, q, params) })
		})
		if err != nil {
			return fmt.Errorf("neo4j: gds %s: %w", what, err)
		}
		return nil
	}
	if err := run("drop projection", drop); err != nil {
		return nil, err
	}
	if err := run("project", project); err != nil {
		return nil, err
	}
	var m map[MemberKey]int64
	_, err := retry.Do(ctx, func(ctx context.Context) error {
		return ex.ExecuteRead(ctx, func(ctx context.Context, tx Runner) error {
			recs, err := tx.Run(ctx, stream, params)
			if err != nil {
				return err
			}
			m, err = ReadMembership(ctx, recs)
			return err
		})
	})
	if derr := run("drop projection", drop); err == nil {
		err = derr
	}
	if err != nil {
		return nil, fmt.Errorf("neo4j: gds leiden: %w", err)
	}
	return m, nil
}

// ReadMembership reads (space, key, community) records into a membership
// map.
func ReadMembership(ctx context.Context, recs Records) (map[MemberKey]int64, error) {
	m := make(map[MemberKey]int64)
	for recs.Next(ctx) {
		r := recs.Record()
		space, _ := r["space"].(string)
		key, _ := r["key"].(string)
		c, ok := asInt64(r["community"])
		if space == "" || key == "" || !ok {
			return nil, fmt.Errorf("neo4j: malformed membership record %v", r)
		}
		m[MemberKey{space, key}] = c
	}
	return m, recs.Err()
}

// Comparison compares two community assignments of the same graph.
type Comparison struct {
	Nodes             int     // nodes assigned by both
	CommunitiesOurs   int     // distinct communities among them
	CommunitiesTheirs int     //
	NMI               float64 // normalised mutual information in [0, 1]
	ARI               float64 // adjusted Rand index (1 identical, about 0 by chance)
	ModularityOurs    float64 // modularity on the visit-weighted graph
	ModularityTheirs  float64
	// Ours is the time RingLens's Leiden took on the weighted graph
	// (CompareLeiden; the caller times gds.leiden).
	Ours time.Duration
}

// WeightedCSR returns the undirected visit-weighted graph GDS projects
// (registrations weigh 1) over g's nodes.
func WeightedCSR(g *graph.Graph) (*community.CSR, error) {
	et := g.Edges()
	edges := make([]community.Edge, 0, et.Len())
	for i := 0; i < et.Len(); i++ {
		w := float64(et.Visits[i])
		if et.Type[i] == graph.DoctorInstitutionRegistered || w <= 0 {
			w = 1
		}
		edges = append(edges, community.Edge{U: int32(et.U[i]), V: int32(et.V[i]), W: w})
	}
	return community.NewCSR(g.NumNodes(), edges)
}

// CompareLeiden runs RingLens's Leiden (modularity, seed) on the same
// weighted graph GDS projects and compares its communities with theirs
// (from RunLeiden): NMI over the nodes both assign, and the modularity of
// each partition (nodes GDS left out count as singletons).
func CompareLeiden(ctx context.Context, g *graph.Graph, theirs map[MemberKey]int64, seed int64) (*Comparison, error) {
	csr, err := WeightedCSR(g)
	if err != nil {
		return nil, fmt.Errorf("neo4j: weighted graph: %w", err)
	}
	start := time.Now()
	part, err := community.Leiden(ctx, csr, community.Options{Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("neo4j: leiden: %w", err)
	}
	took := time.Since(start)
	cmp := Compare(g, csr, part.Membership, theirs)
	cmp.Ours = took
	return cmp, nil
}

// Compare compares ours (a membership per node of g) with theirs.
func Compare(g *graph.Graph, csr *community.CSR, ours []int32, theirs map[MemberKey]int64) *Comparison {
	n := g.NumNodes()
	th := make([]int32, n)
	ids := map[int64]int32{}
	next := int32(0)
	var a, b []int32
	for i := 0; i < n; i++ {
		node := graph.NodeID(i)
		c, ok := theirs[MemberKey{spaceOf(g.Kind(node)), g.Key(node)}]
		if !ok {
			th[i] = -1
			continue
		}
		id, seen := ids[c]
		if !seen {
			id = next
			ids[c] = id
			next++
		}
		th[i] = id
		if i < len(ours) {
			a = append(a, ours[i])
			b = append(b, id)
		}
	}
	// Nodes GDS did not assign become singletons for modularity.
	for i := range th {
		if th[i] < 0 {
			th[i] = next
			next++
		}
	}
	return &Comparison{
		Nodes: len(a), CommunitiesOurs: distinct(a), CommunitiesTheirs: distinct(b), NMI: NMI(a, b), ARI: ARI(a, b),
		ModularityOurs: community.Modularity(csr, ours, 1), ModularityTheirs: community.Modularity(csr, th, 1),
	}
}

func spaceOf(k graph.Kind) string {
	switch k {
	case graph.KindPatient:
		return LabelPatient
	case graph.KindDoctor:
		return LabelDoctor
	}
	return LabelInstitution
}

func distinct(x []int32) int {
	m := map[int32]bool{}
	for _, v := range x {
		m[v] = true
	}
	return len(m)
}

// NMI returns the normalised mutual information 2·I(A;B)/(H(A)+H(B)) of two
// labelings of the same items; 1 when both are identical up to renaming
// (including when both put everything in one cluster), 0 for empty input.
func NMI(a, b []int32) float64 {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0
	}
	ca, cb, joint := contingency(a, b)
	fn := float64(n)
	h := func(c map[int32]float64) float64 {
		var s float64
		for _, v := range c {
			p := v / fn
			s -= p * math.Log(p)
		}
		return s
	}
	ha, hb := h(ca), h(cb)
	if ha+hb == 0 {
		return 1
	}
	var mi float64
	for k, v := range joint {
		p := v / fn
		mi += p * math.Log(p/((ca[k[0]]/fn)*(cb[k[1]]/fn)))
	}
	return math.Max(0, math.Min(1, 2*mi/(ha+hb)))
}

// ARI returns the adjusted Rand index of two labelings of the same items
// (Hubert & Arabie, "Comparing partitions", J. Classification 2, 1985): the
// share of item pairs on which they agree, corrected for chance; 1 when
// identical up to renaming, about 0 for independent labelings, 0 for empty
// input or when the index is undefined (both labelings trivial).
func ARI(a, b []int32) float64 {
	n := len(a)
	if n == 0 || len(b) != n {
		return 0
	}
	pairs := func(x float64) float64 { return x * (x - 1) / 2 }
	ca, cb, joint := contingency(a, b)
	var index, sa, sb float64
	for _, v := range joint {
		index += pairs(v)
	}
	for _, v := range ca {
		sa += pairs(v)
	}
	for _, v := range cb {
		sb += pairs(v)
	}
	expected := sa * sb / pairs(float64(n))
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 0
	}
	return (index - expected) / (maxIndex - expected)
}

// contingency counts the items of each label of a, of b, and of each pair
// of labels.
func contingency(a, b []int32) (ca, cb map[int32]float64, joint map[[2]int32]float64) {
	ca, cb = map[int32]float64{}, map[int32]float64{}
	joint = map[[2]int32]float64{}
	for i := range a {
		ca[a[i]]++
		cb[b[i]]++
		joint[[2]int32{a[i], b[i]}]++
	}
	return ca, cb, joint
}
