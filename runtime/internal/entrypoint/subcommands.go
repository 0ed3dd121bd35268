package entrypoint

import (
	"flag"
	"io"
	"strings"
)

// parseInit parses "init [-run_dir D] DST".
func parseInit(args []string) (Invocation, error) {
	inv := Invocation{Cmd: CmdInit}
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&inv.InitRunDir, "run_dir", "", "run directory to clear and make 1777")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || fs.Arg(0) == "" {
		return Invocation{}, usagef("usage: init [-run_dir DIR] DST")
	}
	inv.InitDst = fs.Arg(0)
	if strings.ContainsRune(inv.InitDst+inv.InitRunDir, 0) {
		return Invocation{}, usagef("init: NUL byte in path")
	}
	return inv, nil
}

// parseProbe parses "probe KIND TARGET [-timeout D] [-header 'N: v' ...]"; the flags
// may also come before TARGET.
func parseProbe(args []string) (Invocation, error) {
	const use = "usage: probe file PATH | http URL [-header 'Name: value' ...] | tcp HOST:PORT  [-timeout D]"
	if len(args) == 0 {
		return Invocation{}, usagef(use)
	}
	inv := Invocation{Cmd: CmdProbe, ProbeKind: args[0], ProbeTimeout: DefaultProbeTimeout}
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(durationFlag{&inv.ProbeTimeout}, "timeout", "deadline of the check")
	fs.Var(headerFlag{&inv.ProbeHeaders}, "header", "HTTP header")
	rest := args[1:]
	var targets []string
	for {
		if err := fs.Parse(rest); err != nil {
			return Invocation{}, usagef("probe: %s", oneLine(err.Error()))
		}
		if fs.NArg() == 0 {
			break
		}
		targets = append(targets, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(targets) != 1 || targets[0] == "" {
		return Invocation{}, usagef(use)
	}
	inv.ProbeTarget = targets[0]
	if inv.ProbeTimeout <= 0 {
		return Invocation{}, usagef("probe -timeout: must be greater than 0")
	}
	if len(inv.ProbeHeaders) > 0 && inv.ProbeKind != "http" {
		return Invocation{}, usagef("probe -header: only for probe http")
	}
	if err := checkProbeTarget(inv.ProbeKind, inv.ProbeTarget, "probe "+inv.ProbeKind); err != nil {
		return Invocation{}, err
	}
	return inv, nil
}
