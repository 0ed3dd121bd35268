package entrypoint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Runner runs one wrapped child: wait, start, watch readiness, forward signals, report.
type Runner struct {
	Cfg     Config
	Waiter  Waiter
	Exec    Executor
	Status  StatusWriter
	Prober  Prober           // -ready_exec/http/tcp; nil = built from Cfg by Run
	Signals <-chan os.Signal // every signal the wrapper receives (injectable for tests)
	Env     []string         // the child's environment (the wrapper's own, unchanged)
	Now     func() time.Time
	Log     io.Writer

	tm           terminationMessage
	readyPending bool
	writeFailed  bool // a status, post or termination write failed after the start
	tees         []*tee
}

// Result is how the wrapper ends.
type Result struct {
	Code   int
	Reason string
}

// terminating reports whether sig ends the wrapper while no child runs yet.
func terminating(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT:
		return true
	}
	return false
}

func (r *Runner) logf(format string, a ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, "startorder-entrypoint: "+format+"\n", a...)
	}
}

func (r *Runner) stamp() string { return r.Now().UTC().Format(time.RFC3339Nano) }

func (r *Runner) status(name string) string { return joinPath(r.Cfg.StatusDir, name) }

// write writes a status file when it has a path. A failure is reported at once and
// makes the wrapper end non-zero, but does not disturb a running child.
func (r *Runner) write(path, content string) {
	if path == "" {
		return
	}
	if err := r.Status.Write(path, content); err != nil {
		r.writeFailed = true
		r.logf("%v", err)
	}
}

func (r *Runner) remove(path string) {
	if path == "" {
		return
	}
	if err := r.Status.Remove(path); err != nil {
		r.writeFailed = true
		r.logf("%v", err)
	}
}

func signalName(sig syscall.Signal) string {
	return sig.String() + " (signal " + strconv.Itoa(int(sig)) + ")"
}

// Run does the whole job and returns the wrapper's exit code.
func (r *Runner) Run() Result {
	c := &r.Cfg
	if r.Now == nil {
		r.Now = time.Now
	}

	// 1. A clean slate, then the lock: from here on this wrapper's death is visible.
	if res, failed := r.prepare(); failed {
		return res
	}
	if c.StatusDir != "" {
		// The lock comes after the removal of stale files: a waiter that sees this
		// wrapper's lock held and then a status file knows the file is this wrapper's.
		if err := r.Status.Lock(c.StatusDir, lockContent(c.RestartPolicy)); err != nil {
			return r.fail(ExitIO, "StatusDirUnwritable: "+err.Error())
		}
	}
	if len(c.TektonIgnored) > 0 {
		r.logf("ignoring Tekton-only flags (no meaning outside a TaskRun): %s", strings.Join(c.TektonIgnored, " "))
	}

	// 2. Dependencies.
	if len(c.WaitFiles)+len(c.WaitStatus) > 0 {
		if res, failed := r.waitDependencies(); failed {
			return res
		}
	}
	r.tm.Waited = r.stamp()

	// 3. The child.
	env := r.Env
	if c.Ready == ReadySelf {
		env = append(append([]string(nil), env...), "STARTORDER_READY_FILE="+c.SelfReadyFile())
	}
	spec := ProcSpec{Argv: c.Argv, Env: env, Stdio: true}
	if err := r.startTees(&spec); err != nil {
		return r.fail(ExitIO, "OutputFileUnwritable: "+err.Error())
	}
	proc, err := r.Exec.Start(spec)
	for _, t := range r.tees {
		t.started()
	}
	if err != nil {
		code := ExitCode(err)
		kind := "StartFailed"
		switch code {
		case ExitNotFound:
			kind = "CommandNotFound"
		case ExitNotExecutable:
			kind = "NotExecutable"
		}
		if code == ExitNotFound || code == ExitNotExecutable {
			return r.failFinal(code, kind+": "+err.Error())
		}
		return r.fail(code, kind+": "+err.Error())
	}
	r.tm.Started = r.stamp()
	r.write(r.status(FileStarted), r.tm.Started)
	return r.supervise(proc, env)
}

// startTees sets up -stdout_path and -stderr_path: the child writes into pipes.
func (r *Runner) startTees(spec *ProcSpec) error {
	for _, o := range []struct {
		path string
		own  *os.File
		dst  **os.File
	}{{r.Cfg.StdoutPath, os.Stdout, &spec.Stdout}, {r.Cfg.StderrPath, os.Stderr, &spec.Stderr}} {
		if o.path == "" {
			continue
		}
		t, err := startTee(o.path, o.own)
		if err != nil {
			return err
		}
		*o.dst = t.w
		r.tees = append(r.tees, t)
	}
	return nil
}

