package ingest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/intern"
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
	breaks  int   // line breaks in buf
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
	// prefetch, if not nil, reads the index entries of the tables that
	// applying rows will insert into, before they are applied (see
	// intern.Table.Prefetch), and returns a value for the loader's sink.
	// It changes nothing; it runs on the applying goroutine, on windows of
	// prefetchWindow rows.
	prefetch func(rows []R, errs []rowErr) uint32
	// first, if not nil, sees the parsed rows of the file's first batch
	// before they are applied, on the applying goroutine (to size tables).
	first func(rows []R, errs []rowErr)
}

// prefetchWindow is the number of rows whose index entries are prefetched
// at a time: enough to overlap many cache misses, few enough that the
// entries are still cached when the rows are applied.
const prefetchWindow = 256

// refMemo remembers the last reference a parser looked up, since rows of
// the same visit tend to come together, and rows of consecutive visits in
// visit order. The key aliases the chunk, so a memo is reset for every
// chunk.
type refMemo struct {
	key string
	row uint32
	set bool
}

// lookup returns the row of key in ids: the previous row if key is the
// previous key, else the row after it if that holds key (a sequential,
// cache-friendly check), else a hash lookup.
func (m *refMemo) lookup(key string, ids *intern.PackedTable) uint32 {
	if m.set {
		if m.key == key {
			return m.row
		}
		if next := m.row + 1; m.row != graph.None && int(next) < ids.Len() && ids.Equal(next, key) {
			m.key, m.row = key, next
			return next
		}
	}
	m.key, m.row, m.set = key, ids.Lookup(key), true
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

	kinds := kinds(sp.cols)
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

	// With one worker, parsing and applying take turns (turn), so that a
	// load bounded to one goroutine uses one core: a server's background
	// full run leaves the other to the checks it answers meanwhile.
	var turn chan struct{}
	if workers == 1 {
		turn = make(chan struct{}, 1)
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
				take(turn)
				parseChunk(src, sp, colOf, kinds, b)
				give(turn)
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

	err := applyBatches(ctx, l, src, done, chunks, batches, sp.prefetch, sp.first, apply, onReject, nchunks, turn)
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
	chunks chan<- *chunk, batches chan<- *batch[R], prefetch func([]R, []rowErr) uint32, first func([]R, []rowErr), apply applyFunc[R], onReject rejectHook[R], n int, turn chan struct{}) error {
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
			if b.c.seq == 0 && first != nil {
				first(b.rows, b.errs)
			}
			take(turn)
			err := applyBatch(l, b, prefetch, apply, onReject)
			give(turn)
			if err != nil {
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

// take waits for the turn when turn is not nil; give hands it back.
func take(turn chan struct{}) {
	if turn != nil {
		turn <- struct{}{}
	}
}

// give hands back the turn taken by take.
func give(turn chan struct{}) {
	if turn != nil {
		<-turn
	}
}

// applyBatch applies the rows of b in order, prefetching the index entries
// of each window of rows before applying it.
func applyBatch[R any](l *loader, b *batch[R], prefetch func([]R, []rowErr) uint32, apply applyFunc[R], onReject rejectHook[R]) error {
	rep := l.rep
	rep.BlankLines += b.blank
	for i := range b.rows {
		if prefetch != nil && i%prefetchWindow == 0 {
			end := min(i+prefetchWindow, len(b.rows))
			l.prefetched += prefetch(b.rows[i:end], b.errs[i:end])
		}
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
