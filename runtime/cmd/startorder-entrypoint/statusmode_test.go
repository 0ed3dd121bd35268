package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// The status mode: `status [-run_dir D]` prints the status directories of D as JSON,
// in the shape src/status/facts.ts (parseStatusDirs) reads.

type statusDirJSON struct {
	Files         map[string]string `json:"files"`
	Lock          *string           `json:"lock"`
	RestartPolicy *string           `json:"restart_policy"`
}

type statusJSON struct {
	V          int                      `json:"v"`
	Containers map[string]statusDirJSON `json:"containers"`
}

// statusOf runs bin's status mode on run and decodes its output strictly.
func statusOf(t *testing.T, bin, run string) statusJSON {
	t.Helper()
	r := runCmd(t, exec.Command(bin, "status", "-run_dir", run))
	if r.code != 0 || r.stderr != "" || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("status: %+v", r)
	}
	var s statusJSON
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.V != 1 {
		t.Fatalf("status output %q: %v", r.stdout, err)
	}
	return s
}

// onDisk is what a status directory holds, read directly: every file but the lock and
// the hidden temporary ones, trimmed.
func onDisk(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if e.Name() != "lock" && !strings.HasPrefix(e.Name(), ".") {
			out[e.Name()] = strings.TrimSpace(readFile(t, filepath.Join(dir, e.Name())))
		}
	}
	return out
}

func lockIs(t *testing.T, s statusJSON, name, lock, policy string) {
	t.Helper()
	d, ok := s.Containers[name]
	if !ok || d.Lock == nil || *d.Lock != lock || d.RestartPolicy == nil || *d.RestartPolicy != policy {
		t.Errorf("%s: %+v, want lock %s, restart_policy %s", name, d, lock, policy)
	}
}

func sameFiles(t *testing.T, s statusJSON, run, name string, want ...string) {
	t.Helper()
	got, disk := s.Containers[name].Files, onDisk(t, filepath.Join(run, name))
	if len(got) != len(disk) || len(got) != len(want) {
		t.Errorf("%s: reported %v, on disk %v, want the files %v", name, got, disk, want)
	}
	for _, f := range want {
		if got[f] == "" || got[f] != disk[f] {
			t.Errorf("%s/%s: reported %q, on disk %q", name, f, got[f], disk[f])
		}
	}
}

// Real wrappers write the directories: live ones hold their locks, ended ones do not.
// The report comes from the copy that init installs, as in a pod (/startorder/bin/entrypoint).
func TestStatusModeReadsRealWrappers(t *testing.T) {
	root := t.TempDir()
	run, bin := root+"/run", root+"/bin/entrypoint"
	os.Mkdir(root+"/bin", 0o755)
	if r := runCmd(t, exec.Command(wrapperBin, "init", "-run_dir", run, bin)); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	db := startW(t, []string{"-status_dir", run + "/db", "-restart_policy", "OnFailure"}, "waitfile", root+"/go", "exit", "0")
	app := startW(t, []string{"-status_dir", run + "/app", "-wait_status", run + "/db/completed"}, "exit", "3")
	eventually(t, "db started and app locked", func() bool { return exists(run+"/db/ready") && exists(run+"/app/lock") })

	s := statusOf(t, bin, run)
	if len(s.Containers) != 2 {
		t.Errorf("containers: %+v", s.Containers)
	}
	lockIs(t, s, "db", "held", "OnFailure")
	lockIs(t, s, "app", "held", "Never")
	sameFiles(t, s, run, "db", "started", "ready")
	sameFiles(t, s, run, "app")

	os.WriteFile(root+"/go", nil, 0o644)
	if c := waitExit(t, db); c != 0 {
		t.Fatalf("db: %d", c)
	}
	if c := waitExit(t, app); c != 3 {
		t.Fatalf("app: %d", c)
	}
	s = statusOf(t, bin, run)
	lockIs(t, s, "db", "free", "OnFailure")
	lockIs(t, s, "app", "free", "Never")
	sameFiles(t, s, run, "db", "completed", "exited")
	sameFiles(t, s, run, "app", "completed.err", "exited")
	if s.Containers["db"].Files["exited"] != "0" || s.Containers["app"].Files["exited"] != "3" {
		t.Errorf("exit codes: %+v", s.Containers)
	}
}

