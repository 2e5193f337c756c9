package rules

import (
	"context"
	"errors"

	"github.com/ringlens/ringlens/graph"
)

// Prepared is a rule set made ready to run many times, on many small
// graphs: copied from its Set and checked once, so that a run neither
// copies the rule list and parameters nor checks them again (RunWith does
// both on every call). It is immutable and safe for concurrent use.
type Prepared struct {
	set Set
}

// Prepare returns s ready to run: a deep copy of s (later changes to s do
// not reach it) whose parameters are checked as RunWith checks them.
func (s Set) Prepare() (*Prepared, error) {
	p := &Prepared{set: s.Clone()}
	for i := range p.set.Rules {
		if err := checkParams(&p.set.Rules[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Set returns a deep copy of the prepared rule set.
func (p *Prepared) Set() Set { return p.set.Clone() }

// Run screens g with the prepared rules, as RunWith does with the set p
// was prepared from, and returns the same result, except that the
// parameter maps of the hits (Hit.Params) are those of p, shared by every
// run: they must only be read.
func (p *Prepared) Run(ctx context.Context, g *graph.Graph, opt RunOptions) (*Result, error) {
	if g == nil || g.Tables() == nil {
		return nil, errors.New("rules: nil graph")
	}
	if err := checkColumns(g.Tables()); err != nil {
		return nil, err
	}
	return runSet(ctx, g, &p.set, opt)
}
