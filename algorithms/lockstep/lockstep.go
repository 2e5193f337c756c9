package lockstep

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// ColumnKind says what the columns of a block are.
type ColumnKind uint8

// Column kinds.
const (
	// InstitutionSlot columns are (institution or pharmacy, time slot).
	InstitutionSlot ColumnKind = iota
	// DoctorDay columns are (attending doctor, day).
	DoctorDay
)

// String returns "institution-slot" or "doctor-day".
func (k ColumnKind) String() string {
	switch k {
	case InstitutionSlot:
		return "institution-slot"
	case DoctorDay:
		return "doctor-day"
	}
	return "unknown"
}

// Options tunes Detect. Zero fields take their defaults.
type Options struct {
	// SlotMinutes is the width of an institution time slot for outpatient
	// and pharmacy visits, in minutes. Institution slots are laid on two
	// grids, one aligned on midnight and one half a slot later, and blocks
	// found on both are merged; the first and last slots of a day may be
	// shorter. Default 60.
	SlotMinutes int
	// AdmissionSlotMinutes is the slot width for inpatient admissions, on
	// the same two grids. Default 360 (night, morning, afternoon, evening).
	AdmissionSlotMinutes int
	// MinPatients is the fewest patients of a reported block. Default 5.
	MinPatients int
	// MinColumns is the fewest columns of a reported block. Default 3.
	MinColumns int
	// MaxBlocks caps the blocks reported per column kind (the densest are
	// kept). Default 200.
	MaxBlocks int
	// MaxBlocksPerHub caps the blocks peeled from one hub. Default 32.
	MaxBlocksPerHub int
	// Discount is c in the column weight 1/log(deg + c). Default 5.
	Discount float64
	// MinFill is the smallest Block.Fill of a reported block: peeling
	// keeps the densest prefix whose member × column cells are at least
	// this share visits, so that a block is a group that co-visits, not a
	// busy hub's many chance meetings. Default 0.25; negative means 0.
	MinFill float64
	// MinLift is the smallest Density/Baseline of a reported block; the
	// peeling of a hub stops at the first block below it. Default 2; a
	// tiny positive value reports blocks whatever their baseline.
	MinLift float64
	// ExcludeDoctors[d] true leaves Doctors row d out of DoctorDay columns
	// (placeholder codes). May be nil or shorter than the Doctors table.
	ExcludeDoctors []bool
	// Progress, when not nil, is called from Detect's goroutine with a
	// stage name and the work done of that stage's total.
	Progress func(stage string, done, total int64)
	// Workers, when positive, bounds the goroutines Detect runs on
	// (GOMAXPROCS otherwise); with 1, everything runs on the calling
	// goroutine. The blocks do not depend on it.
	Workers int
}

// withDefaults returns o with zero fields defaulted and checks ranges.
func (o Options) withDefaults() (Options, error) {
	orDefault(&o.SlotMinutes, 60)
	orDefault(&o.AdmissionSlotMinutes, 360)
	orDefault(&o.MinPatients, 5)
	orDefault(&o.MinColumns, 3)
	orDefault(&o.MaxBlocks, 200)
	orDefault(&o.MaxBlocksPerHub, 32)
	orDefault(&o.Discount, 5)
	orDefault(&o.MinFill, 0.25)
	o.MinFill = max(o.MinFill, 0)
	orDefault(&o.MinLift, 2)
	switch {
	case o.SlotMinutes < 1 || o.SlotMinutes > 1440:
		return o, fmt.Errorf("lockstep: SlotMinutes %d out of [1, 1440]", o.SlotMinutes)
	case o.AdmissionSlotMinutes < 1 || o.AdmissionSlotMinutes > 1440:
		return o, fmt.Errorf("lockstep: AdmissionSlotMinutes %d out of [1, 1440]", o.AdmissionSlotMinutes)
	case o.MinPatients < 2:
		return o, fmt.Errorf("lockstep: MinPatients %d below 2", o.MinPatients)
	case o.MinColumns < 1:
		return o, fmt.Errorf("lockstep: MinColumns %d below 1", o.MinColumns)
	case o.MaxBlocks < 0 || o.MaxBlocksPerHub < 0:
		return o, errors.New("lockstep: negative MaxBlocks or MaxBlocksPerHub")
	case !(o.Discount > 1) || math.IsInf(o.Discount, 0):
		// log(deg + c) must be positive for deg ≥ 1.
		return o, fmt.Errorf("lockstep: Discount %v must be finite and above 1", o.Discount)
	case o.MinFill > 1 || math.IsNaN(o.MinFill):
		return o, fmt.Errorf("lockstep: MinFill %v above 1", o.MinFill)
	case o.MinLift < 0 || math.IsNaN(o.MinLift) || math.IsInf(o.MinLift, 0):
		return o, fmt.Errorf("lockstep: MinLift %v must be finite and non-negative", o.MinLift)
	}
	return o, nil
}

