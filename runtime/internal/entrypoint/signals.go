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

// IgnoreUnhandledSignals sets the unhandled signals to SIG_IGN. The price: a child
// inherits the ignored disposition across exec (POSIX), see runtime/README.md.
func IgnoreUnhandledSignals() {
	const sigIgn = 1
	for _, s := range unhandledSignals {
		sa := kernelSigaction{handler: sigIgn}
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(s), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0)
	}
}
