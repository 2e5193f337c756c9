package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
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
	"github.com/ringlens/ringlens/graph/vocab"
)

// File names in a detect output directory.
const (
	RingsFile    = "rings.json"
	EntitiesFile = "entities.csv"
	HTMLFile     = "report.html"
)

// entitiesHeader is the header row of entities.csv.
var entitiesHeader = []string{"kind", "id", "score", "ring_id", "reasons"}

// ringsDoc is the top level of rings.json. Entities go to entities.csv.
type ringsDoc struct {
	Rings      []findings.Ring     `json:"rings"`
	SingleHits []findings.Evidence `json:"single_hits"`
	SinglesN   int                 `json:"single_hits_total"`
	// NotReported is findings.Findings.RingsNotReported: rings beyond
	// max_rings, absent when none.
	NotReported int                           `json:"rings_not_reported,omitempty"`
	DataQuality []findings.DataQualityFinding `json:"data_quality"`
	// Scope is findings.Findings.Scope: the region the findings were
	// restricted to and what that left out, absent when not restricted.
	Scope *findings.RegionScope `json:"region_scope,omitempty"`
}

// round rounds x to d decimals; it leaves NaN and infinities to the encoder,
// which rejects them.
func round(x float64, d int) float64 {
	p := math.Pow10(d)
	r := math.Round(x*p) / p
	if r == 0 {
		return 0 // no negative zero
	}
	return r
}

// Decimals of the written numbers: money to the fen, scores and features
// to six places.
const (
	moneyDecimals = 2
	scoreDecimals = 6
)

// normEvidence copies e with amounts rounded and nil lists made empty.
func normEvidence(e findings.Evidence) findings.Evidence {
	e.Amount = round(e.Amount, moneyDecimals)
	if e.MdtrtIDs == nil {
		e.MdtrtIDs = []string{}
	}
	// Shown and Total say how much of the rows the list shows (rings.json
	// written before they existed reads back with both zero).
	e.Shown = len(e.MdtrtIDs)
	e.Total = max(e.Total, e.Visits, e.Shown)
	return e
}

// normRing copies r with scores and amounts rounded and nil lists and maps
// made empty, so that the same ring always gives the same bytes.
func normRing(r findings.Ring) findings.Ring {
	r.Score = round(r.Score, scoreDecimals)
	r.AmountAtRisk = round(r.AmountAtRisk, moneyDecimals)
	r.Members = append([]findings.Member{}, r.Members...)
	for i := range r.Members {
		r.Members[i].Score = round(r.Members[i].Score, scoreDecimals)
	}
	feats := make(map[string]float64, len(r.Features))
	for k, v := range r.Features {
		feats[k] = round(v, scoreDecimals)
	}
	r.Features = feats
	ev := make([]findings.Evidence, len(r.Evidence))
	for i, e := range r.Evidence {
		ev[i] = normEvidence(e)
	}
	r.Evidence = ev
	tl := make([]findings.TimelinePoint, len(r.Timeline))
	for i, p := range r.Timeline {
		p.Amount = round(p.Amount, moneyDecimals)
		tl[i] = p
	}
	r.Timeline = tl
	r.Why = append([]findings.Signal{}, r.Why...)
	for i := range r.Why {
		if r.Why[i].Evidence == nil {
			r.Why[i].Evidence = []int{}
		}
	}
	return r
}

// WriteRingsJSON writes rings.json: an object with the ranked rings (in the
// order of f.Rings, best first), the single rule hits and the data-quality
// findings, each with every field of the rings contract. Money is rounded to
// the fen and scores to six decimals; lists are never null; map keys are
// sorted. The same findings give byte-identical output.
func WriteRingsJSON(w io.Writer, f *findings.Findings) error {
	doc := ringsDoc{
		Rings:       make([]findings.Ring, len(f.Rings)),
		SingleHits:  make([]findings.Evidence, len(f.SingleHits)),
		SinglesN:    max(f.SingleHitsTotal, len(f.SingleHits)),
		NotReported: f.RingsNotReported,
		DataQuality: make([]findings.DataQualityFinding, len(f.DataQuality)),
		Scope:       f.Scope,
	}
	for i, r := range f.Rings {
		doc.Rings[i] = normRing(r)
	}
	for i, e := range f.SingleHits {
		doc.SingleHits[i] = normEvidence(e)
	}
	for i, d := range f.DataQuality {
		d.Amount = round(d.Amount, moneyDecimals)
		doc.DataQuality[i] = d
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write %s: %w", RingsFile, err)
	}
	return nil
}

