package main

// Real-process tests: the built wrapper binary against real files and real signals. The
// child is this test binary, re-invoked as a scripted helper (internal/testchild).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"startorder/runtime/internal/testchild"
)

var (
	wrapperBin string // the wrapper built for these tests
	childBin   string // this test binary, used as the child
	binDir     string
)

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func TestMain(m *testing.M) {
	testchild.Main()
	var err error
	binDir, err = os.MkdirTemp("", "startorder-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(binDir, 0o755) // other UIDs run the binaries too
	wrapperBin = filepath.Join(binDir, "startorder-entrypoint")
	build := exec.Command(goTool(), "build", "-trimpath", "-o", wrapperBin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the wrapper: %v\n%s", err, out)
		os.Exit(1)
	}
	if p := os.Getenv("STARTORDER_TEST_WRAPPER"); p != "" {
		// Another build (say, an earlier commit's): shows which tests it fails.
		wrapperBin = p
	}
	// A copy of the test binary that other UIDs can execute.
	self, _ := os.Executable()
	childBin = filepath.Join(binDir, "child")
	if b, err := os.ReadFile(self); err == nil {
		os.WriteFile(childBin, b, 0o755)
	} else {
		childBin = self
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}

// wrapper returns a command running the wrapper with flags, the child script after --.
func wrapper(flags []string, script ...string) *exec.Cmd {
	args := append(append([]string{}, flags...), "-entrypoint", childBin, "--")
	cmd := exec.Command(wrapperBin, append(args, script...)...)
	cmd.Env = append(os.Environ(), testchild.Env+"=1")
	return cmd
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	var out, errb bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &errb
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not finish", cmd.Args)
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errb.String(), time.Since(start)}
}

func runW(t *testing.T, flags []string, script ...string) result {
	t.Helper()
	return runCmd(t, wrapper(flags, script...))
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestAllExitCodes(t *testing.T) {
	sem := make(chan struct{}, 3)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for code := 0; code <= 255; code++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(code int) {
			defer wg.Done()
			defer func() { <-sem }()
			cmd := wrapper(nil, "exit", strconv.Itoa(code))
			var errb bytes.Buffer
			cmd.Stderr = &errb
			cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != code || errb.Len() != 0 {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("exit %d -> %d %q", code, got, errb.String()))
				mu.Unlock()
			}
		}(code)
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d wrong: %v", len(bad), bad)
	}
}

func TestSignalledChild(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGKILL, syscall.SIGTERM} {
		dir := t.TempDir()
		r := runW(t, []string{"-status_dir", dir}, "killself", strconv.Itoa(int(sig)))
		if r.code != 128+int(sig) {
			t.Errorf("%v: code %d, want %d; stderr %s", sig, r.code, 128+int(sig), r.stderr)
		}
		if got := readFile(t, dir+"/exited"); got != strconv.Itoa(128+int(sig)) {
			t.Errorf("%v: exited file %q", sig, got)
		}
	}
	// A Go child cannot die from SIGUSR1 and friends (the runtime keeps its handler), so
	// a shell plays the child for those.
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh for the remaining signals")
	}
	for _, sig := range []syscall.Signal{syscall.SIGQUIT, syscall.SIGABRT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGSEGV, syscall.SIGPIPE, syscall.SIGALRM} {
		r := runCmd(t, exec.Command(wrapperBin, "-entrypoint", sh, "--", "-c", "kill -"+strconv.Itoa(int(sig))+" $$; sleep 5"))
		if r.code != 128+int(sig) {
			t.Errorf("%v: code %d, want %d; stderr %s", sig, r.code, 128+int(sig), r.stderr)
		}
	}
}