// Hand-made directories: long contents are cut at 256 bytes between runes; links,
// FIFOs, hidden entries and plain files are not status directories or status files;
// a lock without a policy line has no restart_policy, a missing one is "absent".
func TestStatusModeClipsAndSkips(t *testing.T) {
	run := t.TempDir()
	for _, d := range []string{"long", "odd", `q"uote`, ".hidden"} {
		os.Mkdir(filepath.Join(run, d), 0o755)
	}
	os.WriteFile(run+"/long/started", []byte("  "+strings.Repeat("x", 300)+"\n"), 0o644)
	os.WriteFile(run+"/long/ready", []byte(strings.Repeat("a", 255)+"é and more"), 0o644)
	os.WriteFile(run+"/long/lock", []byte("pid=1\n"), 0o644)
	os.Symlink("/etc/hostname", run+"/odd/started")
	if err := syscall.Mkfifo(run+"/odd/ready", 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(run+"/odd/exited", []byte("137\n"), 0o644)
	os.WriteFile(run+"/odd/unrelated", []byte("x"), 0o644)
	os.WriteFile(run+"/.hidden/started", []byte("x"), 0o644)
	os.WriteFile(run+"/plain", []byte("x"), 0o644)
	os.Symlink(run+"/long", run+"/link")
	before := treeOf(t, run)

	s := statusOf(t, wrapperBin, run)
	if len(s.Containers) != 3 {
		t.Errorf("containers: %+v", s.Containers)
	}
	long := s.Containers["long"]
	if long.Files["started"] != strings.Repeat("x", 256) || long.Files["ready"] != strings.Repeat("a", 255) {
		t.Errorf("long: %q", long.Files)
	}
	if long.Lock == nil || *long.Lock != "free" || long.RestartPolicy != nil {
		t.Errorf("long: %+v", long)
	}
	odd := s.Containers["odd"]
	if len(odd.Files) != 1 || odd.Files["exited"] != "137" || odd.Lock == nil || *odd.Lock != "absent" {
		t.Errorf("odd: %+v", odd)
	}
	if _, ok := s.Containers[`q"uote`]; !ok {
		t.Errorf("a quoted name: %+v", s.Containers)
	}
	if after := treeOf(t, run); after != before {
		t.Errorf("the status mode changed the directory:\n%s\n---\n%s", before, after)
	}
}

// treeOf lists names, sizes and modification times under root.
func treeOf(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			b.WriteString(p + " " + fi.Mode().String() + " " + fi.ModTime().String() + "\n")
		}
		return nil
	})
	return b.String()
}

func TestStatusModeErrorsAndUsage(t *testing.T) {
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	os.Mkdir(root+"/closed", 0o311)
	os.WriteFile(root+"/file", []byte("x"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"status", "-run_dir", root + "/missing"}, 4},
		{[]string{"status", "-run_dir", root + "/closed"}, 4},
		{[]string{"status", "-run_dir", root + "/file"}, 4},
		{[]string{"status", "-x"}, 2},
		{[]string{"status", "-run_dir", root, "extra"}, 2},
		{[]string{"status", "-run_dir", ""}, 2},
	} {
		cmd := exec.Command(wrapperBin, tc.args...)
		asUser(t, cmd) // root reads any directory: "closed" is closed to uid 65532
		r := runCmd(t, cmd)
		if r.code != tc.code || r.stdout != "" || !strings.HasPrefix(r.stderr, "startorder-entrypoint: ") {
			t.Errorf("%q: %+v, want exit %d", tc.args, r, tc.code)
		}
	}
	// The CLI looks for this line before it runs the status mode (src/status/gather.ts).
	r := runCmd(t, exec.Command(wrapperBin, "-h"))
	if !regexp.MustCompile(`(?m)^\s*startorder-entrypoint status\b`).MatchString(r.stdout) {
		t.Errorf("-h has no status line:\n%s", r.stdout)
	}
}
