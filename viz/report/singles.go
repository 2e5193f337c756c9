package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// SingleHitsFile is the appendix of report.html listing every single rule
// hit (rule hits in no reported ring) that rings.json lists; report.html
// summarises them by rule and links it.
const SingleHitsFile = "single_hits.csv"

// singlesHeader is the header row of single_hits.csv.
var singlesHeader = []string{"rule", "version", "result", "amount", "total", "shown", "article", "detail_zh", "detail", "mdtrt_ids", "fees"}

// WriteSingleHitsCSV writes single_hits.csv: one row per single rule hit
// of f, in the order of f.SingleHits (largest amount first): rule,
// version, result, amount (the hit's own fund yuan, two decimals), total
// (rows it rests on) and shown (rows cited), article, the details in both
// languages, the cited mdtrt_ids and fee lines (mdtrt_id/feedetl_sn), each
// joined by ';'. Text cells pass through claims.SafeCell.
func WriteSingleHitsCSV(w io.Writer, f *findings.Findings) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(singlesHeader); err != nil {
		return fmt.Errorf("write %s: %w", SingleHitsFile, err)
	}
	for _, e := range f.SingleHits {
		e = normEvidence(e)
		fees := make([]string, len(e.Fees))
		for i, fr := range e.Fees {
			fees[i] = fr.MdtrtID + "/" + fr.FeedetlSn
		}
		rec := []string{e.Rule, e.Version, e.Result, strconv.FormatFloat(e.Amount, 'f', moneyDecimals, 64),
			strconv.Itoa(e.Total), strconv.Itoa(e.Shown), e.Article, e.DetailZh, e.Detail,
			strings.Join(e.MdtrtIDs, ";"), strings.Join(fees, ";")}
		for i := range rec {
			rec[i] = claims.SafeCell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write %s: %w", SingleHitsFile, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s: %w", SingleHitsFile, err)
	}
	return nil
}