func (r *Runner) waitDependencies() (Result, bool) {
	c := &r.Cfg
	ctx, cancel := context.WithCancel(context.Background())
	if c.WaitTimeout > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), c.WaitTimeout)
	}
	defer cancel()
	type waitResult struct {
		failed []string
		err    error
	}
	ch := make(chan waitResult, 1)
	go func() {
		paths := append(append([]string(nil), c.WaitFiles...), c.WaitStatus...)
		live := map[string]bool{}
		for _, p := range c.WaitStatus {
			live[p] = true
		}
		if len(live) == 0 {
			live = nil
		}
		f, err := r.Waiter.Wait(ctx, paths, WaitOptions{Content: c.WaitFileContent, Live: live})
		ch <- waitResult{f, err}
	}()
	var res waitResult
wait:
	for {
		select {
		case res = <-ch:
			break wait
		case s := <-r.Signals:
			if sig, ok := s.(syscall.Signal); ok && terminating(sig) {
				cancel()
				<-ch
				return r.fail(ExitSignalBase+int(sig), "Terminated: "+signalName(sig)+" while waiting for dependencies"), true
			}
		}
	}
	switch {
	case res.err == nil && len(res.failed) > 0:
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
		return r.fail(ExitDependency, "WaitTimeout: -wait_timeout "+c.WaitTimeout.String()+" spent waiting for "+strings.Join(append(append([]string(nil), c.WaitFiles...), c.WaitStatus...), ", ")), true
	case res.err != nil:
		return r.failFinal(ExitCode(res.err), "WaitFailed: "+res.err.Error()), true
	}
	return Result{}, false
}

// prepare makes the status directory and the post file's directory usable and removes
// what a previous instance of this container left: dependents that restart meanwhile
// wait for this instance, not the previous one.
func (r *Runner) prepare() (Result, bool) {
	c := &r.Cfg
	if c.StatusDir != "" {
		if err := r.Status.Init(c.StatusDir); err != nil {
			c.StatusDir = "" // nothing can be written there: do not try
			return r.fail(ExitIO, "StatusDirUnwritable: "+err.Error()), true
		}
	}
	if c.PostFile != "" {
		if err := r.Status.MkParent(c.PostFile); err != nil {
			return r.fail(ExitIO, "PostFileUnwritable: "+err.Error()), true
		}
	}
	var stale []string
	if c.StatusDir != "" {
		stale = staleFiles(c.StatusDir)
	}
	if c.PostFile != "" {
		stale = append(stale, c.PostFile, c.PostFile+ErrSuffix)
	}
	for _, p := range stale {
		if err := r.Status.Remove(p); err != nil {
			return r.fail(ExitIO, "StatusDirUnwritable: "+err.Error()), true
		}
	}
	return Result{}, false
}

// Abort ends a wrapper whose command line did not parse (r.Cfg holds what Salvage
// found): the .err files tell dependents at once, instead of leaving them waiting.
func (r *Runner) Abort(code int, reason string) Result {
	if r.Now == nil {
		r.Now = time.Now
	}
	if res, failed := r.prepare(); failed {
		return res
	}
	return r.failFinal(code, reason)
}

// fail ends a wrapper whose child never ran (or could not start): every status that
// can no longer happen gets its .err file, that is all of them when this instance is
// the last one under the restart policy.
func (r *Runner) fail(code int, reason string) Result { return r.failWith(code, reason, false) }

// failFinal is fail for causes that a restart would meet again (the same argv, image
// or failed dependency): final whatever the restart policy.
func (r *Runner) failFinal(code int, reason string) Result { return r.failWith(code, reason, true) }

func (r *Runner) failWith(code int, reason string, permanent bool) Result {
	r.logf("%s", reason)
	now := r.stamp()
	if permanent || r.Cfg.Final(code) {
		if r.Cfg.StatusDir != "" {
			for _, n := range []string{FileStarted, FileReady, FileCompleted} {
				r.write(r.status(n+ErrSuffix), now)
			}
		}
		if r.Cfg.PostFile != "" {
			r.Status.MkParent(r.Cfg.PostFile) // may not have happened yet; a failure shows in the write
			r.write(r.Cfg.PostFile+ErrSuffix, now)
		}
	}
	r.tm.Exited = now
	return r.end(code, reason)
}

