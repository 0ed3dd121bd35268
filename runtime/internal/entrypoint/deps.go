package entrypoint

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// DefaultWaitReport is how often a wrapper that still waits for its dependencies
// says so on stderr, so that `kubectl logs` of a waiting container tells why.
const DefaultWaitReport = 30 * time.Second

// pendingLister is a Waiter that can tell which paths are not settled yet; the
// "still waiting" line then names only those (FSWaiter is one).
type pendingLister interface {
	Pending(paths []string, opt WaitOptions) []string
}

type waitResult struct {
	failed []string
	err    error
}

// depWait is one wait for the dependencies: the status and plain files (through the
// Waiter) and the probes, under one deadline.
type depWait struct {
	paths     []string
	opt       WaitOptions
	start     time.Time
	files     chan waitResult // the Waiter's outcome; nil once received
	res       waitResult
	probes    *probeSet
	probeCh   <-chan error // the probes' outcome; nil once received (or without probes)
	probeErr  error
	filesDone bool
}

func (r *Runner) startWait(ctx context.Context) *depWait {
	c := &r.Cfg
	w := &depWait{
		paths: append(append([]string(nil), c.WaitFiles...), c.WaitStatus...),
		opt:   WaitOptions{Content: c.WaitFileContent, Live: liveSet(c.WaitStatus)},
		start: r.Now(),
		files: make(chan waitResult, 1),
	}
	go func() {
		if len(w.paths) == 0 {
			w.files <- waitResult{}
			return
		}
		f, err := r.Waiter.Wait(ctx, w.paths, w.opt)
		w.files <- waitResult{f, err}
	}()
	w.probes = r.startProbeWaits(ctx)
	w.probeCh = w.probes.doneCh()
	return w
}

// settle takes one outcome: it reports whether the wait is over (all satisfied, or not).
func (w *depWait) settle(res *waitResult, probeErr *error) bool {
	if res != nil {
		w.files, w.res, w.filesDone = nil, *res, true
	}
	if probeErr != nil {
		w.probeCh, w.probeErr = nil, *probeErr
	}
	return w.res.err != nil || len(w.res.failed) > 0 || w.probeErr != nil || (w.filesDone && w.probeCh == nil)
}

// drain waits for what still runs once ctx is cancelled.
func (w *depWait) drain() {
	if w.files != nil {
		w.res, w.filesDone = <-w.files, true
		w.files = nil
	}
	if w.probeCh != nil {
		<-w.probeCh
		w.probeCh = nil
	}
}

// waitDependencies waits for -wait_file, -wait_status and -wait_probe_*. It reports on
// Log when the wait starts, every WaitReport while it lasts, and when it ends.
func (r *Runner) waitDependencies() (Result, bool) {
	c := &r.Cfg
	ctx, cancel := withTimeout(c.WaitTimeout)
	defer cancel()
	limit := "no -wait_timeout"
	if c.WaitTimeout > 0 {
		limit = "-wait_timeout " + c.WaitTimeout.String()
	}
	w := r.startWait(ctx)
	r.logf("waiting for %s (%s)", r.describeAll(w), limit)
	report := time.NewTicker(orDefault(r.WaitReport, DefaultWaitReport))
	defer report.Stop()
	for {
		var over bool
		select {
		case res := <-w.files:
			over = w.settle(&res, nil)
		case err := <-w.probeCh:
			over = w.settle(nil, &err)
		case <-report.C:
			r.logf("waiting %s for %s", r.Now().Sub(w.start).Round(time.Second), r.describePending(w, false))
		case s := <-r.Signals:
			if sig, ok := s.(syscall.Signal); ok && terminating(sig) {
				cancel()
				w.drain()
				r.logf("gave up after %s waiting for %s: %s", r.since(w.start), r.describePending(w, false), signalName(sig))
				return r.fail(ExitSignalBase+int(sig), "Terminated: "+signalName(sig)+" while waiting for dependencies"), true
			}
		}
		if over {
			cancel()
			w.drain()
			return r.waitOutcome(w)
		}
	}
}

// describeAll names every wait; describePending only those not satisfied yet.
func (r *Runner) describeAll(w *depWait) string {
	return joinNonEmpty(describeWaits(w.paths, w.opt.Live), strings.Join(w.probes.names(), ", "))
}

func (r *Runner) describePending(w *depWait, withError bool) string {
	files := ""
	if !w.filesDone || w.res.err != nil {
		files = describeWaits(r.pending(w.paths, w.opt), w.opt.Live)
	}
	return joinNonEmpty(files, strings.Join(w.probes.pending(withError), ", "))
}

// waitOutcome reports how the wait ended and fails the wrapper unless it succeeded.
func (r *Runner) waitOutcome(w *depWait) (Result, bool) {
	c, res := &r.Cfg, w.res
	switch {
	case res.err == nil && len(res.failed) > 0:
		r.logf("gave up after %s waiting for %s: %s can never happen", r.since(w.start), r.describeAll(w), describeWaits(res.failed, w.opt.Live))
		errs := make([]string, len(res.failed))
		for i, f := range res.failed {
			errs[i] = f + ErrSuffix
			if slices.Contains(c.WaitStatus, f) {
				if _, err := os.Stat(f + ErrSuffix); err != nil {
					errs[i] = f + " (its wrapper is dead and will not be restarted)"
				}
			}
		}
		return r.failFinal(ExitDependency, "DependencyFailed: "+strings.Join(errs, ", ")), true
	case errors.Is(res.err, context.DeadlineExceeded) || errors.Is(w.probeErr, context.DeadlineExceeded):
		r.logf("gave up after %s waiting for %s", r.since(w.start), r.describePending(w, true))
		what := joinNonEmpty(strings.Join(w.pendingFiles(), ", "), strings.Join(w.probes.pending(true), ", "))
		return r.fail(ExitDependency, "WaitTimeout: -wait_timeout "+c.WaitTimeout.String()+" spent waiting for "+what), true
	case res.err != nil:
		// A path that cannot be inspected: the reason line says it all.
		return r.failFinal(ExitCode(res.err), "WaitFailed: "+res.err.Error()), true
	}
	r.logf("waited %s for %s: starting the child", r.since(w.start), r.describeAll(w))
	return Result{}, false
}

// pendingFiles is every waited path when the file wait did not finish, none when it did.
func (w *depWait) pendingFiles() []string {
	if w.res.err == nil && w.filesDone && len(w.res.failed) == 0 {
		return nil
	}
	return w.paths
}

func (r *Runner) since(start time.Time) time.Duration {
	return r.Now().Sub(start).Round(time.Millisecond)
}

// pending is the paths still waited for, as far as the waiter can tell.
func (r *Runner) pending(paths []string, opt WaitOptions) []string {
	if pl, ok := r.Waiter.(pendingLister); ok {
		if p := pl.Pending(paths, opt); len(p) > 0 {
			return p
		}
	}
	return paths
}

// describeWaits names waited paths for a person reading the logs: another wrapper's
// status file as "CONTAINER COND" (its status directory is named after its
// container), any other file by its path.
func describeWaits(paths []string, live map[string]bool) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if cond, ok := statusCond(p); ok && live[p] {
			if dir := filepath.Base(filepath.Dir(p)); dir != "/" && dir != "." {
				out[i] = dir + " " + cond
			}
		}
	}
	return strings.Join(out, ", ")
}

// liveSet marks the -wait_status paths (nil when there are none).
func liveSet(paths []string) map[string]bool {
	if len(paths) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, p := range paths {
		m[p] = true
	}
	return m
}

// orDefault is d, or def when d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
