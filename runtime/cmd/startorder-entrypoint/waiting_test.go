package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Waiting: the polling fallback, a dependency whose wrapper starts late, the lost wake-up.

func TestPollFallback(t *testing.T) {
	dir := t.TempDir()
	cmd := wrapper([]string{"-wait_file", dir + "/dep/ready"}, "exit", "5")
	cmd.Env = append(cmd.Env, "STARTORDER_WAIT=poll", "STARTORDER_POLL_INTERVAL=20ms")
	cmd.Start()
	time.Sleep(100 * time.Millisecond)
	if fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)); true {
		for _, fd := range fds {
			if l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", cmd.Process.Pid, fd.Name())); strings.Contains(l, "inotify") {
				t.Error("STARTORDER_WAIT=poll still uses inotify")
			}
		}
	}
	os.MkdirAll(dir+"/dep", 0o755)
	os.WriteFile(dir+"/dep/ready", []byte("x"), 0o644)
	cmd.Wait()
	if cmd.ProcessState.ExitCode() != 5 {
		t.Errorf("code %d", cmd.ProcessState.ExitCode())
	}
	bad := wrapper(nil, "exit", "0")
	bad.Env = append(bad.Env, "STARTORDER_WAIT=sometimes")
	if r := runCmd(t, bad); r.code != 2 || !strings.Contains(r.stderr, "STARTORDER_WAIT") {
		t.Errorf("bad STARTORDER_WAIT: %+v", r)
	}
}

// STARTORDER_START_DELAY makes a dependency start late (for the e2e scenario of 50
// pods whose dependencies appear late): its dependent, already waiting, still wakes
// (issue 9).
func TestStartDelay(t *testing.T) {
	run := t.TempDir()
	app := startW(t, []string{"-wait_status", run + "/run/db/ready", "-status_dir", run + "/run/app"}, "exit", "0")
	db := wrapper([]string{"-status_dir", run + "/run/db"}, "sleep", "1m")
	db.Env = append(db.Env, "STARTORDER_START_DELAY=200ms")
	markStrays(t, db)
	db.Start()
	defer func() { db.Process.Kill(); db.Wait() }()
	time.Sleep(100 * time.Millisecond)
	if exists(run + "/run/db") {
		t.Fatal("the delay did not delay the status directory")
	}
	if code := waitExit(t, app); code != 0 {
		t.Fatalf("app: %d", code)
	}
	bad := wrapper([]string{"-status_dir", run + "/bad"}, "exit", "0")
	bad.Env = append(bad.Env, "STARTORDER_START_DELAY=soon")
	if r := runCmd(t, bad); r.code != 2 || !exists(run+"/bad/started.err") {
		t.Errorf("bad delay: %+v", r)
	}
}

// Finding 1 on a real process, as it was found: strace delays the wrapper's first
// inotify_add_watch (on the nearest existing directory, run/) by 2 s, and the
// dependency's directory run/db appears during that delay. The old wrapper then
// watched run/ only and never noticed run/db/ready (it hung every time).
func TestLostWakeUpUnderStraceDelay(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("skipped: strace is not installed (the deterministic test is TestNoLostWakeUpWhenTheDirectoryAppearsBeforeTheWatch)")
	}
	if out, err := exec.Command(strace, "-qq", "-o", "/dev/null", "/bin/true").CombinedOutput(); err != nil {
		t.Skipf("skipped: strace cannot trace here (%v: %s)", err, out)
	}
	run := t.TempDir() + "/run"
	os.Mkdir(run, 0o755)
	args := append([]string{"-f", "-qq", "-o", "/dev/null", "-e", "trace=inotify_add_watch",
		"-e", "inject=inotify_add_watch:delay_enter=2000000:when=1", wrapperBin,
		"-wait_file", run + "/db/ready", "-entrypoint", childBin, "--"}, "exit", "0")
	cmd := exec.Command(strace, args...)
	cmd.Env = wrapper(nil).Env
	markStrays(t, cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // inside the delayed inotify_add_watch
	os.Mkdir(run+"/db", 0o755)
	time.Sleep(1500 * time.Millisecond) // the watch is in place now, on run/ only
	os.WriteFile(run+"/db/.ready.tmp", []byte("x"), 0o644)
	os.Rename(run+"/db/.ready.tmp", run+"/db/ready")
	if code := waitExit(t, cmd); code != 0 {
		t.Fatalf("code %d", code)
	}
}
