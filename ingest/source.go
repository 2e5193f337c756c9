package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Formats reported in FileReport.Format.
const (
	formatCSV   = "csv"
	formatJSONL = "jsonl"
)

// sampleSize is how much of a file's decompressed start encoding detection
// looks at; it is also the size of the header reader's buffer.
const sampleSize = 64 << 10

// estimateSample is how much of a file's decompressed start the row
// estimate counts lines in (estimateRows): over the first 64 KB the
// estimate was off by up to 5% on our and the independent cities, over the
// first megabyte by at most 0.6%, so that the columns reserved from it are
// rarely copied again, by growing or by Tables.Trim.
const estimateSample = 1 << 20

// maxHeader bounds a CSV header or first JSON object.
const maxHeader = sampleSize

// source is one opened input file, positioned at its first data record.
type source struct {
	table      string
	path, base string
	format     string
	encoding   string
	compressed bool
	size       int64 // on-disk bytes
	read       *atomic.Int64

	file *os.File
	gz   *gzip.Reader
	r    io.Reader // decoded UTF-8 text after the header (CSV) or from the start (JSONL)

	header    []string // trimmed column names
	firstLine int64    // physical line of the first data record
	utf8Check bool     // rows must be checked for valid UTF-8
	detected  bool     // encoding was detected rather than given
	crOnly    bool     // lines end in a lone CR, read as LF
	endLine   int64    // set by readChunks at the end: the line after the last
	// sampleLines and sampleBytes are the line breaks and bytes of the
	// decoded start of the file, header included, for estimating its rows;
	// sampleDisk is the on-disk bytes they were decoded from (compressed
	// files: the gzip stream consumed so far).
	sampleLines, sampleBytes int
	sampleDisk               int64
}

// Close closes the file.
func (s *source) Close() error {
	if s.gz != nil {
		s.gz.Close()
	}
	return s.file.Close()
}

// countingReader counts bytes read from the file for progress.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// suffixes lists the accepted file name endings and their format.
var suffixes = [...]struct {
	ext, format string
	gz          bool
}{
	{".csv", formatCSV, false},
	{".csv.gz", formatCSV, true},
	{".jsonl", formatJSONL, false},
	{".jsonl.gz", formatJSONL, true},
	{".ndjson", formatJSONL, false},
	{".ndjson.gz", formatJSONL, true},
}

// locate finds the file of table in dir. found is false when no file exists.
func locate(dir, table string) (path, format string, gz, found bool, err error) {
	var names []string
	for _, s := range suffixes {
		p := filepath.Join(dir, table+s.ext)
		st, statErr := os.Stat(p)
		if statErr != nil {
			if errors.Is(statErr, os.ErrNotExist) {
				continue
			}
			return "", "", false, false, fmt.Errorf("stat %s: %w", p, statErr)
		}
		if st.IsDir() {
			continue
		}
		names = append(names, table+s.ext)
		path, format, gz = p, s.format, s.gz
	}
	switch len(names) {
	case 0:
		return "", "", false, false, nil
	case 1:
		return path, format, gz, true, nil
	}
	return "", "", false, false, &SchemaError{File: names[0],
		Reason: "ambiguous input: " + strings.Join(names, " and ") + " are all present"}
}

// openSource opens path, detects or applies the encoding, reads the header
// and checks that every required column is present.
func openSource(table, path, format string, gz bool, forced string, cols []column) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	src := &source{table: table, path: path, base: filepath.Base(path), format: format,
		compressed: gz, file: f, read: new(atomic.Int64)}
	if err := src.init(forced, cols); err != nil {
		src.Close()
		return nil, err
	}
	return src, nil
}

func (s *source) schemaErr(col, reason string) error {
	return &SchemaError{File: s.base, Column: col, Reason: reason}
}

func (s *source) init(forced string, cols []column) error {
	st, err := s.file.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", s.path, err)
	}
	s.size = st.Size()
	var r io.Reader = countingReader{r: s.file, n: s.read}
	var zr *bufio.Reader // the compressed stream, read ahead
	if s.compressed {
		zr = bufio.NewReaderSize(r, 1<<20)
		s.gz, err = gzip.NewReader(zr)
		if err != nil {
			return s.schemaErr("", "unreadable gzip: "+err.Error())
		}
		r = s.gz
	}
	br := bufio.NewReaderSize(r, estimateSample)
	head, err := br.Peek(estimateSample)
	s.sampleDisk = int64(len(head))
	if zr != nil {
		// The gzip reader takes its input a byte at a time from zr (a
		// ByteReader), so what it consumed is what zr read less what it
		// holds.
		s.sampleDisk = s.read.Load() - int64(zr.Buffered())
	}
	// A read error (a gzip stream truncated within the head) is left for
	// the reading of the records, which names its line: the head is then
	// all there is.
	headEOF := err != nil && err != bufio.ErrBufferFull
	s.sampleLines, s.sampleBytes = bytes.Count(head, []byte{'\n'}), len(head)
	sample, atEOF := head, headEOF // the start encoding detection looks at
	if len(head) > sampleSize {
		sample, atEOF = head[:sampleSize], false
	}
	var rest io.Reader = br
	if headEOF && err != io.EOF {
		rest = io.MultiReader(br, errReader{err})
	}
	enc := forced
	if enc == "" {
		s.detected = true
		enc = detectEncoding(sample, atEOF)
	} else if bytes.HasPrefix(sample, []byte(bom)) {
		enc = encUTF8BOM
	}
	s.encoding = enc
	switch enc {
	case encUTF8BOM:
		br.Discard(len(bom))
		s.utf8Check = true
		s.r = rest
	case encUTF8:
		s.utf8Check = true
		s.r = rest
	case encGB18030:
		if s.detected && !decodableGB18030(sample, atEOF) {
			return s.schemaErr("", "undecodable encoding: neither utf-8 ("+describeUTF8Error(sample)+
				") nor gb18030 ("+describeGB18030Error(sample, atEOF)+")")
		}
		s.r = transform.NewReader(rest, simplifiedchinese.GB18030.NewDecoder())
	}
	if crOnly(sample) {
		s.crOnly = true
		s.r = &crReader{r: s.r}
	}
	if s.format == formatCSV {
		return s.csvHeader(cols)
	}
	return s.jsonHeader(cols)
}

