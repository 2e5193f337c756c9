// Package check answers for one claim, before or during settlement, what
// the rule library and the reported rings say about it: the check of
// POST /api/v1/check (viz/server), for a hospital information system or
// the settlement platform while the patient is at the counter.
//
// A check runs, on the claim and its person's history, exactly the rules
// of the library that serve the stage asked for and can run on one claim
// with its person's history (rules.Set.ForCheck: the rules declare their
// stages and context in algorithms/rules/registry.go). It builds a small
// city of the person, the sites and doctors of their visits and the items
// billed to them, plus the claim, runs those rules on it with
// rules.RunWith and keeps the hits that cite the claim's rows. Then it adds
// the signals beyond the rules: the person, site or attending doctor in a
// reported ring (with ring id, role and score), a suspended or terminated
// doctor (StaffStatus), an open case (OpenCases) and a claim id already
// settled. The decision is the strongest action the decision policy
// (Policy) gives the hits.
//
// A check only reads: the graph, its tables, the findings and the index.
// The caller provides a consistent view (View) and keeps the tables from
// being written while a check reads them; the person's history is found
// through the graph's time index and Index, never by a scan, so the cost
// grows with the person's history, not with the city.
package check

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/ringlens/ringlens/algorithms/rules"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
	"github.com/ringlens/ringlens/graph/findings"
	"github.com/ringlens/ringlens/graph/vocab"
)

// StaffStatus tells whether a staff member (dr_code) is suspended or
// terminated from billing the fund (the workspace's staff points, when
// wired). status is a short code such as "suspended" or "terminated".
type StaffStatus interface {
	StaffStatus(code string) (suspended bool, status string)
}

// OpenCases tells whether an entity (member kind and id, as in rings.json)
// is named by a case still open in the investigator's workspace.
type OpenCases interface {
	OpenCase(kind, id string) (caseID string, open bool)
}

// Options configures a Checker.
type Options struct {
	// Rules is the rule library in force (rules.Defaults when its Rules
	// are empty); the checker runs the rules ForCheck selects.
	Rules rules.Set
	// Policy is the decision policy (DefaultPolicy when it has no rows).
	Policy Policy
	// Staff, when not nil, reports suspended or terminated doctors.
	Staff StaffStatus
	// Cases, when not nil, reports entities of open cases.
	Cases OpenCases
}

// Checker checks claims. It is safe for concurrent use: its rules and
// policy do not change, and each check takes scratch of its own from the
// checker's pool.
type Checker struct {
	before, during, both stageRules // the rules run per stage
	policy               Policy
	staff                StaffStatus
	cases                OpenCases
	minis                sync.Pool // *mini, reused from check to check
}

// stageRules are the rules a check at some stages runs, prepared once.
type stageRules struct {
	set  rules.Set       // for ids and what the rules say of themselves
	ids  []string        // set.IDs(), read only
	prep *rules.Prepared // to run them (nil when err is set)
	err  error           // why the set cannot run (a parameter out of range)
}

// newStageRules prepares the rules of set.
func newStageRules(set rules.Set) stageRules {
	sr := stageRules{set: set, ids: set.IDs()}
	sr.prep, sr.err = set.Prepare()
	return sr
}

// New returns a checker for opt.
func New(opt Options) (*Checker, error) {
	set := opt.Rules
	if len(set.Rules) == 0 {
		set = rules.Defaults()
	}
	pol := opt.Policy
	if len(pol.Rows) == 0 {
		pol = DefaultPolicy()
	}
	for _, r := range pol.Rows {
		if !r.Action.Valid() {
			return nil, fmt.Errorf("check: policy row %q: action %q is not a decision", r.Key, r.Action)
		}
	}
	return &Checker{
		before: newStageRules(set.ForCheck(rules.AtBefore)),
		during: newStageRules(set.ForCheck(rules.AtDuring)),
		both:   newStageRules(set.ForCheck(rules.AtBefore | rules.AtDuring)),
		policy: pol.Clone(), staff: opt.Staff, cases: opt.Cases,
	}, nil
}

