package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Dependencies through the status files: .err propagation, deaths, restarts, -exit_with (docs/CONTRACT.md, -wait_status).

func TestErrPropagatesThroughAChain(t *testing.T) {
	run := t.TempDir()
	// c waits for b, b waits for a; a fails.
	start := func(name, dep string, script ...string) *exec.Cmd {
		flags := []string{"-status_dir", run + "/" + name, "-post_file", run + "/" + name + ".post",
			"-termination_path", run + "/" + name + ".term"}
		if dep != "" {
			flags = append(flags, "-wait_file", run+"/"+dep+"/completed")
		}
		cmd := wrapper(flags, script...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	c := start("c", "b", "touch", run+"/c-ran", "exit", "0")
	b := start("b", "a", "touch", run+"/b-ran", "exit", "0")
	time.Sleep(50 * time.Millisecond)
	a := start("a", "", "exit", "1")
	for name, cmd := range map[string]*exec.Cmd{"a": a, "b": b, "c": c} {
		cmd.Wait()
		want := map[string]int{"a": 1, "b": 3, "c": 3}[name]
		if got := cmd.ProcessState.ExitCode(); got != want {
			t.Errorf("%s exited %d, want %d", name, got, want)
		}
		files := []string{"completed.err", "ready.err", "started.err", "exited"}
		if name == "a" { // a ran, and ended: neither started nor ready any more
			files = []string{"completed.err", "exited"}
			for _, f := range []string{"ready", "started"} {
				if exists(run + "/a/" + f) {
					t.Errorf("a: %s left behind after the exit", f)
				}
			}
		}
		for _, f := range files {
			if !exists(run + "/" + name + "/" + f) {
				t.Errorf("%s: missing %s", name, f)
			}
		}
		if !exists(run+"/"+name+".post.err") || exists(run+"/"+name+".post") {
			t.Errorf("%s: post file", name)
		}
	}
	if exists(run+"/b-ran") || exists(run+"/c-ran") {
		t.Error("a child ran although its dependency failed")
	}
	var msg struct {
		ExitCode int
		Reason   string
		Exited   string
	}
	if err := json.Unmarshal([]byte(readFile(t, run+"/c.term")), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ExitCode != 3 || !strings.Contains(msg.Reason, run+"/b/completed.err") || msg.Exited == "" {
		t.Errorf("termination message %+v", msg)
	}
}

func TestRestart(t *testing.T) {
	run0 := t.TempDir()
	a := run0 + "/a"
	flagsA := []string{"-status_dir", a, "-ready_self"}
	if r := runW(t, flagsA, "readyself", "exit", "0"); r.code != 0 {
		t.Fatalf("first run: %+v", r)
	}
	for _, f := range []string{"completed", "exited", "self-ready", "lock"} {
		if !exists(a + "/" + f) {
			t.Fatalf("first run left no %s", f)
		}
	}
	// A dependent that is already running when a restarts. a completed and, under
	// restart policy Never, is not restarted by the kubelet: its ready counts.
	running := wrapper([]string{"-wait_status", a + "/ready", "-status_dir", run0 + "/b"}, "onterm", run0+"/b-term", "0")
	running.Start()
	eventually(t, "b armed", func() bool { return exists(run0 + "/b-term.armed") })

	// The restart: the stale files go before the new child starts.
	restarted := wrapper(flagsA, "touch", run0+"/a-child-started", "waitfile", run0+"/go", "readyself", "exit", "0")
	restarted.Start()
	eventually(t, "a's new child", func() bool { return exists(run0 + "/a-child-started") })
	for _, f := range []string{"ready", "completed", "exited", "self-ready"} {
		if exists(a + "/" + f) {
			t.Errorf("stale %s survived the restart", f)
		}
	}
	if !exists(a + "/started") {
		t.Error("no started file for the new instance")
	}
	// A dependent (re)starting now waits for the new instance.
	late := wrapper([]string{"-wait_file", a + "/completed"}, "touch", run0+"/late-ran", "exit", "0")
	late.Start()
	time.Sleep(150 * time.Millisecond)
	if exists(run0 + "/late-ran") {
		t.Error("dependent ran on the previous instance's completed file")
	}
	os.WriteFile(run0+"/go", nil, 0o644)
	restarted.Wait()
	late.Wait()
	if !exists(run0+"/late-ran") || late.ProcessState.ExitCode() != 0 {
		t.Error("dependent did not run after the new instance completed")
	}
	// The dependent that was already running was left alone.
	if exists(run0+"/b-term") || running.ProcessState != nil {
		t.Error("running dependent was disturbed by the restart")
	}
	running.Process.Signal(syscall.SIGTERM)
	running.Wait()
	if running.ProcessState.ExitCode() != 0 || !exists(run0+"/b-term") {
		t.Errorf("b: %v", running.ProcessState)
	}
}

func TestExitWith(t *testing.T) {
	dir := t.TempDir()
	cmd := wrapper([]string{"-exit_with", dir + "/main/exited", "-status_dir", dir + "/side"}, "onterm", dir+"/side-term", "7")
	cmd.Start()
	eventually(t, "sidecar armed", func() bool { return exists(dir + "/side-term.armed") })
	os.MkdirAll(dir+"/main", 0o755)
	os.WriteFile(dir+"/main/exited", []byte("0"), 0o644)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 0 || !exists(dir+"/side-term") || !exists(dir+"/side/completed") {
		t.Errorf("exit_with: code %d", code)
	}
}

// Finding 2: a dependency SIGKILLed after ready leaves ready behind; a dependent that
// starts later must wait until the dependency runs and is ready again.
func TestKilledDependencyIsNotReady(t *testing.T) {
	run := t.TempDir()
	dep := []string{"-status_dir", run + "/db", "-restart_policy", "Always", "-ready_self"}
	db := startW(t, dep, "readyself", "sleep", "1m")
	eventually(t, "db ready", func() bool { return exists(run + "/db/ready") })
	kill9(t, db)
	if !exists(run + "/db/ready") {
		t.Fatal("the test proves nothing: SIGKILL left no stale ready")
	}
	app := startW(t, []string{"-wait_status", run + "/db/ready", "-status_dir", run + "/app"}, "touch", run+"/app-ran", "exit", "0")
	stillRunning(t, app, 200*time.Millisecond)
	if exists(run + "/app-ran") {
		t.Fatal("the dependent ran against a dead dependency")
	}
	// The kubelet restarts db; once the new instance is ready, app runs.
	startW(t, dep, "waitfile", run+"/db-go", "readyself", "sleep", "1m")
	stillRunning(t, app, 100*time.Millisecond)
	os.WriteFile(run+"/db-go", nil, 0o644)
	if code := waitExit(t, app); code != 0 || !exists(run+"/app-ran") {
		t.Fatalf("app: code %d", code)
	}
}

// Finding 2: a dependent waiting on completed of a dependency that is SIGKILLed under
// restart policy Never (it will never complete) fails fast instead of hanging.
func TestCompletedWaiterFailsWhenDependencyDiesForGood(t *testing.T) {
	run := t.TempDir()
	job := startW(t, []string{"-status_dir", run + "/job"}, "sleep", "1m")
	eventually(t, "job started", func() bool { return exists(run + "/job/started") })
	report := startW(t, []string{"-wait_status", run + "/job/completed", "-status_dir", run + "/report"}, "touch", run+"/report-ran", "exit", "0")
	stillRunning(t, report, 100*time.Millisecond)
	kill9(t, job)
	if code := waitExit(t, report); code != 3 || exists(run+"/report-ran") || !exists(run+"/report/completed.err") {
		t.Fatalf("report: code %d", code)
	}
	// Under OnFailure the kubelet retries the job: the dependent keeps waiting.
	job = startW(t, []string{"-status_dir", run + "/job2", "-restart_policy", "OnFailure"}, "sleep", "1m")
	eventually(t, "job2 started", func() bool { return exists(run + "/job2/started") })
	report = startW(t, []string{"-wait_status", run + "/job2/completed"}, "exit", "0")
	kill9(t, job)
	stillRunning(t, report, 200*time.Millisecond)
}

// Finding 2: a Job sidecar with -exit_with main/exited ends when main is SIGKILLed
// (restart policy Never), so the Job can finish.
func TestSidecarEndsWhenMainIsKilled(t *testing.T) {
	run := t.TempDir()
	main := startW(t, []string{"-status_dir", run + "/main"}, "sleep", "1m")
	eventually(t, "main started", func() bool { return exists(run + "/main/started") })
	side := startW(t, []string{"-status_dir", run + "/proxy", "-exit_with", run + "/main/exited"}, "onterm", run+"/proxy-term", "0")
	eventually(t, "proxy armed", func() bool { return exists(run + "/proxy-term.armed") })
	kill9(t, main)
	if code := waitExit(t, side); code != 0 || !exists(run+"/proxy-term") {
		t.Fatalf("sidecar: code %d", code)
	}
}

// Finding 3: under restart policy OnFailure a failed main is retried; its sidecar
// (-exit_with main/completed) must stay, and the retry must run with it.
func TestOnFailureRetryRunsWithItsSidecar(t *testing.T) {
	run := t.TempDir()
	side := startW(t, []string{"-status_dir", run + "/proxy", "-exit_with", run + "/main/completed", "-restart_policy", "OnFailure"},
		"onterm", run+"/proxy-term", "0")
	mainFlags := []string{"-status_dir", run + "/main", "-wait_status", run + "/proxy/ready", "-restart_policy", "OnFailure"}
	if code := waitExit(t, startW(t, mainFlags, "exit", "1")); code != 1 {
		t.Fatalf("first attempt: %d", code)
	}
	stillRunning(t, side, 200*time.Millisecond)
	if exists(run+"/main/completed.err") || exists(run+"/proxy-term") {
		t.Fatal("a failed attempt under OnFailure was taken as final")
	}
	second := startW(t, mainFlags, "touch", run+"/second-ran", "exit", "0")
	if code := waitExit(t, second); code != 0 || !exists(run+"/second-ran") {
		t.Fatalf("second attempt: %d", code)
	}
	if code := waitExit(t, side); code != 0 || !exists(run+"/proxy-term") {
		t.Fatalf("sidecar: %d", code)
	}
}

// Finding 2: after an ordinary crash neither ready nor started is left behind.
func TestExitRemovesReadyAndStarted(t *testing.T) {
	run := t.TempDir()
	r := runW(t, []string{"-status_dir", run + "/a"}, "exit", "2")
	if r.code != 2 || exists(run+"/a/ready") || exists(run+"/a/started") || !exists(run+"/a/exited") {
		t.Fatalf("%+v", r)
	}
}
