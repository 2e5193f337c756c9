package graph

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// maxEdgeListLine is the longest line ReadEdgeList accepts.
const maxEdgeListLine = 1 << 20

// ReadEdgeList reads an undirected edge list: one edge per line as
// whitespace-separated "u v" or "u v w", where u and v are int64 node ids
// and w a float64 weight (default 1); blank lines and lines starting with
// '#' or '%' are skipped, and so is a trailing "# comment". Ids are mapped to
// dense indexes in order of first appearance; the returned slice maps index
// to original id. Duplicate edges are merged by summing their weights.
// Errors name the offending line.
func ReadEdgeList(r io.Reader) (*Weighted, []int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), maxEdgeListLine)
	index := make(map[int64]int32)
	var ids []int64
	var edges []WeightedEdge
	dense := func(id int64) (int32, error) {
		if i, ok := index[id]; ok {
			return i, nil
		}
		if len(ids) >= math.MaxInt32 {
			return 0, errors.New("too many nodes")
		}
		i := int32(len(ids))
		index[id] = i
		ids = append(ids, id)
		return i, nil
	}
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if i := bytes.IndexByte(b, '#'); i >= 0 {
			b = b[:i]
		}
		f1, rest := nextField(b)
		if len(f1) == 0 || f1[0] == '%' {
			continue
		}
		f2, rest := nextField(rest)
		f3, rest := nextField(rest)
		if extra, _ := nextField(rest); len(extra) > 0 {
			return nil, nil, fmt.Errorf("graph: edge list line %d: more than 3 fields", line)
		}
		if len(f2) == 0 {
			return nil, nil, fmt.Errorf("graph: edge list line %d: want \"u v [w]\", got one field", line)
		}
		u, err := strconv.ParseInt(string(f1), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("graph: edge list line %d: node id: %w", line, err)
		}
		v, err := strconv.ParseInt(string(f2), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("graph: edge list line %d: node id: %w", line, err)
		}
		w := 1.0
		if len(f3) > 0 {
			if w, err = strconv.ParseFloat(string(f3), 64); err != nil {
				return nil, nil, fmt.Errorf("graph: edge list line %d: weight: %w", line, err)
			}
			if math.IsNaN(w) || math.IsInf(w, 0) {
				return nil, nil, fmt.Errorf("graph: edge list line %d: weight %q is not finite", line, f3)
			}
		}
		du, err := dense(u)
		if err != nil {
			return nil, nil, fmt.Errorf("graph: edge list line %d: %w", line, err)
		}
		dv, err := dense(v)
		if err != nil {
			return nil, nil, fmt.Errorf("graph: edge list line %d: %w", line, err)
		}
		edges = append(edges, WeightedEdge{du, dv, w})
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("graph: edge list after line %d: %w", line, err)
	}
	return NewWeighted(len(ids), edges), ids, nil
}

// nextField splits off the first run of non-space bytes of b.
func nextField(b []byte) (field, rest []byte) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isSpace(b[j]) {
		j++
	}
	return b[i:j], b[j:]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }
