package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"
)

// defaultChunkSize is the amount of decoded text read at a time; chunks
// are cut at record boundaries, so a chunk holds somewhat less.
const defaultChunkSize = 4 << 20

// maxRecord bounds a single record; a longer one makes the file unreadable.
const maxRecord = 256 << 20

// chunk is a run of complete records read from a source.
type chunk struct {
	buf     []byte // the records
	mem     []byte // backing storage of buf
	scratch []byte // unescaped field text; never reallocated while in use
	seq     int
	line    int64 // physical line of buf[0]
	last    bool
}

// column is one contract column of a table.
type column struct {
	name     string
	required bool
}

// rowErr is a rejection found while parsing or applying a row. col indexes
// the table's columns; -1 means the whole row.
type rowErr struct {
	col    int
	reason string
	value  string
}

// bad returns a rowErr for column col with its value.
func bad(col int, reason, value string) rowErr { return rowErr{col: col, reason: reason, value: value} }

// spec describes how the rows of one table are parsed.
type spec[R any] struct {
	table string
	cols  []column
	// parse fills r from vals (indexed like cols, trimmed, "" when absent).
	// It runs on worker goroutines and must only read shared state.
	parse func(vals []string, r *R) (rowErr, bool)
	// resolve, if not nil, looks up the references of the rows of a chunk
	// that parsed (errs[i].reason == ""), on the worker, after the whole
	// chunk is parsed: a tight loop of independent lookups lets the CPU
	// overlap their cache misses. memo is private to the chunk.
	resolve func(rows []R, errs []rowErr, memo *refMemo)
}

// refMemo remembers the last reference a parser looked up, since rows of
// the same visit or person tend to come together. The key aliases the
// chunk, so a memo is reset for every chunk.
type refMemo struct {
	key string
	row uint32
	set bool
}

// lookup returns the row of key, asking find only when key differs from
// the previous one.
func (m *refMemo) lookup(key string, find func(string) uint32) uint32 {
	if m.set && m.key == key {
		return m.row
	}
	m.key, m.row, m.set = key, find(key), true
	return m.row
}

// batch holds the parsed rows of one chunk.
type batch[R any] struct {
	c       *chunk
	rows    []R
	lines   []int64
	errs    []rowErr // errs[i].reason != "" for rows rejected by parsing
	blank   int64
	fields  []string
	vals    []string
	json    jsonParser
	keyMemo []int // column of the i-th key of the previous JSON object
	memo    refMemo
}

// applyFunc applies one parsed row; it returns a rejection, or ok.
type applyFunc[R any] func(r *R, line int64) (rowErr, bool)

// rejectHook is told about rows rejected while parsing.
type rejectHook[R any] func(r *R, line int64)

