package main

// Real-process tests of the findings of issue 9 (ordering that holds when containers
// die, restart and retry). Each names the finding it covers; each failed on the code
// before the change (a hang shows up as runCmd's 30 s limit or an eventually timeout).

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startW starts a wrapper and returns it; the test's cleanup kills what is left of it
// and of its child (a SIGKILLed wrapper leaves its child behind, as no container would).
func startW(t *testing.T, flags []string, script ...string) *exec.Cmd {
	t.Helper()
	cmd := wrapper(flags, script...)
	markStrays(t, cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

var strayCount int

// markStrays gives cmd (and so its descendants) a marker in the environment; at the
// end of the test every process that still carries it is killed.
func markStrays(t *testing.T, cmd *exec.Cmd) {
	strayCount++
	mark := fmt.Sprintf("STARTORDER_TEST_MARK=%d-%d", os.Getpid(), strayCount)
	cmd.Env = append(cmd.Env, mark)
	t.Cleanup(func() {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			b, err := os.ReadFile("/proc/" + e.Name() + "/environ")
			if err == nil && strings.Contains("\x00"+string(b), "\x00"+mark+"\x00") {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
}

// kill9 SIGKILLs a wrapper (as the OOM killer or a runtime kill would) and reaps it.
// Its child is left to finish on its own, as a container's other processes would die
// with it: the wrapper's lock is what matters.
func kill9(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not end", cmd.Args)
	}
	return cmd.ProcessState.ExitCode()
}

// stillRunning reports that cmd has not exited after a short while.
func stillRunning(t *testing.T, cmd *exec.Cmd, d time.Duration) bool {
	t.Helper()
	time.Sleep(d)
	var ws syscall.WaitStatus
	pid, _ := syscall.Wait4(cmd.Process.Pid, &ws, syscall.WNOHANG, nil)
	if pid == cmd.Process.Pid {
		t.Fatalf("%v ended (status %v)", cmd.Args, ws)
	}
	return true
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

// Finding 9: a usage error writes the .err files of the flags that did parse, so the
// next container fails fast instead of waiting forever.
func TestUsageErrorWritesErrFiles(t *testing.T) {
	run := t.TempDir()
	post := run + "/steps/0/post" // its directory does not exist yet
	next := startW(t, []string{"-wait_file", post, "-status_dir", run + "/next"}, "touch", run+"/next-ran", "exit", "0")
	r := runCmd(t, wrapper([]string{"-status_dir", run + "/bad", "-post_file", post, "-termination_path", run + "/term", "-nonsense"}, "exit", "0"))
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("%+v", r)
	}
	for _, f := range []string{"/bad/started.err", "/bad/ready.err", "/bad/completed.err", "/bad/exited", "/steps/0/post.err", "/term"} {
		if !exists(run + f) {
			t.Errorf("missing %s", f)
		}
	}
	if !strings.Contains(readFile(t, run+"/term"), "UsageError") {
		t.Errorf("termination message %s", readFile(t, run+"/term"))
	}
	if code := waitExit(t, next); code != 3 || exists(run+"/next-ran") {
		t.Errorf("next step: code %d", code)
	}
}

// Finding 9: an argv generated by Tekton since v0.27 carries -step_metadata_dir; it
// runs, with one warning line, and the post file's missing directory is created.
func TestTektonArgvRuns(t *testing.T) {
	run := t.TempDir()
	flags := []string{"-post_file", run + "/tekton/run/0/out", "-termination_path", run + "/termination",
		"-step_metadata_dir", run + "/tekton/run/0/status", "-step_metadata_dir_link", run + "/tekton/steps/0",
		"-results", "a,b", "-result_from", "termination-message", "-enable_spire", "-on_error", "stopAndFail"}
	r := runW(t, flags, "exit", "0")
	if r.code != 0 || !exists(run+"/tekton/run/0/out") || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "-step_metadata_dir") {
		t.Fatalf("%+v", r)
	}
	r = runW(t, []string{"-post_file", run + "/p", "-when_expressions", `[{"input":"a","operator":"in","values":["b"]}]`}, "exit", "0")
	if r.code != 2 || !exists(run+"/p.err") {
		t.Errorf("-when_expressions: %+v", r)
	}
	// -stdout_path and -stderr_path: the streams still reach the wrapper's own, and are
	// appended to the files (their directories are created).
	os.MkdirAll(run+"/logs", 0o755)
	os.WriteFile(run+"/logs/out", []byte("before\n"), 0o644)
	r = runW(t, []string{"-stdout_path", run + "/logs/out", "-stderr_path", run + "/new/err"}, "cat")
	if r.code != 0 {
		t.Errorf("-stdout_path: %+v", r)
	}
	cmd := wrapper([]string{"-stdout_path", run + "/logs/out", "-stderr_path", run + "/new/err"}, "cat")
	cmd.Stdin = strings.NewReader("to stdout\n")
	if r := runCmd(t, cmd); r.code != 0 || r.stdout != "to stdout\n" {
		t.Errorf("tee: %+v", r)
	}
	if got := readFile(t, run+"/logs/out"); got != "before\nto stdout\n" {
		t.Errorf("stdout file %q", got)
	}
	if !exists(run + "/new/err") {
		t.Error("stderr file not created")
	}
	r = runW(t, []string{"-post_file", run + "/c", "-on_error", "continue"}, "exit", "9")
	if r.code != 0 || !exists(run+"/c") {
		t.Errorf("-on_error continue: %+v", r)
	}
}

// dripServer answers every connection with one byte every 0.5 s, forever (until the
// client goes away), and reports how many connections it served.
func dripServer(t *testing.T) (addr string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				bufio.NewReader(c).ReadString('\n')
				for {
					if _, err := c.Write([]byte("H")); err != nil {
						return
					}
					time.Sleep(500 * time.Millisecond)
				}
			}()
		}
	}()
	return l.Addr().String()
}

