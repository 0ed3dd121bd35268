package entrypoint

import (
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		runDir  string
		wantErr bool
	}{
		{[]string{"status"}, DefaultRunDir, false},
		{[]string{"status", "-run_dir", "/r"}, "/r", false},
		{[]string{"status", "--run_dir=/r"}, "/r", false},
		{[]string{"status", "-run_dir"}, "", true},
		{[]string{"status", "-run_dir", ""}, "", true},
		{[]string{"status", "-run_dir", "/r\x00"}, "", true},
		{[]string{"status", "/r"}, "", true},
		{[]string{"status", "-timeout", "1s"}, "", true},
	} {
		inv, err := Parse(tc.args)
		if (err != nil) != tc.wantErr || (err == nil && (inv.Cmd != CmdStatus || inv.StatusRunDir != tc.runDir)) {
			t.Errorf("Parse(%q) = %+v, %v", tc.args, inv, err)
		}
		if err != nil && (ExitCode(err) != ExitUsage || inv.Cmd != CmdStatus) {
			t.Errorf("Parse(%q): exit code %d, command %v", tc.args, ExitCode(err), inv.Cmd)
		}
	}
	// After flags, "status" is the child's command, as before.
	if inv, err := Parse([]string{"-status_dir", "/d", "--", "status"}); err != nil || inv.Cmd != CmdRun {
		t.Errorf("%+v %v", inv, err)
	}
}

func TestClipContent(t *testing.T) {
	for in, want := range map[string]string{
		" 2026-01-01T00:00:00Z\n":                     "2026-01-01T00:00:00Z",
		strings.Repeat("x", 256):                      strings.Repeat("x", 256),
		strings.Repeat("x", 257):                      strings.Repeat("x", 256),
		strings.Repeat("a", 255) + "é":                strings.Repeat("a", 255),
		strings.Repeat("a", 254) + "é":                strings.Repeat("a", 254) + "é",
		strings.Repeat("b", 250) + "      " + "later": strings.Repeat("b", 250),
	} {
		if got := clipContent(in); got != want {
			t.Errorf("clipContent(%q) = %q", in, got)
		}
	}
}
