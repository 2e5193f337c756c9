package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
)

// VisitsFile lists, in a detect output directory, every visit behind each
// ring's amount at risk (WriteRingVisitsCSV), which the dossier reads.
const VisitsFile = "ring_visits.csv"

// visitsHeader is the header row of ring_visits.csv and of the visits
// endpoint's CSV.
var visitsHeader = []string{"ring_id", "mdtrt_id", "patient", "patient_label", "doctor", "site", "begin", "end", "fund"}

// RingVisits is the visits behind one ring's amount at risk, as the visits
// endpoint answers: their number and fund (the sum of the rows' fen-rounded
// fund, so that without a date filter it is the ring's amount at risk to
// the fen) and the rows.
type RingVisits struct {
	RingID string               `json:"ring_id"`
	Total  int                  `json:"total"`
	Fund   float64              `json:"fund"`
	Visits []findings.RingVisit `json:"visits"`
}

// VisitsOf returns the visits of r whose begin day lies in [from, to]
// (YYYY-MM-DD; an empty bound is open), with their count and fund.
func VisitsOf(r *findings.Ring, from, to string) RingVisits {
	out := RingVisits{RingID: r.ID, Visits: []findings.RingVisit{}}
	var fen int64
	for _, v := range r.VisitRows {
		day := v.Begin[:min(len(v.Begin), len("2006-01-02"))]
		if (from != "" && day < from) || (to != "" && day > to) {
			continue
		}
		out.Visits = append(out.Visits, v)
		fen += int64(math.Round(v.Fund * 100))
	}
	out.Total, out.Fund = len(out.Visits), float64(fen)/100
	return out
}

// WriteRingVisitsCSV writes the visits of rings as CSV: the header
// ring_id,mdtrt_id,patient,patient_label,doctor,site,begin,end,fund and one
// row per visit, ring by ring; text cells pass through claims.SafeCell, fund
// has two decimals.
func WriteRingVisitsCSV(w io.Writer, rings ...RingVisits) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(visitsHeader); err != nil {
		return fmt.Errorf("write %s: %w", VisitsFile, err)
	}
	for _, r := range rings {
		for _, v := range r.Visits {
			rec := []string{r.RingID, v.MdtrtID, v.Patient, v.PatientLabel, v.Doctor, v.Site, v.Begin, v.End}
			for i := range rec {
				rec[i] = claims.SafeCell(rec[i])
			}
			if err := cw.Write(append(rec, strconv.FormatFloat(v.Fund, 'f', moneyDecimals, 64))); err != nil {
				return fmt.Errorf("write %s: %w", VisitsFile, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s: %w", VisitsFile, err)
	}
	return nil
}

// ReadRingVisits reads ring_visits.csv of a detect output directory into
// the rings of f (Ring.VisitRows), by ring id. A directory without the file
// (written before it existed) leaves the rings without visits.
func ReadRingVisits(dir string, f *findings.Findings) error {
	path := filepath.Join(dir, VisitsFile)
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer file.Close()
	byID := make(map[string]*findings.Ring, len(f.Rings))
	for i := range f.Rings {
		byID[f.Rings[i].ID] = &f.Rings[i]
	}
	cr := csv.NewReader(file)
	cr.FieldsPerRecord = len(visitsHeader)
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if strings.Join(head, ",") != strings.Join(visitsHeader, ",") {
		return fmt.Errorf("read %s: header %q, want %q", path, strings.Join(head, ","), strings.Join(visitsHeader, ","))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		for i := range rec[:len(rec)-1] {
			rec[i] = claims.PlainCell(rec[i])
		}
		fund, err := strconv.ParseFloat(rec[8], 64)
		if err != nil || math.IsNaN(fund) || math.IsInf(fund, 0) {
			line, _ := cr.FieldPos(0)
			return fmt.Errorf("read %s: line %d: fund %q is not a number", path, line, rec[8])
		}
		if r := byID[rec[0]]; r != nil {
			r.VisitRows = append(r.VisitRows, findings.RingVisit{MdtrtID: rec[1], Patient: rec[2], PatientLabel: rec[3],
				Doctor: rec[4], Site: rec[5], Begin: rec[6], End: rec[7], Fund: fund})
		}
	}
}
