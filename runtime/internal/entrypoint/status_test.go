package entrypoint

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestFileStatus(t *testing.T) {
	dir := t.TempDir() + "/run/app"
	var fs FileStatus
	if err := fs.Init(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("%v %v", fi.Mode(), err)
	}
	if err := fs.Write(dir+"/ready", "2025-01-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(dir + "/ready")
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temp files left behind: %v", ents)
	}
	if err := fs.Remove(dir + "/ready"); err != nil {
		t.Fatal(err)
	}
	if err := fs.Remove(dir + "/ready"); err != nil {
		t.Errorf("removing a missing file: %v", err)
	}
	// Termination message: the child's own message wins.
	term := dir + "/term"
	os.WriteFile(term, []byte("child says"), 0o644)
	fs.WriteTermination(term, []byte(`{"x":1}`))
	if b, _ := os.ReadFile(term); string(b) != "child says" {
		t.Errorf("overwrote the child's message: %s", b)
	}
	os.WriteFile(term, nil, 0o644)
	fs.WriteTermination(term, []byte(`{"x":1}`))
	if b, _ := os.ReadFile(term); string(b) != `{"x":1}` {
		t.Errorf("empty file not filled: %s", b)
	}
	if err := fs.Init("/proc/startorder-no"); ExitCode(err) != ExitIO {
		t.Errorf("unwritable status dir: %v", err)
	}
}

func TestTerminationMessage(t *testing.T) {
	for _, reason := range []string{"Completed", "quote \" backslash \\ newline \n tab \t ctl \x01 ünï\u2028", strings.Repeat("é", 5000), strings.Repeat("x", 10000), "bad utf8 \xff\xfe",
		// Finding 8: escaping makes these six times longer; the old cut computed from the
		// byte length went below zero and dropped the reason to "".
		"CommandNotFound: " + strings.Repeat("\x01", 3000)} {
		m := terminationMessage{Waited: "w", Started: "s", Exited: "e", ExitCode: 143, Reason: reason}
		b := m.JSON()
		if len(b) > 4096 {
			t.Errorf("%d bytes", len(b))
		}
		var got struct {
			Waited, Started, Ready, Exited string
			ExitCode                       int
			Reason                         string
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("invalid JSON %s: %v", b, err)
		}
		if got.ExitCode != 143 || got.Waited != "w" || got.Started != "s" || got.Ready != "" || got.Exited != "e" {
			t.Errorf("%+v", got)
		}
		if len(reason) < 100 && string([]rune(reason)) != got.Reason {
			t.Errorf("reason %q != %q", got.Reason, reason)
		}
		if len(reason) >= 100 && len(got.Reason) < 10 || !strings.HasPrefix(reason, strings.TrimSuffix(got.Reason, "...")[:5]) {
			t.Errorf("reason shortened to %q", got.Reason)
		}
	}
}
