//go:build linux

package main

// Full runs in a process of their own (serve --full-run-process).
//
// The process the user starts supervises: it listens and starts a serving
// process on its listener (generation 1: a `serve` with the same flags,
// the listener as file 3 and a control socket as file 4). When a full run
// is due, the serving process asks for one and the supervisor starts the
// next generation as a successor, at idle priority (SCHED_IDLE: it runs
// only on processor time nothing else wants). The successor reads the
// dataset and the claims log as a restart would, builds and detects, and
// says it is ready; the supervisor has the serving process hand over
// (server.HandOver: its intake stops, its claims log is closed, it goes on
// answering checks and reads); the successor takes over (the claims logged
// since it read the log, the ring ids and counters), returns to normal
// priority and serves the listener; the supervisor then retires the old
// process, which finishes the requests it has and exits. If the successor
// fails before it serves, the old process gets its intake back
// (server.Resume) and asks again at its next full-run tick.
//
// The checks thus never share a heap, a collector or a core's time with a
// full run; the cost is a second process holding a city while it runs,
// and websocket clients reconnecting at each take-over.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ringlens/ringlens/viz/server"
	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// Messages on a control socket between the supervisor and a generation.
const (
	msgFullRun        = "full-run"         // generation → supervisor: a full run is due
	msgReady          = "ready"            // successor → supervisor: full run done, waiting for the hand-off
	msgHandOver       = "hand-over"        // supervisor → serving generation: stop intake, hand off
	msgHanded         = "handed"           // serving generation → supervisor: the hand-off
	msgHandOverFailed = "hand-over-failed" // serving generation → supervisor
	msgTakeOver       = "take-over"        // supervisor → successor: the hand-off
	msgServing        = "serving"          // successor → supervisor: serving the listener
	msgRetire         = "retire"           // supervisor → old generation: finish and exit
	msgResume         = "resume"           // supervisor → serving generation: the successor failed, take intake back
)

// Files a generation inherits (exec.Cmd.ExtraFiles start at 3).
const (
	listenerFD = 3
	controlFD  = 4
)

// Timeouts of the hand-over.
const (
	// handOverTimeout bounds how long a serving generation waits for its
	// Run loop to finish the update in progress before handing off.
	handOverTimeout = time.Minute
	// stopTimeout is how long the supervisor waits for its generations to
	// exit after SIGTERM before killing them.
	stopTimeout = 15 * time.Second
)

// controlMsg is one line of JSON on a control socket.
type controlMsg struct {
	Type    string          `json:"type"`
	HandOff *server.HandOff `json:"hand_off,omitempty"`
	Error   string          `json:"error,omitempty"`
}

// controlConn writes and reads control messages.
type controlConn struct {
	conn net.Conn
	mu   sync.Mutex
	enc  *json.Encoder
	dec  *json.Decoder
}

// newControlConn wraps c.
func newControlConn(c net.Conn) *controlConn {
	return &controlConn{conn: c, enc: json.NewEncoder(c), dec: json.NewDecoder(c)}
}

// send writes m.
func (c *controlConn) send(m controlMsg) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.enc.Encode(m); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	return nil
}

// receive reads the next message.
func (c *controlConn) receive() (controlMsg, error) {
	var m controlMsg
	err := c.dec.Decode(&m)
	return m, err
}

// generationLink is a serving process's side of its control socket.
type generationLink struct {
	ctl       *controlConn
	successor bool
	log       zerolog.Logger
	takeOver  chan *server.HandOff // the hand-off, for a successor's Ready
	cancel    context.CancelFunc
	drain     func() // stops accepting and waits for the connections to close (drainer)
	oomAdj    int    // the process's oom_score_adj before a successor raised it
	procs     int    // a successor's GOMAXPROCS before it lowered it
}