// readFile runs the read, parse and apply pipeline over src. apply runs on
// the calling goroutine, in file order.
func readFile[R any](ctx context.Context, l *loader, src *source, sp *spec[R], apply applyFunc[R], onReject rejectHook[R]) error {
	workers := l.workers
	nchunks := 2*workers + 2
	chunks := make(chan *chunk, nchunks)
	batches := make(chan *batch[R], nchunks)
	for i := 0; i < nchunks; i++ {
		chunks <- l.getChunk()
		batches <- &batch[R]{}
	}
	defer func() {
		for i := 0; i < nchunks; i++ {
			select {
			case c := <-chunks:
				l.putChunk(c)
			default:
			}
		}
	}()

	colOf := make([]int, len(src.header)) // header position -> column, -1 ignored
	for i, h := range src.header {
		colOf[i] = -1
		for j, c := range sp.cols {
			if c.name == h {
				colOf[i] = j
				break
			}
		}
	}

	stop := make(chan struct{})
	work := make(chan *chunk, nchunks)
	done := make(chan *batch[R], nchunks)
	var readErr error
	var wg, rwg sync.WaitGroup
	rwg.Add(1)
	go func() {
		defer rwg.Done()
		defer close(work)
		readErr = readChunks(src, l.chunkSize, chunks, work, stop)
	}()
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for c := range work {
				var b *batch[R]
				select {
				case b = <-batches:
				case <-stop:
					return
				}
				b.c = c
				parseChunk(src, sp, colOf, b)
				select {
				case done <- b:
				case <-stop:
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	err := applyBatches(ctx, l, src, done, chunks, batches, apply, onReject, nchunks)
	close(stop)
	for range done {
		// Drain so that workers can exit.
	}
	rwg.Wait()
	if err != nil {
		return err
	}
	if readErr != nil {
		return readErr
	}
	return nil
}

// applyBatches applies parsed batches in sequence order and recycles them.
func applyBatches[R any](ctx context.Context, l *loader, src *source, done <-chan *batch[R],
	chunks chan<- *chunk, batches chan<- *batch[R], apply applyFunc[R], onReject rejectHook[R], n int) error {
	pending := make([]*batch[R], n)
	next := 0
	lastProgress := time.Now()
	for b := range done {
		pending[b.c.seq%n] = b
		for {
			b := pending[next%n]
			if b == nil || b.c.seq != next {
				break
			}
			pending[next%n] = nil
			next++
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("read %s: %w", src.path, err)
			}
			if err := applyBatch(l, b, apply, onReject); err != nil {
				return err
			}
			b.c.buf = nil
			chunks <- b.c
			b.c = nil
			batches <- b
			if l.opts.Progress != nil && time.Since(lastProgress) >= 200*time.Millisecond {
				lastProgress = time.Now()
				l.progress(src, false)
			}
		}
	}
	return nil
}

func applyBatch[R any](l *loader, b *batch[R], apply applyFunc[R], onReject rejectHook[R]) error {
	rep := l.rep
	rep.BlankLines += b.blank
	for i := range b.rows {
		rep.Read++
		line := b.lines[i]
		e := b.errs[i]
		if e.reason != "" {
			if onReject != nil {
				onReject(&b.rows[i], line)
			}
		} else {
			var ok bool
			if e, ok = apply(&b.rows[i], line); ok {
				rep.Accepted++
				continue
			}
			if e.reason == "" { // deferred: counted when resolved
				continue
			}
		}
		if err := l.rejectCol(line, e); err != nil {
			return err
		}
	}
	return nil
}

// readChunks reads src into chunks cut at record boundaries and sends them
// to work in sequence.
func readChunks(src *source, chunkSize int, free <-chan *chunk, work chan<- *chunk, stop <-chan struct{}) error {
	var carry []byte
	line := src.firstLine
	cut := csvCut
	if src.format == formatJSONL {
		cut = func(b []byte) int { return bytes.LastIndexByte(b, '\n') + 1 }
	}
	for seq := 0; ; seq++ {
		var c *chunk
		select {
		case c = <-free:
		case <-stop:
			return nil
		}
		if cap(c.mem) < len(carry)+chunkSize {
			c.mem = make([]byte, len(carry)+chunkSize)
		}
		mem := c.mem[:len(carry)+chunkSize]
		n := copy(mem, carry)
		eof := false
		for {
			m, err := io.ReadFull(src.r, mem[n:])
			n += m
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				eof = true
			} else if err != nil {
				return fmt.Errorf("read %s: %w", src.path, err)
			}
			if eof {
				break
			}
			if cut(mem[:n]) > 0 {
				break
			}
			// No complete record yet: grow.
			if len(mem) >= maxRecord {
				return fmt.Errorf("read %s: record at line %d longer than %d MiB", src.path, line, maxRecord>>20)
			}
			grown := make([]byte, 2*len(mem))
			copy(grown, mem[:n])
			mem = grown
			c.mem = grown
		}
		k := n
		if !eof {
			k = cut(mem[:n])
		}
		carry = append(carry[:0], mem[k:n]...)
		c.buf = mem[:k]
		c.seq = seq
		c.line = line
		c.last = eof
		line += int64(bytes.Count(c.buf, []byte{'\n'}))
		if cap(c.scratch) < k {
			c.scratch = make([]byte, 0, k)
		}
		select {
		case work <- c:
		case <-stop:
			return nil
		}
		if eof {
			return nil
		}
	}
}

