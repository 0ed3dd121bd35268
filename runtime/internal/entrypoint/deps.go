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

// waitDependencies waits for -wait_file and -wait_status. It reports on Log when the
// wait starts, every WaitReport while it lasts, and when it ends.
func (r *Runner) waitDependencies() (Result, bool) {
	c := &r.Cfg
	ctx, cancel := withTimeout(c.WaitTimeout)
	defer cancel()
	paths := append(append([]string(nil), c.WaitFiles...), c.WaitStatus...)
	opt := WaitOptions{Content: c.WaitFileContent, Live: liveSet(c.WaitStatus)}
	start := r.Now()
	limit := "no -wait_timeout"
	if c.WaitTimeout > 0 {
		limit = "-wait_timeout " + c.WaitTimeout.String()
	}
	r.logf("waiting for %s (%s)", describeWaits(paths, opt.Live), limit)
	ch := make(chan waitResult, 1)
	go func() {
		f, err := r.Waiter.Wait(ctx, paths, opt)
		ch <- waitResult{f, err}
	}()
	report := time.NewTicker(orDefault(r.WaitReport, DefaultWaitReport))
	defer report.Stop()
	for {
		select {
		case res := <-ch:
			return r.waitOutcome(res, paths, opt, start)
		case <-report.C:
			r.logf("waiting %s for %s", r.Now().Sub(start).Round(time.Second), describeWaits(r.pending(paths, opt), opt.Live))
		case s := <-r.Signals:
			if sig, ok := s.(syscall.Signal); ok && terminating(sig) {
				cancel()
				<-ch
				r.logf("gave up after %s waiting for %s: %s", r.since(start), describeWaits(r.pending(paths, opt), opt.Live), signalName(sig))
				return r.fail(ExitSignalBase+int(sig), "Terminated: "+signalName(sig)+" while waiting for dependencies"), true
			}
		}
	}
}

// waitOutcome reports how the wait ended and fails the wrapper unless it succeeded.
func (r *Runner) waitOutcome(res waitResult, paths []string, opt WaitOptions, start time.Time) (Result, bool) {
	c := &r.Cfg
	switch {
	case res.err == nil && len(res.failed) > 0:
		r.logf("gave up after %s waiting for %s: %s can never happen", r.since(start), describeWaits(paths, opt.Live), describeWaits(res.failed, opt.Live))
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
	case errors.Is(res.err, context.DeadlineExceeded):
		r.logf("gave up after %s waiting for %s", r.since(start), describeWaits(r.pending(paths, opt), opt.Live))
		return r.fail(ExitDependency, "WaitTimeout: -wait_timeout "+c.WaitTimeout.String()+" spent waiting for "+strings.Join(paths, ", ")), true
	case res.err != nil:
		// A path that cannot be inspected: the reason line says it all.
		return r.failFinal(ExitCode(res.err), "WaitFailed: "+res.err.Error()), true
	}
	r.logf("waited %s for %s: starting the child", r.since(start), describeWaits(paths, opt.Live))
	return Result{}, false
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