// Policy returns a copy of the decision policy in force.
func (c *Checker) Policy() Policy { return c.policy.Clone() }

// Rules returns the ids of the rules a check at stages runs, in canonical
// order.
func (c *Checker) Rules(stages rules.Stages) []string {
	return slices.Clone(c.setFor(stages).ids)
}

// setFor returns the rules run at stages (before and during when empty).
func (c *Checker) setFor(stages rules.Stages) *stageRules {
	switch stages & (rules.AtBefore | rules.AtDuring) {
	case rules.AtBefore:
		return &c.before
	case rules.AtDuring:
		return &c.during
	}
	return &c.both
}

// View is the consistent state a check reads: the index of a graph (and
// its tables) and the findings of a detection on that graph (nil before
// the first one). The caller keeps the tables from being written while a
// check reads them.
type View struct {
	Index    *Index
	Findings *findings.Findings
	// Rings, when not nil, is the ring index of Findings (NewRingIndex),
	// built once by a caller that checks many claims against the same
	// findings; nil builds it for this check.
	Rings *RingIndex
	// Staff, when not nil, reports suspended or terminated doctors for
	// this check instead of Options.Staff: a register of the claim's day
	// (graph/workspace's StaffRegister is one).
	Staff StaffStatus
	// Cases, when not nil, reports entities of open cases for this check
	// instead of Options.Cases: a snapshot of the workspace's open cases
	// that the caller refreshes.
	Cases OpenCases
}

// Claim is one claim to check: a visit and its fee lines, parsed and
// validated by ingest.ParseVisit / ParseFee, each fee line's MdtrtID the
// visit's.
type Claim struct {
	Visit claims.Visit
	Fees  []claims.FeeLine
	// Stages is when the check is made: rules.AtBefore, rules.AtDuring or
	// both (zero means both).
	Stages rules.Stages
	// Settled tells that the claim's mdtrt_id is settled though not in the
	// tables yet (accepted by intake, not yet applied): the check says so
	// as for an id of the tables.
	Settled bool
}

// Errors of Check for claims that cannot be checked.
var (
	ErrUnknownPerson      = errors.New("unknown person")
	ErrUnknownInstitution = errors.New("unknown institution")
	ErrForeignFee         = errors.New("fee line of another visit")
)

// Result is the answer of a check.
type Result struct {
	Decision Decision `json:"decision"`
	// Stages are the stages checked, in process order.
	Stages []rules.Stage `json:"stages"`
	// AlreadySettled is true when a visit with the claim's mdtrt_id is
	// settled already; the claim was checked as posted, without it.
	AlreadySettled bool `json:"already_settled"`
	// Hits are the rule hits on the claim and the signals, strongest
	// action first, then in rule order.
	Hits []Hit `json:"hits"`
	// Rings is the ring context: the claim's person, site and attending
	// doctor that are members of reported rings.
	Rings []RingContext `json:"rings"`
	// Rules lists the rules run, in canonical order.
	Rules []string `json:"rules"`
	// History is the number of the person's earlier visits the rules saw.
	History int `json:"history_visits"`
}

// Hit is one rule hit on the claim, or a signal (a CHK-* id of
// graph/vocab's CheckSignals).
type Hit struct {
	// Rule is the rule id (R-...) or the signal id (CHK-...).
	Rule string `json:"rule"`
	// Version is the version of the rule's logic ("1.0" for signals).
	Version string `json:"version"`
	// Stages are the stages the rule serves.
	Stages []rules.Stage `json:"stages"`
	// Result is the strength of the finding: definite or suspicious.
	Result rules.ResultType `json:"result"`
	// Params are the exact parameters the rule ran with ({} for signals).
	Params map[string]float64 `json:"params"`
	// Action is what the decision policy makes of the hit.
	Action Decision `json:"action"`
	// Amount is the fund yuan the finding rests on, the person's earlier
	// visits included (for signals the claim's fund).
	Amount float64 `json:"amount"`
	// Name and NameEn name the rule (for signals, what the signal means).
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	// Zh and En are the finding in a sentence.
	Zh string `json:"detail_zh"`
	En string `json:"detail"`
	// Visits are the mdtrt_ids the hit cites, at most maxCited, the
	// claim's own among them.
	Visits []string `json:"mdtrt_ids"`
	// Signal holds a signal's parameters (omitted for rule hits).
	Signal map[string]string `json:"signal_params,omitempty"`
	rank   int               // rule order, for sorting
}