// orDefault sets *v to d when *v is the zero value.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// progress reports a stage's progress if a callback is set.
// workers returns how many goroutines a stage that would use up to most
// may start: Workers when positive, else GOMAXPROCS, bounded by most, at
// least 1.
func (o *Options) workers(most int) int {
	w := o.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(most, w))
}

func (o *Options) progress(stage string, done, total int) {
	if o.Progress != nil {
		o.Progress(stage, int64(done), int64(total))
	}
}

// Block is a group of patients who share many columns of one hub.
type Block struct {
	// Kind is the kind of the block's columns.
	Kind ColumnKind
	// Patients are the block's patient nodes, sorted.
	Patients []graph.NodeID
	// Hubs are the nodes owning the block's columns, sorted: institutions
	// or pharmacies for InstitutionSlot, doctors for DoctorDay. Blocks are
	// peeled per hub, so Hubs has one element.
	Hubs []graph.NodeID
	// Columns is the number of (hub, slot) or (doctor, day) columns.
	Columns int
	// Edges is the number of (patient, column) cells holding a visit.
	Edges int
	// Visits are the visit rows inside the block (a member's live visits
	// in a block column), sorted.
	Visits []uint32
	// Density is the FraudAR objective of the block: the summed column
	// weights of its edges divided by Patients + Columns.
	Density float64
	// Baseline is the same objective over the whole subgraph of the hubs:
	// every patient and column of the hubs with their weights, the block
	// included. Density/Baseline (Lift) says how far the block stands out
	// from the hubs' ordinary traffic.
	Baseline float64
	// Lift is Density / Baseline.
	Lift float64
	// Fill is Edges / (len(Patients) × Columns): 1 when every member is in
	// every column.
	Fill float64
	// Synchrony is the share of the members' live visits at the hubs
	// between First and Last that lie in the block's columns. Near 1 for a
	// group that moves together; low for individuals who meet by chance
	// (chronic refills on parallel rhythms at one pharmacy).
	Synchrony float64
	// SlotShare is the share of Visits that fall, within their column, in
	// the column's busiest slot of Options.SlotMinutes (AdmissionSlotMinutes
	// for admissions; midnight-aligned grid for DoctorDay). It is 1 for
	// InstitutionSlot blocks; for DoctorDay
	// blocks it is near 1 when each day's group was seen within one slot
	// (the "10+ records per doctor in one time slot" of the Shanghai case)
	// and lower when the doctor saw the group through the day (rounds).
	SlotShare float64
	// Period is the dominant shared revisit period in days of the members'
	// visits at the hubs (see Rhythm), 0 when none.
	Period int
	// PeriodShare is the share of the members' consecutive revisit
	// intervals within ±1 day of Period.
	PeriodShare float64
	// First and Last are the begin times of the earliest and latest visit
	// in Visits.
	First, Last claims.Time
	// Fund is the net fund amount of Visits.
	Fund claims.Money
}

