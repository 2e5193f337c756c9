package ingest

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/ringlens/ringlens/graph/claims"
)

// RejectWriter writes rejects as rejects.csv: a header
// file,line,column,reason,value followed by one CSV-quoted row per reject.
type RejectWriter struct {
	w      *csv.Writer
	header bool
	rec    [5]string
}

// NewRejectWriter returns a RejectWriter writing to w. The header is written
// with the first reject or at Flush, whichever comes first.
func NewRejectWriter(w io.Writer) *RejectWriter {
	return &RejectWriter{w: csv.NewWriter(w)}
}

func (rw *RejectWriter) writeHeader() error {
	if rw.header {
		return nil
	}
	rw.header = true
	if err := rw.w.Write([]string{"file", "line", "column", "reason", "value"}); err != nil {
		return fmt.Errorf("write rejects header: %w", err)
	}
	return nil
}

// Write writes one reject. It has the signature of a RejectSink.
func (rw *RejectWriter) Write(r Reject) error {
	if err := rw.writeHeader(); err != nil {
		return err
	}
	// Column names, reasons and values may carry text of the input rows:
	// written so that a spreadsheet does not run them as formulas.
	rw.rec = [5]string{r.File, strconv.FormatInt(r.Line, 10), claims.SafeCell(r.Column), claims.SafeCell(r.Reason), claims.SafeCell(r.Value)}
	if err := rw.w.Write(rw.rec[:]); err != nil {
		return fmt.Errorf("write reject: %w", err)
	}
	return nil
}

// Flush writes the header if nothing was written yet and flushes buffered
// output.
func (rw *RejectWriter) Flush() error {
	if err := rw.writeHeader(); err != nil {
		return err
	}
	rw.w.Flush()
	if err := rw.w.Error(); err != nil {
		return fmt.Errorf("flush rejects: %w", err)
	}
	return nil
}
