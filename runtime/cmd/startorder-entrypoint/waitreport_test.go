package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The real wrapper says on stderr when it starts waiting and when the wait ends;
// the child's own stderr passes through untouched, after those lines.
func TestWaitIsReportedOnStderr(t *testing.T) {
	dir := t.TempDir()
	dep := dir + "/db/ready"
	cmd := wrapper([]string{"-status_dir", dir + "/app", "-wait_file", dep}, "write", "/dev/stderr", "child's own line\n", "exit", "0")
	go func() {
		time.Sleep(100 * time.Millisecond)
		os.MkdirAll(dir+"/db", 0o755)
		os.WriteFile(dep, []byte("x"), 0o644)
	}()
	r := runCmd(t, cmd)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 0 || len(lines) != 3 {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
	if want := "startorder-entrypoint: waiting for " + dep + " (no -wait_timeout)"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "startorder-entrypoint: waited ") || !strings.HasSuffix(lines[1], " for "+dep+": starting the child") {
		t.Errorf("second line %q", lines[1])
	}
	if lines[2] != "child's own line" {
		t.Errorf("the child's stderr %q", lines[2])
	}
}
