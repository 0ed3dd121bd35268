package entrypoint

import (
	"context"
	"errors"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The cases of TestRunner, by topic: the child's exit, waiting, signals and the stop sequence.

// runnerCasesExit: the child's exit code and failures to start it.
func runnerCasesExit() []runnerCase {
	return []runnerCase{
		{
			name:       "child exits 0",
			cfg:        Config{PostFile: "/out/post", TerminationPath: "/dev/termination-log"},
			drive:      exitWith(0),
			wantCode:   0,
			wantFiles:  []string{"started", "ready", "completed", "/out/post"},
			wantAbsent: []string{"completed.err", "ready.err", "/out/post.err", "self-ready"},
			wantReason: "Completed",
		},
		{
			name:       "child exits 3",
			cfg:        Config{PostFile: "/out/post", TerminationPath: "/dev/termination-log"},
			drive:      exitWith(3),
			wantCode:   3,
			wantFiles:  []string{"started", "ready", "completed.err", "/out/post.err"},
			wantAbsent: []string{"completed", "/out/post"},
		},
		{
			name:       "child killed by SIGKILL",
			drive:      func(h *harness) { h.waitStarted(); h.proc.exit(ExitStatus{Signal: syscall.SIGKILL}) },
			wantCode:   137,
			wantFiles:  []string{"completed.err"},
			wantReason: "Signaled",
		},
		{
			name:       "command not found",
			cfg:        Config{PostFile: "/out/post"},
			startErr:   &StartError{Code: ExitNotFound, Path: "app", Err: errors.New("not found")},
			wantCode:   127,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err", "/out/post.err"},
			wantAbsent: []string{"started", "ready", "completed"},
			wantReason: "CommandNotFound",
		},
		{
			name:       "not executable",
			startErr:   &StartError{Code: ExitNotExecutable, Path: "app", Err: syscall.EACCES},
			wantCode:   126,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantReason: "NotExecutable",
		},
	}
}

// runnerCasesWaiting: dependencies that fail, time out, are interrupted or cannot be read.
func runnerCasesWaiting() []runnerCase {
	return []runnerCase{
		{
			name:       "dependency failed",
			cfg:        Config{WaitFiles: []string{dep}, TerminationPath: "/dev/termination-log"},
			waits:      map[string]waitFn{dep: waitFail()},
			wantCode:   3,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantAbsent: []string{"started"},
			wantReason: dep + ".err",
			check: func(h *harness) {
				if !strings.Contains(string(h.status.term), "DependencyFailed") {
					h.t.Errorf("termination message %s lacks the reason", h.status.term)
				}
			},
		},
		{
			name:       "wait timeout",
			cfg:        Config{WaitFiles: []string{dep}, WaitTimeout: 20 * time.Millisecond},
			waits:      map[string]waitFn{dep: waitForever()},
			wantCode:   3,
			notStarted: true,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
			wantReason: "WaitTimeout",
		},
		{
			name:  "SIGTERM while waiting",
			cfg:   Config{WaitFiles: []string{dep}},
			waits: map[string]waitFn{dep: waitForever()},
			drive: func(h *harness) {
				h.sigs <- syscall.SIGUSR1 // not terminating: ignored while waiting
				h.sigs <- syscall.SIGTERM
			},
			wantCode:   143,
			notStarted: true,
			wantFiles:  []string{"started.err"},
		},
		{
			name: "unreadable dependency directory",
			cfg:  Config{WaitFiles: []string{dep}},
			waits: map[string]waitFn{dep: func(context.Context, []string, WaitOptions) ([]string, error) {
				return nil, &AccessError{Path: "/run/db", Err: syscall.EACCES}
			}},
			wantCode:   2,
			notStarted: true,
			wantReason: "/run/db",
		},
	}
}

// runnerCasesSignals: signals forwarded to the child, and the -stop_after hold.
func runnerCasesSignals() []runnerCase {
	return []runnerCase{
		{
			name: "signals are forwarded except SIGCHLD and SIGURG",
			drive: func(h *harness) {
				h.waitStarted()
				for _, s := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGCHLD, syscall.SIGURG, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGTERM} {
					h.sigs <- s
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGTERM},
		},
		{
			name:  "stop_after holds SIGTERM until the files exist",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}},
			waits: map[string]waitFn{"/run/web/exited": waitAfter(60 * time.Millisecond)},
			drive: func(h *harness) {
				h.waitStarted()
				h.sigs <- syscall.SIGTERM
				h.sigs <- syscall.SIGUSR2 // other signals still pass during the hold
				h.eventually("SIGUSR2", func() bool { return len(h.proc.signals()) == 1 })
				time.Sleep(20 * time.Millisecond)
				if got := h.proc.signals(); !slices.Equal(got, []syscall.Signal{syscall.SIGUSR2}) {
					h.t.Errorf("during the hold the child got %v", got)
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGUSR2, syscall.SIGTERM},
		},
	}
}

// runnerCasesStopping: the end of the hold, and -exit_with.
func runnerCasesStopping() []runnerCase {
	return []runnerCase{
		{
			name:  "stop_after gives up after stop_grace",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}, StopGrace: 40 * time.Millisecond},
			waits: map[string]waitFn{"/run/web/exited": waitForever()},
			drive: func(h *harness) {
				h.waitStarted()
				start := time.Now()
				h.sigs <- syscall.SIGTERM
				h.eventually("SIGTERM", func() bool { return len(h.proc.signals()) == 1 })
				if d := time.Since(start); d < 35*time.Millisecond {
					h.t.Errorf("SIGTERM forwarded after %v, before stop_grace", d)
				}
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGTERM},
		},
		{
			name:  "a second SIGTERM ends the hold",
			cfg:   Config{StopAfter: []string{"/run/web/exited"}},
			waits: map[string]waitFn{"/run/web/exited": waitForever()},
			drive: func(h *harness) {
				h.waitStarted()
				h.sigs <- syscall.SIGTERM
				h.sigs <- syscall.SIGTERM
			},
			onSignal: dieOn(syscall.SIGTERM),
			wantCode: 143,
			wantSigs: []syscall.Signal{syscall.SIGTERM},
		},
		{
			name:      "exit_with stops a sidecar and exits 0",
			cfg:       Config{ExitWith: []string{"/run/main/exited"}, PostFile: "/out/post"},
			waits:     map[string]waitFn{"/run/main/exited": waitAfter(20 * time.Millisecond)},
			onSignal:  dieOn(syscall.SIGTERM),
			wantCode:  0,
			wantSigs:  []syscall.Signal{syscall.SIGTERM},
			wantFiles: []string{"completed", "/out/post"},
		},
		{
			name:      "exit_with kills a child that ignores SIGTERM",
			cfg:       Config{ExitWith: []string{"/run/main/exited"}, StopGrace: 30 * time.Millisecond},
			waits:     map[string]waitFn{"/run/main/exited": waitOK()},
			onSignal:  dieOn(syscall.SIGKILL),
			wantCode:  0,
			wantSigs:  []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL},
			wantFiles: []string{"completed"},
		},
	}
}
