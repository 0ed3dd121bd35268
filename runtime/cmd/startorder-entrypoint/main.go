// Command startorder-entrypoint is the in-container wrapper of startorder: it waits for
// the container's dependencies, runs the real command as its child, and reports what
// happened through files that its sibling containers read. See runtime/README.md and
// docs/CONTRACT.md.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"startorder/runtime/internal/entrypoint"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the command line, hands over to the entrypoint package and maps
// errors to exit codes. It never lets a panic escape as a Go stack trace.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(stderr, "startorder-entrypoint: internal error: %v\n", p)
			code = entrypoint.ExitIO
		}
	}()
	// Parsing comes first and is pure: the subcommands must not subscribe to signals
	// (a probe that SIGTERM cannot end outlives its kubelet deadline).
	inv, err := entrypoint.Parse(args)
	if inv.Cmd != entrypoint.CmdRun {
		return subcommand(inv, err, stdout, stderr)
	}
	return wrap(inv.Run, err, stderr)
}

// subcommand runs -h, init, probe and status.
func subcommand(inv entrypoint.Invocation, err error, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
		return entrypoint.ExitCode(err)
	}
	switch inv.Cmd {
	case entrypoint.CmdHelp:
		entrypoint.Usage(stdout)
	case entrypoint.CmdInit:
		if err := entrypoint.Install(inv.InitDst, inv.InitRunDir, stderr); err != nil {
			fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
			return entrypoint.ExitCode(err)
		}
	case entrypoint.CmdStatus:
		if err := entrypoint.StatusReport(inv.StatusRunDir, stdout); err != nil {
			fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
			return entrypoint.ExitCode(err)
		}
	case entrypoint.CmdProbe:
		return entrypoint.ProbeOnce(inv.ProbeKind, inv.ProbeTarget, inv.ProbeHeaders, inv.ProbeTimeout)
	}
	return entrypoint.ExitOK
}

// wrap is the run mode: wait, run the child, report. parseErr is a command line that
// did not parse; cfg then holds what could be salvaged from it.
func wrap(cfg entrypoint.Config, parseErr error, stderr io.Writer) int {
	// The run mode catches every signal before anything else, so none is lost or kills
	// the wrapper; the signals the Go runtime leaves at their default are ignored.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	entrypoint.IgnoreUnhandledSignals()

	r := &entrypoint.Runner{
		Cfg:     cfg,
		Exec:    &entrypoint.SysExecutor{ReapAll: true},
		Status:  entrypoint.FileStatus{},
		Signals: sigs,
		Env:     os.Environ(),
		Log:     stderr,
	}
	if parseErr != nil {
		// A usage error still tells the dependents, through the .err files of the flags
		// that did parse, so they fail fast instead of waiting forever.
		return r.Abort(entrypoint.ExitCode(parseErr), "UsageError: "+parseErr.Error()).Code
	}
	waiter, err := entrypoint.WaiterFromEnv(os.Getenv)
	if err != nil {
		return r.Abort(entrypoint.ExitCode(err), "UsageError: "+err.Error()).Code
	}
	waiter.Log = stderr
	r.Waiter = waiter
	if v := os.Getenv("STARTORDER_START_DELAY"); v != "" {
		// Fault injection for tests: start late, before the status directory exists.
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return r.Abort(entrypoint.ExitUsage, fmt.Sprintf("UsageError: STARTORDER_START_DELAY: %q is not a duration", v)).Code
		}
		time.Sleep(d)
	}
	entrypoint.SetSubreaper() // best effort; PID 1 reaps orphans anyway
	return r.Run().Code
}