// formatScore writes a score with fixed decimals.
func formatScore(s float64) string {
	return strconv.FormatFloat(round(s, scoreDecimals), 'f', scoreDecimals, 64)
}

// WriteEntitiesCSV writes entities.csv: the header kind,id,score,ring_id,reasons
// and one row per entity in the order of f.Entities; score has six decimals,
// ring_id is empty for entities in no ring, reasons are their English
// sentences (findings.Reason.Text) joined by ';'.
func WriteEntitiesCSV(w io.Writer, f *findings.Findings) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(entitiesHeader); err != nil {
		return fmt.Errorf("write %s: %w", EntitiesFile, err)
	}
	for _, e := range f.Entities.All() {
		if math.IsNaN(e.Score) || math.IsInf(e.Score, 0) {
			return fmt.Errorf("write %s: %s %s: score %v is not a number", EntitiesFile, e.Kind, e.ID, e.Score)
		}
		// Ids come from input rows: written so that a spreadsheet does not
		// run them as formulas (ReadFindings undoes it).
		if err := cw.Write([]string{e.Kind, claims.SafeCell(e.ID), formatScore(e.Score), e.RingID, claims.SafeCell(strings.Join(findings.ReasonTexts(e.Reasons, vocab.LangEn), ";"))}); err != nil {
			return fmt.Errorf("write %s: %w", EntitiesFile, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write %s: %w", EntitiesFile, err)
	}
	return nil
}

// ReadFindings reads rings.json and entities.csv from a detect output
// directory. It is the inverse of WriteRingsJSON and WriteEntitiesCSV (up to
// their rounding; reasons are read back from their sentences into codes and
// parameters); errors name the file.
func ReadFindings(dir string) (*findings.Findings, error) {
	path := filepath.Join(dir, RingsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var doc ringsDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	f := &findings.Findings{Rings: doc.Rings, SingleHits: doc.SingleHits, SingleHitsTotal: doc.SinglesN, RingsNotReported: doc.NotReported,
		DataQuality: doc.DataQuality, Scope: doc.Scope}
	path = filepath.Join(dir, EntitiesFile)
	ef, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer ef.Close()
	// An entity table addresses its bytes with 32-bit offsets
	// (findings.Entities); a file within that holds no more than it.
	if st, err := ef.Stat(); err == nil && st.Size() >= findings.MaxEntityBytes {
		return nil, fmt.Errorf("read %s: %d bytes, more than an entity table holds (%d)", path, st.Size(), int64(findings.MaxEntityBytes))
	}
	f.Entities, err = readEntities(ef)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return f, nil
}

// readEntities parses entities.csv.
func readEntities(r io.Reader) (*findings.Entities, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(entitiesHeader)
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file, want the header " + strings.Join(entitiesHeader, ","))
	}
	if err != nil {
		return nil, err
	}
	for i, h := range entitiesHeader {
		if strings.TrimPrefix(head[i], "\ufeff") != h {
			return nil, fmt.Errorf("header %q, want %q", strings.Join(head, ","), strings.Join(entitiesHeader, ","))
		}
	}
	out := &findings.Entities{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		score, err := strconv.ParseFloat(rec[2], 64)
		if err != nil || math.IsNaN(score) || math.IsInf(score, 0) {
			return nil, fmt.Errorf("line %d: score %q is not a number", line, rec[2])
		}
		var reasons []findings.Reason
		if r := claims.PlainCell(rec[4]); r != "" {
			for _, text := range strings.Split(r, ";") {
				reasons = append(reasons, parseReason(text))
			}
		}
		out.Append(findings.EntityScore{Kind: rec[0], ID: claims.PlainCell(rec[1]), Score: score, RingID: rec[3], Reasons: reasons})
	}
}

// parseReason reads one reason of entities.csv, an English sentence, back
// into its vocabulary code and parameters (vocab.MatchReason). A sentence of
// no known shape is kept whole as the code, so that it renders (Text) and
// is written again as it was.
func parseReason(text string) findings.Reason {
	code, params, ok := vocab.MatchReason(text)
	if !ok {
		return findings.Reason{Code: text}
	}
	return findings.Reason{Code: code, Params: vocab.ParamsOf(params)}
}

// Seal returns the hex SHA-256 of the files' bytes, concatenated in order:
// for one file what sha256sum prints, for several what
// `cat a b | sha256sum` prints. A report shows it so that later changes to
// the evidence packet show.
func Seal(files ...[]byte) string {
	h := sha256.New()
	for _, b := range files {
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