// Detect finds dense blocks in both column kinds of g and returns them
// sorted by Density descending, then by Kind, Hubs, Patients and First. At
// most opt.MaxBlocks blocks of each kind are returned (the densest). The
// result depends only on g and opt.
func Detect(ctx context.Context, g *graph.Graph, opt Options) ([]Block, error) {
	if g == nil || g.Tables() == nil {
		return nil, errors.New("lockstep: nil graph")
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkTables(g); err != nil {
		return nil, err
	}
	var out []Block
	for _, kind := range []ColumnKind{InstitutionSlot, DoctorDay} {
		blocks, err := detectKind(ctx, g, kind, &opt)
		if err != nil {
			return nil, err
		}
		out = append(out, blocks...)
	}
	sortBlocks(out)
	return out, nil
}

// detectKind finds the blocks of one column kind. Institution slots are
// peeled on two grids, half a slot apart, so that a cohort seen within any
// half-slot window falls in one column of one of them; blocks found on
// both are merged. The grids are built and peeled one after the other, so
// that one incidence is held at a time: detection runs this beside its
// other generators, and two incidences built side by side (17 bytes a
// visit each) set its live heap's peak.
func detectKind(ctx context.Context, g *graph.Graph, kind ColumnKind, opt *Options) ([]Block, error) {
	grids := []bool{false}
	if kind == InstitutionSlot {
		grids = append(grids, true)
	}
	var blocks []Block
	for _, shifted := range grids {
		inc, err := buildIncidence(ctx, g, kind, shifted, opt)
		if err != nil {
			return nil, err
		}
		b, err := peelHubs(ctx, g, inc, opt)
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b...)
	}
	sortBlocks(blocks)
	blocks = dropOverlapping(blocks)
	if len(blocks) > opt.MaxBlocks {
		blocks = blocks[:opt.MaxBlocks]
	}
	for i := range blocks {
		finishBlock(g, &blocks[i])
	}
	return blocks, nil
}

// dropOverlapping keeps, of blocks sorted by density, each block that
// shares fewer than half of the smaller one's patients with every denser
// kept block of the same hubs.
func dropOverlapping(blocks []Block) []Block {
	kept := map[graph.NodeID][]int{} // first hub -> indexes into out
	out := blocks[:0]
	for _, b := range blocks {
		dup := false
		for _, k := range kept[b.Hubs[0]] {
			o := &out[k]
			if slices.Equal(o.Hubs, b.Hubs) && 2*sharedSorted(o.Patients, b.Patients) >= min(len(o.Patients), len(b.Patients)) {
				dup = true
				break
			}
		}
		if !dup {
			kept[b.Hubs[0]] = append(kept[b.Hubs[0]], len(out))
			out = append(out, b)
		}
	}
	return out
}

// sharedSorted counts the elements common to two sorted slices.
func sharedSorted(a, b []graph.NodeID) int {
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// checkTables verifies that the visit columns Detect reads are consistent.
func checkTables(g *graph.Graph) error {
	vt := &g.Tables().Visits
	n := len(vt.Person)
	if len(vt.Institution) != n || len(vt.Doctor) != n || vt.Begin.Len() != n ||
		len(vt.Flags) != n || len(vt.MedType) != n || vt.FundPay.Len() != n {
		return errors.New("lockstep: visit table columns of unequal length")
	}
	return nil
}

// sortBlocks orders blocks by Density descending, then stable keys.
func sortBlocks(b []Block) {
	slices.SortStableFunc(b, func(x, y Block) int {
		if c := cmp.Compare(y.Density, x.Density); c != 0 {
			return c
		}
		return cmp.Or(
			cmp.Compare(x.Kind, y.Kind),
			slices.Compare(x.Hubs, y.Hubs),
			slices.Compare(x.Patients, y.Patients),
			cmp.Compare(x.First, y.First),
		)
	})
}

// finishBlock fills the fields that need the graph: times, fund,
// synchrony and rhythm.
func finishBlock(g *graph.Graph, b *Block) {
	vt := &g.Tables().Visits
	b.First, b.Last = claims.NoTime, claims.NoTime
	for i, v := range b.Visits {
		t := vt.Begin.At(v)
		if i == 0 || t < b.First {
			b.First = t
		}
		if i == 0 || t > b.Last {
			b.Last = t
		}
		b.Fund += vt.FundPay.At(v)
	}
	if b.Baseline > 0 {
		b.Lift = b.Density / b.Baseline
	}
	if b.Columns > 0 && len(b.Patients) > 0 {
		b.Fill = float64(b.Edges) / (float64(len(b.Patients)) * float64(b.Columns))
	}
	m := newHubMatcher(g, b.Hubs)
	all := 0
	for _, p := range b.Patients {
		for _, v := range g.VisitsOf(p) {
			if t := vt.Begin.At(v); t >= b.First && t <= b.Last && m.match(v) {
				all++
			}
		}
	}
	if all > 0 {
		b.Synchrony = min(1, float64(len(b.Visits))/float64(all))
	}
	b.Period, b.PeriodShare = rhythm(g, b.Patients, m)
}
