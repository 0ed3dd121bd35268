package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"startorder/runtime/internal/testchild"
)

// Helpers of the real-process tests: run the wrapper with the test binary as its child, and look at the files.

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
	code := waitWithin(t, cmd, 30*time.Second)
	return result{code, out.String(), errb.String(), time.Since(start)}
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

// asUser runs cmd as uid:gid 65532 (the image's user) when the tests run as root.
func asUser(t *testing.T, cmd *exec.Cmd) {
	if os.Geteuid() != 0 {
		return
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65532, Gid: 65532}}
}

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
	return waitWithin(t, cmd, 20*time.Second)
}

// waitWithin waits for a started cmd and returns its exit code; a cmd still running
// after limit is killed and fails the test (a hang, not a slow run).
func waitWithin(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
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
