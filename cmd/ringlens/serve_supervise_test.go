//go:build linux

package main

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ringlens/ringlens/viz/server"
	"github.com/rs/zerolog"
)

// fakeGen is a generation of a supervisor under test: the messages the
// supervisor sent it, and whether it was signalled.
type fakeGen struct {
	c    *child
	got  chan controlMsg
	once sync.Once // its process ends once
}

// supervisorTest runs a supervisor whose generations are fakes.
type supervisorTest struct {
	t     *testing.T
	sv    *supervisor
	gens  chan *fakeGen
	done  chan error
	stop  context.CancelFunc
	fails atomic.Bool // starts fail
}

// newSupervisorTest starts the supervisor's loop (generation 1 at once).
func newSupervisorTest(t *testing.T) *supervisorTest {
	st := &supervisorTest{t: t, gens: make(chan *fakeGen, 8), done: make(chan error, 1)}
	st.sv = &supervisor{log: zerolog.Nop(), events: make(chan childEvent), done: make(chan struct{})}
	st.sv.start = func(n int, _ bool) (*child, error) {
		if st.fails.Load() {
			return nil, errors.New("cannot start")
		}
		g := &fakeGen{got: make(chan controlMsg, 16)}
		c := &child{n: n, exited: make(chan struct{})}
		c.send = func(m controlMsg) error { g.got <- m; return nil }
		c.signal = func(os.Signal) error { // the process ends at once
			st.exit(g, errors.New("signal: terminated"))
			return nil
		}
		g.c = c
		st.gens <- g
		return c, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	st.stop = cancel
	go func() { st.done <- st.sv.run(ctx) }()
	t.Cleanup(func() { cancel(); close(st.sv.done) })
	return st
}

// gen returns the next generation started.
func (st *supervisorTest) gen() *fakeGen {
	st.t.Helper()
	select {
	case g := <-st.gens:
		return g
	case <-time.After(5 * time.Second):
		st.t.Fatal("no generation started")
		return nil
	}
}

// say sends m from g to the supervisor.
func (st *supervisorTest) say(g *fakeGen, m controlMsg) {
	st.sv.events <- childEvent{from: g.c, msg: m}
}

// exit ends g's process with err (once: later calls do nothing).
func (st *supervisorTest) exit(g *fakeGen, err error) {
	g.once.Do(func() {
		close(g.c.exited)
		go func() {
			select {
			case st.sv.events <- childEvent{from: g.c, exited: true, err: err}:
			case <-st.sv.done:
			}
		}()
	})
}

// expect waits for the message of type typ to g.
func (st *supervisorTest) expect(g *fakeGen, typ string) controlMsg {
	st.t.Helper()
	select {
	case m := <-g.got:
		if m.Type != typ {
			st.t.Fatalf("process %d got %q, want %q", g.c.n, m.Type, typ)
		}
		return m
	case <-time.After(5 * time.Second):
		st.t.Fatalf("process %d got no %q", g.c.n, typ)
		return controlMsg{}
	}
}

// quiet checks that g gets no message for a while.
func (st *supervisorTest) quiet(g *fakeGen) {
	st.t.Helper()
	select {
	case m := <-g.got:
		st.t.Fatalf("process %d got %q", g.c.n, m.Type)
	case <-time.After(50 * time.Millisecond):
	}
}

// successor has generation 1 ask for a full run and returns it and the
// successor started; with ready, the successor says it is ready and
// generation 1 is asked to hand over.
func (st *supervisorTest) successor(ready bool) (*fakeGen, *fakeGen) {
	st.t.Helper()
	g1 := st.gen()
	st.say(g1, controlMsg{Type: msgFullRun})
	g2 := st.gen()
	if ready {
		st.say(g2, controlMsg{Type: msgReady})
		st.expect(g1, msgHandOver)
	}
	return g1, g2
}

// stopped reports whether g's process was made to end.
func stopped(g *fakeGen) bool {
	select {
	case <-g.c.exited:
		return true
	default:
		return false
	}
}

// TestSupervisor drives the supervisor's loop through the hand-over and
// its failures with fake generations.
func TestSupervisor(t *testing.T) {
	h := &server.HandOff{NextID: 7, FullRuns: 3}
	t.Run("hand-over", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1, g2 := st.successor(false)
		st.say(g1, controlMsg{Type: msgFullRun}) // again while one runs: ignored
		st.say(g2, controlMsg{Type: msgReady})
		st.expect(g1, msgHandOver)
		st.say(g1, controlMsg{Type: msgHanded, HandOff: h})
		if m := st.expect(g2, msgTakeOver); m.HandOff == nil || m.HandOff.NextID != 7 {
			t.Errorf("take-over %+v", m)
		}
		st.say(g2, controlMsg{Type: msgServing})
		st.expect(g1, msgRetire)
		st.exit(g1, nil)
		st.say(g2, controlMsg{Type: msgFullRun}) // the new serving process asks
		g3 := st.gen()
		if g3.c.n != 3 {
			t.Errorf("third process numbered %d", g3.c.n)
		}
		st.stop()
		if err := <-st.done; err != nil {
			t.Errorf("run: %v", err)
		}
		if !stopped(g2) || !stopped(g3) {
			t.Error("processes left running at the end")
		}
	})
	t.Run("successor ends before it is ready", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1, g2 := st.successor(false)
		st.exit(g2, errors.New("exit status 1"))
		st.quiet(g1) // never asked to hand over: nothing to resume
		st.say(g1, controlMsg{Type: msgFullRun})
		st.gen() // asked again
	})
	t.Run("successor ends during the hand-over", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1, g2 := st.successor(true)
		st.exit(g2, errors.New("exit status 1"))
		st.expect(g1, msgResume)
		st.say(g1, controlMsg{Type: msgHanded, HandOff: h}) // handed after all: taken back
		st.expect(g1, msgResume)
	})
	t.Run("hand-over fails", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1, g2 := st.successor(true)
		st.say(g1, controlMsg{Type: msgHandOverFailed, Error: "timed out"})
		st.expect(g1, msgResume)
		if !stopped(g2) {
			t.Error("the successor was not stopped")
		}
		st.say(g1, controlMsg{Type: msgFullRun})
		st.gen()
	})
	t.Run("successor cannot start", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1 := st.gen()
		st.fails.Store(true)
		st.say(g1, controlMsg{Type: msgFullRun})
		st.quiet(g1)
		st.fails.Store(false)
		st.say(g1, controlMsg{Type: msgFullRun})
		st.gen()
	})
	t.Run("serving process ends", func(t *testing.T) {
		st := newSupervisorTest(t)
		g1, g2 := st.successor(false)
		st.exit(g1, errors.New("exit status 1"))
		err := <-st.done
		if err == nil || !strings.Contains(err.Error(), "serving process 1") {
			t.Errorf("run: %v", err)
		}
		if !stopped(g2) {
			t.Error("the successor outlived the serving process")
		}
	})
}

