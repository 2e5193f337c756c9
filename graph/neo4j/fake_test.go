package neo4j

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// fakeDB is an in-memory Executor that understands exactly the statements
// this package builds. It records every statement and can inject errors.
type fakeDB struct {
	mu      sync.Mutex
	nodes   map[[2]string]*fakeNode // (space, key) -> node
	rels    map[fakeRelKey]map[string]any
	queries []fakeQuery
	calls   int // transactions started
	// inject, when not nil, is called at the start of every transaction
	// (call counts from 1) and fails it with the error returned.
	inject func(call int, write bool) error
	// membership answers gds.leiden.stream.
	membership []map[string]any
	// sorted caches sortedKeys until the next node is added or deleted.
	sorted [][2]string
}

type fakeNode struct {
	space  string
	labels map[string]bool
	props  map[string]any
}

type fakeRelKey struct {
	typ, fromSpace, from, toSpace, to string
}

type fakeQuery struct {
	cypher string
	params map[string]any
}

func newFakeDB() *fakeDB {
	return &fakeDB{nodes: map[[2]string]*fakeNode{}, rels: map[fakeRelKey]map[string]any{}}
}

func (f *fakeDB) ExecuteWrite(ctx context.Context, work Work) error { return f.exec(ctx, true, work) }
func (f *fakeDB) ExecuteRead(ctx context.Context, work Work) error  { return f.exec(ctx, false, work) }

func (f *fakeDB) exec(ctx context.Context, write bool, work Work) error {
	f.mu.Lock()
	f.calls++
	call := f.calls
	inject := f.inject
	f.mu.Unlock()
	if inject != nil {
		if err := inject(call, write); err != nil {
			return err
		}
	}
	return work(ctx, fakeTx{f})
}

type fakeTx struct{ f *fakeDB }

type fakeRecords struct {
	recs []map[string]any
	i    int
}

func (r *fakeRecords) Next(context.Context) bool { r.i++; return r.i <= len(r.recs) }
func (r *fakeRecords) Record() map[string]any    { return r.recs[r.i-1] }
func (r *fakeRecords) Err() error                { return nil }

var (
	reNodeMerge = regexp.MustCompile(`^UNWIND \$rows AS row MERGE \(n:(\w+) \{(\w+): row\.key\}\)((?: SET n:\w+)*) SET n \+= row\.props$`)
	reRelMerge  = regexp.MustCompile(`^UNWIND \$rows AS row MATCH \(a:(\w+) \{(\w+): row\.from\}\) MATCH \(b:(\w+) \{(\w+): row\.to\}\) MERGE \(a\)-\[r:(\w+)\]->\(b\)( SET r \+= row\.props)?$`)
	reNodeCount = regexp.MustCompile(`^MATCH \(n:([\w:]+)\) RETURN count\(n\) AS n$`)
	reRunCount  = regexp.MustCompile(`^MATCH \(n:(\w+) \{run: \$run\}\) RETURN count\(n\) AS n$`)
	reRelCount  = regexp.MustCompile(`^MATCH \(a:(\w+)\)-\[r:(\w+)\]->\(b:(\w+)\)(?: WHERE (a|b)\.run = \$run)? RETURN count\(r\) AS n$`)
	reClear     = regexp.MustCompile(`^MATCH \(n:(\w+) \{run: \$run\}\) WITH n LIMIT \$limit DETACH DELETE n RETURN count\(\*\) AS deleted$`)
)

