package entrypoint

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		wantErr string // substring of the error; "" = success
		check   func(t *testing.T, c Config)
	}{
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

func TestParseSubcommands(t *testing.T) {
	cases := []struct {
		args    []string
		cmd     Command
		wantErr bool
	}{
		{[]string{"init", "/startorder/bin/entrypoint"}, CmdInit, false},
		{[]string{"init"}, 0, true},
		{[]string{"init", "a", "b"}, 0, true},
		{[]string{"probe", "file", "/x"}, CmdProbe, false},
		{[]string{"probe", "http", "http://127.0.0.1:80/"}, CmdProbe, false},
		{[]string{"probe", "tcp", "127.0.0.1:80"}, CmdProbe, false},
		{[]string{"probe", "udp", "x"}, 0, true},
		{[]string{"probe", "tcp"}, 0, true},
		{[]string{"-h"}, CmdHelp, false},
		{[]string{"-entrypoint", "x"}, CmdRun, false},
		{[]string{"init", "-run_dir", "/startorder/run", "/startorder/bin/entrypoint"}, CmdInit, false},
		{[]string{"init", "-run_dir"}, 0, true},
		{[]string{"probe", "http", "http://127.0.0.1/", "-header", "A: b", "-timeout", "2s"}, CmdProbe, false},
		{[]string{"probe", "http", "-timeout", "2s", "http://127.0.0.1/"}, CmdProbe, false},
		{[]string{"probe", "tcp", "127.0.0.1:1", "-header", "A: b"}, 0, true},
		{[]string{"probe", "tcp", "127.0.0.1:1", "-timeout", "0"}, 0, true},
		{[]string{"probe", "tcp", "127.0.0.1:1", "127.0.0.1:2"}, 0, true},
	}
	for _, tc := range cases {
		inv, err := Parse(tc.args)
		if (err != nil) != tc.wantErr || (err == nil && inv.Cmd != tc.cmd) {
			t.Errorf("Parse(%q) = %v, %v", tc.args, inv.Cmd, err)
		}
		if err != nil && ExitCode(err) != ExitUsage {
			t.Errorf("Parse(%q): exit code %d", tc.args, ExitCode(err))
		}
	}
}

func TestParsedSubcommandFields(t *testing.T) {
	inv, err := Parse([]string{"probe", "http", "http://127.0.0.1/", "-header", "A: b", "-header", "C: d", "-timeout", "2s"})
	if err != nil || inv.ProbeTarget != "http://127.0.0.1/" || !slices.Equal(inv.ProbeHeaders, []string{"A: b", "C: d"}) || inv.ProbeTimeout != 2*time.Second {
		t.Errorf("%+v %v", inv, err)
	}
	inv, _ = Parse([]string{"probe", "tcp", "127.0.0.1:1"})
	if inv.ProbeTimeout != DefaultProbeTimeout {
		t.Errorf("default timeout %v", inv.ProbeTimeout)
	}
	inv, _ = Parse([]string{"init", "-run_dir", "/r", "/b/e"})
	if inv.InitRunDir != "/r" || inv.InitDst != "/b/e" {
		t.Errorf("%+v", inv)
	}
}

// Finding 9: what did parse of a broken command line still tells where to report.
func TestSalvage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Config
	}{
		{[]string{"-status_dir", "/run/a", "-bogus", "-post_file=/p", "--termination_path", "/t", "-restart_policy", "Always", "--", "-status_dir", "/no"},
			Config{StatusDir: "/run/a", PostFile: "/p", TerminationPath: "/t", RestartPolicy: RestartAlways}},
		{[]string{"-wait_file", "x", "-status_dir"}, Config{RestartPolicy: RestartNever}},
		{[]string{"-restart_policy", "bogus", "-status_dir", ""}, Config{RestartPolicy: RestartNever}},
	} {
		got := Salvage(tc.args)
		if got.StatusDir != tc.want.StatusDir || got.PostFile != tc.want.PostFile || got.TerminationPath != tc.want.TerminationPath || got.RestartPolicy != tc.want.RestartPolicy {
			t.Errorf("Salvage(%q) = %+v", tc.args, got)
		}
	}
	inv, err := Parse([]string{"-status_dir", "/run/a", "-nope", "-entrypoint", "x"})
	if err == nil || inv.Cmd != CmdRun || inv.Run.StatusDir != "/run/a" {
		t.Errorf("Parse: %+v %v", inv, err)
	}
}

