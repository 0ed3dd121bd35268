package entrypoint

import (
	"errors"
	"flag"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

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

	WaitStatus       []string // -wait_status: <status dir>/<cond> of other wrappers (live semantics)
	RestartPolicy    string   // Never (default), OnFailure, Always: which exits are final
	ReadyHTTPHeaders []string // -ready_http_header "Name: value"
	OnError          string   // "", "continue" or "stopAndFail" (Tekton)
	StdoutPath       string   // -stdout_path: the child's stdout is also appended here (Tekton)
	StderrPath       string   // -stderr_path: the same for stderr
	TektonIgnored    []string // Tekton-only flags that were given and are ignored
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
	CmdRun   Command = iota // wrap a child (flags)
	CmdInit                 // init DST
	CmdProbe                // probe KIND TARGET
	CmdHelp                 // -h / -help
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
}

// DefaultProbeTimeout is the probe subcommand's deadline (-timeout).
const DefaultProbeTimeout = time.Second

// Parse parses the wrapper's arguments (without the program name).
func Parse(args []string) (Invocation, error) {
	if len(args) > 0 {
		switch args[0] {
		case "init":
			return parseInit(args[1:])
		case "probe":
			return parseProbe(args[1:])
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

// listFlag is a comma-separated, repeatable list of paths.
type listFlag struct{ v *[]string }

func (l listFlag) String() string {
	if l.v == nil {
		return ""
	}
	return strings.Join(*l.v, ",")
}

func (l listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p == "" {
			return errors.New("empty path in list")
		}
		if strings.ContainsRune(p, 0) {
			return errors.New("NUL byte in path")
		}
		*l.v = append(*l.v, p)
	}
	return nil
}

// durationFlag rejects negative durations.
type durationFlag struct{ v *time.Duration }

func (d durationFlag) String() string {
	if d.v == nil {
		return "0s"
	}
	return d.v.String()
}

func (d durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (use e.g. 500ms, 10s, 0)")
	}
	if v < 0 {
		return errors.New("negative duration")
	}
	*d.v = v
	return nil
}

// NewFlagSet returns the flag set of the run mode, bound to cfg.
func NewFlagSet(cfg *Config, ready map[string]*string, selfReady *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("startorder-entrypoint", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var entry string
	fs.StringVar(&entry, "entrypoint", "", "the child's command; its arguments follow --")
	fs.Var(listFlag{&cfg.WaitFiles}, "wait_file", "comma-separated files that must exist before the child starts (repeatable)")
	fs.BoolVar(&cfg.WaitFileContent, "wait_file_content", false, "waited files must also be non-empty")
	fs.StringVar(&cfg.PostFile, "post_file", "", "file written when the child exits 0 (FILE.err otherwise)")
	fs.StringVar(&cfg.TerminationPath, "termination_path", "", "JSON termination message, unless the child wrote one")
	fs.Var(durationFlag{&cfg.Timeout}, "timeout", "the child's run-time limit (0 = none)")
	fs.StringVar(&cfg.StatusDir, "status_dir", "", "directory for started, ready, completed, exited and their .err twins")
	for _, name := range []string{"ready_file", "ready_exec", "ready_http", "ready_tcp"} {
		ready[name] = new(string)
		fs.StringVar(ready[name], name, "", "readiness: "+name[len("ready_"):])
	}
	fs.BoolVar(selfReady, "ready_self", false, "readiness: the child creates $STARTORDER_READY_FILE")
	fs.Var(durationFlag{&cfg.ReadyPeriod}, "ready_period", "readiness probe period")
	fs.Var(durationFlag{&cfg.ReadyTimeout}, "ready_timeout", "give up on readiness after this (0 = never)")
	fs.Var(durationFlag{&cfg.WaitTimeout}, "wait_timeout", "give up waiting for dependencies after this (0 = never)")
	fs.Var(listFlag{&cfg.StopAfter}, "stop_after", "on SIGTERM hold the child until these files exist")
	fs.Var(durationFlag{&cfg.StopGrace}, "stop_grace", "longest hold for -stop_after, and SIGTERM-to-SIGKILL delay")
	fs.Var(listFlag{&cfg.ExitWith}, "exit_with", "stop the child and exit 0 once these files exist")
	fs.Var(listFlag{&cfg.WaitStatus}, "wait_status", "comma-separated DIR/started|ready|completed|exited of other wrappers; started and ready count only while that wrapper lives (repeatable)")
	fs.StringVar(&cfg.RestartPolicy, "restart_policy", RestartNever, "the container's effective restartPolicy: Never, OnFailure or Always")
	fs.Var(headerFlag{&cfg.ReadyHTTPHeaders}, "ready_http_header", "header of the -ready_http request, 'Name: value' (repeatable)")
	fs.StringVar(&cfg.OnError, "on_error", "", "Tekton: continue (a failed child still ends the wrapper with 0) or stopAndFail")
	for _, name := range tektonStringFlags {
		fs.Var(ignoredFlag{name: name, seen: &cfg.TektonIgnored}, name, "Tekton only; accepted and ignored")
	}
	for _, name := range tektonBoolFlags {
		fs.Var(ignoredFlag{name: name, seen: &cfg.TektonIgnored, bool: true}, name, "Tekton only; accepted and ignored")
	}
	fs.StringVar(&cfg.StdoutPath, "stdout_path", "", "Tekton: also append the child's stdout to this file")
	fs.StringVar(&cfg.StderrPath, "stderr_path", "", "Tekton: also append the child's stderr to this file")
	fs.Var(refusedFlag{}, "when_expressions", "Tekton: step when expressions (not supported)")
	// The entrypoint value is read back through Lookup in ParseFlags.
	return fs
}

// ParseFlags parses and validates the run-mode flags.
func ParseFlags(args []string) (Config, error) {
	cfg := Config{ReadyPeriod: DefaultReadyPeriod, StopGrace: DefaultStopGrace}
	ready := map[string]*string{}
	var selfReady bool
	fs := NewFlagSet(&cfg, ready, &selfReady)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, &UsageError{Msg: oneLine(err.Error())}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch cfg.RestartPolicy {
	case RestartNever, RestartOnFailure, RestartAlways:
	default:
		return Config{}, usagef("-restart_policy: %q is not Never, OnFailure or Always", cfg.RestartPolicy)
	}
	switch cfg.OnError {
	case "", "continue", "stopAndFail":
	default:
		return Config{}, usagef("-on_error: %q is not continue or stopAndFail", cfg.OnError)
	}
	for _, p := range cfg.WaitStatus {
		if _, ok := statusCond(p); !ok {
			return Config{}, usagef("-wait_status: %q does not end in /started, /ready, /completed or /exited", p)
		}
	}
	if len(cfg.ReadyHTTPHeaders) > 0 && !set["ready_http"] {
		return Config{}, usagef("-ready_http_header: needs -ready_http")
	}

	entry := fs.Lookup("entrypoint").Value.String()
	rest := fs.Args()
	switch {
	case entry != "":
		cfg.Argv = append([]string{entry}, rest...)
	case len(rest) > 0 && rest[0] != "":
		cfg.Argv = append([]string(nil), rest...)
	default:
		return Config{}, usagef("-entrypoint: no command (give -entrypoint CMD, or the command after --)")
	}
	for _, a := range cfg.Argv {
		if strings.ContainsRune(a, 0) {
			return Config{}, usagef("-entrypoint: NUL byte in the command")
		}
	}

	var kinds []string
	for _, name := range []string{"ready_file", "ready_exec", "ready_http", "ready_tcp", "ready_self"} {
		if set[name] {
			kinds = append(kinds, "-"+name)
		}
	}
	if len(kinds) > 1 {
		return Config{}, usagef("%s: only one readiness flag may be given", strings.Join(kinds, ", "))
	}
	switch {
	case set["ready_file"]:
		cfg.Ready, cfg.ReadyTarget = ReadyFile, *ready["ready_file"]
		if err := checkProbeTarget("file", cfg.ReadyTarget, "-ready_file"); err != nil {
			return Config{}, err
		}
	case set["ready_exec"]:
		argv, err := parseJSONArgv(*ready["ready_exec"])
		if err != nil {
			return Config{}, usagef("-ready_exec: %v (want a JSON array of strings, e.g. [\"/bin/check\",\"-q\"])", err)
		}
		cfg.Ready, cfg.ReadyArgv = ReadyExec, argv
	case set["ready_http"]:
		cfg.Ready, cfg.ReadyTarget = ReadyHTTP, *ready["ready_http"]
		if err := checkProbeTarget("http", cfg.ReadyTarget, "-ready_http"); err != nil {
			return Config{}, err
		}
	case set["ready_tcp"]:
		cfg.Ready, cfg.ReadyTarget = ReadyTCP, *ready["ready_tcp"]
		if err := checkProbeTarget("tcp", cfg.ReadyTarget, "-ready_tcp"); err != nil {
			return Config{}, err
		}
	case set["ready_self"]:
		if !selfReady {
			break // -ready_self=false
		}
		if cfg.StatusDir == "" {
			return Config{}, usagef("-ready_self: needs -status_dir")
		}
		cfg.Ready, cfg.ReadyTarget = ReadySelf, cfg.SelfReadyFile()
	}
	if cfg.ReadyPeriod == 0 {
		return Config{}, usagef("-ready_period: must be greater than 0")
	}
	if set["status_dir"] && cfg.StatusDir == "" {
		return Config{}, usagef("-status_dir: empty path")
	}
	for _, f := range []struct{ name, v string }{
		{"status_dir", cfg.StatusDir}, {"post_file", cfg.PostFile}, {"termination_path", cfg.TerminationPath},
		{"stdout_path", cfg.StdoutPath}, {"stderr_path", cfg.StderrPath},
	} {
		if strings.ContainsRune(f.v, 0) {
			return Config{}, usagef("-%s: NUL byte in path", f.name)
		}
		if set[f.name] && f.v == "" {
			return Config{}, usagef("-%s: empty path", f.name)
		}
	}
	return cfg, nil
}

// checkProbeTarget validates the target of a probe kind; flag names the flag for messages.
func checkProbeTarget(kind, target, flagName string) error {
	switch kind {
	case "file":
		if target == "" || strings.ContainsRune(target, 0) {
			return usagef("%s: want a path", flagName)
		}
	case "http":
		u, err := url.Parse(target)
		if err != nil || u.Scheme != "http" || u.Host == "" {
			return usagef("%s: want an http://HOST[:PORT]/PATH URL (https is not supported)", flagName)
		}
		if p := u.Port(); p != "" {
			if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
				return usagef("%s: bad port %q", flagName, p)
			}
		}
	case "tcp":
		if _, _, err := splitHostPort(target); err != nil {
			return usagef("%s: want HOST:PORT", flagName)
		}
	default:
		return usagef("probe: unknown kind %q (want file, http or tcp)", kind)
	}
	return nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func joinPath(dir, name string) string {
	if dir == "" {
		return ""
	}
	return strings.TrimRight(dir, "/") + "/" + name
}

// parseJSONArgv parses a JSON array of strings, such as ["sh","-c","test -e /x"],
// without encoding/json (which would add a quarter megabyte to the binary).
func parseJSONArgv(s string) ([]string, error) {
	p := &jsonParser{s: s}
	p.ws()
	if !p.eat('[') {
		return nil, errors.New("not a JSON array")
	}
	var out []string
	p.ws()
	if p.eat(']') {
		return nil, errors.New("empty array")
	}
	for {
		p.ws()
		v, err := p.str()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.ws()
		if p.eat(']') {
			break
		}
		if !p.eat(',') {
			return nil, errors.New("expected , or ]")
		}
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, errors.New("trailing data after the array")
	}
	if out[0] == "" {
		return nil, errors.New("empty command")
	}
	for _, a := range out {
		if strings.ContainsRune(a, 0) {
			return nil, errors.New("NUL byte in argument")
		}
	}
	return out, nil
}

type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) ws() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *jsonParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

func (p *jsonParser) str() (string, error) {
	if !p.eat('"') {
		return "", errors.New("expected a string")
	}
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return "", errors.New("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c < 0x20:
			return "", errors.New("control character in string")
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				return "", errors.New("unterminated escape")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", errors.New("bad \\u escape")
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], "\\u") {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && utf16.DecodeRune(r, r2) != utf8.RuneError {
						r = utf16.DecodeRune(r, r2)
					} else {
						p.i = save
						r = utf8.RuneError
					}
				} else if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default:
				return "", errors.New("bad escape")
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", errors.New("invalid UTF-8")
			}
			b.WriteString(p.s[p.i : p.i+size])
			p.i += size
		}
	}
}
