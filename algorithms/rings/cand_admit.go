package rings

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/findings"
)

// Thresholds of the admission-cohort generator.
const (
	minAdmissions = 3 // admissions of one person at one hospital in a year
	minCoAdmit    = 3 // same-day admissions a pair must share
	coAdmitLift   = 5 // and at least this many times what chance gives
	minPartners   = 2 // co-admitted partners a cohort member needs
)

// admissionCandidates finds hospitals that admit the same people together
// on the same day again and again: the recruited fake-hospitalisation
// signature. Chance coincidences of busy hospitals are discounted: a pair
// must share at least coAdmitLift times the same-day admissions expected
// from the pair's admission counts over the data period.
func (s *state) admissionCandidates(ctx context.Context) ([]*candidate, error) {
	g := s.g
	lo := g.NumKind(graph.KindPatient) + g.NumKind(graph.KindDoctor)
	nInst := g.NumKind(graph.KindInstitution)
	minAdm := max(2, int(float64(minAdmissions)*s.years+0.5))
	var out []*candidate
	var list []admission
	for i := 0; i < nInst; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if c := s.admitCohort(graph.NodeID(lo+i), minAdm, &list); c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// admission is one inpatient admission: the person row, the day and the
// visit row.
type admission struct {
	p   uint32
	day int32
	v   uint32
}

// admitCohort returns the cohort candidate of hospital h, or nil: its
// people admitted at least minAdm times who share admission days with
// several others far beyond chance (cohortPeople). list is scratch space.
func (s *state) admitCohort(h graph.NodeID, minAdm int, list *[]admission) *candidate {
	g, vt := s.g, &s.t.Visits
	*list = (*list)[:0]
	count := make(map[uint32]int)
	for _, v := range g.VisitsOf(h) {
		if s.live(v) && vt.MedType[v].Inpatient() {
			d := int32(vt.Begin.At(v).Day())
			*list = append(*list, admission{vt.Person[v], d, v})
			count[vt.Person[v]]++
		}
	}
	if len(*list) < minAdm*s.opt.Params.MinRingPeople {
		return nil
	}
	// Keep the repeat inpatients, one admission per person and day.
	rep := (*list)[:0:0]
	for _, a := range *list {
		if count[a.p] >= minAdm {
			rep = append(rep, a)
		}
	}
	slices.SortFunc(rep, func(a, b admission) int {
		return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.p, b.p), cmp.Compare(a.v, b.v))
	})
	rep = slices.CompactFunc(rep, func(a, b admission) bool { return a.day == b.day && a.p == b.p })
	people := cohortPeople(rep, count, max(1, s.years*365))
	if len(people) < s.opt.Params.MinRingPeople {
		return nil
	}
	c := &candidate{source: SourceAdmitCohort, typology: findings.TypFakeHospitalisation, strength: 1}
	in := make(map[uint32]bool, len(people))
	for _, p := range people {
		in[p] = true
		c.patients = append(c.patients, g.PatientNode(p))
	}
	for _, a := range *list {
		if in[a.p] {
			c.visits = append(c.visits, a.v)
		}
	}
	c.normalise()
	c.insts = []graph.NodeID{h}
	c.doctors = s.doctorsOf(c.visits, 0.05, 3)
	c.facts = append(c.facts, fact{id: c.source, visits: c.visits,
		params: map[string]float64{"min_admissions": float64(minAdm), "min_co_admissions": minCoAdmit, "lift": coAdmitLift},
		detail: fmt.Sprintf("%d people admitted together on the same days again and again (%d admissions; pairs share at least %d admission days, %g× chance)",
			len(people), len(c.visits), minCoAdmit, float64(coAdmitLift)),
		detailZh: fmt.Sprintf("%d人多次在同一天集体入院（共%d次住院；两两至少%d次同日入院，为随机预期的%g倍以上）",
			len(people), len(c.visits), minCoAdmit, float64(coAdmitLift))})
	return c
}

// cohortPeople returns, sorted, the people of the repeat admissions rep
// (sorted by day, one per person and day; count holds each person's
// admissions) who share admission days with at least minPartners others,
// each pair at least minCoAdmit days and coAdmitLift times what chance
// gives: under independent admissions spread over the data's days, a pair
// shares n_i·n_j / days admission days.
func cohortPeople(rep []admission, count map[uint32]int, days float64) []uint32 {
	pairs := make(map[[2]uint32]int)
	for a := 0; a < len(rep); {
		b := a
		for b < len(rep) && rep[b].day == rep[a].day {
			b++
		}
		if b-a <= 200 {
			for x := a; x < b; x++ {
				for y := x + 1; y < b; y++ {
					pairs[[2]uint32{rep[x].p, rep[y].p}]++
				}
			}
		}
		a = b
	}
	partners := make(map[uint32]int)
	var keys [][2]uint32
	for k, n := range pairs {
		exp := float64(count[k[0]]) * float64(count[k[1]]) / days
		if n >= minCoAdmit && float64(n) >= coAdmitLift*exp {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b [2]uint32) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, k := range keys {
		partners[k[0]]++
		partners[k[1]]++
	}
	var people []uint32
	for p, n := range partners {
		if n >= minPartners {
			people = append(people, p)
		}
	}
	slices.Sort(people)
	return people
}
