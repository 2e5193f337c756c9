package rings

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// Options configures Detect.
type Options struct {
	// Rules is the rule library in force (rules.Defaults() out of the box).
	Rules rules.Set
	// Seed seeds the randomised steps (Leiden); the same data, rules and
	// seed give the same findings.
	Seed int64
	// Params are the thresholds of ring formation and scoring; the zero
	// value means DefaultParams.
	Params Params
	// Progress, when not nil, is called at the start and end of each stage
	// from the goroutine that called Detect.
	Progress func(stage string, done, total int64)
	// Workers, when positive, bounds the goroutines Detect's parallel
	// stages run on (the rules, the peer models, the relation records,
	// the candidate generators after the relation excess, the co-visit
	// cohorts, the lockstep peeling beside the other steps, scoring, the
	// entities' own scores); 0 means GOMAXPROCS. With 1 every stage runs on the
	// calling goroutine: a server's background full run leaves the other
	// cores to the checks it answers meanwhile. The findings do not depend
	// on it.
	Workers int
	// Region, when not empty, is a region code or its prefix (admdvs:
	// 3502 a city, 350203 a district): only the rings holding an
	// institution of the region (claims.InstitutionRegion), or no
	// institution at all, are reported; the single hits are those
	// concerning a site, doctor or person of the region, and the entities
	// the region's sites, the doctors and people linked to one (a visit,
	// fee line, registration or purchase) and the reported rings' members.
	// Findings.Scope counts what was left out. A partition of a province
	// that detects on its claims and a sample of other regions' people
	// (their sites serving as peers) reports its own; the others are their
	// regions' to report. Detect only: DetectLive refuses it.
	Region string
}

const (
	// lockstepGen is the generator that takes the peeling's blocks, run
	// last when the peeling runs beside the others.
	lockstepGen = "candidates: lockstep blocks"
)

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

// runWorkers runs f(0) … f(n−1) at once and returns when all have:
// f(0) on the calling goroutine, the others on goroutines of their own.
// One worker thus runs on the caller alone, which a server relies on to keep
// a background full run on the thread whose priority it lowered.
func runWorkers(n int, f func(w int)) {
	var wg sync.WaitGroup
	for w := 1; w < n; w++ {
		wg.Go(func() { f(w) })
	}
	f(0)
	wg.Wait()
}

// generator is a source of candidate rings, named for progress and errors.
type generator struct {
	name string
	run  func(context.Context) ([]*candidate, error)
}

// runGenerators runs gens[i] for each i of order[lo:hi], storing its
// candidates in found[i], on up to workers goroutines: they start in that
// order (progress is reported from the calling goroutine as each starts,
// numbered in the whole order) and run side by side. The first error in
// the order given is returned, and no generator starts after one failed.
func runGenerators(ctx context.Context, opt *Options, gens []generator, order []int, lo, hi int, found [][]*candidate, workers int) error {
	errs := make([]error, len(gens))
	var mu sync.Mutex // guards errs and found
	run := func(i int) {
		cs, err := gens[i].run(ctx)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs[i] = fmt.Errorf("rings: %s: %w", gens[i].name, err)
			return
		}
		found[i] = cs
	}
	firstErr := func() error {
		mu.Lock()
		defer mu.Unlock()
		for _, i := range order[lo:hi] {
			if errs[i] != nil {
				return errs[i]
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(workers, 1))
	for k := lo; k < hi; k++ {
		i := order[k]
		slots <- struct{}{}
		err := firstErr()
		if err == nil && ctx.Err() != nil {
			err = fmt.Errorf("rings: cancelled before %s: %w", gens[i].name, ctx.Err())
		}
		if err != nil {
			wg.Wait()
			return cmp.Or(firstErr(), err)
		}
		opt.progress(gens[i].name, int64(k), int64(len(order)))
		if workers <= 1 {
			run(i)
			<-slots
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			run(i)
		})
	}
	wg.Wait()
	return firstErr()
}

// eachCandidate calls f on every candidate of cands, on up to workers
// goroutines, each candidate on one. f must write only its candidate.
func eachCandidate(cands []*candidate, workers int, f func(c *candidate)) {
	var next atomic.Int64
	runWorkers(min(workers, len(cands)), func(int) {
		for {
			i := int(next.Add(1)) - 1
			if i >= len(cands) {
				return
			}
			f(cands[i])
		}
	})
}

// progress reports a stage if a callback is set.
func (o *Options) progress(stage string, done, total int64) {
	if o.Progress != nil {
		o.Progress(stage, done, total)
	}
}

// Detect screens g: it runs the rule library, computes peer statistics,
// forms candidate rings from relations that are costlier, more card-based
// or more rhythmic-from-afar than their peers explain (whatever their
// typology) and from the typology signatures (returned drug boxes, lockstep
// blocks, admission cohorts, concentrated rule hits), splits and merges
// them, scores them against their peers, drops what looks normal, assigns
// typologies and roles, ranks the rest and scores every entity (see the
// package documentation). The result is deterministic for the same g,
// rules, parameters and seed.
func Detect(ctx context.Context, g *graph.Graph, opt Options) (*findings.Findings, error) {
	l, err := detectLive(ctx, g, opt)
	if err != nil {
		return nil, err
	}
	return l.Findings(), nil
}

// DetectLive runs Detect and keeps what it computed, so that visits
// appended to g's tables afterwards can be scored incrementally
// (Live.Add). Its Findings are those of Detect.
func DetectLive(ctx context.Context, g *graph.Graph, opt Options) (*Live, error) {
	if opt.Region != "" {
		// Live.Add updates the entities by node; a region's table holds
		// only some nodes.
		return nil, errors.New("rings: a live detection reports every region (Options.Region is for Detect)")
	}
	return detectLive(ctx, g, opt)
}

