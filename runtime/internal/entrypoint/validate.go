package entrypoint

import (
	"net/url"
	"path"
	"strconv"
	"strings"
)

// validate checks the parsed flags and completes cfg from the raw values in p (the
// child's argv, the readiness kind and target). The checks run in a fixed order, so
// a command line with several faults always names the same one.
func validate(cfg *Config, p *parsed) error {
	for _, check := range []func(*Config, *parsed) error{
		checkChoices, checkWaitStatus, setArgv, setReadiness, checkPaths,
	} {
		if err := check(cfg, p); err != nil {
			return err
		}
	}
	return nil
}

// checkChoices checks the flags that take one of a few words.
func checkChoices(cfg *Config, _ *parsed) error {
	switch cfg.RestartPolicy {
	case RestartNever, RestartOnFailure, RestartAlways:
	default:
		return usagef("-restart_policy: %q is not Never, OnFailure or Always", cfg.RestartPolicy)
	}
	switch cfg.OnError {
	case "", "continue", "stopAndFail":
	default:
		return usagef("-on_error: %q is not continue or stopAndFail", cfg.OnError)
	}
	return nil
}

func checkWaitStatus(cfg *Config, p *parsed) error {
	for _, w := range cfg.WaitStatus {
		if _, ok := statusCond(w); !ok {
			return usagef("-wait_status: %q does not end in /started, /ready, /completed or /exited", w)
		}
	}
	if len(cfg.ReadyHTTPHeaders) > 0 && !p.set["ready_http"] {
		return usagef("-ready_http_header: needs -ready_http")
	}
	return nil
}

// statusCond returns the condition a -wait_status path names (its base name).
func statusCond(p string) (string, bool) {
	switch b := path.Base(p); b {
	case FileStarted, FileReady, FileCompleted, FileExited:
		return b, path.Dir(p) != "." || strings.Contains(p, "/")
	}
	return "", false
}

// setArgv sets the child's argv: -entrypoint and the arguments after --, or only the
// arguments after -- when there is no -entrypoint.
func setArgv(cfg *Config, p *parsed) error {
	switch {
	case p.entrypoint != "":
		cfg.Argv = append([]string{p.entrypoint}, p.rest...)
	case len(p.rest) > 0 && p.rest[0] != "":
		cfg.Argv = append([]string(nil), p.rest...)
	default:
		return usagef("-entrypoint: no command (give -entrypoint CMD, or the command after --)")
	}
	for _, a := range cfg.Argv {
		if strings.ContainsRune(a, 0) {
			return usagef("-entrypoint: NUL byte in the command")
		}
	}
	return nil
}

// setReadiness sets the readiness kind and target from the one readiness flag given.
func setReadiness(cfg *Config, p *parsed) error {
	var kinds []string
	for _, name := range readyFlags {
		if p.set[name] {
			kinds = append(kinds, "-"+name)
		}
	}
	if len(kinds) > 1 {
		return usagef("%s: only one readiness flag may be given", strings.Join(kinds, ", "))
	}
	probes := map[string]ReadyKind{"ready_file": ReadyFile, "ready_http": ReadyHTTP, "ready_tcp": ReadyTCP}
	switch {
	case len(kinds) == 0:
	case p.set["ready_exec"]:
		argv, err := parseJSONArgv(*p.ready["ready_exec"])
		if err != nil {
			return usagef("-ready_exec: %v (want a JSON array of strings, e.g. [\"/bin/check\",\"-q\"])", err)
		}
		cfg.Ready, cfg.ReadyArgv = ReadyExec, argv
	case p.set["ready_self"]:
		if !p.selfReady {
			break // -ready_self=false
		}
		if cfg.StatusDir == "" {
			return usagef("-ready_self: needs -status_dir")
		}
		cfg.Ready, cfg.ReadyTarget = ReadySelf, cfg.SelfReadyFile()
	default:
		name := kinds[0][1:]
		cfg.Ready, cfg.ReadyTarget = probes[name], *p.ready[name]
		if err := checkProbeTarget(cfg.Ready.String(), cfg.ReadyTarget, kinds[0]); err != nil {
			return err
		}
	}
	if cfg.ReadyPeriod == 0 {
		return usagef("-ready_period: must be greater than 0")
	}
	return nil
}

// checkPaths refuses an empty path given explicitly and a NUL byte in any path.
func checkPaths(cfg *Config, p *parsed) error {
	if p.set["status_dir"] && cfg.StatusDir == "" {
		return usagef("-status_dir: empty path")
	}
	for _, f := range []struct{ name, v string }{
		{"status_dir", cfg.StatusDir}, {"post_file", cfg.PostFile}, {"termination_path", cfg.TerminationPath},
		{"stdout_path", cfg.StdoutPath}, {"stderr_path", cfg.StderrPath},
	} {
		if strings.ContainsRune(f.v, 0) {
			return usagef("-%s: NUL byte in path", f.name)
		}
		if p.set[f.name] && f.v == "" {
			return usagef("-%s: empty path", f.name)
		}
	}
	return nil
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
