#include "textflag.h"

// See signals_amd64.s.

// func sigNop()
TEXT ·sigNop(SB),NOSPLIT|NOFRAME,$0-0
	RET

// func sigReturn()
TEXT ·sigReturn(SB),NOSPLIT|NOFRAME,$0-0
	MOVD	$139, R8 // rt_sigreturn
	SVC
	RET

// func sigHandlerAddrs() (handler, restorer uintptr)
TEXT ·sigHandlerAddrs(SB),NOSPLIT,$0-16
	MOVD	$·sigNop(SB), R0
	MOVD	R0, handler+0(FP)
	MOVD	$·sigReturn(SB), R0
	MOVD	R0, restorer+8(FP)
	RET
