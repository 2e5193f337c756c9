package rules

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"sync"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// ruleFunc runs one rule over e, emitting hits into c. It returns ctx's
// error when cancelled.
type ruleFunc func(ctx context.Context, e *env, c *collector) error

// Run screens g with the enabled rules of set. It first recognises
// placeholder doctor codes (DQ-PLACEHOLDER-DOCTOR, when enabled), which the
// doctor-based rules then skip, and runs the other rules concurrently on up
// to GOMAXPROCS goroutines. It checks ctx between rules (and every few
// thousand entities inside the longer ones) and returns ctx's error,
// wrapped, when cancelled. The result is deterministic for a given g and
// set.
func Run(ctx context.Context, g *graph.Graph, set Set) (*Result, error) {
	return RunWith(ctx, g, set, RunOptions{})
}

// RunOptions adjusts RunWith.
type RunOptions struct {
	// Placeholders, when not nil, are the placeholder doctor codes
	// (indexed by Doctors row; rows beyond it are not placeholders) to use
	// instead of recognising them in g: for running the rules on part of a
	// city (graph.Tables.Subset), where a placeholder code shared across
	// the city would not stand out. DQ-PLACEHOLDER-DOCTOR is then not run.
	Placeholders []bool
	// Workers, when positive, bounds the goroutines the rules run on
	// (GOMAXPROCS otherwise); with 1 they run one after the other on the
	// calling goroutine, which suits a small city (a check of one claim).
	// The result does not depend on it.
	Workers int
}

// RunWith is Run with options.
func RunWith(ctx context.Context, g *graph.Graph, set Set, opt RunOptions) (*Result, error) {
	if g == nil || g.Tables() == nil {
		return nil, errors.New("rules: nil graph")
	}
	if err := checkColumns(g.Tables()); err != nil {
		return nil, err
	}
	set = set.Clone() // hits keep the parameter maps: detach them from the caller's
	for i := range set.Rules {
		if err := checkParams(&set.Rules[i]); err != nil {
			return nil, err
		}
	}
	return runSet(ctx, g, &set, opt)
}

// runSet runs the rules of set, whose parameters are checked, on g; the
// hits keep set's parameter maps.
func runSet(ctx context.Context, g *graph.Graph, set *Set, opt RunOptions) (*Result, error) {
	e := newEnv(g, set)
	res := &Result{Placeholder: make([]bool, g.Tables().Doctors.Len())}
	copy(res.Placeholder, opt.Placeholders)
	var jobs []*ruleJob
	for i := range set.Rules {
		r := &set.Rules[i]
		if r.ID == IDPlaceholderDoctor {
			if r.Enabled && opt.Placeholders == nil {
				if err := ctx.Err(); err != nil {
					return nil, fmt.Errorf("rules: cancelled before %s: %w", r.ID, err)
				}
				res.DataQuality = findPlaceholders(e, r, res.Placeholder)
			}
			continue
		}
		if r.run == nil {
			return nil, fmt.Errorf("rules: rule %q has no implementation", r.ID)
		}
		if r.Enabled {
			jobs = append(jobs, &ruleJob{idx: i, run: r.run, c: newCollector(r, set)})
		}
	}
	e.placeholder = res.Placeholder
	if opt.Workers == 1 {
		for _, j := range jobs {
			j.runIn(ctx, e)
		}
	} else {
		runJobs(ctx, e, jobs, opt.Workers)
	}
	for _, j := range jobs {
		if j.err != nil {
			return nil, j.err
		}
	}
	collect(res, set, jobs)
	return res, nil
}

// ruleJob is one enabled rule to run: its index in the set, its
// implementation, its collector and the error it ended with.
type ruleJob struct {
	idx int
	run ruleFunc
	c   *collector
	err error
}

// runIn runs j on e, recording its error.
func (j *ruleJob) runIn(ctx context.Context, e *env) {
	if err := ctx.Err(); err != nil {
		j.err = fmt.Errorf("rules: cancelled before %s: %w", j.c.rule.ID, err)
		return
	}
	if err := j.run(ctx, e, j.c); err != nil {
		j.err = fmt.Errorf("rules: %s: %w", j.c.rule.ID, err)
	}
}