func TestSignalsForwarded(t *testing.T) {
	cmd := wrapper(nil, "pgid", "signals", "42")
	stdout, _ := cmd.StdoutPipe()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	next := func() string {
		ch := make(chan string, 1)
		go func() {
			if lines.Scan() {
				ch <- lines.Text()
			} else {
				ch <- "EOF"
			}
		}()
		select {
		case l := <-ch:
			return l
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatal("no output from the child")
			return ""
		}
	}
	pg := next()
	var pgid, pid int
	fmt.Sscanf(pg, "pgid=%d pid=%d", &pgid, &pid)
	if pgid != pid || pid == 0 || pgid == syscall.Getpgrp() {
		t.Errorf("child not in its own process group: %s", pg)
	}
	if l := next(); l != "ready" {
		t.Fatalf("got %q", l)
	}
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP, syscall.SIGINT, syscall.SIGWINCH, syscall.SIGALRM, syscall.SIGQUIT, syscall.SIGPIPE} {
		cmd.Process.Signal(sig)
		if l := next(); l != fmt.Sprintf("sig %d", sig) {
			t.Errorf("sent %v, child echoed %q", sig, l)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if l := next(); l != "sig 15" {
		t.Errorf("child echoed %q", l)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 42 {
		t.Errorf("exit code %d, want 42 (stderr %s)", code, errb.String())
	}
}

func TestStdioAndEnvironment(t *testing.T) {
	cmd := wrapper(nil, "cat", "env", "STARTORDER_PROBE_VAR", "env", "STARTORDER_READY_FILE")
	cmd.Stdin = strings.NewReader("hello\nworld\n")
	cmd.Env = append(cmd.Env, "STARTORDER_PROBE_VAR=a b=c")
	r := runCmd(t, cmd)
	want := "hello\nworld\nSTARTORDER_PROBE_VAR=a b=c\nSTARTORDER_READY_FILE unset\n"
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("got %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/data", []byte("x"), 0o644)
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"-status_dir", dir + "/s1", "-entrypoint", dir + "/missing"}, 127},
		{[]string{"-status_dir", dir + "/s2", "-entrypoint", "startorder-no-such-command"}, 127},
		{[]string{"-status_dir", dir + "/s3", "-entrypoint", dir + "/data"}, 126},
		{[]string{"-status_dir", dir + "/s4", "-entrypoint", dir}, 126},
	}
	for _, tc := range cases {
		r := runCmd(t, exec.Command(wrapperBin, tc.args...))
		if r.code != tc.code || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: code %d (want %d), stderr %q", tc.args, r.code, tc.code, r.stderr)
		}
		sd := tc.args[1]
		for _, f := range []string{"started.err", "ready.err", "completed.err", "exited"} {
			if !exists(sd + "/" + f) {
				t.Errorf("%q: missing %s", tc.args, f)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		name string
	}{
		{[]string{"-bogus", "-entrypoint", "true"}, "-bogus"},
		{[]string{"-timeout", "later", "-entrypoint", "true"}, "-timeout"},
		{[]string{"-wait_file"}, "-wait_file"},
		{[]string{"-ready_http", "https://x", "-entrypoint", "true"}, "-ready_http"},
		{[]string{}, "-entrypoint"},
		{[]string{"init"}, "init"},
		{[]string{"probe", "ftp", "x"}, "ftp"},
	}
	for _, tc := range cases {
		r := runCmd(t, exec.Command(wrapperBin, tc.args...))
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.name) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%q: code %d, stderr %q", tc.args, r.code, r.stderr)
		}
	}
	r := runCmd(t, exec.Command(wrapperBin, "-h"))
	if r.code != 0 || !strings.Contains(r.stdout, "-stop_after") {
		t.Errorf("-h: %d %q", r.code, r.stdout)
	}
}

// asUser runs cmd as uid:gid 65532 (the image's user) when the tests run as root.
func asUser(t *testing.T, cmd *exec.Cmd) {
	if os.Geteuid() != 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
}

func TestUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	os.Chmod(filepath.Dir(root), 0o755)
	os.Chmod(root, 0o755)
	secret := root + "/secret"
	os.Mkdir(secret, 0o700)
	if os.Geteuid() != 0 {
		os.Chmod(secret, 0o000)
		defer os.Chmod(secret, 0o700)
	} else {
		os.Chown(secret, 0, 0) // root-owned 0700: unreadable for uid 65532
	}
	cmd := wrapper([]string{"-wait_file", secret + "/dep/ready", "-wait_timeout", "5s"}, "exit", "0")
	asUser(t, cmd)
	r := runCmd(t, cmd)
	// Two lines: the wait starts, then the one error that names the path.
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != 2 || len(lines) != 2 || !strings.Contains(lines[0], "waiting for "+secret) || !strings.Contains(lines[1], "cannot read "+secret) {
		t.Fatalf("code %d, stderr %q", r.code, r.stderr)
	}
}

