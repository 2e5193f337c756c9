package ingest

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringlens/ringlens/graph"
)

// Options control Load.
type Options struct {
	// Strict makes the first rejected row abort Load with a *RowError.
	Strict bool
	// Encoding is "" or "auto" (detect per file), "utf-8", or "gb18030"
	// ("gbk" is accepted as a synonym).
	Encoding string
	// Progress, when not nil, is called from a single goroutine at most
	// about every 200 ms while a file is read, and once with Done set at the
	// end of each file.
	Progress func(Progress)
	// Workers is the number of parsing goroutines; 0 means GOMAXPROCS.
	// With 1, parsing and applying take turns instead of running side by
	// side, so that the load keeps to about one core (reading the files
	// still runs beside them).
	Workers int
	// DropSettlementIDs reads and checks setl_id but does not keep it
	// (Tables.Visits.SetlID stays nil), about 10 bytes a visit: for
	// commands that write no visit back out with its settlement id (detect
	// and the benchmarks; not Neo4j export or a server's intake).
	DropSettlementIDs bool
}

// Progress reports how far the reading of one file has got.
type Progress struct {
	Table, Path string
	Rows        int64 // records read so far
	Bytes       int64 // on-disk (compressed) bytes consumed so far
	TotalBytes  int64 // on-disk size of the file
	Done        bool  // the file is finished
}

// FileReport summarises the reading of one file.
type FileReport struct {
	Table      string // psn, fixmedins, staff, catalog, mdtrt, fee_list
	Path       string // file path read
	Format     string // "csv" or "jsonl"
	Encoding   string // "utf-8", "utf-8-bom" or "gb18030"
	Compressed bool
	// CROnly reports lines ending in a lone carriage return, read as
	// line feeds.
	CROnly bool
	// BytesRead counts the on-disk (compressed) bytes read; Load reads
	// every file to its end, so it equals Size, the file's on-disk size,
	// or Load fails with a *ReadError.
	BytesRead, Size int64
	// Read counts rows (records) read; Read == Accepted + Rejected.
	Read, Accepted, Rejected int64
	// RefundsNetted counts accepted refund rows netted into what they
	// reverse (they are included in Accepted).
	RefundsNetted int64
	// BlankLines counts blank lines skipped; they are not rows.
	BlankLines int64
	Elapsed    time.Duration
}

// Result is what Load read.
type Result struct {
	Tables *graph.Tables
	// Files lists the files in load order; an absent optional file is
	// omitted.
	Files []FileReport
}

// Reject describes one rejected row.
type Reject struct {
	File   string // base name of the file, e.g. "mdtrt.csv"
	Line   int64  // 1-based physical line where the record starts (the header is line 1)
	Column string // contract column name; "" for whole-row problems
	Reason string // short lowercase reason
	// Value is the offending value, at most 64 runes, or its shape
	// ("<18 chars: 17 digits + X>", "<3 CJK chars>") when it may be
	// personal data: every value of psn and staff, every free-text value,
	// and any value that holds a run of 15 or more digits or, where a
	// code, number or date is expected, a Han character.
	Value string
}

// RejectSink receives every rejected row, in file order. An error from the
// sink aborts Load.
type RejectSink func(Reject) error

// SchemaError reports a dataset that cannot be read at all: a required file
// or column missing, a column named twice, an ambiguous file, an unreadable
// header or an undecodable encoding.
type SchemaError struct {
	File, Column, Reason string
}

// Error formats e as `mdtrt.csv: missing required column "begntime"`.
func (e *SchemaError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s: %s %q", e.File, e.Reason, e.Column)
	}
	return e.File + ": " + e.Reason
}

// RowError is returned by Load in strict mode for the first rejected row.
type RowError struct {
	Reject
}

// Error formats e as `mdtrt.csv:17: column begntime: unparseable time "2024-13-01"`.
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	if e.Column != "" {
		b.WriteString("column " + e.Column + ": ")
	}
	b.WriteString(e.Reason)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	return b.String()
}

// maxValueRunes bounds Reject.Value.
const maxValueRunes = 64

// rejectValue returns value v of column of table as a reject shows it:
// valid UTF-8, redacted (see redact: the shape of any personal value) and
// truncated to maxValueRunes runes. The result never aliases v.
func rejectValue(table, column, v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	v = redact(table, kindOf(column), v)
	if utf8.RuneCountInString(v) > maxValueRunes {
		n := 0
		for i := range v {
			if n == maxValueRunes {
				v = v[:i]
				break
			}
			n++
		}
	}
	return strings.Clone(v)
}