// successorProcs returns the processors of the Go scheduler (GOMAXPROCS)
// of a successor until it serves, for --full-run-workers workers on a
// process of procs processors: those of a background full run
// (server.BackgroundWorkers), at most procs.
func successorProcs(workers, procs int) int {
	if w := server.BackgroundWorkers(workers, procs); w > 0 {
		return min(w, procs)
	}
	return procs
}

// runGeneration is `serve --generation N`: a serving process started by
// the supervisor, on the inherited listener and control socket.
func runGeneration(c *cli.Context, log zerolog.Logger, sc *serveConfig) error {
	successor := c.Bool("successor")
	oomAdj, procs := 0, 0
	if successor {
		// The full run gets the processors of a background full run, so
		// that a core stays free for the serving process: at idle
		// priority it yields the cores to it, but not the caches, nor a
		// processor running it at once (1.6 times as many checks of the
		// serving process answered in more than 1.5 ms while a successor
		// ran on two processors as on one).
		procs = runtime.GOMAXPROCS(successorProcs(sc.cfg.FullRunWorkers, runtime.GOMAXPROCS(0)))
		log.Info().Int("processors", runtime.GOMAXPROCS(0)).Msg("full run in a process of its own") // as set
		if err := setIdleScheduling(true); err != nil {
			log.Warn().Err(err).Msg("the full run runs at normal priority")
		}
		// Two cities in memory: if the machine runs out, the kernel ends
		// the full run, not the process answering the checks.
		var err error
		if oomAdj, err = setOOMScoreAdj(successorOOMScoreAdj); err != nil {
			log.Warn().Err(err).Msg("the full-run process is not marked first to end when memory runs out")
		}
	}
	ln, err := net.FileListener(os.NewFile(listenerFD, "listener"))
	if err != nil {
		return fmt.Errorf("serve: inherited listener: %w", err)
	}
	conn, err := net.FileConn(os.NewFile(controlFD, "control"))
	if err != nil {
		ln.Close()
		return fmt.Errorf("serve: control socket: %w", err)
	}
	defer conn.Close()
	link := &generationLink{ctl: newControlConn(conn), successor: successor, log: log, takeOver: make(chan *server.HandOff, 1), oomAdj: oomAdj, procs: procs}
	return serveOn(c, log, sc, ln, link)
}

