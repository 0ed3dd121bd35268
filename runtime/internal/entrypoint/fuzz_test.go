package entrypoint

import (
	"slices"
	"strings"
	"testing"
)

// FuzzParseFlags checks that no command line makes the parser panic, and that every
// accepted one yields a usable configuration. The input is split into arguments at
// 0x1f (unit separator), so that NUL bytes can still appear inside an argument.
// fuzzSeeds are command lines with their arguments joined by \x1f.
var fuzzSeeds = []string{
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

func FuzzParseFlags(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var args []string
		if s != "" {
			args = strings.Split(s, "\x1f")
		}
		checkParse(t, args)
	})
}

// checkParse: whatever the arguments, Parse gives a one-line usage error or a
// configuration the runner can use.
func checkParse(t *testing.T, args []string) {
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
}
