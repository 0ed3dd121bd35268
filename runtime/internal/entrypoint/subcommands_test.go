package entrypoint

import (
	"slices"
	"testing"
	"time"
)

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
