package entrypoint

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Runner runs one wrapped child: wait, start, watch readiness, forward signals, report.
// The steps are in files of their own: prepare and the end (report.go), the
// dependencies (deps.go), readiness (readiness.go), the running child (supervise.go,
// stopper.go). Cfg is read, never written: what the runner learns on the way (a
// status directory that proved unusable) goes into its own fields.
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
	// WaitReport is the interval of the "still waiting" line on Log; 0 means
	// DefaultWaitReport (tests make it short).
	WaitReport time.Duration

	statusDir    string // Cfg.StatusDir, or "" once it proved unusable
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

func (r *Runner) status(name string) string { return joinPath(r.statusDir, name) }

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

// begin fills in the runner's defaults and derives its own state from Cfg.
func (r *Runner) begin() {
	if r.Now == nil {
		r.Now = time.Now
	}
	r.statusDir = r.Cfg.StatusDir
}

// Run does the whole job and returns the wrapper's exit code.
func (r *Runner) Run() Result {
	c := &r.Cfg
	r.begin()

	// 1. A clean slate, then the lock: from here on this wrapper's death is visible.
	if res, failed := r.prepare(); failed {
		return res
	}
	if r.statusDir != "" {
		// The lock comes after the removal of stale files: a waiter that sees this
		// wrapper's lock held and then a status file knows the file is this wrapper's.
		if err := r.Status.Lock(r.statusDir, lockContent(c.RestartPolicy)); err != nil {
			return r.fail(ExitIO, "StatusDirUnwritable: "+err.Error())
		}
	}
	if len(c.TektonIgnored) > 0 {
		r.logf("ignoring Tekton-only flags (no meaning outside a TaskRun): %s", strings.Join(c.TektonIgnored, " "))
	}

	// 2. Dependencies.
	if len(c.WaitFiles)+len(c.WaitStatus)+len(c.WaitProbes) > 0 {
		if res, failed := r.waitDependencies(); failed {
			return res
		}
	}
	r.tm.Waited = r.stamp()

	// 3. The child.
	return r.startChild()
}

// startChild starts the child and supervises it until it ends.
func (r *Runner) startChild() Result {
	env := r.Env
	if r.Cfg.Ready == ReadySelf {
		env = append(append([]string(nil), env...), "STARTORDER_READY_FILE="+r.Cfg.SelfReadyFile())
	}
	spec := ProcSpec{Argv: r.Cfg.Argv, Env: env, Stdio: true}
	if err := r.startTees(&spec); err != nil {
		return r.fail(ExitIO, "OutputFileUnwritable: "+err.Error())
	}
	proc, err := r.Exec.Start(spec)
	for _, t := range r.tees {
		t.started()
	}
	if err != nil {
		return r.startFailed(err)
	}
	r.tm.Started = r.stamp()
	r.write(r.status(FileStarted), r.tm.Started)
	return r.supervise(proc, env)
}

// startFailed ends a wrapper whose child could not start.
func (r *Runner) startFailed(err error) Result {
	switch code := ExitCode(err); code {
	case ExitNotFound:
		return r.failFinal(code, "CommandNotFound: "+err.Error())
	case ExitNotExecutable:
		return r.failFinal(code, "NotExecutable: "+err.Error())
	default:
		return r.fail(code, "StartFailed: "+err.Error())
	}
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