// csvHeader reads the header record and checks the required columns.
func (s *source) csvHeader(cols []column) error {
	br := bufio.NewReaderSize(s.r, sampleSize)
	s.r = br
	var rec []byte
	s.firstLine = 1
	for {
		line, err := br.ReadSlice('\n')
		rec = append(rec, line...)
		if len(rec) > maxHeader {
			return s.schemaErr("", "unreadable header: longer than 64 KiB")
		}
		if err == nil && blankLine(bytes.TrimSuffix(rec, []byte{'\n'})) {
			// Blank lines before the header are skipped.
			s.firstLine++
			rec = rec[:0]
			continue
		}
		if err == nil && csvCut(rec, 0, false) == len(rec) {
			break
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return s.readErr(s.firstLine, err)
		}
		if err == io.EOF {
			break
		}
	}
	if blankLine(rec) {
		return s.schemaErr("", "unreadable header: empty file")
	}
	s.firstLine += int64(bytes.Count(rec, []byte{'\n'}))
	scratch := make([]byte, 0, len(rec))
	fields, _, _, _ := csvRecord(rec, nil, scratch)
	s.header = make([]string, len(fields))
	for i, f := range fields {
		s.header[i] = strings.TrimPrefix(strings.TrimSpace(strings.Clone(f)), bom)
	}
	return s.checkColumns(cols)
}

// jsonHeader takes the keys of the first object as the header, without
// consuming it.
func (s *source) jsonHeader(cols []column) error {
	br := bufio.NewReaderSize(s.r, maxHeader)
	s.r = br
	s.firstLine = 1
	buf, err := br.Peek(maxHeader)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		if end := bytes.IndexByte(buf, '\n'); end < 0 {
			return s.readErr(1, err) // the first object is damaged
		}
		err = nil // the records' reading reports the damage
	}
	for len(buf) > 0 {
		end := bytes.IndexByte(buf, '\n')
		line := buf
		if end >= 0 {
			line = buf[:end]
		} else if err == nil {
			return s.schemaErr("", "unreadable first object: longer than 64 KiB")
		}
		if blankLine(line) {
			if end < 0 {
				break
			}
			buf = buf[end+1:]
			continue
		}
		var p jsonParser
		p.scratch = make([]byte, 0, len(line))
		if bad, ok := p.parse(line); !ok {
			return s.schemaErr(s.headerName(bad.key), "unreadable first object: "+bad.reason)
		}
		s.header = make([]string, len(p.keys))
		for i, k := range p.keys {
			s.header[i] = strings.TrimSpace(strings.Clone(k))
		}
		return s.checkColumns(cols)
	}
	return s.schemaErr("", "unreadable first object: empty file")
}

// checkColumns reports the first column named twice in the header, then
// the first required column missing from it.
func (s *source) checkColumns(cols []column) error {
	for i, h := range s.header {
		if h == "" {
			continue // unnamed columns are ignored
		}
		for _, g := range s.header[:i] {
			if g == h {
				return s.schemaErr(s.headerName(h), "duplicate column")
			}
		}
	}
	for _, c := range cols {
		if !c.required {
			continue
		}
		found := false
		for _, h := range s.header {
			if h == c.name {
				found = true
				break
			}
		}
		if !found {
			return s.schemaErr(c.name, "missing required column")
		}
	}
	return nil
}

// headerName returns a header name as errors show it: as is if it is a
// contract column, else redacted like a value of the file (a headerless
// file's first row may hold personal data).
func (s *source) headerName(name string) string {
	if name == "" {
		return ""
	}
	for _, tb := range [...][]column{psnCols, fixmedinsCols, staffCols, catalogCols, mdtrtCols, feeCols} {
		if colIndex(tb, name) >= 0 {
			return name
		}
	}
	return redact(s.table, kindCode, visible(strings.ToValidUTF8(name, "\uFFFD")))
}

// errReader returns err on every read.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
