package findings

import (
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"unsafe"

	"github.com/ringlens/ringlens/graph/vocab"
)

// Entities is the table of entity scores (entities.csv): one EntityScore
// per row, kept in columns that hold no pointer.
//
// A city has an entity for every patient, doctor, institution and
// pharmacy, millions of them, and a server keeps its findings for as long
// as it serves. Kept as EntityScore values, each row is a struct of four
// strings and a slice, with an id and parameter values of its own: some
// ten pointers a row that the garbage collector follows in every cycle
// (about three fifths of a serving process's pointers), while the checks
// it serves wait. Here the kinds, reason codes, parameter names and ring
// ids are words of a small dictionary, the ids and parameter values bytes
// of one arena, and the rows, reasons and parameters fixed-size records
// that refer to them by offset: a few objects without pointers, whatever
// the number of rows.
//
// Rows are read one at a time (At, All, or a column: Score, RingID, KeyIs)
// and written with Append and Set. Set appends the row's bytes and leaves
// the old ones in place (incremental scoring re-scores a few hundred rows
// at a time; a full run builds a new table), so a table that is Set over
// and over grows. A nil *Entities is an empty table. The zero value is
// ready to use. Entities is not safe for concurrent writes, nor for reads
// concurrent with a write.
//
// In JSON a table is an array of EntityScore, as []EntityScore would be.
type Entities struct {
	rows    []entityRow
	reasons []reasonRec
	params  []paramRec
	arena   []byte
	words   []string          // kinds, reason codes, parameter names and ring ids
	wordOf  map[string]uint32 // index of a word in words
}

// span is a range of one of the table's slices: n elements from off.
type span struct{ off, n uint32 }

// nilReasons marks, in entityRow.reasons.off, a row whose Reasons is nil
// (written as null in JSON) rather than empty.
const nilReasons = math.MaxUint32

// noRing marks, in entityRow.ring, a row of no ring.
const noRing = -1

// entityRow is one row: word indexes of its kind and ring id (noRing for
// none), its id in the arena, its score and its reasons.
type entityRow struct {
	kind    uint32
	ring    int32
	id      span // bytes of arena
	score   float64
	reasons span // records of reasons
}

// reasonRec is one reason: the word of its code and its parameters.
type reasonRec struct {
	code   uint32
	params span // records of params
}

// paramRec is one parameter: the word of its name and its value in the
// arena.
type paramRec struct {
	name  uint32
	value span
}

// EntitiesOf returns a table of rows, in order.
func EntitiesOf(rows []EntityScore) *Entities {
	t := &Entities{}
	t.Grow(len(rows))
	for i := range rows {
		t.Append(rows[i])
	}
	return t
}

// Grow makes room for n more rows.
func (t *Entities) Grow(n int) {
	if n > 0 {
		t.rows = slices.Grow(t.rows, n)
	}
}

// Len returns the number of rows.
func (t *Entities) Len() int {
	if t == nil {
		return 0
	}
	return len(t.rows)
}

// Append adds e as the last row.
func (t *Entities) Append(e EntityScore) {
	t.rows = append(t.rows, t.row(e, nil))
}

// Set replaces row i with e. It panics when i is out of range, as an index
// of a slice would.
func (t *Entities) Set(i int, e EntityScore) {
	t.rows[i] = t.row(e, &t.rows[i])
}

// row encodes e, reusing the id bytes of old when it is not nil and has
// e's id.
func (t *Entities) row(e EntityScore, old *entityRow) entityRow {
	r := entityRow{kind: t.word(e.Kind), ring: noRing, score: e.Score}
	if old != nil && t.bytes(old.id) == e.ID {
		r.id = old.id
	} else {
		r.id = t.text(e.ID)
	}
	if e.RingID != "" {
		r.ring = int32(t.word(e.RingID))
	}
	if e.Reasons == nil {
		r.reasons = span{off: nilReasons}
		return r
	}
	r.reasons = span{off: t.offset(len(t.reasons)), n: uint32(len(e.Reasons))}
	for _, reason := range e.Reasons {
		rec := reasonRec{code: t.word(reason.Code), params: span{off: t.offset(len(t.params)), n: uint32(len(reason.Params))}}
		for _, p := range reason.Params {
			t.params = append(t.params, paramRec{name: t.word(p.Name), value: t.text(p.Value)})
		}
		t.reasons = append(t.reasons, rec)
	}
	return r
}

// MaxEntityBytes bounds a table's bytes and records: they are addressed
// with 32-bit offsets. A table four gigabytes long holds some hundred
// million entities' ids, more than a graph in memory has nodes; readers
// of entity files larger than this refuse them before they build a table.
const MaxEntityBytes = math.MaxUint32

