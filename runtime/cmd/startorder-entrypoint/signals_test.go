package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Signals, stdio and reaping, on real processes.

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

// The wrapper's handling of 32 and 34 does not leak into the child: it starts with
// them at their default, as without the wrapper (an ignored signal would stay ignored
// across execve). A guard of issue 9's signal handling.
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
