package ingest

import (
	"bytes"
	"fmt"
	"io"
)

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
