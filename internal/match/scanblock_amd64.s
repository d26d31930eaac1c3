//go:build !purego

#include "textflag.h"

// func scanBlockAsm(trans *uint16, col *[256]uint32, p *byte, gap int, n int, st *[7]uint32, sp uint32, done *[7]*uint64, ev *events) int
//
// Seven interleaved automaton streams over p[k*gap:], k = 0..6, for n
// steps each. Every step that leaves stream k in a special state s (>= sp)
// that is not done for it (bit s-sp of done[k]) appends the event
// step<<32 | s<<8 | k to ev (step counts from 1); a done state is passed
// over. The kernel stops early, after a whole step, when ev is nearly
// full, and returns the steps taken. Events are recorded in the stubs
// below, out of the loop's way, without returning to Go. The states live
// in registers: AX, BX, DI, R13, R14, R15, BP.
TEXT ·scanBlockAsm(SB), NOSPLIT, $16-80
	MOVQ trans+0(FP), R8
	MOVQ col+8(FP), R9
	MOVQ p+16(FP), SI
	MOVQ gap+24(FP), DX
	MOVQ n+32(FP), CX
	MOVQ st+40(FP), DI
	LEAQ (DX)(DX*2), R10 // 3*gap
	LEAQ (DX)(DX*4), R11 // 5*gap
	LEAQ (SI)(CX*1), R12 // end
	MOVL 0(DI), AX
	MOVL 4(DI), BX
	MOVL 12(DI), R13
	MOVL 16(DI), R14
	MOVL 20(DI), R15
	MOVL 24(DI), BP
	MOVL 8(DI), DI

	CMPQ SI, R12
	JAE  done

loop:
	MOVBLZX (SI), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(AX*2), AX

	MOVBLZX (SI)(DX*1), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(BX*2), BX

	MOVBLZX (SI)(DX*2), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(DI*2), DI

	MOVBLZX (SI)(R10*1), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(R13*2), R13

	MOVBLZX (SI)(DX*4), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(R14*2), R14

	MOVBLZX (SI)(R11*1), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(R15*2), R15

	MOVBLZX (SI)(R10*2), CX
	MOVL    (R9)(CX*4), CX
	LEAQ    (R8)(CX*2), CX
	MOVWLZX (CX)(BP*2), BP

	INCQ SI
	MOVL sp+48(FP), CX
	CMPL AX, CX
	JAE  stub0
back0:
	CMPL BX, CX
	JAE  stub1
back1:
	CMPL DI, CX
	JAE  stub2
back2:
	CMPL R13, CX
	JAE  stub3
back3:
	CMPL R14, CX
	JAE  stub4
back4:
	CMPL R15, CX
	JAE  stub5
back5:
	CMPL BP, CX
	JAE  stub6
back6:
	CMPQ SI, R12
	JB   loop
	JMP  done

done:
	MOVQ st+40(FP), CX
	MOVL AX, 0(CX)
	MOVL BX, 4(CX)
	MOVL DI, 8(CX)
	MOVL R13, 12(CX)
	MOVL R14, 16(CX)
	MOVL R15, 20(CX)
	MOVL BP, 24(CX)
	SUBQ p+16(FP), SI
	MOVQ SI, ret+72(FP)
	RET


stub0:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 0(R8), R8
	MOVL AX, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip0
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL AX, DX
	SHLL $8, DX
	ORL  $0, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore0
	MOVQ SI, R12 // nearly full: end after this step
restore0:
	MOVQ save2-16(SP), DX
skip0:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back0

stub1:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 8(R8), R8
	MOVL BX, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip1
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL BX, DX
	SHLL $8, DX
	ORL  $1, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore1
	MOVQ SI, R12 // nearly full: end after this step
restore1:
	MOVQ save2-16(SP), DX
skip1:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back1

stub2:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 16(R8), R8
	MOVL DI, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip2
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL DI, DX
	SHLL $8, DX
	ORL  $2, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore2
	MOVQ SI, R12 // nearly full: end after this step
restore2:
	MOVQ save2-16(SP), DX
skip2:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back2

stub3:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 24(R8), R8
	MOVL R13, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip3
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL R13, DX
	SHLL $8, DX
	ORL  $3, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore3
	MOVQ SI, R12 // nearly full: end after this step
restore3:
	MOVQ save2-16(SP), DX
skip3:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back3

stub4:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 32(R8), R8
	MOVL R14, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip4
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL R14, DX
	SHLL $8, DX
	ORL  $4, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore4
	MOVQ SI, R12 // nearly full: end after this step
restore4:
	MOVQ save2-16(SP), DX
skip4:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back4

stub5:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 40(R8), R8
	MOVL R15, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip5
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL R15, DX
	SHLL $8, DX
	ORL  $5, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore5
	MOVQ SI, R12 // nearly full: end after this step
restore5:
	MOVQ save2-16(SP), DX
skip5:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back5

stub6:
	MOVQ R8, save-8(SP)
	MOVQ done+56(FP), R8
	MOVQ 48(R8), R8
	MOVL BP, CX
	SUBL sp+48(FP), CX
	BTQ  CX, (R8)
	JCS  skip6
	MOVQ DX, save2-16(SP)
	MOVQ ev+64(FP), R8
	MOVQ SI, CX
	SUBQ p+16(FP), CX
	SHLQ $32, CX
	MOVL BP, DX
	SHLL $8, DX
	ORL  $6, DX
	ORQ  DX, CX
	MOVQ 0(R8), DX
	MOVQ CX, 8(R8)(DX*8)
	INCQ DX
	MOVQ DX, 0(R8)
	CMPQ DX, $57 // evCap-nStreams
	JB   restore6
	MOVQ SI, R12 // nearly full: end after this step
restore6:
	MOVQ save2-16(SP), DX
skip6:
	MOVQ save-8(SP), R8
	MOVL sp+48(FP), CX
	JMP  back6