// RingContext is a member of a reported ring among the claim's person,
// site and attending doctor.
type RingContext struct {
	Kind  string  `json:"kind"`  // patient, clinic, pharmacy or doctor
	ID    string  `json:"id"`    // psn_no, fixmedins_code or dr_code
	Label string  `json:"label"` // display label, personal data masked
	Ring  string  `json:"ring"`
	Role  string  `json:"role"`
	Score float64 `json:"score"` // the member's entity score
}

// maxCited caps the visits a hit lists.
const maxCited = 20

// Check checks claim cl against view: Prepare, then Run. It changes
// nothing: the graph, its tables, the findings and the index are only
// read. It returns ErrUnknownPerson or ErrUnknownInstitution (wrapped)
// for references the data do not know, and ctx's error when cancelled.
func (c *Checker) Check(ctx context.Context, view View, cl *Claim) (*Result, error) {
	p, err := c.Prepare(view, cl)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx)
}

// Prepared is a check whose reads of the view are done: the person's
// small city with the claim, and the signals. Run finishes it without
// the view, so that a caller holding a lock on the view's tables can
// release it before the rules run.
type Prepared struct {
	c        *Checker
	set      *stageRules
	m        *mini
	res      *Result
	stages   rules.Stages
	visit    uint32 // the claim's mini visit row
	firstFee uint32 // the claim's first mini fee row
}

// Prepare does the part of a check that reads view: it resolves the
// claim's references, copies the person's history (found through the
// index) into a small city of its own with the claim, and computes the
// signals. The caller must keep the view's tables from being written
// while Prepare runs, not while Run does.
func (c *Checker) Prepare(view View, cl *Claim) (*Prepared, error) {
	if view.Index == nil {
		return nil, errors.New("check: no index")
	}
	g := view.Index.Graph()
	t := g.Tables()
	person := t.Persons.IDs.Lookup(cl.Visit.PsnNo)
	if person == graph.None {
		return nil, fmt.Errorf("check: psn_no: %w", ErrUnknownPerson)
	}
	inst := t.Institutions.IDs.Lookup(cl.Visit.InstitutionCode)
	if inst == graph.None {
		return nil, fmt.Errorf("check: fixmedins_code: %w", ErrUnknownInstitution)
	}
	for i := range cl.Fees {
		if cl.Fees[i].MdtrtID != cl.Visit.MdtrtID {
			return nil, fmt.Errorf("check: fee line %d: %w", i+1, ErrForeignFee)
		}
	}
	p := &Prepared{c: c, set: c.setFor(cl.Stages), stages: stagesOf(cl.Stages)}
	p.res = &Result{Decision: Pass, Stages: p.stages.List(), Rules: slices.Clone(p.set.ids), Hits: []Hit{}, Rings: []RingContext{}}
	settled := t.Visits.IDs.Lookup(cl.Visit.MdtrtID)
	p.res.AlreadySettled = settled != graph.None || cl.Settled
	x := view.Index
	m := c.mini(x, person)
	m.hist = x.appendHistory(m.hist, person)
	if settled != graph.None {
		m.hist = slices.DeleteFunc(m.hist, func(v uint32) bool { return v == settled })
	}
	p.res.History = len(m.hist)
	if len(p.set.set.Rules) > 0 {
		for _, v := range m.hist {
			m.addVisit(v)
		}
		p.visit, p.firstFee = m.addClaim(inst, cl)
		m.finish()
		p.m = m
	}
	m.release() // Run must not read the view
	if p.m == nil {
		c.putMini(m)
	}
	c.signals(p.res, view, person, inst, cl)
	return p, nil
}