// runJobs runs jobs on up to workers goroutines (GOMAXPROCS when not
// positive), the longest rules first so that the workers finish together;
// each job records its own error.
func runJobs(ctx context.Context, e *env, jobs []*ruleJob, workers int) {
	order := slices.Clone(jobs)
	slices.SortStableFunc(order, func(a, b *ruleJob) int { return heavy(b.c.rule.ID) - heavy(a.c.rule.ID) })
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(jobs))
	next := make(chan *ruleJob)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				j.runIn(ctx, e)
			}
		}()
	}
	for _, j := range order {
		next <- j
	}
	close(next)
	wg.Wait()
}

// collect trims each job's hits to the set's bounds and appends them to
// res in the set's canonical rule order, with a RuleStat per rule (the
// placeholder check aside). jobs are in the order of their rules in set.
func collect(res *Result, set *Set, jobs []*ruleJob) {
	total := 0
	for _, j := range jobs {
		j.c.trim()
		total += len(j.c.hits)
	}
	res.Hits = make([]Hit, 0, total)
	if n := len(set.Rules); n > 1 || n == 1 && set.Rules[0].ID != IDPlaceholderDoctor {
		res.Stats = make([]RuleStat, 0, n)
	}
	next := 0 // the next job to collect
	for i := range set.Rules {
		r := &set.Rules[i]
		if r.ID == IDPlaceholderDoctor {
			continue
		}
		st := RuleStat{Rule: r.ID, Enabled: r.Enabled}
		if next < len(jobs) && jobs[next].idx == i {
			j := jobs[next]
			next++
			st.Hits, st.Dropped = len(j.c.hits), j.c.dropped
			for _, h := range j.c.hits {
				st.Amount += h.Amount
				res.Hits = append(res.Hits, *h)
			}
			j.c.hits = nil
		}
		res.Stats = append(res.Stats, st)
	}
	packRows(res.Hits)
}

// packRows moves the row lists of hits into one block: a city's hits cite
// millions of rows in a few short lists each, and one block is one object
// for the garbage collector to mark instead of several per hit. Each list
// keeps its rows and length, nil stays nil, and none has spare capacity,
// so appending to one copies it instead of writing over the next.
func packRows(hits []Hit) {
	n := 0
	for i := range hits {
		h := &hits[i]
		n += len(h.Persons) + len(h.Doctors) + len(h.Institutions) + len(h.Items) + len(h.Visits) + len(h.Fees)
	}
	block := make([]uint32, 0, n)
	put := func(rows []uint32) []uint32 {
		if len(rows) == 0 {
			return rows
		}
		start := len(block)
		block = append(block, rows...)
		return block[start:len(block):len(block)]
	}
	for i := range hits {
		h := &hits[i]
		h.Persons, h.Doctors, h.Institutions = put(h.Persons), put(h.Doctors), put(h.Institutions)
		h.Items, h.Visits, h.Fees = put(h.Items), put(h.Visits), put(h.Fees)
	}
}

// heavy ranks rules by their usual cost on a large city (measured with
// BenchmarkRun), for scheduling only.
func heavy(id string) int {
	switch id {
	case IDOverSupply:
		return 3
	case IDRepeatRx, IDDoctorDistant, IDFrequentVisits:
		return 2
	case IDPersonDistant, IDRoundQuantity, IDPriceCap:
		return 1
	}
	return 0
}

// checkParams verifies that r has every parameter of its specs within
// range, so that a Set built by hand cannot make a rule divide by zero.
func checkParams(r *Rule) error {
	for _, p := range r.Specs {
		v, ok := r.Params[p.Name]
		if !ok {
			return fmt.Errorf("rules: rule %s: parameter %q missing", r.ID, p.Name)
		}
		if !(v >= p.Min && v <= p.Max) {
			return fmt.Errorf("rules: rule %s: parameter %q = %v is outside [%v, %v]", r.ID, p.Name, v, p.Min, p.Max)
		}
	}
	return nil
}

