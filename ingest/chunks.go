package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ReadError reports input that cannot be read to its end: a compressed
// stream that is truncated or corrupt, a record too long to hold, a file
// that changed while it was read. Line is the physical line where the
// damage starts: the first line not read intact.
type ReadError struct {
	File string // base name of the file
	Line int64
	Err  error
}

// Error formats e as `mdtrt.csv.gz: line 9993: compressed data truncated: unexpected EOF`.
func (e *ReadError) Error() string {
	return fmt.Sprintf("%s: line %d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *ReadError) Unwrap() error { return e.Err }

// readErr wraps err as a *ReadError of src at line, describing a truncated
// compressed stream as such.
func (s *source) readErr(line int64, err error) error {
	if s.compressed && errors.Is(err, io.ErrUnexpectedEOF) {
		err = fmt.Errorf("compressed data truncated: %w", err)
	} else if s.compressed {
		err = fmt.Errorf("compressed data corrupt: %w", err)
	}
	return &ReadError{File: s.base, Line: line, Err: err}
}

// fill reads from r into buf until buf is full, r is at its end (eof) or r
// fails. Unlike io.ReadFull it tells a clean end (io.EOF) from an error,
// such as the io.ErrUnexpectedEOF of a truncated gzip stream.
func fill(r io.Reader, buf []byte) (n int, eof bool, err error) {
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			return n, true, nil
		}
		if err != nil {
			return n, false, err
		}
	}
	return n, false, nil
}

// carrySlack is the room a chunk's buffer keeps beyond the chunk size for
// the start of a record carried over from the chunk before. The carry's
// length varies from chunk to chunk: without the room, a buffer reused for
// a longer carry than the one it was made for would be made again, and
// every new buffer's pages would be faulted in by the read that fills it.
const carrySlack = 64 << 10

// readChunks reads src into chunks cut at record boundaries and sends them
// to work in sequence. A read error ends it with a *ReadError naming the
// line of the first record not read whole.
func readChunks(src *source, chunkSize int, free <-chan *chunk, work chan<- *chunk, stop <-chan struct{}) error {
	var carry []byte
	line := src.firstLine
	nfields := len(src.header)
	cut := func(b []byte) int { return csvCut(b, nfields, false) }
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
			c.mem = make([]byte, len(carry)+chunkSize, len(carry)+chunkSize+carrySlack)
		}
		mem := c.mem[:len(carry)+chunkSize]
		n := copy(mem, carry)
		eof := false
		for {
			m, atEOF, err := fill(src.r, mem[n:])
			n += m
			if err != nil {
				k := cut(mem[:n])
				return src.readErr(line+int64(bytes.Count(mem[:k], []byte{'\n'})), err)
			}
			if eof = atEOF; eof {
				break
			}
			if cut(mem[:n]) > 0 {
				break
			}
			// No complete record yet: grow.
			if len(mem) >= maxRecord {
				return &ReadError{File: src.base, Line: line,
					Err: fmt.Errorf("record longer than %d MiB", maxRecord>>20)}
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
		c.breaks = bytes.Count(c.buf, []byte{'\n'})
		line += int64(c.breaks)
		if cap(c.scratch) < k {
			c.scratch = make([]byte, 0, cap(c.mem))
		}
		select {
		case work <- c:
		case <-stop:
			return nil
		}
		if eof {
			src.endLine = line
			return nil
		}
	}
}
