package entrypoint

import (
	"os"
	"os/signal"
	"syscall"
)

// The reaping loop of SysExecutor: one Wait4 pass on every SIGCHLD.

func (e *SysExecutor) init() {
	e.once.Do(func() {
		e.procs = map[int]*sysProc{}
		e.kick = make(chan struct{}, 1)
		sigs := make(chan os.Signal, 16)
		signal.Notify(sigs, syscall.SIGCHLD)
		go func() {
			for {
				select {
				case <-sigs:
				case <-e.kick:
				}
				e.reap()
			}
		}()
	})
}

func (e *SysExecutor) reap() {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ws syscall.WaitStatus
	if e.ReapAll {
		for {
			pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if err != nil || pid <= 0 {
				return
			}
			e.deliver(pid, ws)
		}
	}
	for pid := range e.procs {
		for {
			got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
			if err == syscall.EINTR {
				continue
			}
			if err == nil && got == pid {
				e.deliver(pid, ws)
			}
			break
		}
	}
}

func (e *SysExecutor) deliver(pid int, ws syscall.WaitStatus) {
	p, ok := e.procs[pid]
	if !ok {
		return // an orphan, reaped and forgotten
	}
	var st ExitStatus
	switch {
	case ws.Exited():
		st.Code = ws.ExitStatus()
	case ws.Signaled():
		st.Signal = ws.Signal()
	default:
		return // stopped or continued: not an exit
	}
	delete(e.procs, pid)
	p.done <- st
}

// SetSubreaper makes orphaned descendants re-parent to this process (Linux
// PR_SET_CHILD_SUBREAPER), so the reaping loop collects them even when the wrapper
// is not PID 1 (for example with shareProcessNamespace).
func SetSubreaper() error {
	const prSetChildSubreaper = 36
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
