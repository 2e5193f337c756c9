package graph

import "sync"

// Keep removes the fee lines for which keep returns false, preserving the
// order of the rest, and returns how many lines remain. Every column of the
// table is compacted; the Traces interner is left as is. The columns are
// compacted in two groups side by side (the columns rebuilt, and those
// compacted in place), each calling keep once per row: keep must be safe
// to call concurrently and answer alike for the same row.
func (f *FeeTable) Keep(keep func(row int) bool) int {
	n := f.Len()
	var wg sync.WaitGroup
	wg.Go(func() { f.keepRebuilt(n, keep) })
	w := 0
	var wideCount, wideTime, wideAmount []wideValue
	var wideSn, wideItem, widePrice []smallWideValue
	for i := range n {
		if !keep(i) {
			continue
		}
		f.Count.keep(w, i, &wideCount)
		f.Time.keep(w, i, &wideTime)
		f.Price.keep(w, i, &widePrice)
		f.Amount.keep(w, i, &wideAmount)
		f.Sn.keep(w, i, &wideSn)
		f.Item.keep(w, i, &wideItem)
		w++
	}
	f.Sn.truncate(w, wideSn)
	f.Item.truncate(w, wideItem)
	f.Count.truncate(w, wideCount)
	f.Price.truncate(w, widePrice)
	f.Amount.truncate(w, wideAmount)
	f.Time.truncate(w, wideTime)
	wg.Wait()
	return w
}

// keepRebuilt is Keep's other half: the columns that are rebuilt from
// their kept rows rather than compacted in place (lines, trace codes,
// doctors, days, visits) for the first n rows.
func (f *FeeTable) keepRebuilt(n int, keep func(row int) bool) {
	// Sized as the columns they replace, so that they are not copied as
	// they grow.
	lines := Lines{runs: make([]lineRun, 0, len(f.Line.runs))}
	traces := NewSparse(n, len(f.Trace.vals), f.Trace.none)
	doctors := FeeDoctors{codes: NewSparse(n, len(f.Doctor.codes.vals), visitsDoctor)}
	days := NewDays(n)
	cur := lineCursor{c: &f.Line}
	visits := NewOwners(n)
	for i := range n {
		if !keep(i) {
			continue
		}
		lines.Append(cur.at(uint32(i)))
		traces.Append(f.Trace.At(uint32(i)))
		days.Append(f.SupplyDays.At(uint32(i)))
		doctors.appendCoded(f.Doctor.code(uint32(i)))
		visits.Append(f.Visit.At(uint32(i)))
	}
	f.Visit = visits
	f.Trace = traces
	f.Doctor = doctors
	f.SupplyDays = days
	f.Line = lines
}
