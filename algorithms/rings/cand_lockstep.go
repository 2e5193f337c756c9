package rings

import (
	"context"
	"fmt"

	"github.com/ringlens/ringlens/algorithms/lockstep"
	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// lockstepCandidates turns dense lockstep blocks (patients who share many
// (institution, slot) or (doctor, day) columns, FraudAR-weighted so that
// crowds add little) into candidates. A block alone is not a ring: nursing
// rounds and families move together too, so scoring still asks for
// distance from peers, rule hits or a cohort density well above the
// institution's ordinary traffic; blocks mostly at sites serving a closed
// population or at an organisation's own infirmary (a nursing home's
// rounds, a school's sick calls) are left out (mostlyRounds). Placeholder
// doctors are left out of the doctor columns. When startLockstep has begun
// the peeling, it takes its blocks.
func (s *state) lockstepCandidates(ctx context.Context) ([]*candidate, error) {
	var blocks []lockstep.Block
	var err error
	if s.lockstep != nil {
		<-s.lockstep.done
		blocks, err = s.lockstep.blocks, s.lockstep.err
		s.lockstep = nil
	} else {
		blocks, err = s.lockstepBlocks(ctx)
	}
	if err != nil {
		return nil, err
	}
	vt := &s.t.Visits
	var out []*candidate
	for i := range blocks {
		b := &blocks[i]
		if len(b.Patients) < s.opt.Params.MinRingPeople || b.Lift < s.opt.Params.MinBlockLift || b.Synchrony < s.opt.Params.MinBlockSynchrony || len(b.Visits) == 0 {
			continue
		}
		inpatient, pharmacy := 0, 0
		for _, v := range b.Visits {
			switch scenario(vt.MedType[v]) {
			case 1:
				inpatient++
			case 2:
				pharmacy++
			}
		}
		if 2*pharmacy > len(b.Visits) {
			continue // pharmacy groups are judged by the reselling and cash-out signals
		}
		if s.mostlyRounds(b.Visits) {
			continue // a nursing home's rounds, a boarding school's sick call
		}
		typ := findings.TypLockstepSwiping
		if 2*inpatient > len(b.Visits) {
			typ = findings.TypFakeHospitalisation
		}
		c := &candidate{source: SourceLockstep, typology: typ, strength: squash(b.Lift-1, s.opt.Params.BlockLiftHalf),
			patients: append([]graph.NodeID(nil), b.Patients...), visits: append([]uint32(nil), b.Visits...)}
		c.normalise()
		c.insts = s.instsOf(c.visits, 0.05, 3)
		c.doctors = s.doctorsOf(c.visits, 0.02, 3)
		// The block's lift is against the FraudAR-weighted density of the
		// same hubs; its cohorts (cohortShare: visits in doctor-hours of
		// several of its people) against the same sites' other visits may
		// stand out further, and then set the strength.
		if d, base := s.cohortShare(c); d > 0 {
			if l := d / (base + cohortBaseFloor); l > b.Lift {
				c.strength = squash(l-1, s.opt.Params.BlockLiftHalf)
			}
		}
		period, periodZh := "no shared revisit period", "无共同复诊周期"
		if b.Period > 0 {
			period = fmt.Sprintf("shared period %d days for %.0f%% of revisits", b.Period, 100*b.PeriodShare)
			periodZh = fmt.Sprintf("共同周期%d天，占复诊间隔的%.0f%%", b.Period, 100*b.PeriodShare)
		}
		colsZh := "机构时段"
		if b.Kind == lockstep.DoctorDay {
			colsZh = "医师日"
		}
		c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
			params: map[string]float64{"density": b.Density, "baseline": b.Baseline, "lift": b.Lift, "fill": b.Fill,
				"synchrony": b.Synchrony, "slot_share": b.SlotShare, "period_days": float64(b.Period), "period_share": b.PeriodShare},
			detail: fmt.Sprintf("%d patients share %d %s columns (density %.2f, %.1f× the baseline of the same hubs; %.0f%% of their visits there in the block; %s)",
				len(b.Patients), b.Columns, b.Kind, b.Density, b.Lift, 100*b.Synchrony, period),
			detailZh: fmt.Sprintf("%d名患者共同出现在%d个%s列（密度%.2f，为同机构基线的%.1f倍；其在该处就诊的%.0f%%落在此块中；%s）",
				len(b.Patients), b.Columns, colsZh, b.Density, b.Lift, 100*b.Synchrony, periodZh)})
		out = append(out, c)
	}
	return out, nil
}

// mostlyRounds reports whether at least half of the visits vs are at sites
// serving a closed population (closedSites) or at an organisation's own
// infirmary (a school's, a workplace's): there the residents, pupils or
// staff are seen together on the rounds' days, sick calls and check-ups
// by the site's doctor, and a block or cohort of them is the site's
// ordinary work, not a ring. Rings there still show through their billing
// (the relation-excess path).
func (s *state) mostlyRounds(vs []uint32) bool {
	lo, n := s.siteLo(), 0
	for _, v := range vs {
		if s.roundsSite(int(s.instNode(v)) - lo) {
			n++
		}
	}
	return 2*n >= len(vs) && n > 0
}

// roundsSite reports whether the site of index i (node − siteLo) serves a
// closed population or is an organisation's own infirmary.
func (s *state) roundsSite(i int) bool {
	return i >= 0 && i < len(s.closedSite) && s.closedSite[i] || s.isInfirmary(i)
}

// isInfirmary reports whether the site of index i (node − siteLo) is an
// organisation's own infirmary (state.infirmary).
func (s *state) isInfirmary(i int) bool { return i >= 0 && i < len(s.infirmary) && s.infirmary[i] }

// lockstepBlocks peels the graph's lockstep blocks of at least
// min_ring_people people, placeholder doctors left out.
func (s *state) lockstepBlocks(ctx context.Context) ([]lockstep.Block, error) {
	return lockstep.Detect(ctx, s.g, lockstep.Options{MinPatients: s.opt.Params.MinRingPeople, ExcludeDoctors: s.excluded, Workers: s.opt.Workers})
}

// pendingBlocks is a lockstep peeling under way (startLockstep).
type pendingBlocks struct {
	done   chan struct{} // closed when blocks and err are set
	blocks []lockstep.Block
	err    error
}

// startLockstep begins lockstepBlocks in a goroutine, for
// lockstepCandidates to take in its turn: the peeling reads the graph only
// and runs on the core that the generators before it, one core each, leave
// idle. The caller cancels ctx and calls awaitLockstep before it returns.
func (s *state) startLockstep(ctx context.Context) {
	p := &pendingBlocks{done: make(chan struct{})}
	s.lockstep = p
	go func() {
		defer close(p.done)
		p.blocks, p.err = s.lockstepBlocks(ctx)
	}()
}

// awaitLockstep waits for a peeling begun by startLockstep that
// lockstepCandidates did not take (a generator before it failed).
func (s *state) awaitLockstep() {
	if s.lockstep != nil {
		<-s.lockstep.done
		s.lockstep = nil
	}
}
