package entrypoint

import (
	"testing"
)

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
