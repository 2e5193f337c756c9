package rings

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
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