func TestParseJSONArgv(t *testing.T) {
	good := map[string][]string{
		`["a"]`:                 {"a"},
		` [ "a" , "b" ] `:       {"a", "b"},
		`["\ud83d\ude00\n\t/"]`: {"😀\n\t/"},
		`["\u0041\\\/"]`:        {`A\/`},
	}
	for in, want := range good {
		got, err := parseJSONArgv(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseJSONArgv(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{``, `[`, `["a"`, `["a",]`, `[1]`, `["a\x"]`, `["\u12"]`, "[\"\x01\"]", `[""]`, `{"a":1}`, "[\"\xff\"]"} {
		if got, err := parseJSONArgv(in); err == nil {
			t.Errorf("parseJSONArgv(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzParseFlags checks that no command line makes the parser panic, and that every
// accepted one yields a usable configuration. The input is split into arguments at
// 0x1f (unit separator), so that NUL bytes can still appear inside an argument.
func FuzzParseFlags(f *testing.F) {
	seeds := []string{
		"-entrypoint\x1f/bin/sh\x1f--\x1f-c\x1fecho hi",
		"-wait_file\x1f/startorder/run/db/ready,/startorder/downward/ready\x1f-wait_file_content\x1f-entrypoint\x1fx",
		"-status_dir\x1f/startorder/run/web\x1f-ready_self\x1f-ready_timeout\x1f1m\x1f-entrypoint\x1fx",
		"-ready_exec\x1f[\"pg_isready\",\"-h\",\"localhost\"]\x1f-entrypoint\x1fx",
		"-ready_http\x1fhttp://127.0.0.1:8080/healthz\x1f-ready_period\x1f250ms\x1f--\x1fapp",
		"-ready_tcp\x1f[::1]:5432\x1f-stop_after\x1f/a/exited,/b/exited\x1f-stop_grace\x1f30s\x1f-entrypoint\x1fx",
		"-exit_with\x1f/startorder/run/main/exited\x1f-timeout\x1f1h\x1f-termination_path\x1f/dev/termination-log\x1f-entrypoint\x1fx",
		"init\x1f/startorder/bin/entrypoint",
		"probe\x1ftcp\x1flocalhost:80",
		"-timeout\x1f-5s",
		"-ready_exec\x1f[\"\\ud800\"]\x1f-entrypoint\x1fx",
		"-wait_status\x1f/startorder/run/db/ready,/startorder/run/job/exited\x1f-restart_policy\x1fOnFailure\x1f-entrypoint\x1fx",
		"-ready_http\x1fhttp://127.0.0.1/\x1f-ready_http_header\x1fX-A: b\x1f-on_error\x1fcontinue\x1f-entrypoint\x1fx",
		"-step_metadata_dir\x1f/tekton/run/0/status\x1f-enable_spire\x1f-stdout_path\x1f/l/o\x1f-entrypoint\x1fx",
		"init\x1f-run_dir\x1f/startorder/run\x1f/startorder/bin/entrypoint",
		"probe\x1fhttp\x1fhttp://127.0.0.1:8080/\x1f-header\x1fA: b\x1f-timeout\x1f2s",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x1f")
		}
		inv, err := Parse(args)
		if err != nil {
			if ExitCode(err) != ExitUsage {
				t.Fatalf("error %v maps to %d, not the usage code", err, ExitCode(err))
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if inv.Cmd != CmdRun {
			return
		}
		c := inv.Run
		if len(c.Argv) == 0 || c.Argv[0] == "" {
			t.Fatalf("accepted without a command: %q", args)
		}
		if c.ReadyPeriod <= 0 || c.Timeout < 0 || c.StopGrace < 0 || c.WaitTimeout < 0 || c.ReadyTimeout < 0 {
			t.Fatalf("bad durations: %+v", c)
		}
		for _, l := range [][]string{c.WaitFiles, c.StopAfter, c.ExitWith} {
			if slices.Contains(l, "") {
				t.Fatalf("empty path accepted: %q", args)
			}
		}
		if c.Ready == ReadySelf && c.StatusDir == "" {
			t.Fatalf("-ready_self without -status_dir accepted")
		}
		if c.Ready == ReadyExec && (len(c.ReadyArgv) == 0 || c.ReadyArgv[0] == "") {
			t.Fatalf("empty -ready_exec accepted")
		}
	})
}
