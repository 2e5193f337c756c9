package rings

import (
	"fmt"
	"math"
	"slices"

	"github.com/ringlens/ringlens/graph"
	"github.com/ringlens/ringlens/graph/claims"
)

// growWard widens a candidate that is mostly admissions to its ward: the
// other people its ward doctors (each on at least ward_doctor_share of the
// candidate's admissions) admitted at its sites while it was active. The
// tests that form candidates flag people admitted again and again; a ward
// kept full with recruits also holds recruits admitted once or twice, whom
// nothing flags one by one, but whose admissions the same doctors sign in
// the same months. It returns the number of people added.
func (s *state) growWard(c *candidate) int {
	p := &s.opt.Params
	if p.WardDoctorShare <= 0 || len(c.visits) == 0 {
		return 0
	}
	vt := &s.t.Visits
	in := 0
	first, last := claims.Time(math.MaxInt64), claims.Time(math.MinInt64)
	docs := newCounter[uint32]()
	for _, v := range c.visits {
		if !vt.MedType[v].Inpatient() {
			continue
		}
		in++
		first, last = min(first, vt.Begin[v]), max(last, vt.Begin[v])
		if d := vt.Doctor[v]; s.doctorOK(d) {
			docs.add(d, 1)
		}
	}
	if 2*in < len(c.visits) {
		return 0
	}
	ward := make(map[uint32]bool)
	for _, d := range docs.keys {
		if float64(docs.n[d]) >= p.WardDoctorShare*float64(in) {
			ward[d] = true
		}
	}
	if len(ward) == 0 {
		return 0
	}
	members := make(map[uint32]bool, len(c.patients))
	for _, n := range c.patients {
		members[s.g.Row(n)] = true
	}
	added := 0
	stays := make(map[uint32][]uint32)
	for _, h := range c.insts {
		if s.g.Kind(h) != graph.KindInstitution {
			continue
		}
		for _, v := range s.visitsOf(h) {
			if !s.live(v) || !vt.MedType[v].Inpatient() || !ward[vt.Doctor[v]] || vt.Begin[v] < first || vt.Begin[v] > last {
				continue
			}
			x := vt.Person[v]
			if members[x] {
				c.visits = append(c.visits, v)
				continue
			}
			stays[x] = append(stays[x], v)
		}
	}
	var joined []uint32
	for x, vs := range stays {
		if len(vs) < p.WardStays {
			continue
		}
		c.patients = append(c.patients, s.g.PatientNode(x))
		joined = append(joined, vs...)
		added++
	}
	if added > 0 {
		slices.Sort(joined)
		c.visits = append(c.visits, joined...)
		c.facts = append(c.facts, fact{id: FactWard, visits: joined,
			params: map[string]float64{"ward_doctor_share": p.WardDoctorShare, "ward_stays": float64(p.WardStays), "joined": float64(added), "doctors": float64(len(ward))},
			detail: fmt.Sprintf("%d more people admitted at least %d times by the ring's %d ward doctors (each on at least %.0f%% of its admissions) at its sites while it was active joined it",
				added, p.WardStays, len(ward), 100*p.WardDoctorShare),
			detailZh: fmt.Sprintf("另有%d人在团伙活跃期间于其机构由其%d名病区医师（各占其住院的%.0f%%以上）收治至少%d次，并入该团伙",
				added, len(ward), 100*p.WardDoctorShare, p.WardStays)})
	}
	c.normalise()
	return added
}