func TestRunsAsAnotherUID(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to switch to uid 65532")
	}
	run := t.TempDir()
	os.Chmod(filepath.Dir(run), 0o755)
	os.Chmod(run, 0o777) // an emptyDir is world-writable
	cmd := wrapper([]string{"-status_dir", run + "/app"}, "exit", "0")
	asUser(t, cmd)
	if r := runCmd(t, cmd); r.code != 0 {
		t.Fatalf("code %d %s", r.code, r.stderr)
	}
	var st syscall.Stat_t
	syscall.Stat(run+"/app/completed", &st)
	if st.Uid != 65532 || st.Mode&0o777 != 0o644 {
		t.Errorf("completed: uid %d mode %o", st.Uid, st.Mode&0o777)
	}
}

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

func TestTimeouts(t *testing.T) {
	dir := t.TempDir()
	r := runW(t, []string{"-wait_file", dir + "/never", "-wait_timeout", "150ms", "-status_dir", dir + "/w"}, "exit", "0")
	if r.code != 3 || r.took > 5*time.Second || !exists(dir+"/w/started.err") {
		t.Errorf("wait_timeout: %+v", r)
	}
	r = runW(t, []string{"-timeout", "150ms", "-status_dir", dir + "/t"}, "sleep", "1m")
	if r.code != 124 || r.took > 5*time.Second || !exists(dir+"/t/completed.err") {
		t.Errorf("timeout: %+v", r)
	}
	// A child that ignores SIGTERM is killed after -stop_grace.
	r = runW(t, []string{"-timeout", "100ms", "-stop_grace", "200ms"}, "ignoreterm", "sleep", "1m")
	if r.code != 124 || r.took < 300*time.Millisecond || r.took > 5*time.Second {
		t.Errorf("timeout + stop_grace: %+v", r)
	}
}

