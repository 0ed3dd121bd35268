package entrypoint

import (
	"syscall"
	"unsafe"
)

// unhandledSignals are the signals that the Go runtime neither handles nor lets
// os/signal deliver (32, 33 and 34 are glibc's and musl's internal signals; the runtime
// handles 33 itself). Left at their default action they kill the wrapper when it is
// not PID 1 (shareProcessNamespace, or a test), which orphans its child.
var unhandledSignals = []syscall.Signal{32, 34}

// kernelSigaction is struct sigaction of the rt_sigaction system call (amd64, arm64).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// Implemented in assembly (signals_$GOARCH.s).
func sigNop()
func sigReturn()
func sigHandlerAddrs() (handler, restorer uintptr)

const (
	saRestorer = 0x04000000
	saOnStack  = 0x08000000 // Go gives every thread an alternate signal stack
	saRestart  = 0x10000000
)

// IgnoreUnhandledSignals catches the unhandled signals with a handler that does
// nothing. A caught signal, unlike an ignored one (SIG_IGN), is reset to its default
// by execve, so the child is not affected. The signals are not forwarded.
func IgnoreUnhandledSignals() error {
	h, r := sigHandlerAddrs()
	for _, s := range unhandledSignals {
		sa := kernelSigaction{handler: h, flags: saRestorer | saOnStack | saRestart, restorer: r}
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0); errno != 0 {
			return errno
		}
	}
	return nil
}