// checkColumns verifies that every column the rules read has the length
// of its table, so that no rule can index out of range.
func checkColumns(t *graph.Tables) error {
	type col struct {
		name string
		n    int
	}
	check := func(table string, n int, cols ...col) error {
		for _, c := range cols {
			if c.n != n {
				return fmt.Errorf("rules: %s column %s has %d rows, want %d", table, c.name, c.n, n)
			}
		}
		return nil
	}
	p, it, d, ct, vt, ft := &t.Persons, &t.Institutions, &t.Doctors, &t.Catalog, &t.Visits, &t.Fees
	if ct.IDs == nil || ft.Traces == nil && ft.Trace.Len() > 0 {
		return errors.New("rules: tables were not made by graph.NewTables")
	}
	for _, err := range []error{
		check("persons", p.Len(), col{"birth", len(p.Birth)}, col{"die_date", len(p.DieDate)}),
		check("institutions", it.Len(), col{"beds", len(it.Beds)}, col{"lat", len(it.Lat)}, col{"lon", len(it.Lon)},
			col{"has_loc", len(it.HasLoc)}, col{"class", len(it.Class)}),
		check("doctors", d.Len(), col{"ids", d.IDs.Len()}),
		check("catalog", ct.Len(), col{"ids", ct.IDs.Len()}, col{"list_type", len(ct.ListType)}, col{"lmt_gend", len(ct.LimitSex)},
			col{"lmt_age_min", len(ct.AgeMin)}, col{"lmt_age_max", len(ct.AgeMax)}, col{"max_days", len(ct.MaxDays)},
			col{"pric_uplmt_amt", len(ct.PriceCap)}),
		check("visits", vt.Len(), col{"institution", len(vt.Institution)}, col{"doctor", len(vt.Doctor)},
			col{"med_type", len(vt.MedType)}, col{"begin", vt.Begin.Len()}, col{"end", vt.End.Len()}, col{"dise", vt.Dise.Len()},
			col{"medfee", vt.MedFee.Len()}, col{"fund_pay", vt.FundPay.Len()}, col{"flags", len(vt.Flags)}),
		check("fees", ft.Len(), col{"sn", ft.Sn.Len()}, col{"item", ft.Item.Len()}, col{"cnt", ft.Count.Len()},
			col{"pric", ft.Price.Len()}, col{"amount", ft.Amount.Len()}, col{"time", ft.Time.Len()}, col{"doctor", ft.Doctor.Len()},
			col{"prd_days", ft.SupplyDays.Len()}, col{"trace", ft.Trace.Len()}),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// env is the read-only state shared by the rules of one Run.
type env struct {
	g           *graph.Graph
	t           *graph.Tables
	set         *Set
	placeholder []bool // Doctors row -> placeholder code (set before the rules run)
	dise        diseIndex
	vb          []visitBits // per visit: one byte instead of a cache miss per column
}

// visitBits summarises a visit for the rules' random accesses.
type visitBits uint8

// Visit bits.
const (
	vLive       visitBits = 1 << iota // not reversed, with money
	vOutpatient                       // med_type 11–19
	vInpatient                        // med_type 21–28
	vPharmacy                         // a pharmacy purchase (med_type 41 or at a pharmacy)
	vEmergency                        // med_type 13
	vChronic                          // med_type 14 or a chronic main diagnosis
	vHasDise                          // a main diagnosis is given
)

// newEnv prepares the shared state: the diagnosis index of the codes used.
func newEnv(g *graph.Graph, set *Set) *env {
	e := &env{g: g, t: g.Tables(), set: set}
	e.dise = buildDiseIndex(e.t, set)
	vt, it := &e.t.Visits, &e.t.Institutions
	e.vb = make([]visitBits, vt.Len())
	for v := range e.vb {
		var b visitBits
		if vt.Flags[v]&graph.VisitReversed == 0 && (vt.FundPay.At(uint32(v)) > 0 || vt.MedFee.At(uint32(v)) > 0) {
			b |= vLive
		}
		mt := vt.MedType[v]
		if mt.Outpatient() {
			b |= vOutpatient
		}
		if mt.Inpatient() {
			b |= vInpatient
		}
		if i := vt.Institution[v]; mt.Pharmacy() || int(i) < it.Len() && it.Type[i] == claims.Pharmacy {
			b |= vPharmacy
		}
		if mt == claims.MedEmergency {
			b |= vEmergency
		}
		if mt == claims.MedChronic || e.dise.isChronic(vt.Dise.At(uint32(v))) {
			b |= vChronic
		}
		if e.dise.of(vt.Dise.At(uint32(v))) {
			b |= vHasDise
		}
		e.vb[v] = b
	}
	return e
}

// is reports whether visit v has all the bits of want.
func (e *env) is(v uint32, want visitBits) bool { return e.vb[v]&want == want }

// checkEvery is how many entities a rule handles between context checks.
const checkEvery = 1 << 14

// cancelled returns ctx's error every checkEvery-th i.
func cancelled(ctx context.Context, i int) error {
	if i%checkEvery == 0 {
		return ctx.Err()
	}
	return nil
}

// live reports whether visit v carries money: not fully reversed, with a
// positive net fund amount or medical fee.
func (e *env) live(v uint32) bool { return e.vb[v]&vLive != 0 }

// feeLive reports whether fee row f is a live line of a live visit.
func (e *env) feeLive(f uint32) bool {
	ft := &e.t.Fees
	v := ft.Visit.At(f)
	return int(v) < e.t.Visits.Len() && ft.AmountAt(f) > 0 && e.live(v)
}

// feeFund returns the fund share of fee row f: its net amount scaled by the
// visit's fund_pay / medfee (capped at the visit's fund).
func (e *env) feeFund(f uint32) claims.Money {
	ft := &e.t.Fees
	vt := &e.t.Visits
	a := ft.AmountAt(f)
	v := ft.Visit.At(f)
	if a <= 0 || int(v) >= vt.Len() {
		return 0
	}
	fund, fee := vt.FundPay.At(v), vt.MedFee.At(v)
	if fund <= 0 {
		return 0
	}
	if fee <= 0 || a >= fee {
		return min(a, fund)
	}
	return claims.Money(float64(a) * float64(fund) / float64(fee))
}

// ageAt returns person p's age in whole years on day d, or false when the
// birth date is unknown or after d.
func (e *env) ageAt(p uint32, d claims.Date) (int, bool) {
	pt := &e.t.Persons
	if int(p) >= pt.Len() {
		return 0, false
	}
	b := pt.Birth[p]
	if b == claims.NoDate || d == claims.NoDate || b > d {
		return 0, false
	}
	return b.AgeAt(d), true
}

// location returns institution row i's location.
func (e *env) location(i uint32) (lat, lon float64, ok bool) {
	it := &e.t.Institutions
	if int(i) >= it.Len() || !it.HasLoc[i] {
		return 0, 0, false
	}
	return it.Lat[i], it.Lon[i], true
}

// pharmacyVisit reports whether v is a pharmacy purchase.
func (e *env) pharmacyVisit(v uint32) bool { return e.vb[v]&vPharmacy != 0 }

// doctorOK reports whether d is a doctor row that is not a placeholder code.
func (e *env) doctorOK(d uint32) bool {
	return int(d) < len(e.placeholder) && !e.placeholder[d]
}

// personVisits returns person p's visits by time.
func (e *env) personVisits(p uint32) []uint32 { return e.g.VisitsOf(e.g.PatientNode(p)) }

// persons yields, in ascending order, the Persons rows a rule that judges
// person by person must look at: every person, or, where the persons far
// outnumber the visits (sparseKeys times: the neighbourhood of an
// incremental update, whose tables keep the whole city's persons), only
// those with a visit in the tables. A person without visits gives no hit
// to any such rule, so both ways give the same hits.
func (e *env) persons() iter.Seq[uint32] {
	np, vt := e.t.Persons.Len(), &e.t.Visits
	if np <= sparseKeys*vt.Len() {
		return func(yield func(uint32) bool) {
			for p := 0; p < np; p++ {
				if !yield(uint32(p)) {
					return
				}
			}
		}
	}
	ps := make([]uint32, 0, vt.Len())
	for _, p := range vt.Person {
		if int(p) < np {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return slices.Values(slices.Compact(ps))
}

// itemCode returns the catalogue code of item row i (Tables.ItemCode).
func (e *env) itemCode(i uint32) string { return e.t.ItemCode(i) }

// itemZh returns how a Chinese sentence names catalogue row i
// (Tables.ItemZh).
func (e *env) itemZh(i uint32) string { return e.t.ItemZh(i) }

// sortedUnique sorts and deduplicates a scratch slice in place.
func sortedUnique(s []uint32) []uint32 {
	slices.Sort(s)
	return slices.Compact(s)
}
