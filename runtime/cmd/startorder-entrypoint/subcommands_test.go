package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The init and probe subcommands.

func TestInitAndProbeSubcommands(t *testing.T) {
	dir := t.TempDir()
	dst := dir + "/entrypoint"
	if r := runCmd(t, exec.Command(wrapperBin, "init", dst)); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	fi, err := os.Stat(dst)
	if err != nil || fi.Mode().Perm() != 0o555 {
		t.Fatalf("%v %v", fi, err)
	}
	if a, b := readFile(t, dst), readFile(t, wrapperBin); a != b {
		t.Error("copy differs")
	}
	if r := runCmd(t, exec.Command(wrapperBin, "init", dir+"/no/such/dir/x")); r.code != 4 {
		t.Errorf("init into a missing dir: %+v", r)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"probe", "file", dst}, 0},
		{[]string{"probe", "file", dir + "/nope"}, 1},
		{[]string{"probe", "http", srv.URL + "/"}, 0},
		{[]string{"probe", "http", srv.URL + "/bad"}, 1},
		{[]string{"probe", "tcp", strings.TrimPrefix(srv.URL, "http://")}, 0},
		{[]string{"probe", "tcp", "127.0.0.1:1"}, 1},
		{[]string{"probe", "tcp", "nohost"}, 2},
	} {
		if r := runCmd(t, exec.Command(dst, tc.args...)); r.code != tc.code {
			t.Errorf("%q: %d, want %d (%s)", tc.args, r.code, tc.code, r.stderr)
		}
	}
}

// Finding 8 and RestartAllContainers: init -run_dir empties the run directory (even
// entries it may not delete) and makes it 1777.
func TestInitClearsTheRunDirectory(t *testing.T) {
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	runDir := root + "/run"
	os.MkdirAll(runDir+"/db", 0o755)
	os.WriteFile(runDir+"/db/ready", []byte("x"), 0o644)
	os.WriteFile(runDir+"/db/lock", []byte("restart_policy=Never\n"), 0o644)
	cmd := exec.Command(wrapperBin, "init", "-run_dir", runDir, root+"/bin-entrypoint")
	if os.Geteuid() == 0 {
		// As in a pod: the init container's UID may not delete files in another
		// container's status directory; db/ stays root's, run/ becomes the init's.
		os.Chown(runDir, 65532, 65532)
		os.Chmod(root, 0o777)
		asUser(t, cmd)
	}
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	ents, _ := os.ReadDir(runDir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".startorder-stale-") {
			t.Errorf("%s survived init", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(runDir, "db", "ready")); err == nil {
		t.Error("db/ready survived init")
	}
	fi, _ := os.Stat(runDir)
	if fi.Mode().Perm() != 0o777 || fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("run dir mode %v", fi.Mode())
	}
}