// Finding 6: a server that drips one byte every 0.5 s cannot keep a probe attempt
// alive past its deadline: probe http ends with 1 at -timeout, and -ready_timeout
// ends the readiness wait (exit 5) although each attempt may last -ready_period.
func TestTimeoutsHoldAgainstADrippingServer(t *testing.T) {
	addr := dripServer(t)
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", "http://"+addr+"/", "-timeout", "300ms")); r.code != 1 {
		t.Errorf("probe http: %+v", r)
	}
	dir := t.TempDir()
	r := runW(t, []string{"-status_dir", dir + "/s", "-ready_http", "http://" + addr + "/", "-ready_period", "20s", "-ready_timeout", "300ms"}, "sleep", "1m")
	if r.code != 5 || !exists(dir+"/s/ready.err") {
		t.Errorf("-ready_timeout: %+v", r)
	}
}

// Finding 6: probe does not subscribe to signals: SIGTERM ends it (the kubelet's exec
// probe timeout, a container stop).
func TestProbeEndsOnSIGTERM(t *testing.T) {
	addr := dripServer(t)
	cmd := exec.Command(wrapperBin, "probe", "http", "http://"+addr+"/", "-timeout", "1m")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, cmd)
	if ws := cmd.ProcessState.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("probe after SIGTERM: %v", cmd.ProcessState)
	}
}

// -ready_http_header and probe http -header reach the server.
func TestHTTPHeaders(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				var head []string
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
					head = append(head, strings.TrimSpace(line))
				}
				status := "403 Forbidden"
				for _, h := range head {
					if h == "X-Probe: yes" {
						status = "200 OK"
					}
				}
				fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Length: 0\r\n\r\n", status)
			}()
		}
	}()
	u := "http://" + l.Addr().String() + "/healthz"
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", u)); r.code != 1 {
		t.Errorf("without header: %+v", r)
	}
	if r := runCmd(t, exec.Command(wrapperBin, "probe", "http", u, "-header", "X-Probe: yes")); r.code != 0 {
		t.Errorf("with header: %+v", r)
	}
	dir := t.TempDir()
	r := runW(t, []string{"-status_dir", dir + "/s", "-ready_http", u, "-ready_http_header", "X-Probe: yes", "-ready_timeout", "10s"},
		"waitfile", dir+"/s/ready", "exit", "0")
	if r.code != 0 {
		t.Errorf("-ready_http_header: %+v", r)
	}
}

// tmpfs mounts a tiny tmpfs (root only) and unmounts it at the end.
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// Finding 7: a full status volume is noticed. At start: exit 4 before the child runs
// (the old check created an empty file, which needs no data block, and passed). After
// start: the failed writes are reported and the wrapper does not end with 0.
func TestFullStatusVolume(t *testing.T) {
	vol := tmpfs(t, "64k")
	f, _ := os.Create(vol + "/filler")
	f.Write(make([]byte, 1<<20)) // fills it: ENOSPC
	f.Close()
	r := runW(t, []string{"-status_dir", vol + "/app"}, "touch", t.TempDir()+"/ran", "exit", "0")
	if r.code != 4 || !strings.Contains(r.stderr, "no space left") {
		t.Errorf("full at start: %+v", r)
	}
	os.Remove(vol + "/filler")
	os.RemoveAll(vol + "/app")
	r = runW(t, []string{"-status_dir", vol + "/app"}, "fill", vol+"/filler", "exit", "0")
	if r.code != 4 || !strings.Contains(r.stderr, "no space left") || !strings.Contains(r.stderr, "instead of 0") {
		t.Errorf("full after start: %+v", r)
	}
}

