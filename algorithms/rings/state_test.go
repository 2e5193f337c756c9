package rings

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ringlens/ringlens/graph"
)

// TestMedMad checks medMad against sorting the deviations.
func TestMedMad(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	value := func(k uint64) float64 { return float64(k) / 100 }
	for n := 1; n <= 200; n++ {
		for rep := 0; rep < 5; rep++ {
			ks := make([]uint64, n)
			for i := range ks {
				ks[i] = uint64(rng.IntN(1 + n*rep*10))
			}
			slices.Sort(ks)
			med := value(ks[n/2])
			dev := make([]float64, n)
			for i, k := range ks {
				dev[i] = math.Abs(value(k) - med)
			}
			slices.Sort(dev)
			gm, gd := medMad(ks, value)
			if gm != med || gd != dev[n/2] {
				t.Fatalf("n=%d %v: medMad = %v, %v; want %v, %v", n, ks, gm, gd, med, dev[n/2])
			}
		}
	}
}

// TestPeerGroupStats checks peerModel.groupStats, one sort for the three
// levels, against a direct computation per level: each group's visits by
// institution, the median over institutions of five visits or more of
// their medians and MADs, and, where no institution has five, the median
// and MAD of all the group's values.
func TestPeerGroupStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 40, 3000} {
		const nInst, nKey = 30, 5
		m := &peerModel{nKey: nKey}
		keys := make([]int32, n)
		m.key = func(v int) int32 { return keys[v] }
		vt := &graph.VisitTable{Institution: make([]uint32, n)}
		sc, cl := make([]int8, n), make([]int8, n)
		vals := make([]int64, n)
		for v := range n {
			inst := uint32(rng.IntN(nInst))
			vt.Institution[v] = inst
			cl[v] = int8(inst % nClasses) // an institution's class is its own
			sc[v] = int8(rng.IntN(nScenarios+1) - 1)
			keys[v] = int32(rng.IntN(nKey))
			vals[v] = int64(rng.IntN(50_000))
		}
		got := m.groupStats(vt, sc, cl, func(v int) int64 { return vals[v] })
		for level := range 3 {
			type gi struct{ g, inst int32 }
			byInst := make(map[gi][]float64)
			for v := range n {
				if sc[v] >= 0 {
					k := gi{m.group(level, sc[v], cl[v], keys[v]), int32(vt.Institution[v])}
					byInst[k] = append(byInst[k], float64(vals[v])/100)
				}
			}
			for g := range got[level].centre {
				var meds, mads, pool []float64
				for inst := range int32(nInst) {
					xs := byInst[gi{int32(g), inst}]
					slices.Sort(xs)
					if len(xs) >= minInstVisits {
						md, d := medMad(xs, func(f float64) float64 { return f })
						meds, mads = append(meds, md), append(mads, d)
					} else {
						pool = append(pool, xs...)
					}
				}
				voters := len(meds)
				if voters == 0 && len(pool) > 0 {
					slices.Sort(pool)
					md, d := medMad(pool, func(f float64) float64 { return f })
					meds, mads = append(meds, md), append(mads, d)
				}
				var centre, scale float64
				if len(meds) > 0 {
					slices.Sort(meds)
					slices.Sort(mads)
					centre = meds[len(meds)/2]
					scale = max(1.4826*mads[len(mads)/2], 0.1*math.Abs(centre), 1)
				}
				st := &got[level]
				if st.centre[g] != centre || st.scale[g] != scale || int(st.voters[g]) != voters {
					t.Errorf("%d visits, level %d, group %d: centre %v scale %v voters %d, want %v %v %d",
						n, level, g, st.centre[g], st.scale[g], st.voters[g], centre, scale, voters)
				}
			}
		}
	}
}

// TestPeerLevels checks which level of peers zOf scores against: the
// finest (scenario, class, key) from minVoters voting institutions, the
// class (scenario, class) from minClassVoters, else the scenario over
// every class.
func TestPeerLevels(t *testing.T) {
	const sc, cl, key = 0, int8(graph.ClassHospital), 1
	m := &peerModel{nKey: 2}
	for i, n := range []int{nScenarios * nClasses * 2, nScenarios * nClasses, nScenarios} {
		m.stats[i] = groupStats{centre: make([]float64, n), scale: make([]float64, n), voters: make([]int32, n)}
	}
	fine, class, scen := m.group(0, sc, cl, key), m.group(1, sc, cl, key), m.group(2, sc, cl, key)
	// Centres 100, 50 and 10 yuan, scale 1 yuan: a visit of 110 yuan
	// scores 10, 60 or 100 by level.
	m.stats[0].centre[fine], m.stats[1].centre[class], m.stats[2].centre[scen] = 100, 50, 10
	m.stats[0].scale[fine], m.stats[1].scale[class], m.stats[2].scale[scen] = 1, 1, 1
	cases := []struct {
		name        string
		fine, class int32 // voters
		key         int32
		want        float32
	}{
		{"finest level", minVoters, minClassVoters, key, 10},
		{"too few for the finest: the class", minVoters - 1, minClassVoters, key, 60},
		{"unseen key: the class", minVoters, minClassVoters, -1, 60},
		{"too few for the class: the scenario", minVoters - 1, minClassVoters - 1, key, 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m.stats[0].voters[fine], m.stats[1].voters[class] = c.fine, c.class
			if got := m.zOf(sc, cl, c.key, 11000); got != c.want {
				t.Errorf("z = %v, want %v", got, c.want)
			}
		})
	}
}
