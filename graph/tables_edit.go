package graph

// Keep removes the fee lines for which keep returns false, preserving the
// order of the rest, and returns how many lines remain. Every column of the
// table is compacted; the Traces interner is left as is.
func (f *FeeTable) Keep(keep func(row int) bool) int {
	w := 0
	var wide []wideTime
	for i := range f.Visit {
		if !keep(i) {
			continue
		}
		f.Time.keep(w, i, &wide)
		if w != i {
			f.Visit[w] = f.Visit[i]
			f.Sn[w] = f.Sn[i]
			f.Item[w] = f.Item[i]
			f.Count[w] = f.Count[i]
			f.Price[w] = f.Price[i]
			f.Amount[w] = f.Amount[i]
			f.Doctor[w] = f.Doctor[i]
			f.SupplyDays[w] = f.SupplyDays[i]
			f.Trace[w] = f.Trace[i]
			f.Line[w] = f.Line[i]
		}
		w++
	}
	f.Visit = f.Visit[:w]
	f.Sn = f.Sn[:w]
	f.Item = f.Item[:w]
	f.Count = f.Count[:w]
	f.Price = f.Price[:w]
	f.Amount = f.Amount[:w]
	f.Time.truncate(w, wide)
	f.Doctor = f.Doctor[:w]
	f.SupplyDays = f.SupplyDays[:w]
	f.Trace = f.Trace[:w]
	f.Line = f.Line[:w]
	return w
}