// errInvalidUTF8 is the reason for rows of a file detected as UTF-8 that
// hold invalid UTF-8.
const (
	reasonInvalidUTF8Detected = "invalid utf-8 in a file that looked like utf-8; pass --encoding gb18030"
	reasonInvalidUTF8         = "invalid utf-8"
)

// parseChunk splits b.c into records and parses each into b.rows.
func parseChunk[R any](src *source, sp *spec[R], colOf []int, b *batch[R]) {
	c := b.c
	b.rows, b.lines, b.errs, b.blank = b.rows[:0], b.lines[:0], b.errs[:0], 0
	b.memo = refMemo{}
	if len(b.vals) != len(sp.cols) {
		b.vals = make([]string, len(sp.cols))
	}
	if n := bytes.Count(c.buf, []byte{'\n'}) + 1; cap(b.rows) < n {
		b.rows = make([]R, 0, n)
		b.lines = make([]int64, 0, n)
		b.errs = make([]rowErr, 0, n)
	}
	checkUTF8 := src.utf8Check && !utf8.Valid(c.buf)
	scratch := c.scratch[:0]
	b.json.scratch = scratch
	buf := c.buf
	line := c.line
	var zero R
	for len(buf) > 0 {
		end := bytes.IndexByte(buf, '\n')
		physical := buf
		if end >= 0 {
			physical = buf[:end]
		}
		if blankLine(physical) {
			b.blank++
			line++
			if end < 0 {
				break
			}
			buf = buf[end+1:]
			continue
		}
		for i := range b.vals {
			b.vals[i] = ""
		}
		var rec []byte
		var e rowErr
		var n, inner int
		if src.format == formatCSV {
			b.fields, scratch, n, inner = csvRecord(buf, b.fields[:0], scratch)
			rec = buf[:n]
			if len(b.fields) != len(colOf) {
				e = bad(-1, fmt.Sprintf("row has %d fields, header has %d", len(b.fields), len(colOf)), "")
			} else {
				for i, f := range b.fields {
					if col := colOf[i]; col >= 0 {
						b.vals[col] = trimSpace(f)
					}
				}
			}
		} else {
			n = len(physical)
			if end >= 0 {
				n++
			}
			rec = physical
			b.json.scratch = scratch
			if je, ok := b.json.parse(physical); !ok {
				e = bad(colIndex(sp.cols, je.key), je.reason, "")
			} else {
				b.fillJSON(sp.cols)
			}
			scratch = b.json.scratch
		}
		if e.reason == "" && checkUTF8 && !utf8.Valid(rec) {
			e = bad(-1, reasonInvalidUTF8, "")
			if src.detected {
				e.reason = reasonInvalidUTF8Detected
			}
			for i, v := range b.vals {
				if !utf8.ValidString(v) {
					e.col, e.value = i, v
					break
				}
			}
		}
		b.rows = append(b.rows, zero)
		r := &b.rows[len(b.rows)-1]
		if e.reason == "" {
			if pe, ok := sp.parse(b.vals, r); !ok {
				e = pe
			}
		}
		b.errs = append(b.errs, e)
		b.lines = append(b.lines, line)
		line += 1 + int64(inner)
		buf = buf[n:]
	}
	c.scratch = scratch
	if sp.resolve != nil {
		sp.resolve(b.rows, b.errs, &b.memo)
	}
}

// fillJSON maps the keys of the parsed object to columns, remembering the
// key order of the previous object to skip most name comparisons.
func (b *batch[R]) fillJSON(cols []column) {
	p := &b.json
	for i, k := range p.keys {
		col := -2
		if i < len(b.keyMemo) {
			if m := b.keyMemo[i]; m >= 0 && cols[m].name == k {
				col = m
			}
		}
		if col == -2 {
			col = colIndex(cols, trimSpace(k))
			if i < len(b.keyMemo) {
				b.keyMemo[i] = col
			} else {
				b.keyMemo = append(b.keyMemo, col)
			}
		}
		if col >= 0 {
			b.vals[col] = trimSpace(p.vals[i])
		}
	}
}

// colIndex returns the index of the column named name, or -1.
func colIndex(cols []column, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}