// TestOOMScoreAdj raises the process's oom_score_adj as a successor does
// and takes it back down as a successor that took over does.
func TestOOMScoreAdj(t *testing.T) {
	before, err := setOOMScoreAdj(successorOOMScoreAdj)
	if err != nil {
		t.Skipf("oom_score_adj not writable here: %v", err)
	}
	raised, err := setOOMScoreAdj(before)
	if err != nil {
		t.Fatalf("lowering oom_score_adj back to %d: %v", before, err)
	}
	if raised != successorOOMScoreAdj {
		t.Errorf("oom_score_adj %d after raising it, want %d", raised, successorOOMScoreAdj)
	}
	if now, _ := setOOMScoreAdj(before); now != before {
		t.Errorf("oom_score_adj %d after lowering it, want %d", now, before)
	}
}

// TestThrottle checks that a throttled successor is stopped and continued
// in turn, each for about its share of the period, and left running when
// released or when it exits; a share of 1 sends no signal.
func TestThrottle(t *testing.T) {
	type sig struct {
		s  os.Signal
		at time.Time
	}
	newChild := func() (*child, func() []sig) {
		var mu sync.Mutex
		var got []sig
		c := &child{exited: make(chan struct{})}
		c.signal = func(s os.Signal) error {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, sig{s, time.Now()})
			return nil
		}
		return c, func() []sig { mu.Lock(); defer mu.Unlock(); return slices.Clone(got) }
	}
	for _, share := range []float64{1, 1.5} {
		c, got := newChild()
		release := throttle(c, share)
		time.Sleep(3 * throttlePeriod)
		release()
		if n := len(got()); n != 0 {
			t.Errorf("share %v: %d signals, want none", share, n)
		}
	}
	c, got := newChild()
	start := time.Now()
	release := throttle(c, 0.25)
	time.Sleep(10 * throttlePeriod)
	release()
	sigs := got()
	stops, conts := 0, 0
	for i, s := range sigs {
		switch s.s {
		case syscall.SIGSTOP:
			stops++
			if i > 0 && sigs[i-1].s != syscall.SIGCONT {
				t.Errorf("signal %d: SIGSTOP after %v", i, sigs[i-1].s)
			}
		case syscall.SIGCONT:
			conts++
		}
	}
	if stops < 4 || stops > 11 || sigs[len(sigs)-1].s != syscall.SIGCONT || conts < stops {
		t.Errorf("%d stops, %d continues, last %v: want about 10 of each, ending continued", stops, conts, sigs[len(sigs)-1].s)
	}
	if first := sigs[0].at.Sub(start); first < throttlePeriod/4 {
		t.Errorf("first stop after %v, want after its share (%v)", first, throttlePeriod/4)
	}
	// A child that exits ends its throttle; it is continued once more.
	c, got = newChild()
	release = throttle(c, 0.5)
	time.Sleep(2 * throttlePeriod)
	close(c.exited)
	release()
	if s := got(); len(s) == 0 || s[len(s)-1].s != syscall.SIGCONT {
		t.Errorf("after exit: signals %v, want the last a SIGCONT", s)
	}
}