// Finding 8: the wrapper refuses a status directory that is a symlink or belongs to
// another UID; its files are readable by all whatever the umask.
func TestStatusDirTrust(t *testing.T) {
	run := t.TempDir()
	os.Mkdir(run+"/real", 0o755)
	os.Symlink(run+"/real", run+"/link")
	if r := runW(t, []string{"-status_dir", run + "/link"}, "touch", run+"/ran", "exit", "0"); r.code != 4 || exists(run+"/ran") || exists(run+"/real/exited") {
		t.Errorf("symlink: %+v", r)
	}
	if os.Geteuid() == 0 {
		os.Mkdir(run+"/other", 0o777)
		os.Chown(run+"/other", 65532, 65532)
		if r := runW(t, []string{"-status_dir", run + "/other"}, "touch", run+"/ran", "exit", "0"); r.code != 4 || !strings.Contains(r.stderr, "UID 65532") || exists(run+"/ran") {
			t.Errorf("other UID: %+v", r)
		}
	} else {
		t.Log("skipped the other-UID case: needs root to chown")
	}
	cmd := exec.Command("/bin/sh", "-c", `umask 077; exec "$@"`, "sh", wrapperBin, "-status_dir", run+"/deep/app", "-termination_path", run+"/term", "-entrypoint", childBin, "--", "exit", "0")
	cmd.Env = wrapper(nil).Env
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("umask 077: %+v", r)
	}
	for _, p := range []string{"/deep", "/deep/app", "/deep/app/completed", "/deep/app/exited", "/deep/app/lock", "/term"} {
		fi, err := os.Stat(run + p)
		if err != nil {
			t.Errorf("%s under umask 077: %v", p, err)
		} else if fi.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("%s under umask 077: mode %v", p, fi.Mode())
		}
	}
}

// Finding 8: a waited path through a regular file is an error, not a silent hang.
func TestWaitThroughAFileIsAnError(t *testing.T) {
	run := t.TempDir()
	os.WriteFile(run+"/dep", []byte("x"), 0o644)
	for _, flag := range []string{"-wait_file", "-wait_status"} {
		os.RemoveAll(run + "/app")
		r := runW(t, []string{flag, run + "/dep/ready", "-status_dir", run + "/app"}, "exit", "0")
		if r.code != 2 || !strings.Contains(r.stderr, run+"/dep") || !exists(run+"/app/started.err") {
			t.Errorf("%s: %+v", flag, r)
		}
	}
}

// Finding 8: signals 32 and 34, which the Go runtime leaves at their default (kill),
// do not kill a wrapper that is not PID 1 (shareProcessNamespace), orphaning its child.
func TestSignals32And34DoNotKillTheWrapper(t *testing.T) {
	run := t.TempDir()
	cmd := startW(t, []string{"-status_dir", run + "/a"}, "onterm", run+"/term", "0")
	eventually(t, "armed", func() bool { return exists(run + "/term.armed") })
	for _, s := range []syscall.Signal{32, 34} {
		cmd.Process.Signal(s)
	}
	stillRunning(t, cmd, 100*time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := waitExit(t, cmd); code != 0 || !exists(run+"/term") {
		t.Errorf("code %d", code)
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

// The wrapper's handling of 32 and 34 does not leak into the child: it starts with
// them at their default, as without the wrapper (an ignored signal would stay ignored
// across execve).
func TestChildGetsDefaultSignals32And34(t *testing.T) {
	cmd := exec.Command(wrapperBin, "-entrypoint", "/bin/grep", "--", "^SigIgn:", "/proc/self/status")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var mask uint64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "SigIgn:\t%x", &mask); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	for _, s := range []uint{32, 34} {
		if mask&(1<<(s-1)) != 0 {
			t.Errorf("signal %d is ignored in the child (SigIgn %016x)", s, mask)
		}
	}
}

// STARTORDER_START_DELAY makes a dependency start late (for the e2e scenario of 50
// pods whose dependencies appear late): its dependent, already waiting, still wakes.
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

// Finding 9: an unusable status directory or post file directory still writes the .err
// files the other flag allows, so the next container fails fast.
func TestUnwritablePathsStillWriteErr(t *testing.T) {
	run := t.TempDir()
	os.WriteFile(run+"/file", []byte("x"), 0o644)
	// The post file's directory cannot be created (its parent is a regular file).
	r := runW(t, []string{"-status_dir", run + "/app", "-post_file", run + "/file/sub/post"}, "touch", run+"/ran", "exit", "0")
	if r.code != 4 || exists(run+"/ran") || !exists(run+"/app/started.err") || !exists(run+"/app/completed.err") || !exists(run+"/app/exited") {
		t.Errorf("post directory: %+v", r)
	}
	// The status directory cannot be created: the post file says so.
	r = runW(t, []string{"-status_dir", run + "/file/status", "-post_file", run + "/steps/post"}, "touch", run+"/ran", "exit", "0")
	if r.code != 4 || exists(run+"/ran") || !exists(run+"/steps/post.err") {
		t.Errorf("status directory: %+v", r)
	}
}