// end writes the termination message and, last, the exited file.
func (r *Runner) end(code int, reason string) Result {
	if r.writeFailed && code == ExitOK {
		r.logf("exit %d instead of 0: a status or post file could not be written (see above)", ExitIO)
		code = ExitIO
	}
	r.tm.ExitCode, r.tm.Reason = code, reason
	if r.Cfg.TerminationPath != "" {
		if err := r.Status.WriteTermination(r.Cfg.TerminationPath, r.tm.JSON()); err != nil {
			r.writeFailed = true
			r.logf("%v", err)
		}
	}
	r.write(r.status(FileExited), strconv.Itoa(code))
	if r.writeFailed && code == ExitOK {
		r.logf("exit %d instead of 0: %s could not be written (see above)", ExitIO, r.status(FileExited))
		code = ExitIO
	}
	return Result{Code: code, Reason: reason}
}

func (r *Runner) markReady() {
	r.readyPending = false
	r.tm.Ready = r.stamp()
	r.write(r.status(FileReady), r.tm.Ready)
}

// markNotReady: the child will not become ready. ready.err is written only when
// final: this instance is the last one.
func (r *Runner) markNotReady(why string, final bool) {
	r.readyPending = false
	if why != "" {
		r.logf("not ready: %s", why)
	}
	if final {
		r.write(r.status(FileReady+ErrSuffix), r.stamp())
	}
}

// startReadiness launches the readiness check; its outcome arrives on the channel.
func (r *Runner) startReadiness(ctx context.Context, env []string) <-chan error {
	c := &r.Cfg
	ch := make(chan error, 1)
	r.readyPending = true
	switch c.Ready {
	case ReadyNone:
		ch <- nil
	case ReadyFile, ReadySelf:
		go func() {
			failed, err := r.Waiter.Wait(ctx, []string{c.ReadyTarget}, WaitOptions{})
			if err == nil && len(failed) > 0 {
				err = errors.New(c.ReadyTarget + ErrSuffix + " exists")
			}
			ch <- err
		}()
	default:
		p := r.Prober
		if p == nil {
			p = NewProber(c, r.Exec, env)
		}
		go func() { ch <- probeLoop(ctx, p, c.ReadyPeriod) }()
	}
	return ch
}

func probeLoop(ctx context.Context, p Prober, period time.Duration) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout(period))
		err := p.Probe(actx)
		cancel()
		if err == nil {
			return nil
		}
		t.Reset(period)
	}
}

// applyReady takes the readiness outcome; it reports whether -ready_timeout ran out.
func (r *Runner) applyReady(err error) (timedOut bool) {
	switch {
	case err == nil:
		r.markReady()
	case errors.Is(err, context.DeadlineExceeded):
		// As in native mode: the container is stopped and the kubelet restarts it.
		r.markNotReady("-ready_timeout "+r.Cfg.ReadyTimeout.String()+" spent, stopping the child", r.Cfg.Final(ExitReadyTimeout))
		return true
	default:
		r.markNotReady(err.Error(), r.Cfg.Final(ExitReadyTimeout))
	}
	return false
}

