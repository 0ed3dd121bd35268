package entrypoint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ---- fakes -------------------------------------------------------------------

type waitFn func(ctx context.Context, paths []string, opt WaitOptions) ([]string, error)

// fakeWaiter answers each Wait by the first path's behaviour; unknown paths exist.
type fakeWaiter struct {
	mu    sync.Mutex
	by    map[string]waitFn
	calls [][]string
	opts  []WaitOptions
}

func (w *fakeWaiter) Wait(ctx context.Context, paths []string, opt WaitOptions) ([]string, error) {
	w.mu.Lock()
	w.calls = append(w.calls, paths)
	w.opts = append(w.opts, opt)
	fn := w.by[paths[0]]
	w.mu.Unlock()
	if fn == nil {
		return nil, nil
	}
	return fn(ctx, paths, opt)
}

func waitOK() waitFn {
	return func(context.Context, []string, WaitOptions) ([]string, error) { return nil, nil }
}
func waitFail() waitFn {
	return func(_ context.Context, p []string, _ WaitOptions) ([]string, error) { return p[:1], nil }
}

// waitUntil blocks until release is closed (then ok) or ctx ends.
func waitUntil(release <-chan struct{}) waitFn {
	return func(ctx context.Context, _ []string, _ WaitOptions) ([]string, error) {
		select {
		case <-release:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func waitForever() waitFn { return waitUntil(nil) }

type fakeProc struct {
	mu       sync.Mutex
	sigs     []syscall.Signal
	done     chan ExitStatus
	exited   bool
	onSignal func(p *fakeProc, s syscall.Signal)
}

func (p *fakeProc) Pid() int                { return 4242 }
func (p *fakeProc) Done() <-chan ExitStatus { return p.done }
func (p *fakeProc) Signal(s syscall.Signal) error {
	p.mu.Lock()
	p.sigs = append(p.sigs, s)
	f := p.onSignal
	p.mu.Unlock()
	if f != nil {
		f(p, s)
	}
	return nil
}
func (p *fakeProc) exit(st ExitStatus) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.exited {
		p.exited = true
		p.done <- st
	}
}
func (p *fakeProc) signals() []syscall.Signal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sigs)
}

// dieOn makes the fake child die from the given signals (default action).
func dieOn(sigs ...syscall.Signal) func(*fakeProc, syscall.Signal) {
	return func(p *fakeProc, s syscall.Signal) {
		if slices.Contains(sigs, s) {
			p.exit(ExitStatus{Signal: s})
		}
	}
}

type fakeExec struct {
	mu       sync.Mutex
	err      error
	proc     *fakeProc
	specs    []ProcSpec
	startedC chan struct{}
}

func (e *fakeExec) Start(spec ProcSpec) (Process, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.specs = append(e.specs, spec)
	if e.err != nil {
		return nil, e.err
	}
	close(e.startedC)
	return e.proc, nil
}

// fakeStatus keeps an in-memory file system and the order of operations.
type fakeStatus struct {
	mu       sync.Mutex
	initErr  error
	writeErr map[string]bool
	files    map[string]string
	written  map[string]bool // every path ever written
	log      []string
	term     []byte
}

func (s *fakeStatus) Init(dir string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, "init "+dir)
	return s.initErr
}
func (s *fakeStatus) Lock(dir, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[dir+"/lock"] = content
	s.log = append(s.log, "lock "+dir)
	return nil
}
func (s *fakeStatus) MkParent(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, "mkparent "+path)
	return nil
}
func (s *fakeStatus) Write(path, content string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writeErr[path] {
		s.log = append(s.log, "failed write "+path)
		return errors.New("write " + path + ": no space left on device")
	}
	s.files[path] = content
	if s.written == nil {
		s.written = map[string]bool{}
	}
	s.written[path] = true
	s.log = append(s.log, "write "+path)
	return nil
}
func (s *fakeStatus) Remove(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.files, path)
	s.log = append(s.log, "remove "+path)
	return nil
}
func (s *fakeStatus) WriteTermination(path string, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.term = msg
	s.log = append(s.log, "term "+path)
	return nil
}
func (s *fakeStatus) has(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.files[path]
	return ok
}

