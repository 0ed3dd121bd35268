package entrypoint

import (
	"context"
	"errors"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The fakes of the runner tests: waiter, process, executor, status writer, and the harness that holds them.

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

func (p *fakeProc) Pid() int { return 4242 }

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
