package entrypoint

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

type parseCase struct {
	name    string
	args    []string
	wantErr string // substring of the error; "" = success
	check   func(t *testing.T, c Config)
}

// parseCasesValid: command lines the parser accepts, and what it makes of them.
func parseCasesValid() []parseCase {
	return []parseCase{
		{name: "tekton style", args: []string{"-wait_file", "/a/ready", "-post_file", "/b", "-entrypoint", "/bin/app", "--", "-x", "--", "y"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.Argv, []string{"/bin/app", "-x", "--", "y"}) {
					t.Errorf("argv %q", c.Argv)
				}
				if !slices.Equal(c.WaitFiles, []string{"/a/ready"}) || c.PostFile != "/b" {
					t.Errorf("%+v", c)
				}
				if c.ReadyPeriod != DefaultReadyPeriod || c.StopGrace != DefaultStopGrace || c.Ready != ReadyNone {
					t.Errorf("defaults %+v", c)
				}
			}},
		{name: "wait_file list and repeat", args: []string{"-wait_file", "a,b", "-wait_file", "c", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.WaitFiles, []string{"a", "b", "c"}) {
					t.Errorf("%q", c.WaitFiles)
				}
			}},
		{name: "command after -- without -entrypoint", args: []string{"--", "sh", "-c", "true"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.Argv, []string{"sh", "-c", "true"}) {
					t.Errorf("%q", c.Argv)
				}
			}},
		{name: "all extensions", args: []string{"-status_dir", "/run/x", "-ready_self", "-ready_period", "50ms", "-ready_timeout", "1m",
			"-wait_timeout", "2s", "-stop_after", "/run/y/exited,/run/z/exited", "-stop_grace", "3s", "-exit_with", "/run/m/exited",
			"-timeout", "1h", "-termination_path", "/dev/termination-log", "-wait_file_content", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				want := Config{Argv: []string{"x"}, StatusDir: "/run/x", Ready: ReadySelf, ReadyTarget: "/run/x/self-ready",
					ReadyPeriod: 50 * time.Millisecond, ReadyTimeout: time.Minute, WaitTimeout: 2 * time.Second,
					StopAfter: []string{"/run/y/exited", "/run/z/exited"}, StopGrace: 3 * time.Second,
					ExitWith: []string{"/run/m/exited"}, Timeout: time.Hour, TerminationPath: "/dev/termination-log", WaitFileContent: true}
				if !equalConfig(c, want) {
					t.Errorf("got %+v\nwant %+v", c, want)
				}
			}},
		{name: "ready_exec", args: []string{"-ready_exec", `["/bin/check", "a b", "\"q\"\u00e9"]`, "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if c.Ready != ReadyExec || !slices.Equal(c.ReadyArgv, []string{"/bin/check", "a b", `"q"é`}) {
					t.Errorf("%q", c.ReadyArgv)
				}
			}},
		{name: "ready_http", args: []string{"-ready_http", "http://localhost:8080/healthz", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if c.Ready != ReadyHTTP || c.ReadyTarget != "http://localhost:8080/healthz" {
					t.Errorf("%+v", c)
				}
			}},
		{name: "ready_tcp v6", args: []string{"-ready_tcp", "[::1]:5432", "-entrypoint", "x"}},
		{name: "ready_file", args: []string{"-ready_file", "/tmp/r", "-entrypoint", "x"}},
	}
}

// parseCasesRefused: usage errors (no command, unknown flags, bad values and paths).
func parseCasesRefused() []parseCase {
	return []parseCase{
		{name: "no command", args: []string{"-wait_file", "a"}, wantErr: "-entrypoint"},
		{name: "unknown flag", args: []string{"-nope", "-entrypoint", "x"}, wantErr: "-nope"},
		{name: "bad duration", args: []string{"-timeout", "soon", "-entrypoint", "x"}, wantErr: "-timeout"},
		{name: "negative duration", args: []string{"-stop_grace", "-1s", "-entrypoint", "x"}, wantErr: "-stop_grace"},
		{name: "missing value", args: []string{"-entrypoint"}, wantErr: "-entrypoint"},
		{name: "empty list element", args: []string{"-wait_file", "a,,b", "-entrypoint", "x"}, wantErr: "-wait_file"},
		{name: "two readiness flags", args: []string{"-ready_file", "/a", "-ready_tcp", "h:1", "-entrypoint", "x"}, wantErr: "-ready_file, -ready_tcp"},
		{name: "ready_self needs status_dir", args: []string{"-ready_self", "-entrypoint", "x"}, wantErr: "-ready_self"},
		{name: "https unsupported", args: []string{"-ready_http", "https://x/", "-entrypoint", "x"}, wantErr: "-ready_http"},
		{name: "tcp without port", args: []string{"-ready_tcp", "localhost", "-entrypoint", "x"}, wantErr: "-ready_tcp"},
		{name: "tcp port range", args: []string{"-ready_tcp", "h:70000", "-entrypoint", "x"}, wantErr: "-ready_tcp"},
		{name: "ready_exec not json", args: []string{"-ready_exec", "check", "-entrypoint", "x"}, wantErr: "-ready_exec"},
		{name: "ready_exec empty", args: []string{"-ready_exec", "[]", "-entrypoint", "x"}, wantErr: "-ready_exec"},
		{name: "ready_exec trailing", args: []string{"-ready_exec", `["a"] x`, "-entrypoint", "x"}, wantErr: "-ready_exec"},
		{name: "ready_period zero", args: []string{"-ready_period", "0", "-entrypoint", "x"}, wantErr: "-ready_period"},
		{name: "empty status_dir", args: []string{"-status_dir", "", "-entrypoint", "x"}, wantErr: "-status_dir"},
		{name: "NUL in path", args: []string{"-post_file", "a\x00b", "-entrypoint", "x"}, wantErr: "-post_file"},
	}
}