// wrote reports whether path was written during the run (it may be removed since).
func (s *fakeStatus) wrote(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written[path]
}
func (s *fakeStatus) index(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Index(s.log, op)
}

// ---- harness -----------------------------------------------------------------

const sd = "/run/app" // the status dir in runner tests

type harness struct {
	t      *testing.T
	sigs   chan os.Signal
	proc   *fakeProc
	exec   *fakeExec
	status *fakeStatus
	waiter *fakeWaiter
}

func (h *harness) started() bool {
	select {
	case <-h.exec.startedC:
		return true
	default:
		return false
	}
}

func (h *harness) waitStarted() {
	select {
	case <-h.exec.startedC:
	case <-time.After(5 * time.Second):
		h.t.Fatal("child never started")
	}
}

func (h *harness) eventually(what string, cond func() bool) {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

type runnerCase struct {
	name       string
	cfg        Config
	waits      map[string]waitFn
	startErr   error
	statusErr  error
	writeErr   map[string]bool
	prober     Prober
	onSignal   func(*fakeProc, syscall.Signal)
	drive      func(h *harness) // runs while Run runs
	wantCode   int
	wantFiles  []string // must exist at the end ("" prefix-less names are in sd)
	wantAbsent []string
	wantSigs   []syscall.Signal // exactly these reach the child, in order
	notStarted bool
	wantReason string
	check      func(h *harness)
}

func abs(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return sd + "/" + name
}

func runCase(t *testing.T, tc runnerCase) {
	t.Helper()
	cfg := tc.cfg
	if cfg.Argv == nil {
		cfg.Argv = []string{"app"}
	}
	if cfg.StatusDir == "" {
		cfg.StatusDir = sd
	}
	if cfg.ReadyPeriod == 0 {
		cfg.ReadyPeriod = 5 * time.Millisecond
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 5 * time.Second
	}
	if cfg.Ready == ReadySelf {
		cfg.ReadyTarget = cfg.SelfReadyFile()
	}
	h := &harness{
		t:      t,
		sigs:   make(chan os.Signal, 16),
		proc:   &fakeProc{done: make(chan ExitStatus, 1), onSignal: tc.onSignal},
		status: &fakeStatus{files: map[string]string{}, initErr: tc.statusErr, writeErr: tc.writeErr},
		waiter: &fakeWaiter{by: tc.waits},
	}
	h.exec = &fakeExec{err: tc.startErr, proc: h.proc, startedC: make(chan struct{})}
	// Stale files from a previous run of this container.
	for _, n := range []string{"started", "ready", "completed", "exited", "completed.err", "self-ready"} {
		h.status.files[abs(n)] = "old"
	}
	r := &Runner{
		Cfg: cfg, Waiter: h.waiter, Exec: h.exec, Status: h.status, Prober: tc.prober,
		Signals: h.sigs, Env: []string{"A=1"},
	}
	before := fmt.Sprintf("%#v", cfg)
	resc := make(chan Result, 1)
	go func() { resc <- r.Run() }()
	if tc.drive != nil {
		tc.drive(h)
	}
	var res Result
	select {
	case res = <-resc:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	if after := fmt.Sprintf("%#v", r.Cfg); after != before {
		t.Errorf("Run changed its Config:\n%s\nbecame\n%s", before, after)
	}
	if res.Code != tc.wantCode {
		t.Errorf("code = %d, want %d (reason %q)", res.Code, tc.wantCode, res.Reason)
	}
	if tc.wantReason != "" && !strings.Contains(res.Reason, tc.wantReason) {
		t.Errorf("reason = %q, want it to contain %q", res.Reason, tc.wantReason)
	}
	if got := h.started(); got == tc.notStarted {
		t.Errorf("child started = %v, want %v", got, !tc.notStarted)
	}
	for _, f := range tc.wantFiles {
		if !h.status.wrote(abs(f)) {
			t.Errorf("missing %s; log: %v", f, h.status.log)
		}
	}
	for _, f := range tc.wantAbsent {
		if h.status.has(abs(f)) || h.status.wrote(abs(f)) {
			t.Errorf("unexpected %s", f)
		}
	}
	// A wrapper that ends leaves neither ready nor started behind.
	if tc.statusErr == nil {
		for _, f := range []string{"ready", "started"} {
			if h.status.has(abs(f)) {
				t.Errorf("%s left behind at the end: %v", f, h.status.log)
			}
		}
	}
	if got := h.status.files[abs("exited")]; (tc.statusErr == nil) != (got == itoa(tc.wantCode)) {
		t.Errorf("exited file = %q, want %q", got, itoa(tc.wantCode))
	}
	if tc.wantSigs != nil || tc.onSignal != nil {
		if got := h.proc.signals(); !slices.Equal(got, tc.wantSigs) {
			t.Errorf("signals to child = %v, want %v", got, tc.wantSigs)
		}
	}
	// Every stale file is removed before the lock is taken and anything is written;
	// later only ready and started are removed, and exited comes last.
	lastRemove, firstWrite := -1, len(h.status.log)
	for i, op := range h.status.log {
		if strings.HasPrefix(op, "remove ") && (firstWrite == len(h.status.log) || !(op == "remove "+abs("ready") || op == "remove "+abs("started"))) {
			lastRemove = i
		} else if (strings.HasPrefix(op, "write ") || strings.HasPrefix(op, "lock ")) && firstWrite == len(h.status.log) {
			firstWrite = i
		}
	}
	if tc.statusErr == nil && lastRemove > firstWrite {
		t.Errorf("stale files removed after the first write: %v", h.status.log)
	}
	if n := len(h.status.log); tc.statusErr == nil && (n == 0 || h.status.log[n-1] != "write "+abs("exited")) {
		t.Errorf("exited is not the last write: %v", h.status.log)
	}
	if !strings.Contains(string(h.status.term), `"exitCode":`+itoa(tc.wantCode)) && cfg.TerminationPath != "" {
		t.Errorf("termination message %s lacks exit code %d", h.status.term, tc.wantCode)
	}
	if tc.check != nil {
		tc.check(h)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func exitWith(code int) func(h *harness) {
	return func(h *harness) { h.waitStarted(); h.proc.exit(ExitStatus{Code: code}) }
}

func TestRunner(t *testing.T) {
	dep := "/run/db/ready"
	cases := []runnerCase{
		{
			name:       "child exits 0",
			cfg:        Config{PostFile: "/out/post", TerminationPath: "/dev/termination-log"},
			drive:      exitWith(0),
			wantCode:   0,
			wantFiles:  []string{"started", "ready", "completed", "/out/post"},
			wantAbsent: []string{"completed.err", "ready.err", "/out/post.err", "self-ready"},
			wantReason: "Completed",
		},
		{
			name:       "child exits 3",
			cfg:        Config{PostFile: "/out/post", TerminationPath: "/dev/termination-log"},
			drive:      exitWith(3),
			wantCode:   3,
			wantFiles:  []string{"started", "ready", "completed.err", "/out/post.err"},
			wantAbsent: []string{"completed", "/out/post"},
		},
		{
			name:       "child killed by SIGKILL",
			drive:      func(h *harness) { h.waitStarted(); h.proc.exit(ExitStatus{Signal: syscall.SIGKILL}) },
			wantCode:   137,
			wantFiles:  []string{"completed.err"},
			wantReason: "Signaled",
		},
		{
			name:       "command not found",
			cfg:        Config{PostFile: "/out/post"},
			startErr:   &StartError{Code: ExitNotFound, Path: "app", Err: errors.New("not found")},
			wantCode:   127,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err", "/out/post.err"},
			wantAbsent: []string{"started", "ready", "completed"},
			wantReason: "CommandNotFound",
		},
		{
			name:       "not executable",
			startErr:   &StartError{Code: ExitNotExecutable, Path: "app", Err: syscall.EACCES},
			wantCode:   126,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantReason: "NotExecutable",
		},
		{
			name:       "dependency failed",
			cfg:        Config{WaitFiles: []string{dep}, TerminationPath: "/dev/termination-log"},
			waits:      map[string]waitFn{dep: waitFail()},
			wantCode:   3,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantAbsent: []string{"started"},
			wantReason: dep + ".err",
			check: func(h *harness) {
				if !strings.Contains(string(h.status.term), "DependencyFailed") {
					t.Errorf("termination message %s lacks the reason", h.status.term)
				}
			},
		},
		{
			name:       "wait timeout",
			cfg:        Config{WaitFiles: []string{dep}, WaitTimeout: 20 * time.Millisecond},
			waits:      map[string]waitFn{dep: waitForever()},
			wantCode:   3,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantReason: "WaitTimeout",
		},
		{
			name:  "SIGTERM while waiting",
			cfg:   Config{WaitFiles: []string{dep}},
			waits: map[string]waitFn{dep: waitForever()},
			drive: func(h *harness) {
				h.sigs <- syscall.SIGUSR1 // not terminating: ignored while waiting
				h.sigs <- syscall.SIGTERM
			},
			wantCode:   143,
			notStarted: true,
			wantFiles:  []string{"started.err"},
		},
		{
			name: "unreadable dependency directory",
			cfg:  Config{WaitFiles: []string{dep}},
			waits: map[string]waitFn{dep: func(context.Context, []string, WaitOptions) ([]string, error) {
				return nil, &AccessError{Path: "/run/db", Err: syscall.EACCES}
			}},
			wantCode:   2,
			notStarted: true,
			wantReason: "/run/db",
		},
		{
			name:       "status dir unwritable",
			cfg:        Config{PostFile: "/out/post"},
			statusErr:  &IOError{Op: "status dir", Err: syscall.EROFS},
			wantCode:   4,
			notStarted: true,
			wantFiles:  []string{"/out/post.err"},
			check: func(h *harness) {
				for _, op := range h.status.log {
					if strings.HasPrefix(op, "write "+sd) {
						t.Errorf("wrote into the broken status dir: %v", h.status.log)
					}
				}
			},
		},
		{
			name: "signals are forwarded except SIGCHLD and SIGURG",
			drive: func(h *harness) {
				h.waitStarted()
				for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGCHLD, syscall.SIGURG, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGTERM} {
					h.sigs <- s
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGTERM},
		},
		{
			name:  "stop_after holds SIGTERM until the files exist",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}},
			waits: map[string]waitFn{"/run/web/exited": waitAfter(60 * time.Millisecond)},
			drive: func(h *harness) {
				h.waitStarted()
				h.sigs <- syscall.SIGTERM
				h.sigs <- syscall.SIGUSR2 // other signals still pass during the hold
				h.eventually("SIGUSR2", func() bool { return len(h.proc.signals()) == 1 })
				time.Sleep(20 * time.Millisecond)
				if got := h.proc.signals(); !slices.Equal(got, []syscall.Signal{syscall.SIGUSR2}) {
					h.t.Errorf("during the hold the child got %v", got)
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGUSR2, syscall.SIGTERM},
		},
		{
			name:  "stop_after gives up after stop_grace",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}, StopGrace: 40 * time.Millisecond},
			waits: map[string]waitFn{"/run/web/exited": waitForever()},
			drive: func(h *harness) {
				h.waitStarted()
				start := time.Now()
				h.sigs <- syscall.SIGTERM
				h.eventually("SIGTERM", func() bool { return len(h.proc.signals()) == 1 })
				if d := time.Since(start); d < 35*time.Millisecond {
					h.t.Errorf("SIGTERM forwarded after %v, before stop_grace", d)
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGTERM},
		},
		{
			name:  "a second SIGTERM ends the hold",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}},
			waits: map[string]waitFn{"/run/web/exited": waitForever()},
			drive: func(h *harness) {
				h.waitStarted()
				h.sigs <- syscall.SIGTERM
				h.sigs <- syscall.SIGTERM
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGTERM},
		},
		{
			name:      "exit_with stops a sidecar and exits 0",
			cfg:       Config{ExitWith: []string{"/run/main/exited"}, PostFile: "/out/post"},
			waits:     map[string]waitFn{"/run/main/exited": waitAfter(20 * time.Millisecond)},
			onSignal:  dieOn(syscall.SIGTERM),
			wantCode:  0,
			wantSigs:  []syscall.Signal{syscall.SIGTERM},
			wantFiles: []string{"completed", "/out/post"},
		},
		{
			name:      "exit_with kills a child that ignores SIGTERM",
			cfg:       Config{ExitWith: []string{"/run/main/exited"}, StopGrace: 30 * time.Millisecond},
			waits:     map[string]waitFn{"/run/main/exited": waitOK()},
			onSignal:  dieOn(syscall.SIGKILL),
			wantCode:  0,
			wantSigs:  []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL},
			wantFiles: []string{"completed"},
		},
		{
			name:       "timeout",
			cfg:        Config{Timeout: 20 * time.Millisecond, TerminationPath: "/dev/termination-log"},
			onSignal:   dieOn(syscall.SIGTERM),
			wantCode:   124,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"completed.err"},
			wantReason: "Timeout",
		},
		{
			name:  "ready_file becomes ready while running",
			cfg:   Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready"},
			waits: map[string]waitFn{"/tmp/app-ready": waitAfter(20 * time.Millisecond)},
			drive: func(h *harness) {
				h.waitStarted()
				h.eventually("ready", func() bool { return h.status.has(abs("ready")) })
				if h.status.index("write "+abs("started")) > h.status.index("write "+abs("ready")) {
					h.t.Errorf("ready before started: %v", h.status.log)
				}
				h.proc.exit(ExitStatus{Code: 0})
			},
			wantFiles: []string{"started", "ready", "completed"},
		},
		{
			// Finding 6: a readiness timeout used to leave the child running with a
			// permanent ready.err; now it stops the child, as native mode restarts it.
			name:     "ready_timeout stops the child and exits 5; final under Never",
			cfg:      Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready", ReadyTimeout: 20 * time.Millisecond},
			waits:    map[string]waitFn{"/tmp/app-ready": waitForever()},
			onSignal: dieOn(syscall.SIGTERM),
			drive: func(h *harness) {
				h.waitStarted()
			},
			wantCode:   ExitReadyTimeout,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"started", "ready.err", "completed.err"},
			wantAbsent: []string{"ready", "completed"},
			wantReason: "ReadyTimeout",
		},
		{
			name:       "ready_timeout under Always: restarted, so no .err",
			cfg:        Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready", ReadyTimeout: 20 * time.Millisecond, RestartPolicy: RestartAlways},
			waits:      map[string]waitFn{"/tmp/app-ready": waitForever()},
			onSignal:   dieOn(syscall.SIGTERM),
			drive:      func(h *harness) { h.waitStarted() },
			wantCode:   ExitReadyTimeout,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"started"},
			wantAbsent: []string{"ready", "ready.err", "completed", "completed.err"},
		},
		{
			name:       "OnFailure: a failed exit is not final (no .err, the kubelet restarts)",
			cfg:        Config{RestartPolicy: RestartOnFailure, PostFile: "/out/post"},
			drive:      exitWith(1),
			wantCode:   1,
			wantAbsent: []string{"completed", "completed.err", "/out/post.err", "ready.err"},
		},
		{
			name:      "OnFailure: exit 0 is final",
			cfg:       Config{RestartPolicy: RestartOnFailure},
			drive:     exitWith(0),
			wantFiles: []string{"completed"},
		},
		{
			name:       "Always: a dependency failure is still permanent",
			cfg:        Config{RestartPolicy: RestartAlways, WaitFiles: []string{"/run/dep/ready"}},
			waits:      map[string]waitFn{"/run/dep/ready": waitFail()},
			notStarted: true,
			wantCode:   ExitDependency,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
		},
		{
			name:       "Always: -wait_timeout is not final",
			cfg:        Config{RestartPolicy: RestartAlways, WaitFiles: []string{"/run/dep/ready"}, WaitTimeout: 10 * time.Millisecond},
			waits:      map[string]waitFn{"/run/dep/ready": waitForever()},
			notStarted: true,
			wantCode:   ExitDependency,
			wantAbsent: []string{"started.err", "ready.err", "completed.err"},
		},
		{
			name:       "on_error continue: a failed child ends the wrapper with 0 and the post file",
			cfg:        Config{OnError: "continue", PostFile: "/out/post"},
			drive:      exitWith(7),
			wantCode:   0,
			wantFiles:  []string{"completed", "/out/post"},
			wantAbsent: []string{"completed.err", "/out/post.err"},
			wantReason: "OnErrorContinue: Error: exit code 7",
		},
		{
			name:  "wait_status paths are waited on with live semantics",
			cfg:   Config{WaitFiles: []string{"/startorder/downward/ready"}, WaitStatus: []string{"/run/db/ready"}},
			drive: exitWith(0),
			check: func(h *harness) {
				if len(h.waiter.calls) == 0 || !slices.Equal(h.waiter.calls[0], []string{"/startorder/downward/ready", "/run/db/ready"}) {
					t.Errorf("calls %v", h.waiter.calls)
				}
				if o := h.waiter.opts[0]; o.Live["/startorder/downward/ready"] || !o.Live["/run/db/ready"] {
					t.Errorf("live %v", o.Live)
				}
			},
			wantFiles: []string{"completed"},
		},
		{
			// Finding 7: a failed write after the start used to end with the child's 0.
			name:       "a status write that fails after the start ends non-zero",
			cfg:        Config{},
			writeErr:   map[string]bool{abs("completed"): true},
			drive:      exitWith(0),
			wantCode:   ExitIO,
			wantReason: "Completed",
		},
		{
			name:       "exit 0 before ready counts as ready and completed",
			cfg:        Config{Ready: ReadySelf},
			waits:      map[string]waitFn{sd + "/self-ready": waitForever()},
			drive:      exitWith(0),
			wantFiles:  []string{"ready", "completed"},
			wantAbsent: []string{"ready.err", "self-ready"},
			check: func(h *harness) {
				if !slices.Contains(h.exec.specs[0].Env, "STARTORDER_READY_FILE="+sd+"/self-ready") {
					t.Errorf("env = %v", h.exec.specs[0].Env)
				}
			},
		},
		{
			name:       "exit 1 before ready",
			cfg:        Config{Ready: ReadySelf},
			waits:      map[string]waitFn{sd + "/self-ready": waitForever()},
			drive:      exitWith(1),
			wantCode:   1,
			wantFiles:  []string{"ready.err", "completed.err"},
			wantAbsent: []string{"ready"},
		},
		{
			name:   "periodic prober",
			cfg:    Config{Ready: ReadyTCP, ReadyTarget: "127.0.0.1:1"},
			prober: &countingProber{failures: 3},
			drive: func(h *harness) {
				h.waitStarted()
				h.eventually("ready", func() bool { return h.status.has(abs("ready")) })
				h.proc.exit(ExitStatus{Code: 0})
			},
			wantFiles: []string{"ready", "completed"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, tc)
		})
	}
}

// waitAfter succeeds d after Wait is called (or fails with ctx).
func waitAfter(d time.Duration) waitFn {
	return func(ctx context.Context, _ []string, _ WaitOptions) ([]string, error) {
		select {
		case <-time.After(d):
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

type countingProber struct {
	mu       sync.Mutex
	failures int
	calls    int
}

func (p *countingProber) Probe(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.calls <= p.failures {
		return errors.New("not yet")
	}
	return nil
}

func TestRunnerWithoutStatusDir(t *testing.T) {
	st := &fakeStatus{files: map[string]string{}}
	proc := &fakeProc{done: make(chan ExitStatus, 1)}
	proc.exit(ExitStatus{Code: 7})
	r := &Runner{
		Cfg:    Config{Argv: []string{"x"}, ReadyPeriod: time.Millisecond, StopGrace: time.Second},
		Waiter: &fakeWaiter{}, Exec: &fakeExec{proc: proc, startedC: make(chan struct{})}, Status: st,
		Signals: make(chan os.Signal),
	}
	if res := r.Run(); res.Code != 7 {
		t.Fatalf("code %d", res.Code)
	}
	if len(st.log) != 0 {
		t.Fatalf("status operations without -status_dir: %v", st.log)
	}
}
