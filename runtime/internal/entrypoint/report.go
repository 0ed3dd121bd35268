package entrypoint

import (
	"strconv"
	"time"
)

// prepare makes the status directory and the post file's directory usable and removes
// what a previous instance of this container left: dependents that restart meanwhile
// wait for this instance, not the previous one.
func (r *Runner) prepare() (Result, bool) {
	c := &r.Cfg
	if r.statusDir != "" {
		if err := r.Status.Init(r.statusDir); err != nil {
			r.statusDir = "" // nothing can be written there: do not try
			return r.fail(ExitIO, "StatusDirUnwritable: "+err.Error()), true
		}
	}
	if c.PostFile != "" {
		if err := r.Status.MkParent(c.PostFile); err != nil {
			return r.fail(ExitIO, "PostFileUnwritable: "+err.Error()), true
		}
	}
	var stale []string
	if r.statusDir != "" {
		stale = staleFiles(r.statusDir)
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
	r.begin()
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
		if r.statusDir != "" {
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

// finished writes what the end of the child means: completed (or completed.err) and
// the post file, then removes ready and started, then ends.
func (r *Runner) finished(code int, reason string) Result {
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

// drainTees gives the -stdout_path/-stderr_path copies a second to finish.
func (r *Runner) drainTees() {
	for _, t := range r.tees {
		t.drain(time.Second)
	}
}