// parseCasesExtensions: the flags of issue 9 (live status, restart policy, headers) and Tekton's TaskRun-only flags.
func parseCasesExtensions() []parseCase {
	return []parseCase{
		{name: "issue 9 flags", args: []string{"-wait_status", "/run/a/ready,/run/b/exited", "-wait_status", "/run/c/completed",
			"-restart_policy", "OnFailure", "-ready_http", "http://127.0.0.1:8080/", "-ready_http_header", "X-A:  1",
			"-ready_http_header", "Host: example", "-on_error", "continue", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.WaitStatus, []string{"/run/a/ready", "/run/b/exited", "/run/c/completed"}) || c.RestartPolicy != RestartOnFailure ||
					!slices.Equal(c.ReadyHTTPHeaders, []string{"X-A: 1", "Host: example"}) || c.OnError != "continue" {
					t.Errorf("%+v", c)
				}
			}},
		{name: "default restart policy", args: []string{"-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if c.RestartPolicy != RestartNever || c.Final(1) != true {
					t.Errorf("%+v", c)
				}
			}},
		{name: "tekton flags accepted", args: []string{"-step_metadata_dir", "/tekton/run/0/status", "-step_metadata_dir_link", "/tekton/steps/0",
			"-enable_spire", "-spire_socket_path", "unix:///x", "-results", "a", "-step_results", "{}", "-result_from", "sidecar-logs",
			"-breakpoint_on_failure", "-debug_before_step", "-when_expressions", "", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if len(c.TektonIgnored) != 9 || c.TektonIgnored[0] != "-step_metadata_dir" {
					t.Errorf("%q", c.TektonIgnored)
				}
			}},
		{name: "wait_status needs a condition", args: []string{"-wait_status", "/run/a/done", "-entrypoint", "x"}, wantErr: "-wait_status"},
		{name: "bad restart policy", args: []string{"-restart_policy", "Sometimes", "-entrypoint", "x"}, wantErr: "-restart_policy"},
		{name: "bad on_error", args: []string{"-on_error", "ignore", "-entrypoint", "x"}, wantErr: "-on_error"},
		{name: "header without ready_http", args: []string{"-ready_http_header", "A: b", "-entrypoint", "x"}, wantErr: "-ready_http_header"},
		{name: "bad header", args: []string{"-ready_http", "http://h:1/", "-ready_http_header", "no colon", "-entrypoint", "x"}, wantErr: "-ready_http_header"},
		{name: "header injection", args: []string{"-ready_http", "http://h:1/", "-ready_http_header", "A: b\r\nC: d", "-entrypoint", "x"}, wantErr: "-ready_http_header"},
		{name: "stdout_path and stderr_path", args: []string{"-stdout_path", "/logs/out", "-stderr_path", "/logs/err", "-entrypoint", "x"},
			check: func(t *testing.T, c Config) {
				if c.StdoutPath != "/logs/out" || c.StderrPath != "/logs/err" {
					t.Errorf("%+v", c)
				}
			}},
		{name: "when_expressions refused", args: []string{"-when_expressions", "[{}]", "-entrypoint", "x"}, wantErr: "-when_expressions"},
	}
}

func TestParseFlags(t *testing.T) {
	cases := slices.Concat(parseCasesValid(), parseCasesRefused(), parseCasesExtensions())
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseFlags(tc.args)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if tc.check != nil {
					tc.check(t, c)
				}
				return
			}
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v (%T), want a UsageError", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q, want one line naming %q", err, tc.wantErr)
			}
			if ExitCode(err) != ExitUsage {
				t.Errorf("exit code %d", ExitCode(err))
			}
		})
	}
}

func equalConfig(a, b Config) bool {
	return slices.Equal(a.Argv, b.Argv) && slices.Equal(a.WaitFiles, b.WaitFiles) && slices.Equal(a.StopAfter, b.StopAfter) &&
		slices.Equal(a.ExitWith, b.ExitWith) && slices.Equal(a.ReadyArgv, b.ReadyArgv) &&
		a.WaitFileContent == b.WaitFileContent && a.PostFile == b.PostFile && a.TerminationPath == b.TerminationPath &&
		a.Timeout == b.Timeout && a.StatusDir == b.StatusDir && a.Ready == b.Ready && a.ReadyTarget == b.ReadyTarget &&
		a.ReadyPeriod == b.ReadyPeriod && a.ReadyTimeout == b.ReadyTimeout && a.WaitTimeout == b.WaitTimeout && a.StopGrace == b.StopGrace
}
