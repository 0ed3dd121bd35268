package entrypoint

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// stopCause says why the wrapper itself ended the child, if it did.
type stopCause struct {
	timedOut      bool // -timeout
	readyTimedOut bool // -ready_timeout
	exitWith      bool // -exit_with
}

// withTimeout is a context that ends after d, or only when cancelled when d is 0.
func withTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(context.Background(), d)
	}
	return context.WithCancel(context.Background())
}

// supervise watches the running child until it exits: signals, readiness, -timeout
// and -exit_with, and the stop sequence they lead to.
func (r *Runner) supervise(proc Process, env []string) Result {
	c := &r.Cfg
	readyCtx, readyCancel := withTimeout(c.ReadyTimeout)
	defer readyCancel()
	readyCh := r.startReadiness(readyCtx, env)
	stop := newStopper(proc, r.Waiter, c)
	defer stop.close()
	var timeoutC <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timeoutC = t.C
	}
	exitWithC, cancelExitWith := r.watchExitWith()
	defer cancelExitWith()

	var cause stopCause
	for {
		select {
		case st := <-proc.Done():
			return r.finish(st, readyCh, cause)
		case s := <-r.Signals:
			stop.signal(s)
		case <-stop.holdC:
			stop.holdOver()
		case err := <-readyCh:
			readyCh = nil
			if r.applyReady(err) {
				cause.readyTimedOut = true
				stop.stop()
			}
		case <-timeoutC:
			timeoutC, cause.timedOut = nil, true
			r.logf("-timeout %s spent, stopping the child", c.Timeout)
			stop.stop()
		case <-exitWithC:
			exitWithC, cause.exitWith = nil, true
			stop.stop()
		case <-stop.killC:
			stop.kill()
		}
	}
}

// watchExitWith closes the returned channel once every -exit_with file is settled
// (never without -exit_with).
func (r *Runner) watchExitWith() (<-chan struct{}, context.CancelFunc) {
	paths := r.Cfg.ExitWith
	if len(paths) == 0 {
		return nil, func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan struct{})
	go func() {
		_, err := r.Waiter.Wait(ctx, paths, WaitOptions{AnyOutcome: true, Live: liveByName(paths)})
		if err == nil {
			close(ch)
		} else if ctx.Err() == nil {
			r.logf("-exit_with: %v", err)
		}
	}()
	return ch, cancel
}

// finish ends the wrapper after its child exited.
func (r *Runner) finish(st ExitStatus, readyCh <-chan error, cause stopCause) Result {
	r.drainTees()
	code, reason := r.exitReason(st, cause)
	if code != 0 && r.Cfg.OnError == "continue" && !cause.readyTimedOut {
		// Tekton's -on_error continue: the failure is recorded, the next step runs.
		reason = "OnErrorContinue: " + reason
		code = ExitOK
	}
	r.applyLateReady(readyCh)
	return r.finished(code, reason)
}

// exitReason is the wrapper's exit code and the termination message's reason.
func (r *Runner) exitReason(st ExitStatus, cause stopCause) (int, string) {
	code := st.WrapperCode()
	switch {
	case cause.exitWith:
		return ExitOK, "ExitWith: " + strings.Join(r.Cfg.ExitWith, ", ") + " exist"
	case cause.readyTimedOut:
		return ExitReadyTimeout, "ReadyTimeout: -ready_timeout " + r.Cfg.ReadyTimeout.String() + " spent"
	case cause.timedOut:
		return ExitTimeout, "Timeout: -timeout " + r.Cfg.Timeout.String() + " spent"
	case st.Signal != 0:
		return code, "Signaled: " + signalName(st.Signal)
	case code == 0:
		return code, "Completed"
	}
	return code, "Error: exit code " + strconv.Itoa(code)
}