// mini returns an empty small city for person row p of x's tables: one
// that an earlier check left in the pool, or a new one.
func (c *Checker) mini(x *Index, p uint32) *mini {
	if m, ok := c.minis.Get().(*mini); ok {
		m.reset(x, p)
		return m
	}
	return newMini(x, p, 16, 64)
}

// putMini leaves m in the pool for a later check, unless it grew too
// large to hold. Nothing may use m afterwards.
func (c *Checker) putMini(m *mini) {
	if m.reusable() {
		m.release()
		c.minis.Put(m)
	}
}

// Run runs the rules on the prepared small city, keeps the hits that cite
// the claim's rows and decides. It reads nothing of the view. A Prepared
// is run once.
func (p *Prepared) Run(ctx context.Context) (*Result, error) {
	res := p.res
	if p.m != nil {
		hits, err := p.c.runRules(ctx, p)
		p.c.putMini(p.m) // the hits copy what they keep of it
		p.m = nil
		if err != nil {
			return nil, err
		}
		switch {
		case len(hits) > 0:
			res.Hits = append(hits, res.Hits...) // room is made for them
		case len(res.Hits) == 0:
			res.Hits = nil // as the rule hits, when there are none
		}
	}
	for i := range res.Hits {
		res.Decision = stronger(res.Decision, res.Hits[i].Action)
	}
	if p.stages == rules.AtBefore {
		if lim, ok := p.c.policy.action(KeyBeforeCap); ok && res.Decision.rank() > lim.rank() {
			res.Decision = lim
		}
	}
	slices.SortStableFunc(res.Hits, func(a, b Hit) int {
		if d := b.Action.rank() - a.Action.rank(); d != 0 {
			return d
		}
		return a.rank - b.rank
	})
	return res, nil
}

// stagesOf returns the stages of a claim: before and during when unset.
func stagesOf(s rules.Stages) rules.Stages {
	if s &= rules.AtBefore | rules.AtDuring; s == 0 {
		return rules.AtBefore | rules.AtDuring
	}
	return s
}

