#include "textflag.h"

// The handler of the signals the Go runtime leaves alone (signals.go): it does nothing.
// Being a caught signal, not an ignored one, it is reset to the default by execve, so
// the child starts with the disposition it would have without the wrapper.

// func sigNop()
TEXT ·sigNop(SB),NOSPLIT|NOFRAME,$0-0
	RET

// func sigReturn()
TEXT ·sigReturn(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	$15, AX // rt_sigreturn
	SYSCALL
	INT	$3

// func sigHandlerAddrs() (handler, restorer uintptr)
TEXT ·sigHandlerAddrs(SB),NOSPLIT,$0-16
	LEAQ	·sigNop(SB), AX
	MOVQ	AX, handler+0(FP)
	LEAQ	·sigReturn(SB), AX
	MOVQ	AX, restorer+8(FP)
	RET
