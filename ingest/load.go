package ingest

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/intern"
)

// Table names, in load order.
const (
	tablePsn       = "psn"
	tableFixmedins = "fixmedins"
	tableStaff     = "staff"
	tableCatalog   = "catalog"
	tableMdtrt     = "mdtrt"
	tableFee       = "fee_list"
)

// loader carries the state of one Load.
type loader struct {
	opts      Options
	sink      RejectSink
	workers   int
	chunkSize int
	t         *graph.Tables

	rep  *FileReport
	file string   // base name of the file being read
	cols []column // its columns

	free       []*chunk // recycled chunks
	feeRows    int      // estimated rows of the fee file
	prefetched uint32   // keeps prefetching reads (spec.prefetch) from being optimised away

	personLine  []uint32          // line of each person row
	instLine    []uint32          // line of each institution row
	catalogLine []uint32          // line of each catalogue row
	staffPairs  map[uint64]uint32 // (doctor row, institution row) -> line
	mdtrtFile   string            // base name of the visit file
	rejectedIDs map[string]int64  // mdtrt_id of rejected visit rows -> line
	refunds     []visitRefund     // deferred visit refunds
}

// Load reads the dataset in dir and returns its tables. It first opens every
// file and checks its header, returning a *SchemaError when a required file
// or column is missing; then it reads psn, fixmedins, staff, catalog, mdtrt
// and fee_list in that order. Rejected rows go to sink (which may be nil);
// with opts.Strict the first rejected row ends Load with a *RowError.
func Load(ctx context.Context, dir string, opts Options, sink RejectSink) (*Result, error) {
	return load(ctx, dir, opts, sink, defaultChunkSize)
}

// load is Load with a given chunk size, which tests make tiny to exercise
// chunk boundaries.
func load(ctx context.Context, dir string, opts Options, sink RejectSink, chunkSize int) (*Result, error) {
	forced, err := normEncoding(opts.Encoding)
	if err != nil {
		return nil, err
	}
	tables := []struct {
		name     string
		cols     []column
		optional bool
	}{
		{tablePsn, psnCols, false},
		{tableFixmedins, fixmedinsCols, false},
		{tableStaff, staffCols, false},
		{tableCatalog, catalogCols, true},
		{tableMdtrt, mdtrtCols, false},
		{tableFee, feeCols, false},
	}
	srcs := make([]*source, len(tables))
	defer func() {
		for _, s := range srcs {
			if s != nil {
				s.Close()
			}
		}
	}()
	for i, tb := range tables {
		path, format, gz, found, err := locate(dir, tb.name)
		if err != nil {
			return nil, err
		}
		if !found {
			if tb.optional {
				continue
			}
			return nil, &SchemaError{File: tb.name + ".csv",
				Reason: "required file missing (also looked for .csv.gz, .jsonl, .jsonl.gz, .ndjson)"}
		}
		if srcs[i], err = openSource(tb.name, path, format, gz, forced, tb.cols); err != nil {
			return nil, err
		}
	}

	l := &loader{opts: opts, sink: sink, workers: opts.Workers, chunkSize: chunkSize}
	if l.workers <= 0 {
		l.workers = runtime.GOMAXPROCS(0)
	}
	l.t = newTables(estimateRows(srcs[4], 110), estimateRows(srcs[5], 100), opts)
	l.feeRows = estimateRows(srcs[5], 100)
	l.t.ReservePersons(estimateRows(srcs[0], 70))
	res := &Result{Tables: l.t}
	for i, src := range srcs {
		if src == nil {
			continue
		}
		res.Files = append(res.Files, FileReport{})
		rep := &res.Files[len(res.Files)-1]
		*rep = FileReport{Table: src.table, Path: src.path, Format: src.format,
			Encoding: src.encoding, Compressed: src.compressed, CROnly: src.crOnly}
		l.rep, l.file, l.cols = rep, src.base, tables[i].cols
		start := time.Now()
		if err := l.readTable(ctx, src); err != nil {
			return nil, err
		}
		rep.Elapsed = time.Since(start)
		rep.BytesRead, rep.Size = src.read.Load(), src.size
		if rep.BytesRead != rep.Size {
			return nil, &ReadError{File: src.base, Line: src.endLine,
				Err: fmt.Errorf("read %d bytes of %d: the file changed while it was read", rep.BytesRead, rep.Size)}
		}
		l.progress(src, true)
		src.Close()
		srcs[i] = nil
	}
	return res, nil
}

// newTables returns tables presized for about visits visits and fees fee
// lines. The index of the visit ids is sized for the visits expected at
// the interner's own load factor: reserved for half as many again (for
// cheaper inserts), it came to twice its natural size at 10M, 8 bytes a
// visit, and filled no faster, the one-byte tags already making most
// collisions cheap. The shared
// strings are sized for the codes and names of a city; when feedetl_sn
// turns out to be unique per line the fee lines keep it in a packed table
// of their own, chosen as the fee file starts (reserveFeeSerials). Unused capacity costs address
// space rather than memory, but the Go heap counts it against the memory
// limit, so estimates aim close.
func newTables(visits, fees int, opts Options) *graph.Tables {
	t := graph.NewTables(visits, fees)
	t.Strings = intern.New(fees/64+4096, 12)
	t.Visits.IDs = intern.NewPacked(visits + 16)
	t.Visits.SetlID = nil
	if !opts.DropSettlementIDs {
		t.Visits.SetlID = intern.NewPackedList(visits + 16)
	}
	return t
}