func TestTerminationMessage(t *testing.T) {
	dir := t.TempDir()
	term := dir + "/term"
	r := runW(t, []string{"-termination_path", term}, "exit", "3")
	var msg struct {
		Waited, Started, Ready, Exited string
		ExitCode                       int
		Reason                         string
	}
	b := readFile(t, term)
	if err := json.Unmarshal([]byte(b), &msg); err != nil || r.code != 3 {
		t.Fatalf("%v %q", err, b)
	}
	if msg.ExitCode != 3 || msg.Started == "" || msg.Exited == "" || msg.Waited == "" || !strings.Contains(msg.Reason, "3") {
		t.Errorf("%+v", msg)
	}
	ts, err := time.Parse(time.RFC3339Nano, msg.Started)
	if err != nil || time.Since(ts) > time.Minute {
		t.Errorf("started %q", msg.Started)
	}
	// The child's own message wins.
	runW(t, []string{"-termination_path", term}, "write", term, "my own words", "exit", "1")
	if got := readFile(t, term); got != "my own words" {
		t.Errorf("child's message replaced by %q", got)
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

func TestReapsOrphans(t *testing.T) {
	dir := t.TempDir()
	// child: start "spawn ppid F sleep 50ms" in the background; that intermediate starts the
	// grandchild and exits at once, so the grandchild is re-parented to the wrapper and
	// dies 50 ms later. The child then counts the wrapper's zombie children.
	cmd := wrapper(nil, "bg", "5", "spawn", "sleep", "20ms", "ppid", dir+"/ppid", "sleep", "400ms", "zombies")
	r := runCmd(t, cmd)
	ppid, _ := strconv.Atoi(strings.TrimSpace(readFile(t, dir+"/ppid")))
	if ppid != cmd.Process.Pid {
		t.Fatalf("grandchild's parent is %d, not the wrapper %d: the test proves nothing", ppid, cmd.Process.Pid)
	}
	if r.code != 0 {
		t.Fatalf("the wrapper has %d unreaped zombie children (stderr %s)", r.code, r.stderr)
	}
}

func TestReadiness(t *testing.T) {
	dir := t.TempDir()
	// -ready_self: ready only once the child says so.
	cmd := wrapper([]string{"-status_dir", dir + "/self", "-ready_self"}, "sleep", "100ms", "stamp", dir+"/self-stamp", "readyself", "sleep", "1m")
	cmd.Start()
	eventually(t, "ready", func() bool { return exists(dir + "/self/ready") })
	said, _ := strconv.ParseInt(strings.TrimSpace(readFile(t, dir+"/self-stamp")), 10, 64)
	ready, _ := time.Parse(time.RFC3339Nano, readFile(t, dir+"/self/ready"))
	if ready.UnixNano() < said {
		t.Errorf("ready %v before the child said so %v", ready, time.Unix(0, said))
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	// -ready_http against a server that turns healthy after a while.
	var healthy sync.Once
	var ok bool
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	time.AfterFunc(150*time.Millisecond, func() { healthy.Do(func() { mu.Lock(); ok = true; mu.Unlock() }) })
	cmd = wrapper([]string{"-status_dir", dir + "/http", "-ready_http", srv.URL + "/healthz", "-ready_period", "20ms"}, "sleep", "1m")
	cmd.Start()
	start := time.Now()
	eventually(t, "http ready", func() bool { return exists(dir + "/http/ready") })
	if time.Since(start) < 100*time.Millisecond {
		t.Error("ready before the server was healthy")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	// -ready_exec and -ready_tcp, and -ready_timeout.
	execArgv, _ := json.Marshal([]string{childBin, "exit", "0"})
	host := strings.TrimPrefix(srv.URL, "http://")
	for name, flags := range map[string][]string{
		"exec": {"-ready_exec", string(execArgv)},
		"tcp":  {"-ready_tcp", host},
	} {
		r := runW(t, append(flags, "-status_dir", dir+"/"+name), "waitfile", dir+"/"+name+"/ready", "exit", "0")
		if r.code != 0 {
			t.Errorf("%s: %+v", name, r)
		}
	}
	// A readiness timeout stops the child and ends with 5 (finding 6: it used to leave
	// the child running with a permanent ready.err). Under Never that is final.
	r := runW(t, []string{"-status_dir", dir + "/to", "-ready_tcp", "127.0.0.1:1", "-ready_timeout", "100ms"},
		"sleep", "1m")
	if r.code != 5 || exists(dir+"/to/ready") || !exists(dir+"/to/ready.err") || !exists(dir+"/to/completed.err") || exists(dir+"/to/completed") {
		t.Errorf("ready_timeout: %+v", r)
	}
	// Under Always the kubelet restarts the container: nothing is final.
	r = runW(t, []string{"-status_dir", dir + "/toa", "-ready_tcp", "127.0.0.1:1", "-ready_timeout", "100ms", "-restart_policy", "Always"},
		"sleep", "1m")
	if r.code != 5 || exists(dir+"/toa/ready.err") || exists(dir+"/toa/completed.err") || !exists(dir+"/toa/exited") {
		t.Errorf("ready_timeout under Always: %+v", r)
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

func TestBinarySizeAndDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds for two architectures")
	}
	const limit = 2_500_000
	for _, arch := range []string{"amd64", "arm64"} {
		out := filepath.Join(t.TempDir(), "e-"+arch)
		cmd := exec.Command(goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", arch, err, b)
		}
		fi, _ := os.Stat(out)
		t.Logf("linux/%s: %d bytes", arch, fi.Size())
		if arch == "amd64" && fi.Size() > limit {
			t.Errorf("linux/amd64 binary is %d bytes, over the %d limit", fi.Size(), limit)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list := exec.CommandContext(ctx, goTool(), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "startorder/runtime/...")
	b, err := list.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Fields(string(b)) {
		if !strings.HasPrefix(p, "startorder/runtime") {
			t.Errorf("non-standard dependency %s", p)
		}
	}
}
