package entrypoint

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ---- fakes -------------------------------------------------------------------

// ---- harness -----------------------------------------------------------------

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
	cfg := caseConfig(tc)
	h := newHarness(t, tc)
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
	checkResult(t, tc, h, res)
	checkFiles(t, tc, h)
	checkOrder(t, tc, h)
	if !strings.Contains(string(h.status.term), `"exitCode":`+itoa(tc.wantCode)) && cfg.TerminationPath != "" {
		t.Errorf("termination message %s lacks exit code %d", h.status.term, tc.wantCode)
	}
	if tc.check != nil {
		tc.check(h)
	}
}

// caseConfig is the case's Config with the defaults of the runner cases.
func caseConfig(tc runnerCase) Config {
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
	return cfg
}

// newHarness makes the fakes of a case, with stale files of a previous run of the
// container in the status directory.
func newHarness(t *testing.T, tc runnerCase) *harness {
	h := &harness{
		t:      t,
		sigs:   make(chan os.Signal, 16),
		proc:   &fakeProc{done: make(chan ExitStatus, 1), onSignal: tc.onSignal},
		status: &fakeStatus{files: map[string]string{}, initErr: tc.statusErr, writeErr: tc.writeErr},
		waiter: &fakeWaiter{by: tc.waits},
	}
	h.exec = &fakeExec{err: tc.startErr, proc: h.proc, startedC: make(chan struct{})}
	for _, n := range []string{"started", "ready", "completed", "exited", "completed.err", "self-ready"} {
		h.status.files[abs(n)] = "old"
	}
	return h
}

// checkResult: the exit code, the reason, whether the child started, its signals.
func checkResult(t *testing.T, tc runnerCase, h *harness, res Result) {
	t.Helper()
	if res.Code != tc.wantCode {
		t.Errorf("code = %d, want %d (reason %q)", res.Code, tc.wantCode, res.Reason)
	}
	if tc.wantReason != "" && !strings.Contains(res.Reason, tc.wantReason) {
		t.Errorf("reason = %q, want it to contain %q", res.Reason, tc.wantReason)
	}
	if got := h.started(); got == tc.notStarted {
		t.Errorf("child started = %v, want %v", got, !tc.notStarted)
	}
	if tc.wantSigs != nil || tc.onSignal != nil {
		if got := h.proc.signals(); !slices.Equal(got, tc.wantSigs) {
			t.Errorf("signals to child = %v, want %v", got, tc.wantSigs)
		}
	}
}

// checkFiles: the files wanted and unwanted; a wrapper that ends leaves neither
// ready nor started behind, and exited holds its exit code.
func checkFiles(t *testing.T, tc runnerCase, h *harness) {
	t.Helper()
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
}

// checkOrder: every stale file is removed before the lock is taken and anything is
// written; later only ready and started are removed, and exited comes last.
func checkOrder(t *testing.T, tc runnerCase, h *harness) {
	t.Helper()
	if tc.statusErr != nil {
		return
	}
	log := h.status.log
	lastRemove, firstWrite := -1, len(log)
	for i, op := range log {
		if strings.HasPrefix(op, "remove ") && (firstWrite == len(log) || !(op == "remove "+abs("ready") || op == "remove "+abs("started"))) {
			lastRemove = i
		} else if (strings.HasPrefix(op, "write ") || strings.HasPrefix(op, "lock ")) && firstWrite == len(log) {
			firstWrite = i
		}
	}
	if lastRemove > firstWrite {
		t.Errorf("stale files removed after the first write: %v", log)
	}
	if n := len(log); n == 0 || log[n-1] != "write "+abs("exited") {
		t.Errorf("exited is not the last write: %v", log)
	}
}

// dep is the dependency of the runner cases.
const dep = "/run/db/ready"

func itoa(n int) string { return strconv.Itoa(n) }

func exitWith(code int) func(h *harness) {
	return func(h *harness) { h.waitStarted(); h.proc.exit(ExitStatus{Code: code}) }
}

func TestRunner(t *testing.T) {
	cases := slices.Concat(runnerCasesExit(), runnerCasesWaiting(), runnerCasesSignals(), runnerCasesStopping(), runnerCasesTimeouts(), runnerCasesPolicies(), runnerCasesWrites(), runnerCasesReadiness())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, tc)
		})
	}
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
