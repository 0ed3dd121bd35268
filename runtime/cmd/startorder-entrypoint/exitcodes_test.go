package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Exit codes and the termination message, on real processes (docs/CONTRACT.md, Exit codes).

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