func (r *Runner) supervise(proc Process, env []string) Result {
	c := &r.Cfg
	readyCtx, readyCancel := context.WithCancel(context.Background())
	if c.ReadyTimeout > 0 {
		readyCtx, readyCancel = context.WithTimeout(context.Background(), c.ReadyTimeout)
	}
	defer readyCancel()
	readyCh := r.startReadiness(readyCtx, env)

	var (
		timeoutC, killC <-chan time.Time
		holdCh          chan struct{}
		holdCancel      context.CancelFunc = func() {}
		holding         bool
		termForwarded   bool
		exitWithCh      chan struct{}
		timedOut        bool
		readyTimedOut   bool
		exitWith        bool
	)
	defer func() { holdCancel() }()
	armKill := func() {
		if killC == nil {
			t := time.NewTimer(c.StopGrace)
			killC = t.C
		}
	}
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	if len(c.ExitWith) > 0 {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		exitWithCh = make(chan struct{})
		go func() {
			_, err := r.Waiter.Wait(ctx, c.ExitWith, WaitOptions{AnyOutcome: true, Live: liveByName(c.ExitWith)})
			if err == nil {
				close(exitWithCh)
			} else if ctx.Err() == nil {
				r.logf("-exit_with: %v", err)
			}
		}()
	}

	for {
		select {
		case st := <-proc.Done():
			return r.finish(st, readyCh, timedOut, readyTimedOut, exitWith)

		case s := <-r.Signals:
			sig, ok := s.(syscall.Signal)
			if !ok || sig == syscall.SIGCHLD || sig == syscall.SIGURG {
				continue
			}
			if sig == syscall.SIGTERM && len(c.StopAfter) > 0 && !termForwarded {
				if !holding {
					// Shutdown order: keep the child up until the listed files exist.
					holding = true
					ctx, cancel := context.WithTimeout(context.Background(), c.StopGrace)
					holdCancel = cancel
					holdCh = make(chan struct{})
					go func(done chan struct{}) {
						r.Waiter.Wait(ctx, c.StopAfter, WaitOptions{AnyOutcome: true, Live: liveByName(c.StopAfter)})
						close(done)
					}(holdCh)
					continue
				}
				holdCancel() // a second SIGTERM ends the hold
			}
			if sig == syscall.SIGTERM {
				termForwarded = true
			}
			proc.Signal(sig)

		case <-holdCh:
			holdCh = nil
			if !termForwarded {
				termForwarded = true
				proc.Signal(syscall.SIGTERM)
			}

		case err := <-readyCh:
			readyCh = nil
			if r.applyReady(err) {
				readyTimedOut = true
				proc.Signal(syscall.SIGTERM)
				armKill()
			}

		case <-timeoutC:
			timeoutC, timedOut = nil, true
			r.logf("-timeout %s spent, stopping the child", c.Timeout)
			proc.Signal(syscall.SIGTERM)
			armKill()

		case <-exitWithCh:
			exitWithCh, exitWith = nil, true
			proc.Signal(syscall.SIGTERM)
			armKill()

		case <-killC:
			killC = nil
			proc.Signal(syscall.SIGKILL)
		}
	}
}

func (r *Runner) finish(st ExitStatus, readyCh <-chan error, timedOut, readyTimedOut, exitWith bool) Result {
	for _, t := range r.tees {
		t.drain(time.Second)
	}
	code := st.WrapperCode()
	var reason string
	switch {
	case exitWith:
		code, reason = ExitOK, "ExitWith: "+strings.Join(r.Cfg.ExitWith, ", ")+" exist"
	case readyTimedOut:
		code, reason = ExitReadyTimeout, "ReadyTimeout: -ready_timeout "+r.Cfg.ReadyTimeout.String()+" spent"
	case timedOut:
		code, reason = ExitTimeout, "Timeout: -timeout "+r.Cfg.Timeout.String()+" spent"
	case st.Signal != 0:
		reason = "Signaled: " + signalName(st.Signal)
	case code == 0:
		reason = "Completed"
	default:
		reason = "Error: exit code " + strconv.Itoa(code)
	}
	if code != 0 && r.Cfg.OnError == "continue" && !readyTimedOut {
		// Tekton's -on_error continue: the failure is recorded, the next step runs.
		reason = "OnErrorContinue: " + reason
		code = ExitOK
	}
	if r.readyPending && readyCh != nil {
		select { // a readiness result that raced with the exit
		case err := <-readyCh:
			r.applyReady(err)
		default:
		}
	}
	final := r.Cfg.Final(code)
	if r.readyPending {
		// A child that exits 0 before it was ready counts as ready and completed.
		if code == 0 {
			r.markReady()
		} else {
			r.markNotReady("", final)
		}
	}
	r.tm.Exited = r.stamp()
	if code == 0 {
		r.write(r.status(FileCompleted), r.tm.Exited)
		r.write(r.Cfg.PostFile, r.tm.Exited)
	} else if final {
		r.write(r.status(FileCompleted+ErrSuffix), r.tm.Exited)
		if r.Cfg.PostFile != "" {
			r.write(r.Cfg.PostFile+ErrSuffix, r.tm.Exited)
		}
	}
	// Not ready, not started any more: a dependent that starts from now on must not
	// take this container for a running one. (After completed: the removal frees
	// space that would hide a full volume from that write.)
	r.remove(r.status(FileReady))
	r.remove(r.status(FileStarted))
	return r.end(code, reason)
}

// liveByName marks the paths of a -stop_after or -exit_with list that name another
// wrapper's status file (base name started, ready, completed or exited).
func liveByName(paths []string) map[string]bool {
	var m map[string]bool
	for _, p := range paths {
		if _, ok := statusCond(p); ok {
			if m == nil {
				m = map[string]bool{}
			}
			m[p] = true
		}
	}
	return m
}