func (tx fakeTx) Run(_ context.Context, q string, params map[string]any) (Records, error) {
	f := tx.f
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, fakeQuery{q, params})
	one := func(k string, v any) (Records, error) {
		return &fakeRecords{recs: []map[string]any{{k: v}}}, nil
	}
	switch {
	case strings.HasPrefix(q, "CREATE CONSTRAINT") || strings.HasPrefix(q, "CREATE INDEX"):
		return &fakeRecords{}, nil
	case reNodeMerge.MatchString(q):
		m := reNodeMerge.FindStringSubmatch(q)
		space := m[1]
		for _, r := range params["rows"].([]any) {
			row := r.(map[string]any)
			key := row["key"].(string)
			n := f.nodes[[2]string{space, key}]
			if n == nil {
				n = &fakeNode{space: space, labels: map[string]bool{space: true}, props: map[string]any{m[2]: key}}
				f.nodes[[2]string{space, key}] = n
				f.sorted = nil
			}
			for _, l := range strings.Split(m[3], " SET n:")[1:] {
				n.labels[l] = true
			}
			for k, v := range row["props"].(map[string]any) {
				if v == nil {
					delete(n.props, k)
				} else {
					n.props[k] = v
				}
			}
		}
		return &fakeRecords{}, nil
	case reRelMerge.MatchString(q):
		m := reRelMerge.FindStringSubmatch(q)
		for _, r := range params["rows"].([]any) {
			row := r.(map[string]any)
			from, to := row["from"].(string), row["to"].(string)
			if f.nodes[[2]string{m[1], from}] == nil || f.nodes[[2]string{m[3], to}] == nil {
				continue // MATCH finds nothing
			}
			k := fakeRelKey{m[5], m[1], from, m[3], to}
			props := f.rels[k]
			if props == nil {
				props = map[string]any{}
				f.rels[k] = props
			}
			if p, ok := row["props"].(map[string]any); ok {
				for pk, v := range p {
					if v == nil {
						delete(props, pk)
					} else {
						props[pk] = v
					}
				}
			}
		}
		return &fakeRecords{}, nil
	case reClear.MatchString(q):
		m := reClear.FindStringSubmatch(q)
		limit := params["limit"].(int64)
		var del int64
		for _, k := range f.sortedKeys() {
			n := f.nodes[k]
			if del < limit && n.labels[m[1]] && n.props["run"] == params["run"] {
				delete(f.nodes, k)
				f.sorted = nil
				for rk := range f.rels {
					if (rk.fromSpace == k[0] && rk.from == k[1]) || (rk.toSpace == k[0] && rk.to == k[1]) {
						delete(f.rels, rk)
					}
				}
				del++
			}
		}
		return one("deleted", del)
	case reNodeCount.MatchString(q):
		labels := strings.Split(reNodeCount.FindStringSubmatch(q)[1], ":")
		var c int64
	nodes:
		for _, n := range f.nodes {
			for _, l := range labels {
				if !n.labels[l] {
					continue nodes
				}
			}
			c++
		}
		return one("n", c)
	case reRunCount.MatchString(q):
		l := reRunCount.FindStringSubmatch(q)[1]
		var c int64
		for _, n := range f.nodes {
			if n.labels[l] && n.props["run"] == params["run"] {
				c++
			}
		}
		return one("n", c)
	case reRelCount.MatchString(q):
		m := reRelCount.FindStringSubmatch(q)
		var c int64
		for k := range f.rels {
			if k.typ != m[2] || k.fromSpace != m[1] || k.toSpace != m[3] {
				continue
			}
			switch m[4] {
			case "a":
				if f.nodes[[2]string{k.fromSpace, k.from}].props["run"] != params["run"] {
					continue
				}
			case "b":
				if f.nodes[[2]string{k.toSpace, k.to}].props["run"] != params["run"] {
					continue
				}
			}
			c++
		}
		return one("n", c)
	case q == institutionPageQuery:
		return f.page(LabelInstitution, params, nil), nil
	case q == personPageQuery:
		return f.page(LabelPatient, params, nil), nil
	case q == doctorPageQuery:
		sites := map[string][]string{}
		for k := range f.rels {
			if k.typ == RelRegisteredAt {
				sites[k.from] = append(sites[k.from], k.to)
			}
		}
		return f.page(LabelDoctor, params, func(key string, rec map[string]any) {
			s := sites[key]
			sort.Strings(s)
			list := make([]any, len(s))
			for i, x := range s {
				list[i] = x
			}
			rec["sites"] = list
		}), nil
	case q == visitPageQuery:
		return f.page(LabelVisit, params, nil), nil
	case q == itemPageQuery:
		return f.page(LabelItem, params, nil), nil
	case q == feePageQuery:
		return f.page(LabelFeeLine, params, nil), nil
	case q == GDSVersionQuery:
		return one("version", "2.6.0")
	case strings.HasPrefix(q, "CALL gds.leiden.stream"):
		return &fakeRecords{recs: f.membership}, nil
	case strings.HasPrefix(q, "CALL gds.graph."):
		return &fakeRecords{}, nil
	}
	return nil, fmt.Errorf("fakeDB: unsupported statement %q", q)
}

// page answers a page query: nodes of space with key > $after, in key
// order, each record holding every property plus "key".
func (f *fakeDB) page(space string, params map[string]any, extra func(string, map[string]any)) Records {
	after, limit := params["after"].(string), int(params["page"].(int64))
	var recs []map[string]any
	keys := f.sortedKeys()
	from := sort.Search(len(keys), func(i int) bool {
		return keys[i][0] > space || keys[i][0] == space && keys[i][1] > after
	})
	for _, k := range keys[from:] {
		if k[0] != space || len(recs) == limit {
			break
		}
		rec := map[string]any{"key": k[1]}
		for pk, v := range f.nodes[k].props {
			rec[pk] = v
		}
		if extra != nil {
			extra(k[1], rec)
		}
		recs = append(recs, rec)
	}
	return &fakeRecords{recs: recs}
}

func (f *fakeDB) sortedKeys() [][2]string {
	if f.sorted != nil {
		return f.sorted
	}
	keys := make([][2]string, 0, len(f.nodes))
	for k := range f.nodes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	f.sorted = keys
	return keys
}

// snapshot renders the whole store deterministically.
func (f *fakeDB) snapshot() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var lines []string
	for k, n := range f.nodes {
		var ls []string
		for l := range n.labels {
			ls = append(ls, l)
		}
		sort.Strings(ls)
		lines = append(lines, fmt.Sprintf("N %s %s %v %v", k[0], k[1], ls, n.props))
	}
	for k, p := range f.rels {
		lines = append(lines, fmt.Sprintf("R %v %v", k, p))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