// configure sets cfg's hand-over hooks; serving is closed when the
// listener may be served (at once, unless a successor).
func (l *generationLink) configure(cfg *server.Config, cancel context.CancelFunc, serving chan struct{}) {
	l.cancel = cancel
	cfg.FullRunApart = func() {
		if err := l.ctl.send(controlMsg{Type: msgFullRun}); err != nil {
			l.log.Warn().Err(err).Msg("asking for a full run")
		}
	}
	if !l.successor {
		close(serving)
		return
	}
	cfg.Successor = &server.Successor{
		Ready: func(ctx context.Context) (*server.HandOff, error) {
			// The full run's garbage was collected and its memory
			// returned by Run, at idle priority.
			if err := l.ctl.send(controlMsg{Type: msgReady}); err != nil {
				return nil, err
			}
			select {
			case h := <-l.takeOver:
				return h, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		},
		Adopted: func() {
			runtime.GOMAXPROCS(l.procs)
			if err := setIdleScheduling(false); err != nil {
				l.log.Warn().Err(err).Msg("serving at idle priority")
			}
			if _, err := setOOMScoreAdj(l.oomAdj); err != nil {
				l.log.Warn().Err(err).Msg("serving marked first to end when memory runs out")
			}
			close(serving)
			if err := l.ctl.send(controlMsg{Type: msgServing}); err != nil {
				l.log.Warn().Err(err).Msg("telling the supervisor")
			}
		},
	}
}

// start reads the supervisor's messages until ctx ends or the socket
// closes (the supervisor is gone: the process stops).
func (l *generationLink) start(ctx context.Context, srv *server.Server, drain func()) {
	l.drain = drain
	go func() {
		defer l.cancel()
		for {
			m, err := l.ctl.receive()
			if err != nil {
				if ctx.Err() == nil {
					l.log.Warn().Err(err).Msg("control socket closed: stopping")
				}
				return
			}
			// One message at a time: a resume that follows a hand-over
			// finds it done.
			switch m.Type {
			case msgHandOver:
				l.handOver(ctx, srv)
			case msgResume:
				if err := srv.Resume(); err != nil {
					l.log.Error().Err(err).Msg("intake not resumed")
				}
			case msgTakeOver:
				if m.HandOff == nil {
					l.log.Error().Msg("take-over without a hand-off")
					return
				}
				l.takeOver <- m.HandOff
			case msgRetire:
				l.log.Info().Msg("the successor serves: finishing requests and stopping")
				l.drain()
				return
			}
		}
	}()
}

// handOver hands the server's work off and sends the hand-off.
func (l *generationLink) handOver(ctx context.Context, srv *server.Server) {
	hctx, cancel := context.WithTimeout(ctx, handOverTimeout)
	defer cancel()
	h, err := srv.HandOver(hctx)
	m := controlMsg{Type: msgHanded, HandOff: h}
	if err != nil {
		m = controlMsg{Type: msgHandOverFailed, Error: err.Error()}
	}
	if err := l.ctl.send(m); err != nil {
		l.log.Error().Err(err).Msg("sending the hand-off")
	}
}

// child is a generation as the supervisor sees it.
type child struct {
	n      int
	send   func(controlMsg) error // writes to its control socket
	signal func(os.Signal) error  // signals its process
	exited chan struct{}          // closed once the process has exited
}

// childEvent is a message from a child or its exit (exited, with err).
type childEvent struct {
	from   *child
	msg    controlMsg
	exited bool
	err    error
}

// supervisor starts and replaces the serving generations.
type supervisor struct {
	// start starts generation n (a successor when successor is set):
	// spawn, or a fake in tests.
	start  func(n int, successor bool) (*child, error)
	log    zerolog.Logger
	args   []string // serve's command line, without the program
	ln     *os.File // the listener every generation serves
	events chan childEvent
	done   chan struct{} // closed when the supervisor returns
	// share is the share of the time a successor runs until it is ready
	// (--full-run-share; 1 or more: all of it). Below 1, the supervisor
	// stops it (SIGSTOP) for the rest of every throttlePeriod.
	share float64
}

// throttlePeriod is the period of a throttled successor's runs and stops:
// short enough that the checks see a steady share, long enough that the
// signals cost nothing.
const throttlePeriod = 20 * time.Millisecond

// throttle stops and continues c (SIGSTOP, SIGCONT) so that it runs share
// of every throttlePeriod, until the function it returns is called, which
// leaves c running. With share 1 or more it does nothing.
func throttle(c *child, share float64) (release func()) {
	if share >= 1 || share <= 0 {
		return func() {}
	}
	on := time.Duration(share * float64(throttlePeriod))
	quit, done := make(chan struct{}), make(chan struct{})
	// wait waits d, reporting false when released or c exited first.
	wait := func(d time.Duration) bool {
		select {
		case <-quit:
			return false
		case <-c.exited:
			return false
		case <-time.After(d):
			return true
		}
	}
	go func() {
		defer close(done)
		defer func() { _ = c.signal(syscall.SIGCONT) }() // fails once it has exited
		for wait(on) && c.signal(syscall.SIGSTOP) == nil && wait(throttlePeriod-on) && c.signal(syscall.SIGCONT) == nil {
			// each turn: runs for on, stopped for the rest of the period
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}

// superviseServe is `serve --full-run-process`.
func superviseServe(c *cli.Context, log zerolog.Logger, sc *serveConfig) error {
	if testing.Testing() {
		// The processes started are this executable: a test binary would
		// run its tests again.
		return usagef("serve: --full-run-process starts the ringlens binary again, which a test binary is not; pass --full-run-process=false")
	}
	l, err := net.Listen("tcp", sc.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sc.addr, err)
	}
	lf, err := l.(*net.TCPListener).File()
	l.Close() // lf holds the socket
	if err != nil {
		return fmt.Errorf("serve: listener: %w", err)
	}
	defer lf.Close()
	url := "http://" + l.Addr().String() + "/"
	if sc.cfg.Token != "" {
		url += "?token=<token>"
	}
	fmt.Fprintf(c.App.Writer, "serving on %s\n", url)
	log.Info().Str("url", url).Str("in", sc.in).Str("state", sc.state).Bool("follow", c.Bool("follow")).
		Msg("listening; full runs in processes of their own")
	sv := &supervisor{log: log, args: slices.Clone(os.Args[1:]), ln: lf, events: make(chan childEvent), done: make(chan struct{}),
		share: c.Float64("full-run-share")}
	sv.start = sv.spawn
	defer close(sv.done)
	return sv.run(c.Context)
}

// run starts generation 1 and replaces it with a successor at every full
// run, until ctx ends or the serving generation exits.
func (sv *supervisor) run(ctx context.Context) error {
	n := 1
	cur, err := sv.start(n, false)
	if err != nil {
		return err
	}
	var (
		next     *child
		handing  bool                // cur was asked to hand over to next
		retiring = map[*child]bool{} // old generations finishing their requests
		started  time.Time           // when next was started
		release  = func() {}         // ends next's throttle
	)
	defer func() { release() }()
	// dropNext forgets the successor, which has ended or is stopped
	// (stop consumes its exit): cur takes its intake back if it was
	// handing over (a no-op if it had not begun to).
	dropNext := func(stop bool) error {
		release()
		if stop {
			sv.stop([]*child{next})
		}
		next = nil
		if !handing {
			return nil
		}
		handing = false
		return cur.send(controlMsg{Type: msgResume})
	}
	for {
		var ev childEvent
		select {
		case <-ctx.Done():
			release()
			sv.stop(append(slices.Collect(maps.Keys(retiring)), cur, next))
			return nil
		case ev = <-sv.events:
		}
		switch {
		case ev.exited && ev.from == cur:
			if next != nil {
				release()
				sv.stop([]*child{next})
			}
			sv.stop(slices.Collect(maps.Keys(retiring)))
			if ev.err != nil {
				return fmt.Errorf("serving process %d: %w", cur.n, ev.err)
			}
			return nil
		case ev.exited && ev.from == next:
			sv.log.Error().Err(ev.err).Int("process", next.n).Msg("the full-run process ended before it took over")
			if err := dropNext(false); err != nil {
				return err
			}
		case ev.exited: // a retired process, or a successor stopped before
			if retiring[ev.from] && ev.err != nil {
				sv.log.Warn().Err(ev.err).Int("process", ev.from.n).Msg("retired process")
			}
			delete(retiring, ev.from)
		case ev.from == cur && ev.msg.Type == msgFullRun && next == nil:
			n++
			if next, err = sv.start(n, true); err != nil {
				sv.log.Error().Err(err).Msg("starting a full-run process")
				next = nil
				continue
			}
			started = time.Now()
			release = throttle(next, sv.share)
			sv.log.Info().Int("process", n).Msg("full run started in a process of its own")
		case ev.from == next && ev.msg.Type == msgReady:
			release() // the hand-over runs at full speed
			handing = true
			if err := cur.send(controlMsg{Type: msgHandOver}); err != nil {
				return err
			}
		case ev.from == cur && ev.msg.Type == msgHanded:
			if !handing || next == nil {
				// The successor ended while cur handed over: cur takes its
				// intake back (a resume sent at the successor's end may
				// have found the hand-over not done yet).
				if err := cur.send(controlMsg{Type: msgResume}); err != nil {
					return err
				}
				continue
			}
			if err := next.send(controlMsg{Type: msgTakeOver, HandOff: ev.msg.HandOff}); err != nil {
				sv.log.Error().Err(err).Msg("handing off")
				if err := dropNext(true); err != nil {
					return err
				}
			}
		case ev.from == cur && ev.msg.Type == msgHandOverFailed:
			sv.log.Error().Str("error", ev.msg.Error).Msg("the serving process could not hand over")
			if next != nil {
				if err := dropNext(true); err != nil {
					return err
				}
			}
		case ev.from == next && ev.msg.Type == msgServing:
			if err := cur.send(controlMsg{Type: msgRetire}); err != nil {
				sv.log.Warn().Err(err).Msg("retiring the old process")
			}
			retiring[cur] = true
			sv.log.Info().Int("process", next.n).Str("after", time.Since(started).Round(time.Millisecond).String()).
				Msg("the full-run process took over")
			cur, next, handing = next, nil, false
		}
	}
}

// spawn starts generation n on the listener.
func (sv *supervisor) spawn(n int, successor bool) (*child, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("serve: control socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	defer theirs.Close()
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		return nil, fmt.Errorf("serve: control socket: %w", err)
	}
	args := append(slices.Clone(sv.args), "--generation", strconv.Itoa(n))
	if successor {
		args = append(args, "--successor")
	}
	// The running binary, even if the file was replaced since.
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Args[0] = os.Args[0] // as ps shows it
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{sv.ln, theirs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, fmt.Errorf("serve: start process %d: %w", n, err)
	}
	ctl := newControlConn(conn)
	ch := &child{n: n, send: ctl.send, signal: cmd.Process.Signal, exited: make(chan struct{})}
	go func() {
		for {
			m, err := ctl.receive()
			if err != nil {
				return
			}
			select {
			case sv.events <- childEvent{from: ch, msg: m}:
			case <-sv.done:
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		conn.Close()
		close(ch.exited)
		select {
		case sv.events <- childEvent{from: ch, exited: true, err: err}:
		case <-sv.done:
		}
	}()
	return ch, nil
}

// stop sends SIGTERM to the children and waits for them to exit, killing
// those still running after stopTimeout. Their exit events still come to
// the run loop afterwards.
func (sv *supervisor) stop(children []*child) {
	for _, c := range children {
		if c != nil {
			_ = c.signal(syscall.SIGTERM) // fails for one that has exited
		}
	}
	deadline := time.After(stopTimeout)
	for _, c := range children {
		if c == nil {
			continue
		}
		select {
		case <-c.exited:
		case <-deadline:
			_ = c.signal(os.Kill)
			<-c.exited
		}
	}
}

// successorOOMScoreAdj is a successor's oom_score_adj until it takes
// over: the most likely process to end when memory runs out.
const successorOOMScoreAdj = 1000

// setOOMScoreAdj sets the process's oom_score_adj (proc(5)) and returns
// the value before. Raising it needs no privilege; lowering it back to
// the value a process started with does not either.
func setOOMScoreAdj(v int) (int, error) {
	const path = "/proc/self/oom_score_adj"
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("oom_score_adj: %w", err)
	}
	old, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("oom_score_adj: %w", err)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(v)), 0); err != nil {
		return old, fmt.Errorf("oom_score_adj: %w", err)
	}
	return old, nil
}

// Scheduling policies of sched_setscheduler(2).
const (
	schedOther = 0
	schedIdle  = 5
)

// setIdleScheduling puts every thread of the process under SCHED_IDLE
// (idle) or back under SCHED_OTHER. Threads started later inherit the
// policy of the thread starting them; a second pass catches those started
// during the first.
func setIdleScheduling(idle bool) error {
	policy := schedOther
	if idle {
		policy = schedIdle
	}
	for range 2 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("scheduling: %w", err)
		}
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			var param struct{ priority int32 }
			_, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), uintptr(policy), uintptr(unsafe.Pointer(&param)))
			if errno != 0 && !errors.Is(errno, syscall.ESRCH) { // ESRCH: the thread ended meanwhile
				return fmt.Errorf("scheduling thread %d: %w", tid, errno)
			}
		}
	}
	return nil
}
