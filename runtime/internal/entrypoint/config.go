package entrypoint

import (
	"strings"
	"time"
)

// The types of a parsed command line. flags.go parses it, validate.go checks it,
// salvage.go reads what it can from one that did not parse, subcommands.go parses
// init and probe.

// ReadyKind says how the wrapper decides that its child is ready.
type ReadyKind int

const (
	ReadyNone ReadyKind = iota // ready = started
	ReadyFile                  // -ready_file PATH exists
	ReadyExec                  // -ready_exec ARGV exits 0
	ReadyHTTP                  // -ready_http URL answers 200-399
	ReadyTCP                   // -ready_tcp HOST:PORT accepts a connection
	ReadySelf                  // the child creates $STARTORDER_READY_FILE
)

func (k ReadyKind) String() string {
	return [...]string{"none", "file", "exec", "http", "tcp", "self"}[k]
}

// Default values of the duration flags.
const (
	DefaultReadyPeriod = 100 * time.Millisecond
	DefaultStopGrace   = 10 * time.Second
)

// Config is the parsed and validated command line of the run mode.
type Config struct {
	Argv            []string // the child's argv, never empty
	WaitFiles       []string
	WaitFileContent bool
	PostFile        string
	TerminationPath string
	Timeout         time.Duration

	StatusDir    string
	Ready        ReadyKind
	ReadyTarget  string   // path (file, self), URL (http) or HOST:PORT (tcp)
	ReadyArgv    []string // exec
	ReadyPeriod  time.Duration
	ReadyTimeout time.Duration
	WaitTimeout  time.Duration
	StopAfter    []string
	StopGrace    time.Duration
	ExitWith     []string
	WaitProbes   []WaitProbe // -wait_probe_http, -wait_probe_tcp, -wait_probe_exec, in command-line order

	WaitStatus       []string // -wait_status: <status dir>/<cond> of other wrappers (live semantics)
	RestartPolicy    string   // Never (default), OnFailure, Always: which exits are final
	ReadyHTTPHeaders []string // -ready_http_header "Name: value"
	OnError          string   // "", "continue" or "stopAndFail" (Tekton)
	StdoutPath       string   // -stdout_path: the child's stdout is also appended here (Tekton)
	StderrPath       string   // -stderr_path: the same for stderr
	TektonIgnored    []string // Tekton-only flags that were given and are ignored
}

// WaitProbe is a dependency the wrapper probes instead of reading its status files
// (one that startorder does not wrap: injected later, or marked wrap: false).
type WaitProbe struct {
	Name   string    // the dependency's container name, for the log lines ("" when not given)
	Kind   ReadyKind // ReadyHTTP, ReadyTCP or ReadyExec
	Target string    // URL (http), HOST:PORT (tcp) or the JSON argv as given (exec)
	Argv   []string  // exec
}

// Restart policies (-restart_policy), the container's effective restartPolicy.
const (
	RestartNever     = "Never"
	RestartOnFailure = "OnFailure"
	RestartAlways    = "Always"
)

// Final reports whether a wrapper that ends with code is the last instance of its
// container under the restart policy: then what did not happen can never happen.
func (c *Config) Final(code int) bool {
	switch c.RestartPolicy {
	case RestartAlways:
		return false
	case RestartOnFailure:
		return code == 0
	}
	return true
}

// SelfReadyFile is the file the child creates under -ready_self.
func (c *Config) SelfReadyFile() string { return joinPath(c.StatusDir, "self-ready") }

// Command is what an invocation asks for.
type Command int

const (
	CmdRun    Command = iota // wrap a child (flags)
	CmdInit                  // init DST
	CmdProbe                 // probe KIND TARGET
	CmdHelp                  // -h / -help
	CmdStatus                // status [-run_dir D]
)

// Invocation is a parsed command line.
type Invocation struct {
	Cmd          Command
	Run          Config
	InitDst      string
	InitRunDir   string // init -run_dir D: cleared and made 1777
	ProbeKind    string // file, http, tcp
	ProbeTarget  string
	ProbeHeaders []string
	ProbeTimeout time.Duration
	StatusRunDir string // status -run_dir D
}

// DefaultProbeTimeout is the probe subcommand's deadline (-timeout).
const DefaultProbeTimeout = time.Second

// joinPath is dir/name, or "" when there is no dir (no status directory: no file).
func joinPath(dir, name string) string {
	if dir == "" {
		return ""
	}
	return strings.TrimRight(dir, "/") + "/" + name
}