// estimateMargin is the share (1/estimateMargin) estimateRows adds to the
// rows its sample gives: above the sample's error (estimateSample), below
// the room graph.Tables.Trim leaves alone (1/16), so that columns sized
// from the estimate are neither grown nor trimmed.
const estimateMargin = 32

// estimateMarginCompressed is estimateMargin for a compressed file, whose
// start may compress better or worse than the rest: an eighth.
const estimateMarginCompressed = 8

// estimateRows guesses a file's row count for preallocation: from the
// lines per on-disk byte of its start (for a compressed file, the lines
// decoded per compressed byte consumed), else, for a file too short to
// tell, from bytesPerRow and a generous compression ratio. It aims a
// little high: a column that outgrows its estimate is copied once, and
// room reserved and not used is counted against the memory limit until
// Tables.Trim gives it back (at 100M visits a ratio of 8 assumed for gzip
// reserved 17 GB too many: the generated files compress 3.3 times).
func estimateRows(src *source, bytesPerRow int64) int {
	if src == nil {
		return 0
	}
	if src.sampleLines >= 16 && src.sampleDisk > 0 {
		rows := int(src.size * int64(src.sampleLines) / src.sampleDisk)
		margin := estimateMargin
		if src.compressed {
			margin = estimateMarginCompressed
		}
		return rows + rows/margin + 64
	}
	size := src.size
	if src.compressed {
		size *= 8 // CSV compresses about 5-10 times; over-estimating is cheap
	}
	return int(size / bytesPerRow)
}

// reserveFeeSerials gives the fee file's feedetl_sn values a packed table
// of their own (graph.Tables.UseFeeSerials) when more than half of those
// of its first batch are distinct: serial numbers unique per line rather
// than per visit (0001, 0002, ...). It runs on the applying goroutine
// before the first batch is applied. The serials read back the same
// either way (Tables.FeeSerial); only their ids differ.
func (l *loader) reserveFeeSerials(rows []feeRow, errs []rowErr) {
	seen := make(map[string]struct{}, len(rows))
	n := 0
	for i := range rows {
		if errs[i].reason == "" {
			seen[rows[i].FeedetlSn] = struct{}{}
			n++
		}
	}
	if n > 0 && 2*len(seen) > n {
		l.t.UseFeeSerials(l.feeRows + l.feeRows/estimateMarginCompressed + 64)
	}
}

// readTable reads one source with the parser and applier of its table.
func (l *loader) readTable(ctx context.Context, src *source) error {
	switch src.table {
	case tablePsn:
		l.personLine = l.personLine[:0]
		return readFile(ctx, l, src, l.psnSpec(), l.applyPerson, nil)
	case tableFixmedins:
		return readFile(ctx, l, src, &fixmedinsSpec, l.applyInstitution, nil)
	case tableStaff:
		l.staffPairs = make(map[uint64]uint32)
		return readFile(ctx, l, src, &staffSpec, l.applyStaff, nil)
	case tableCatalog:
		return readFile(ctx, l, src, &catalogSpec, l.applyCatalog, nil)
	case tableMdtrt:
		l.mdtrtFile = src.base
		l.rejectedIDs = make(map[string]int64)
		if err := readFile(ctx, l, src, l.mdtrtSpec(), l.applyVisit, l.rejectedVisit); err != nil {
			return err
		}
		return l.resolveVisitRefunds()
	case tableFee:
		if err := readFile(ctx, l, src, l.feeSpec(), l.applyFee, nil); err != nil {
			return err
		}
		return l.resolveFees()
	}
	return fmt.Errorf("unknown table %q", src.table)
}

// progress reports the state of src.
func (l *loader) progress(src *source, done bool) {
	if l.opts.Progress == nil {
		return
	}
	l.opts.Progress(Progress{Table: src.table, Path: src.path, Rows: l.rep.Read,
		Bytes: src.read.Load(), TotalBytes: src.size, Done: done})
}

// getChunk returns a recycled or new chunk.
func (l *loader) getChunk() *chunk {
	if n := len(l.free); n > 0 {
		c := l.free[n-1]
		l.free = l.free[:n-1]
		return c
	}
	return &chunk{}
}

// putChunk recycles c for the next file.
func (l *loader) putChunk(c *chunk) { l.free = append(l.free, c) }

// rejectCol reports a rejection of the row at line in the current file.
func (l *loader) rejectCol(line int64, e rowErr) error {
	col := ""
	if e.col >= 0 && e.col < len(l.cols) {
		col = l.cols[e.col].name
	}
	return l.reject(line, col, e.reason, e.value)
}

// reject reports a rejected row: it counts it, hands it to the sink and, in
// strict mode, returns a *RowError.
func (l *loader) reject(line int64, col, reason, value string) error {
	l.rep.Rejected++
	r := Reject{File: l.file, Line: line, Column: col, Reason: reason, Value: rejectValue(l.rep.Table, col, value)}
	if l.sink != nil {
		if err := l.sink(r); err != nil {
			return fmt.Errorf("report reject %s:%d: %w", r.File, r.Line, err)
		}
	}
	if l.opts.Strict {
		return &RowError{Reject: r}
	}
	return nil
}

// firstAt formats a duplicate reason naming the first line.
func firstAt(what string, line uint32) string {
	return "duplicate " + what + ", first at line " + strconv.FormatUint(uint64(line), 10)
}