// offset checks that n fits the records' 32-bit offsets (MaxEntityBytes);
// past it the table cannot grow, which detection on a city in memory does
// not reach.
func (t *Entities) offset(n int) uint32 {
	if n >= MaxEntityBytes {
		panic(fmt.Sprintf("findings: entity table of %d records or bytes, beyond its 32-bit offsets", n))
	}
	return uint32(n)
}

// word returns the index of w in the dictionary, adding it.
func (t *Entities) word(w string) uint32 {
	if i, ok := t.wordOf[w]; ok {
		return i
	}
	if t.wordOf == nil {
		t.wordOf = make(map[string]uint32)
	}
	i := uint32(len(t.words))
	t.words = append(t.words, w)
	t.wordOf[w] = i
	return i
}

// text appends s to the arena and returns its span.
func (t *Entities) text(s string) span {
	sp := span{off: t.offset(len(t.arena)), n: uint32(len(s))}
	t.offset(len(t.arena) + len(s))
	t.arena = append(t.arena, s...)
	return sp
}

// bytes returns the arena's bytes of sp as a string that aliases the
// arena: it must not outlive a write of t.
func (t *Entities) bytes(sp span) string {
	if sp.n == 0 {
		return ""
	}
	return unsafe.String(&t.arena[sp.off], int(sp.n))
}

// At returns row i, its strings and slices its own. It panics when i is
// out of range.
func (t *Entities) At(i int) EntityScore {
	r := &t.rows[i]
	e := EntityScore{Kind: t.words[r.kind], ID: string(t.bytes(r.id)), Score: r.score, RingID: t.ringID(r)}
	if r.reasons.off == nilReasons {
		return e
	}
	e.Reasons = make([]Reason, r.reasons.n)
	for k := range e.Reasons {
		rec := &t.reasons[r.reasons.off+uint32(k)]
		e.Reasons[k].Code = t.words[rec.code]
		if rec.params.n == 0 {
			continue
		}
		ps := make(vocab.Params, rec.params.n)
		for j := range ps {
			p := &t.params[rec.params.off+uint32(j)]
			ps[j] = vocab.Param{Name: t.words[p.name], Value: string(t.bytes(p.value))}
		}
		e.Reasons[k].Params = ps
	}
	return e
}

// ringID returns the ring id of r ("" for none).
func (t *Entities) ringID(r *entityRow) string {
	if r.ring == noRing {
		return ""
	}
	return t.words[r.ring]
}

// Score returns the score of row i.
func (t *Entities) Score(i int) float64 { return t.rows[i].score }

// RingID returns the ring id of row i ("" for none).
func (t *Entities) RingID(i int) string { return t.ringID(&t.rows[i]) }

// Kind returns the kind of row i.
func (t *Entities) Kind(i int) string { return t.words[t.rows[i].kind] }

// KeyIs reports whether row i is the entity of kind and id, without
// building its strings.
func (t *Entities) KeyIs(i int, kind, id string) bool {
	r := &t.rows[i]
	return t.words[r.kind] == kind && t.bytes(r.id) == id
}

// Keep returns a new table of the rows i for which keep(i) is true, in
// order, and how many were left out. t is unchanged.
func (t *Entities) Keep(keep func(i int) bool) (kept *Entities, left int) {
	kept = &Entities{}
	for i := range t.Len() {
		if keep(i) {
			kept.Append(t.At(i))
		} else {
			left++
		}
	}
	return kept, left
}

// All returns the rows in order, each as At returns it.
func (t *Entities) All() iter.Seq2[int, EntityScore] {
	return func(yield func(int, EntityScore) bool) {
		for i := range t.Len() {
			if !yield(i, t.At(i)) {
				return
			}
		}
	}
}

// Rows returns every row (At), in order; nil for an empty table.
func (t *Entities) Rows() []EntityScore {
	if t.Len() == 0 {
		return nil
	}
	out := make([]EntityScore, t.Len())
	for i := range out {
		out[i] = t.At(i)
	}
	return out
}

// MarshalJSON writes the rows as a JSON array of EntityScore.
func (t *Entities) MarshalJSON() ([]byte, error) {
	rows := t.Rows()
	if rows == nil {
		return []byte("null"), nil
	}
	return json.Marshal(rows)
}

// UnmarshalJSON reads a JSON array of EntityScore into t, replacing its
// rows.
func (t *Entities) UnmarshalJSON(b []byte) error {
	var rows []EntityScore
	if err := json.Unmarshal(b, &rows); err != nil {
		return err
	}
	*t = *EntitiesOf(rows)
	return nil
}
