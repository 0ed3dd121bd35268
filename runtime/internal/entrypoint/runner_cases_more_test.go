package entrypoint

import (
	"slices"
	"strings"
	"syscall"
	"time"
)

// More cases of TestRunner: timeouts and readiness, restart policies, failed writes.

// runnerCasesTimeouts: -timeout, readiness and -ready_timeout.
func runnerCasesTimeouts() []runnerCase {
	return []runnerCase{
		{
			name:       "timeout",
			cfg:        Config{Timeout: 20 * time.Millisecond, TerminationPath: "/dev/termination-log"},
			onSignal:   dieOn(syscall.SIGTERM),
			wantCode:   124,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"completed.err"},
			wantReason: "Timeout",
		},
		{
			name:  "ready_file becomes ready while running",
			cfg:   Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready"},
			waits: map[string]waitFn{"/tmp/app-ready": waitAfter(20 * time.Millisecond)},
			drive: func(h *harness) {
				h.waitStarted()
				h.eventually("ready", func() bool { return h.status.has(abs("ready")) })
				if h.status.index("write "+abs("started")) > h.status.index("write "+abs("ready")) {
					h.t.Errorf("ready before started: %v", h.status.log)
				}
				h.proc.exit(ExitStatus{Code: 0})
			},
			wantFiles: []string{"started", "ready", "completed"},
		},
		{
			// Finding 6: a readiness timeout used to leave the child running with a
			// permanent ready.err; now it stops the child, as native mode restarts it.
			name:     "ready_timeout stops the child and exits 5; final under Never",
			cfg:      Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready", ReadyTimeout: 20 * time.Millisecond},
			waits:    map[string]waitFn{"/tmp/app-ready": waitForever()},
			onSignal: dieOn(syscall.SIGTERM),
			drive: func(h *harness) {
				h.waitStarted()
			},
			wantCode:   ExitReadyTimeout,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"started", "ready.err", "completed.err"},
			wantAbsent: []string{"ready", "completed"},
			wantReason: "ReadyTimeout",
		},
		{
			name:       "ready_timeout under Always: restarted, so no .err",
			cfg:        Config{Ready: ReadyFile, ReadyTarget: "/tmp/app-ready", ReadyTimeout: 20 * time.Millisecond, RestartPolicy: RestartAlways},
			waits:      map[string]waitFn{"/tmp/app-ready": waitForever()},
			onSignal:   dieOn(syscall.SIGTERM),
			drive:      func(h *harness) { h.waitStarted() },
			wantCode:   ExitReadyTimeout,
			wantSigs:   []syscall.Signal{syscall.SIGTERM},
			wantFiles:  []string{"started"},
			wantAbsent: []string{"ready", "ready.err", "completed", "completed.err"},
		},
	}
}

