package main

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/ingest"
)

// runSummary is what detect writes to summary.json: the reconciliation of every
// input file and the graph summary. It holds no timings, so that the same
// input gives the same file.
type runSummary struct {
	Files []fileSummary `json:"files"`
	Rows  rowCounts     `json:"rows"`
	Graph graph.Summary `json:"graph"`
}

type fileSummary struct {
	Table         string `json:"table"`
	File          string `json:"file"`
	Format        string `json:"format"`
	Encoding      string `json:"encoding"`
	Compressed    bool   `json:"compressed"`
	rowCounts            // read, accepted, rejected
	RefundsNetted int64  `json:"refunds_netted"`
	BytesRead     int64  `json:"bytes_read"` // on-disk bytes read: all of Size, or ingest fails
	Size          int64  `json:"size"`
}

type rowCounts struct {
	Read     int64 `json:"read"`
	Accepted int64 `json:"accepted"`
	Rejected int64 `json:"rejected"`
}

func newSummary(res *ingest.Result, sum graph.Summary) runSummary {
	rep := runSummary{Graph: sum, Files: []fileSummary{}}
	for _, f := range res.Files {
		rc := rowCounts{Read: f.Read, Accepted: f.Accepted, Rejected: f.Rejected}
		rep.Files = append(rep.Files, fileSummary{
			Table: f.Table, File: filepath.Base(f.Path), Format: f.Format, Encoding: f.Encoding,
			Compressed: f.Compressed, rowCounts: rc, RefundsNetted: f.RefundsNetted,
			BytesRead: f.BytesRead, Size: f.Size,
		})
		rep.Rows.Read += f.Read
		rep.Rows.Accepted += f.Accepted
		rep.Rows.Rejected += f.Rejected
	}
	return rep
}

// writeText prints the reconciliation table, then the graph summary.
func (r runSummary) writeText(w io.Writer) error {
	fmt.Fprintln(w, "Input files (read = accepted + rejected)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tformat\tencoding\tread\taccepted\trejected\trefunds netted\tbytes read / size\t")
	for _, f := range r.Files {
		format := f.Format
		if f.Compressed {
			format += ".gz"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d / %d\t\n", f.File, format, f.Encoding,
			humanCount(f.Read), humanCount(f.Accepted), humanCount(f.Rejected), humanCount(f.RefundsNetted), f.BytesRead, f.Size)
	}
	fmt.Fprintf(tw, "total\t\t\t%s\t%s\t%s\t\t\t\n", humanCount(r.Rows.Read), humanCount(r.Rows.Accepted), humanCount(r.Rows.Rejected))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return r.Graph.WriteText(w)
}
