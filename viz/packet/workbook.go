package packet

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// sheet is one worksheet of a workbook: a header row and data rows. Cells
// are strings (written as text, never as formulas), ints or float64s.
type sheet struct {
	name   string
	header []string
	rows   [][]any
}

// add appends a row.
func (s *sheet) add(cells ...any) { s.rows = append(s.rows, cells) }

// maxWidth caps a column's width (in characters).
const maxWidth = 60

// writeWorkbook returns the XLSX bytes of sheets, in order, the header row
// bold and frozen, each column as wide as its longest cell (up to
// maxWidth), the document's creation time at.
func writeWorkbook(title string, at time.Time, sheets ...*sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	stamp := at.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "RingLens", Created: stamp, Modified: stamp}); err != nil {
		return nil, fmt.Errorf("workbook %s: %w", title, err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}})
	if err != nil {
		return nil, fmt.Errorf("workbook %s: %w", title, err)
	}
	for i, s := range sheets {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), s.name)
		} else {
			_, err = f.NewSheet(s.name)
		}
		if err != nil {
			return nil, fmt.Errorf("workbook %s: sheet %s: %w", title, s.name, err)
		}
		if err := writeSheet(f, s, bold); err != nil {
			return nil, fmt.Errorf("workbook %s: sheet %s: %w", title, s.name, err)
		}
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("workbook %s: %w", title, err)
	}
	return buf.Bytes(), nil
}

// writeSheet streams s into its worksheet.
func writeSheet(f *excelize.File, s *sheet, headStyle int) error {
	sw, err := f.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	for i, w := range columnWidths(s) {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(s.header))
	for i, h := range s.header {
		head[i] = excelize.Cell{StyleID: headStyle, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range s.rows {
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// columnWidths sizes each column to its longest cell among the header and
// the first rows, a CJK character counting two.
func columnWidths(s *sheet) []float64 {
	ws := make([]float64, len(s.header))
	measure := func(i int, v any) {
		if i >= len(ws) {
			return
		}
		text := fmt.Sprint(v)
		n := 0
		for _, r := range text {
			n++
			if utf8.RuneLen(r) > 1 {
				n++
			}
		}
		ws[i] = min(max(ws[i], float64(n)+2), maxWidth)
	}
	for i, h := range s.header {
		measure(i, h)
	}
	for _, row := range s.rows[:min(len(s.rows), 200)] {
		for i, v := range row {
			measure(i, v)
		}
	}
	return ws
}
