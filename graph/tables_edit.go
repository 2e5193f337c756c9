package graph

// Keep removes the fee lines for which keep returns false, preserving the
// order of the rest, and returns how many lines remain. Every column of the
// table is compacted; the Traces interner is left as is.
func (f *FeeTable) Keep(keep func(row int) bool) int {
	w := 0
	var wideCount, wideTime, widePrice, wideAmount []wideValue
	var lines Lines
	traces := NewSparse(0, 0, f.Trace.none)
	cur := lineCursor{c: &f.Line}
	for i := range f.Visit {
		if !keep(i) {
			continue
		}
		lines.Append(cur.at(uint32(i)))
		traces.Append(f.Trace.At(uint32(i)))
		f.Count.keep(w, i, &wideCount)
		f.Time.keep(w, i, &wideTime)
		f.Price.keep(w, i, &widePrice)
		f.Amount.keep(w, i, &wideAmount)
		if w != i {
			f.Visit[w] = f.Visit[i]
			f.Sn[w] = f.Sn[i]
			f.Item[w] = f.Item[i]
			f.Doctor[w] = f.Doctor[i]
			f.SupplyDays[w] = f.SupplyDays[i]
		}
		w++
	}
	f.Visit = f.Visit[:w]
	f.Sn = f.Sn[:w]
	f.Item = f.Item[:w]
	f.Count.truncate(w, wideCount)
	f.Price.truncate(w, widePrice)
	f.Amount.truncate(w, wideAmount)
	f.Time.truncate(w, wideTime)
	f.Doctor = f.Doctor[:w]
	f.SupplyDays = f.SupplyDays[:w]
	f.Trace = traces
	f.Line = lines
	return w
}