// runnerCasesPolicies: restart policies, -on_error and -wait_status.
func runnerCasesPolicies() []runnerCase {
	return []runnerCase{
		{
			name:       "OnFailure: a failed exit is not final (no .err, the kubelet restarts)",
			cfg:        Config{RestartPolicy: RestartOnFailure, PostFile: "/out/post"},
			drive:      exitWith(1),
			wantCode:   1,
			wantAbsent: []string{"completed", "completed.err", "/out/post.err", "ready.err"},
		},
		{
			name:      "OnFailure: exit 0 is final",
			cfg:       Config{RestartPolicy: RestartOnFailure},
			drive:     exitWith(0),
			wantFiles: []string{"completed"},
		},
		{
			name:       "Always: a dependency failure is still permanent",
			cfg:        Config{RestartPolicy: RestartAlways, WaitFiles: []string{"/run/dep/ready"}},
			waits:      map[string]waitFn{"/run/dep/ready": waitFail()},
			notStarted: true,
			wantCode:   ExitDependency,
			wantFiles:  []string{"started.err", "ready.err", "completed.err"},
		},
		{
			name:       "Always: -wait_timeout is not final",
			cfg:        Config{RestartPolicy: RestartAlways, WaitFiles: []string{"/run/dep/ready"}, WaitTimeout: 10 * time.Millisecond},
			waits:      map[string]waitFn{"/run/dep/ready": waitForever()},
			notStarted: true,
			wantCode:   ExitDependency,
			wantAbsent: []string{"started.err", "ready.err", "completed.err"},
		},
		{
			name:       "on_error continue: a failed child ends the wrapper with 0 and the post file",
			cfg:        Config{OnError: "continue", PostFile: "/out/post"},
			drive:      exitWith(7),
			wantCode:   0,
			wantFiles:  []string{"completed", "/out/post"},
			wantAbsent: []string{"completed.err", "/out/post.err"},
			wantReason: "OnErrorContinue: Error: exit code 7",
		},
		{
			name:  "wait_status paths are waited on with live semantics",
			cfg:   Config{WaitFiles: []string{"/startorder/downward/ready"}, WaitStatus: []string{"/run/db/ready"}},
			drive: exitWith(0),
			check: func(h *harness) {
				if len(h.waiter.calls) == 0 || !slices.Equal(h.waiter.calls[0], []string{"/startorder/downward/ready", "/run/db/ready"}) {
					h.t.Errorf("calls %v", h.waiter.calls)
				}
				if o := h.waiter.opts[0]; o.Live["/startorder/downward/ready"] || !o.Live["/run/db/ready"] {
					h.t.Errorf("live %v", o.Live)
				}
			},
			wantFiles: []string{"completed"},
		},
	}
}

// runnerCasesWrites: status writes that fail.
func runnerCasesWrites() []runnerCase {
	return []runnerCase{
		{
			name:       "status dir unwritable",
			cfg:        Config{PostFile: "/out/post"},
			statusErr:  &IOError{Op: "status dir", Err: syscall.EROFS},
			wantCode:   4,
			notStarted: true,
			wantFiles:  []string{"/out/post.err"},
			check: func(h *harness) {
				for _, op := range h.status.log {
					if strings.HasPrefix(op, "write "+sd) {
						h.t.Errorf("wrote into the broken status dir: %v", h.status.log)
					}
				}
			},
		},
		{
			// Finding 7: a failed write after the start used to end with the child's 0.
			name:       "a status write that fails after the start ends non-zero",
			cfg:        Config{},
			writeErr:   map[string]bool{abs("completed"): true},
			drive:      exitWith(0),
			wantCode:   ExitIO,
			wantReason: "Completed",
		},
	}
}

// runnerCasesReadiness: a child that exits before it is ready, and a periodic prober.
func runnerCasesReadiness() []runnerCase {
	return []runnerCase{
		{
			name:       "exit 0 before ready counts as ready and completed",
			cfg:        Config{Ready: ReadySelf},
			waits:      map[string]waitFn{sd + "/self-ready": waitForever()},
			drive:      exitWith(0),
			wantFiles:  []string{"ready", "completed"},
			wantAbsent: []string{"ready.err", "self-ready"},
			check: func(h *harness) {
				if !slices.Contains(h.exec.specs[0].Env, "STARTORDER_READY_FILE="+sd+"/self-ready") {
					h.t.Errorf("env = %v", h.exec.specs[0].Env)
				}
			},
		},
		{
			name:       "exit 1 before ready",
			cfg:        Config{Ready: ReadySelf},
			waits:      map[string]waitFn{sd + "/self-ready": waitForever()},
			drive:      exitWith(1),
			wantCode:   1,
			wantFiles:  []string{"ready.err", "completed.err"},
			wantAbsent: []string{"ready"},
		},
		{
			name:   "periodic prober",
			cfg:    Config{Ready: ReadyTCP, ReadyTarget: "127.0.0.1:1"},
			prober: &countingProber{failures: 3},
			drive: func(h *harness) {
				h.waitStarted()
				h.eventually("ready", func() bool { return h.status.has(abs("ready")) })
				h.proc.exit(ExitStatus{Code: 0})
			},
			wantFiles: []string{"ready", "completed"},
		},
	}
}
