package graph

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteText writes s as aligned tables for a terminal.
func (s Summary) WriteText(w io.Writer) error {
	p := &textPrinter{w: w}
	n := s.Nodes
	p.section("Nodes")
	p.row("kind", "count")
	p.row("patient", n.Patients)
	p.row("doctor", n.Doctors)
	p.row("  registered", n.DoctorsRegistered)
	p.row("  referenced only", n.DoctorsUnregistered)
	p.row("institution", n.Institutions)
	p.row("  clinic", n.Clinics)
	p.row("  hospital", n.Hospitals)
	p.row("  station", n.Stations)
	p.row("pharmacy", n.Pharmacies)
	p.row("total", n.Total)

	p.section("Institution classes by evidence")
	p.row("class", "institutions", "type", "inpatient", "beds", "name", "level", "bare grade", "default")
	for _, c := range s.Classes {
		e := c.ByEvidence
		p.row(c.Class, c.Institutions, e.Type, e.Inpatient, e.Beds, e.Name, e.Level, e.BareGrade, e.Default)
	}

	p.section("Warnings")
	if len(s.Warnings) == 0 {
		p.row("none")
	}
	for _, w := range s.Warnings {
		p.row(w.Code, w.Message)
	}

	v := s.Visits
	p.section("Visits")
	p.row("med_type", "name", "visits")
	for _, m := range v.ByMedType {
		p.row(m.MedType, m.Name, m.Visits)
	}
	p.row("total", "", v.Total)
	p.row("refunded", "", v.Refunded)
	p.row("reversed", "", v.Reversed)
	p.row("skipped", "", v.Skipped)
	p.row("fee lines", "", s.Fees.Total)
	p.row("fee lines skipped", "", s.Fees.Skipped)

	p.section("Edges")
	p.row("type", "edges", "visits")
	for _, e := range s.Edges {
		p.row(e.Type, e.Edges, e.Visits)
	}

	p.section("Degrees")
	p.row("kind", "nodes", "min", "mean", "p50", "p90", "p99", "max", "log2 histogram")
	for _, d := range s.Degrees {
		var hist []string
		for _, b := range d.Histogram {
			if b.Count > 0 {
				hist = append(hist, fmt.Sprintf("%s:%d", binLabel(b), b.Count))
			}
		}
		p.row(d.Kind, d.Nodes, d.Min, strconv.FormatFloat(d.Mean, 'f', 2, 64), d.P50, d.P90, d.P99, d.Max, strings.Join(hist, " "))
	}

	for _, h := range s.TopHubs {
		if len(h.Hubs) == 0 {
			continue
		}
		p.section("Top " + h.Kind + " hubs")
		p.row("key", "label", "degree", "visits", "fund (yuan)")
		for _, x := range h.Hubs {
			p.row(x.Key, x.Label, x.Degree, x.Visits, string(x.Fund))
		}
	}

	p.section("Time span and amounts")
	p.row("first visit", s.Span.First)
	p.row("last visit", s.Span.Last)
	p.row("medical fees (yuan, net)", string(s.Amounts.MedFee))
	p.row("fund paid (yuan, net)", string(s.Amounts.Fund))
	p.row("on refunded visits: medical fees", string(s.Amounts.RefundedMedFee))
	p.row("on refunded visits: fund", string(s.Amounts.RefundedFund))
	p.flush()
	if p.err != nil {
		return fmt.Errorf("graph: write summary: %w", p.err)
	}
	return nil
}

// binLabel names a histogram bin: "0", "1", "2-3", ...
func binLabel(b HistBin) string {
	if b.Lo == b.Hi {
		return strconv.Itoa(b.Lo)
	}
	return strconv.Itoa(b.Lo) + "-" + strconv.Itoa(b.Hi)
}

// textPrinter collects the rows of one table at a time and writes them
// aligned: text left, numbers right, East Asian wide characters counted as
// two columns. It keeps the first write error.
type textPrinter struct {
	w       io.Writer
	err     error
	started bool
	rows    [][]string
}

// section flushes the current table and starts a titled one.
func (p *textPrinter) section(title string) {
	p.flush()
	if p.err != nil {
		return
	}
	if p.started {
		_, p.err = io.WriteString(p.w, "\n")
	}
	p.started = true
	if p.err == nil {
		_, p.err = io.WriteString(p.w, title+"\n")
	}
}

// row adds a row to the current table.
func (p *textPrinter) row(cells ...any) {
	r := make([]string, len(cells))
	for i, c := range cells {
		r[i] = fmt.Sprint(c)
	}
	p.rows = append(p.rows, r)
}

// flush writes the collected rows.
func (p *textPrinter) flush() {
	rows := p.rows
	p.rows = nil
	if p.err != nil || len(rows) == 0 {
		return
	}
	var width []int
	numeric := map[int]bool{}
	for c := 0; ; c++ {
		w, any, num := 0, false, true
		for ri, r := range rows {
			if c < len(r) {
				any = true
				w = max(w, displayWidth(r[c]))
				if ri > 0 && r[c] != "" && !isNumber(r[c]) {
					num = false
				}
			}
		}
		if !any {
			break
		}
		width = append(width, w)
		numeric[c] = num && c > 0
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  ")
		for c, cell := range r {
			pad := strings.Repeat(" ", width[c]-displayWidth(cell))
			if c > 0 {
				b.WriteString("  ")
			}
			if numeric[c] {
				b.WriteString(pad + cell)
			} else if c < len(r)-1 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(cell)
			}
		}
		b.WriteByte('\n')
	}
	_, p.err = io.WriteString(p.w, b.String())
}

// isNumber reports whether s looks like a number (digits, sign, point).
func isNumber(s string) bool {
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '.' || r == '-' && i == 0) {
			return false
		}
	}
	return s != ""
}

// displayWidth approximates the terminal width of s, counting East Asian
// wide characters as two columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
			r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6) {
			w += 2
		} else {
			w++
		}
	}
	return w
}
