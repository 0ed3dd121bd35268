package entrypoint

import (
	"errors"
	"flag"
	"io"
	"strings"
)

// Parse parses the wrapper's arguments (without the program name).
func Parse(args []string) (Invocation, error) {
	if len(args) > 0 {
		switch args[0] {
		case "init":
			return parseInit(args[1:])
		case "probe":
			return parseProbe(args[1:])
		case "status":
			return parseStatus(args[1:])
		}
	}
	cfg, err := ParseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return Invocation{Cmd: CmdHelp}, nil
	}
	if err != nil {
		// What did parse still says where dependents look: the caller writes the .err
		// files derivable from it, so they fail fast instead of waiting forever.
		return Invocation{Cmd: CmdRun, Run: Salvage(args)}, err
	}
	return Invocation{Cmd: CmdRun, Run: cfg}, nil
}

// readyFlags are the readiness flags, in the order their conflicts are named.
var readyFlags = []string{"ready_file", "ready_exec", "ready_http", "ready_tcp", "ready_self"}

// parsed is what the flag set holds besides the Config fields it fills directly: the
// raw values that validation turns into Config fields, and which flags were given.
type parsed struct {
	entrypoint string
	rest       []string           // the arguments after the flags (after --)
	ready      map[string]*string // -ready_file, -ready_exec, -ready_http, -ready_tcp
	selfReady  bool               // -ready_self
	set        map[string]bool    // the flags given on the command line
}

// newFlagSet returns the flag set of the run mode, bound to cfg and p.
func newFlagSet(cfg *Config, p *parsed) *flag.FlagSet {
	fs := flag.NewFlagSet("startorder-entrypoint", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&p.entrypoint, "entrypoint", "", "the child's command; its arguments follow --")
	fs.Var(listFlag{&cfg.WaitFiles}, "wait_file", "comma-separated files that must exist before the child starts (repeatable)")
	fs.BoolVar(&cfg.WaitFileContent, "wait_file_content", false, "waited files must also be non-empty")
	fs.StringVar(&cfg.PostFile, "post_file", "", "file written when the child exits 0 (FILE.err otherwise)")
	fs.StringVar(&cfg.TerminationPath, "termination_path", "", "JSON termination message, unless the child wrote one")
	fs.Var(durationFlag{&cfg.Timeout}, "timeout", "the child's run-time limit (0 = none)")
	fs.StringVar(&cfg.StatusDir, "status_dir", "", "directory for started, ready, completed, exited and their .err twins")
	p.ready = map[string]*string{}
	for _, name := range readyFlags[:4] {
		p.ready[name] = new(string)
		fs.StringVar(p.ready[name], name, "", "readiness: "+name[len("ready_"):])
	}
	fs.BoolVar(&p.selfReady, "ready_self", false, "readiness: the child creates $STARTORDER_READY_FILE")
	fs.Var(durationFlag{&cfg.ReadyPeriod}, "ready_period", "readiness probe period")
	fs.Var(durationFlag{&cfg.ReadyTimeout}, "ready_timeout", "give up on readiness after this (0 = never)")
	fs.Var(durationFlag{&cfg.WaitTimeout}, "wait_timeout", "give up waiting for dependencies after this (0 = never)")
	fs.Var(listFlag{&cfg.StopAfter}, "stop_after", "on SIGTERM hold the child until these files exist")
	fs.Var(durationFlag{&cfg.StopGrace}, "stop_grace", "longest hold for -stop_after, and SIGTERM-to-SIGKILL delay")
	fs.Var(listFlag{&cfg.ExitWith}, "exit_with", "stop the child and exit 0 once these files exist")
	fs.Var(listFlag{&cfg.WaitStatus}, "wait_status", "comma-separated DIR/started|ready|completed|exited of other wrappers; started and ready count only while that wrapper lives (repeatable)")
	fs.StringVar(&cfg.RestartPolicy, "restart_policy", RestartNever, "the container's effective restartPolicy: Never, OnFailure or Always")
	fs.Var(headerFlag{&cfg.ReadyHTTPHeaders}, "ready_http_header", "header of the -ready_http request, 'Name: value' (repeatable)")
	for _, k := range []ReadyKind{ReadyHTTP, ReadyTCP, ReadyExec} {
		fs.Var(waitProbeFlag{k, &cfg.WaitProbes}, "wait_probe_"+k.String(), "[NAME=]TARGET: wait until this "+k.String()+" probe passes (repeatable)")
	}
	fs.StringVar(&cfg.OnError, "on_error", "", "Tekton: continue (a failed child still ends the wrapper with 0) or stopAndFail")
	addTektonFlags(fs, cfg)
	return fs
}

// addTektonFlags adds Tekton's flags: the ones without meaning outside a TaskRun
// (accepted and ignored), -stdout_path and -stderr_path, and -when_expressions.
func addTektonFlags(fs *flag.FlagSet, cfg *Config) {
	for _, name := range tektonStringFlags {
		fs.Var(ignoredFlag{name: name, seen: &cfg.TektonIgnored}, name, "Tekton only; accepted and ignored")
	}
	for _, name := range tektonBoolFlags {
		fs.Var(ignoredFlag{name: name, seen: &cfg.TektonIgnored, bool: true}, name, "Tekton only; accepted and ignored")
	}
	fs.StringVar(&cfg.StdoutPath, "stdout_path", "", "Tekton: also append the child's stdout to this file")
	fs.StringVar(&cfg.StderrPath, "stderr_path", "", "Tekton: also append the child's stderr to this file")
	fs.Var(refusedFlag{}, "when_expressions", "Tekton: step when expressions (not supported)")
}

// ParseFlags parses and validates the run-mode flags.
func ParseFlags(args []string) (Config, error) {
	cfg := Config{ReadyPeriod: DefaultReadyPeriod, StopGrace: DefaultStopGrace}
	var p parsed
	fs := newFlagSet(&cfg, &p)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, &UsageError{Msg: oneLine(err.Error())}
	}
	p.rest = fs.Args()
	p.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { p.set[f.Name] = true })
	if err := validate(&cfg, &p); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