// detectLive is DetectLive without its check of Options.Region.
func detectLive(ctx context.Context, g *graph.Graph, opt Options) (*Live, error) {
	if g == nil || g.Tables() == nil {
		return nil, errors.New("rings: nil graph")
	}
	if len(opt.Rules.Rules) == 0 {
		opt.Rules = rules.Defaults()
	}
	if opt.Params == (Params{}) {
		opt.Params = DefaultParams()
	}
	if err := opt.Params.Validate(); err != nil {
		return nil, err
	}
	opt.progress("rules", 0, 1)
	rr, err := rules.RunWith(ctx, g, opt.Rules, rules.RunOptions{Workers: opt.Workers})
	if err != nil {
		return nil, fmt.Errorf("rings: running rules: %w", err)
	}
	opt.progress("rules", 1, 1)

	opt.progress("peers", 0, 1)
	// The lockstep peeling reads the graph and the excluded doctors only,
	// and runs beside the other steps, its generator last (below). It
	// starts as soon as the excluded doctors are known when the memory
	// limit has room for its incidence beside the relation records
	// (lockstepEarlyBytes), else once those are gathered.
	workers := opt.workers(2)
	lctx, cancel := context.WithCancel(ctx)
	var started *state
	defer func() {
		cancel()
		if started != nil {
			started.awaitLockstep()
		}
	}()
	start := func(s *state) {
		started = s
		s.startLockstep(lctx)
	}
	var early func(*state)
	if workers > 1 && memoryRoom((DetectionBytesPerVisit+lockstepEarlyBytes)*int64(g.Tables().Visits.Len())) {
		early = start
	}
	s, err := newState(ctx, g, rr, &opt, early)
	if err != nil {
		return nil, fmt.Errorf("rings: peer statistics: %w", err)
	}
	opt.progress("peers", 1, 1)
	if workers > 1 && early == nil {
		s.afterRecords = func() { start(s) }
	}

	gens := []generator{
		{"candidates: relation excess", s.excessCandidates},
		{"candidates: item concentration", s.itemCandidates},
		{"candidates: item overuse", s.overuseCandidates},
		{"candidates: onset cohorts", s.onsetCandidates},
		{"candidates: returned boxes", s.returnCandidates},
		{"candidates: admission cohorts", s.admissionCandidates},
		{lockstepGen, s.lockstepCandidates},
		{"candidates: co-visit cohorts", s.covisitCandidates},
		{"candidates: crowded slots", s.slotCandidates},
		{"candidates: split admissions", s.splitCandidates},
		{"candidates: round quantities", s.cashoutCandidates},
		{"candidates: trace codes", s.resellCandidates},
		{"candidates: distant doctors", s.borrowedCandidates},
	}
	// The relation excess runs first: it sets the state the others read
	// (regular shares, closed sites, onsets, relation peers). The lockstep
	// peeling's generator runs last, so that the peeling (started above)
	// has the others' time to finish in, and its candidates still take
	// their place in the list. The generators after the relation excess read
	// the state and write only what no other generator reads (the people
	// flagged by overuse and onset cohorts, which scoring reads), so they
	// run side by side (runGenerators); the trace-code sale index that
	// three of them share is built before. Each generator's candidates
	// keep their place in the list, so neither the order they run in nor
	// how many run at once changes the findings.
	order := make([]int, 0, len(gens))
	last := -1
	for i, gen := range gens {
		if gen.name == lockstepGen && workers > 1 {
			last = i
			continue
		}
		order = append(order, i)
	}
	if last >= 0 {
		order = append(order, last)
	}
	found := make([][]*candidate, len(gens))
	if err := runGenerators(ctx, &opt, gens, order, 0, 1, found, 1); err != nil {
		return nil, err
	}
	if workers > 1 {
		s.saleIndexOf()
	}
	if err := runGenerators(ctx, &opt, gens, order, 1, len(order), found, workers); err != nil {
		return nil, err
	}
	var cands []*candidate
	for _, cs := range found {
		cands = append(cands, cs...)
	}
	// The trace-code sale index served the generators; a served city
	// keeps its state for checks and updates, and no longer needs it.
	s.sales, s.salesSet = nil, false
	opt.progress("communities", 0, 1)
	cands, err = s.splitCommunities(ctx, cands)
	if err != nil {
		return nil, fmt.Errorf("rings: communities: %w", err)
	}
	opt.progress("communities", 1, 1)
	opt.progress("scoring", 0, 1)
	// Each candidate is grown, finished and scored on its own, reading
	// the state and writing only the candidate: the candidates are shared
	// out among the workers.
	eachCandidate(cands, workers, func(c *candidate) {
		s.growWard(c)
		s.finish(c)
	})
	cands = s.merge(cands)
	eachCandidate(cands, workers, func(c *candidate) {
		s.score(c)
		// Regulars widen a ring's members, not its evidence: they are
		// billed like the site's other people, and counted in the
		// features the evidence rests on they would dilute them (finish
		// leaves them out). Only the ring's size and money change.
		if s.growRegulars(c)+s.growAdmissions(c)+s.growEpisodes(c) > 0 {
			s.finish(c)
			s.score(c)
		}
		if s.growSites(c) > 0 {
			s.finish(c)
			s.score(c)
		}
		if s.trimPeripheral(c)+s.trimOffWindow(c) > 0 {
			s.finish(c)
			s.score(c)
		}
	})
	cands = s.joinOperations(cands)
	cands = s.absorbContained(cands)
	opt.progress("scoring", 1, 1)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rings: cancelled before the findings: %w", err)
	}
	opt.progress("findings", 0, 1)
	f, ind := s.findings(cands)
	opt.progress("findings", 1, 1)
	return newLive(s, cands, f, ind), nil
}