// runRules runs p's rules on its small city and returns the hits citing
// the claim's rows (nil when none does), with room to append p's signals.
func (c *Checker) runRules(ctx context.Context, p *Prepared) ([]Hit, error) {
	set, m := p.set, p.m
	g, err := m.b.Build(ctx, m.t) // valid until m is reused
	if err != nil {
		return nil, fmt.Errorf("check: build the person's history: %w", err)
	}
	if set.err != nil {
		return nil, fmt.Errorf("check: rules: %w", set.err)
	}
	// One worker: a person's history is small, and concurrent checks keep
	// the processors busy.
	rr, err := set.prep.Run(ctx, g, rules.RunOptions{Placeholders: []bool{}, Workers: 1})
	if err != nil {
		return nil, fmt.Errorf("check: rules: %w", err)
	}
	onClaim := func(h *rules.Hit) bool {
		return slices.Contains(h.Visits, p.visit) || slices.ContainsFunc(h.Fees, func(f uint32) bool { return f >= p.firstFee })
	}
	n := 0
	for i := range rr.Hits {
		if onClaim(&rr.Hits[i]) {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	out := make([]Hit, 0, n+len(p.res.Hits))
	ids := set.ids
	for i := range rr.Hits {
		h := &rr.Hits[i]
		if !onClaim(h) {
			continue // a finding of the history alone: screened after the fact
		}
		r, ok := set.set.Rule(h.Rule)
		if !ok {
			continue // Run runs the rules of set only
		}
		out = append(out, Hit{
			// The prepared rules share their parameter maps with every
			// run: the answer gets a copy of its own.
			Rule: h.Rule, Version: h.Version, Stages: r.Stages().List(), Result: h.Result, Params: maps.Clone(h.Params),
			Action: c.policy.forHit(h.Rule, h.Result), Amount: yuan(h.Amount), Name: r.Name, NameEn: r.NameEn,
			Zh: h.DetailZh, En: h.Detail, Visits: m.cite(h.Visits, p.visit), rank: slices.Index(ids, h.Rule),
		})
	}
	return out, nil
}

// yuan converts fen to yuan, rounded to the fen.
func yuan(m claims.Money) float64 { return math.Round(float64(m)) / 100 }

// signals adds the hits beyond the rules and the ring context.
func (c *Checker) signals(res *Result, view View, person, inst uint32, cl *Claim) {
	g := view.Index.Graph()
	t := g.Tables()
	rank := len(res.Rules)
	add := func(id string, params map[string]string, amount float64) {
		rank++
		if cap(res.Hits) == 0 {
			res.Hits = make([]Hit, 0, 4) // the signals of a claim are few
		}
		e, _ := vocab.Lookup(vocab.CheckSignals, id)
		result := rules.Suspicious
		if id == vocab.CheckStaffSuspended || id == vocab.CheckAlreadySettled {
			result = rules.Definite // facts of the records, not leads
		}
		res.Hits = append(res.Hits, Hit{
			Rule: id, Version: "1.0", Stages: []rules.Stage{rules.Before, rules.During}, Result: result,
			Params: map[string]float64{}, Action: c.policy.forHit(id, result), Amount: amount,
			Name: e.DescZh, NameEn: e.DescEn,
			Zh: vocab.RenderIn(vocab.CheckSignals, id, params, vocab.LangZh), En: vocab.RenderIn(vocab.CheckSignals, id, params, vocab.LangEn),
			Visits: []string{cl.Visit.MdtrtID}, Signal: params, rank: rank,
		})
	}
	fund := yuan(cl.Visit.FundPay)
	if res.AlreadySettled {
		add(vocab.CheckAlreadySettled, map[string]string{}, fund)
	}
	doctor := graph.NoNode
	if cl.Visit.DoctorCode != "" {
		if d := t.Doctors.IDs.Lookup(cl.Visit.DoctorCode); d != graph.None {
			doctor = g.DoctorNode(d)
		}
	}
	parties := []struct {
		node   graph.NodeID
		signal string
	}{
		{g.PatientNode(person), vocab.CheckRingPerson},
		{g.InstitutionNode(inst), vocab.CheckRingSite},
		{doctor, vocab.CheckRingDoctor},
	}
	rings := view.Rings
	if rings == nil {
		rings = NewRingIndex(view.Findings)
	}
	for _, p := range parties {
		rc, ok := ringContext(g, rings, p.node)
		if !ok {
			continue
		}
		if cap(res.Rings) == 0 {
			res.Rings = make([]RingContext, 0, len(parties))
		}
		res.Rings = append(res.Rings, rc)
		add(p.signal, map[string]string{"ring": rc.Ring, "role": rc.Role, "score": strconv.FormatFloat(rc.Score, 'f', 2, 64)}, fund)
	}
	staff := view.Staff
	if staff == nil {
		staff = c.staff
	}
	if staff != nil {
		seen := map[string]bool{}
		codes := []string{cl.Visit.DoctorCode}
		for i := range cl.Fees {
			codes = append(codes, cl.Fees[i].DoctorCode)
		}
		for _, code := range codes {
			if code == "" || seen[code] {
				continue
			}
			seen[code] = true
			if bad, status := staff.StaffStatus(code); bad {
				add(vocab.CheckStaffSuspended, map[string]string{"doctor": code, "status": status}, fund)
			}
		}
	}
	cases := view.Cases
	if cases == nil {
		cases = c.cases
	}
	if cases != nil {
		for _, p := range parties {
			if p.node == graph.NoNode {
				continue
			}
			kind, id := memberKey(g, p.node)
			if caseID, open := cases.OpenCase(kind, id); open {
				add(vocab.CheckOpenCase, map[string]string{"kind": kind, "case": caseID}, fund)
			}
		}
	}
}

// memberKey returns the member kind and id of node n as rings.json writes
// them.
func memberKey(g *graph.Graph, n graph.NodeID) (kind, id string) {
	switch g.Kind(n) {
	case graph.KindPatient:
		kind = vocab.KindPatient
	case graph.KindDoctor:
		kind = vocab.KindDoctor
	case graph.KindPharmacy:
		kind = vocab.KindPharmacy
	default:
		kind = vocab.KindClinic
	}
	return kind, g.Key(n)
}

// RingIndex finds an entity's place in the reported rings of one findings:
// the best-ranked ring naming it, with its role, label and score there. It
// is built once per findings (NewRingIndex, Update) and only read, so that
// a check reads neither the entity scores, which incremental scoring
// updates in place, nor a ring's member list. It keeps where each member
// is (ring, position) and reads the rest from the findings' rings, which a
// findings never changes once published.
type RingIndex struct {
	f     *findings.Findings
	byKey map[memberID]memberPos
}

// memberID is a ring member's kind and id, as in rings.json.
type memberID struct{ kind, id string }

// memberPos is where a member is listed: ring and position in its members.
type memberPos struct{ ring, member int32 }

// NewRingIndex indexes the members of f's rings (nil f: no rings). Rings
// are taken in their order (best first), so a member of several rings is
// found in the best-ranked one, as its entity score names it.
func NewRingIndex(f *findings.Findings) *RingIndex {
	x := &RingIndex{f: f, byKey: make(map[memberID]memberPos)}
	if f == nil {
		return x
	}
	for i := range f.Rings {
		for j, m := range f.Rings[i].Members {
			k := memberID{m.Kind, m.ID}
			if _, ok := x.byKey[k]; !ok {
				x.byKey[k] = memberPos{int32(i), int32(j)}
			}
		}
	}
	return x
}

// Update returns the index of f, which follows x's findings (the next
// findings of a server): when f's rings list the same members in the same
// places, as after an incremental update that re-scored rings without
// changing who is in them, it shares x's map instead of building another
// (a city's rings can have tens of thousands of members, and a server
// publishes findings several times a second). x may be nil.
func (x *RingIndex) Update(f *findings.Findings) *RingIndex {
	if x == nil || x.f == nil || f == nil || !sameMembers(x.f, f) {
		return NewRingIndex(f)
	}
	return &RingIndex{f: f, byKey: x.byKey}
}

// sameMembers reports whether a's and b's rings list the same members
// (kind and id) in the same rings and places.
func sameMembers(a, b *findings.Findings) bool {
	if len(a.Rings) != len(b.Rings) {
		return false
	}
	for i := range a.Rings {
		ma, mb := a.Rings[i].Members, b.Rings[i].Members
		if len(ma) != len(mb) {
			return false
		}
		for j := range ma {
			if ma[j].Kind != mb[j].Kind || ma[j].ID != mb[j].ID {
				return false
			}
		}
	}
	return true
}

// Lookup returns the place of the member of kind and id (as in rings.json)
// in its best-ranked ring.
func (x *RingIndex) Lookup(kind, id string) (RingContext, bool) {
	p, ok := x.byKey[memberID{kind, id}]
	if !ok {
		return RingContext{}, false
	}
	r := &x.f.Rings[p.ring]
	m := &r.Members[p.member]
	return RingContext{Kind: m.Kind, ID: m.ID, Label: m.Label, Ring: r.ID, Role: m.Role, Score: m.Score}, true
}

// ringContext returns node n's place in a reported ring of rings.
func ringContext(g *graph.Graph, rings *RingIndex, n graph.NodeID) (RingContext, bool) {
	if n == graph.NoNode {
		return RingContext{}, false
	}
	kind, id := memberKey(g, n)
	return rings.Lookup(kind, id)
}
