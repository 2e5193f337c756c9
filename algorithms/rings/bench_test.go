package rings_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/ringlens/ringlens/algorithms/rings"
	"github.com/ringlens/ringlens/algorithms/rules"
)

// TestDetectBudget measures Detect on the city in RINGLENS_CITY: time per
// stage and the peak Go heap above what the loaded graph holds.
func TestDetectBudget(t *testing.T) {
	g, _ := loadCity(t, cityDir(t))
	runtime.GC()
	debug.FreeOSMemory()
	base := heapInUse()
	var peak atomic.Uint64
	var stageName atomic.Value
	stageName.Store("start")
	peaks := map[string]uint64{}
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				inUse := heapInUse()
				if inUse > peak.Load() {
					peak.Store(inUse)
				}
				mu.Lock()
				st := stageName.Load().(string)
				peaks[st] = max(peaks[st], inUse)
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	last := start
	_, err := Detect(context.Background(), g, Options{Rules: rules.Defaults(), Seed: 1, Progress: func(stage string, done, total int64) {
		if os.Getenv("RINGLENS_VERBOSE") != "" {
			fmt.Printf("  %-36s %d/%d  +%v\n", stage, done, total, time.Since(last).Round(time.Millisecond))
		}
		last = time.Now()
		stageName.Store(stage)
	}})
	el := time.Since(start)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("RINGLENS_VERBOSE") != "" {
		for st, p := range peaks {
			fmt.Printf("  peak in %-36s +%.2f GiB\n", st, (float64(p)-float64(base))/(1<<30))
		}
	}
	fmt.Printf("detect %v; graph heap %.2f GiB; peak heap during detection %.2f GiB (+%.2f GiB)\n", el.Round(time.Millisecond),
		float64(base)/(1<<30), float64(peak.Load())/(1<<30), (float64(peak.Load())-float64(base))/(1<<30))
}

// heapInUse returns the bytes of the heap's spans in use (MemStats.HeapInuse)
// from runtime/metrics, which unlike runtime.ReadMemStats does not stop the
// world: read every 50 ms it would preempt every goroutine twenty times a
// second and inflate the stage times this test prints.
func heapInUse() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64()
}

// maxObjectsPerNode bounds the heap objects a finished detection keeps
// alive (findings and the live state) per graph node of the generated
// 60,000-visit city of TestDetectObjects. The collector marks every one of
// them at each cycle while checks are answered, so findings hold ids that
// share the tables' memory, packed reasons and rule-hit rows, and shared
// number strings: 3.1 objects per node there (rule-hit details and ring
// visit times, which do not grow with the city, are most of them), where a
// copy of each id and a map per reason kept 16.4.
const maxObjectsPerNode = 4.0

// TestDetectObjects checks maxObjectsPerNode on a generated city.
func TestDetectObjects(t *testing.T) {
	g, _ := loadCity(t, genCity(t, "default", 1, plantVisits))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	l, err := DetectLive(context.Background(), g, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	kept := float64(after.HeapObjects) - float64(before.HeapObjects)
	per := kept / float64(g.NumNodes())
	t.Logf("%.0f objects kept for %d nodes (%d entities scored): %.3f per node", kept, g.NumNodes(), l.Findings().Entities.Len(), per)
	if per > maxObjectsPerNode {
		t.Errorf("detection keeps %.3f heap objects per graph node, budget %.2f", per, maxObjectsPerNode)
	}
	runtime.KeepAlive(l)
	runtime.KeepAlive(g)
}
