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
	// Catch every signal before anything else, so none is lost or kills the wrapper.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)

	inv, err := entrypoint.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
		return entrypoint.ExitCode(err)
	}
	switch inv.Cmd {
	case entrypoint.CmdHelp:
		entrypoint.Usage(stdout)
		return entrypoint.ExitOK
	case entrypoint.CmdInit:
		if err := entrypoint.Install(inv.InitDst); err != nil {
			fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
			return entrypoint.ExitCode(err)
		}
		return entrypoint.ExitOK
	case entrypoint.CmdProbe:
		return entrypoint.ProbeOnce(inv.ProbeKind, inv.ProbeTarget)
	}

	waiter, err := entrypoint.WaiterFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "startorder-entrypoint: %v\n", err)
		return entrypoint.ExitCode(err)
	}
	entrypoint.SetSubreaper() // best effort; PID 1 reaps orphans anyway
	r := &entrypoint.Runner{
		Cfg:     inv.Run,
		Waiter:  waiter,
		Exec:    &entrypoint.SysExecutor{ReapAll: true},
		Status:  entrypoint.FileStatus{},
		Signals: sigs,
		Env:     os.Environ(),
		Log:     stderr,
	}
	return r.Run().Code
}
