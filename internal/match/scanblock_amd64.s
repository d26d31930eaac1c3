//go:build !purego

#include "textflag.h"

// func scanBlockAsm(col *[256]uintptr, p *byte, gap int, n int, st *[7]uint32, sp uint32, done *[7]*uint64, ev *events) int
//
// Seven interleaved automaton streams over p[k*gap:], k = 0..6, for n
// steps each. Every step that leaves stream k in a special state s (>= sp)
// that is not done for it (bit s-sp of done[k]) appends the event
// step<<32 | s<<8 | k to ev (step counts from 1); a done state is passed
// over. The kernel stops early, after a whole step, when ev is nearly
// full, and returns the steps taken. Events are recorded in the stubs
// below, out of the loop's way, without returning to Go. The states live
// in registers: AX, BX, DI, R13, R14, R15, BP. col[b] is the address of
// the column of b's class, so a step is three loads: the byte, its
// column, the next state.
TEXT ·scanBlockAsm(SB), NOSPLIT, $8-72
	MOVQ col+0(FP), R9
	MOVQ p+8(FP), SI
	MOVQ gap+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ st+32(FP), DI
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
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(AX*2), AX

	MOVBLZX (SI)(DX*1), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(BX*2), BX

	MOVBLZX (SI)(DX*2), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(DI*2), DI

	MOVBLZX (SI)(R10*1), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(R13*2), R13

	MOVBLZX (SI)(DX*4), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(R14*2), R14

	MOVBLZX (SI)(R11*1), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(R15*2), R15

	MOVBLZX (SI)(R10*2), CX
	MOVQ    (R9)(CX*8), CX
	MOVWLZX (CX)(BP*2), BP

	INCQ SI
	MOVL sp+40(FP), CX
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
	MOVQ st+32(FP), CX
	MOVL AX, 0(CX)
	MOVL BX, 4(CX)
	MOVL DI, 8(CX)
	MOVL R13, 12(CX)
	MOVL R14, 16(CX)
	MOVL R15, 20(CX)
	MOVL BP, 24(CX)
	SUBQ p+8(FP), SI
	MOVQ SI, ret+64(FP)
	RET



// STUB(k, R, stub, back, restore, skip) is stream k's report path, for its
// state in register R: pass over a state done for the stream; else record
// the event, and when the buffer is nearly full end the loop after this
// step (R12 = SI); then go back to the step's remaining checks. R8 is
// free; DX is borrowed and restored. 57 is evCap - nStreams (scanblock.go).
#define STUB(k, R, stub, back, restore, skip) \
stub: \
	MOVQ done+48(FP), R8 \
	MOVQ (8*k)(R8), R8 \
	MOVL R, CX \
	SUBL sp+40(FP), CX \
	BTQ  CX, (R8) \
	JCS  skip \
	MOVQ DX, save-8(SP) \
	MOVQ ev+56(FP), R8 \
	MOVQ SI, CX \
	SUBQ p+8(FP), CX \
	SHLQ $32, CX \
	MOVL R, DX \
	SHLL $8, DX \
	ORL  $k, DX \
	ORQ  DX, CX \
	MOVQ 0(R8), DX \
	MOVQ CX, 8(R8)(DX*8) \
	INCQ DX \
	MOVQ DX, 0(R8) \
	CMPQ DX, $57 \
	JB   restore \
	MOVQ SI, R12 \
restore: \
	MOVQ save-8(SP), DX \
skip: \
	MOVL sp+40(FP), CX \
	JMP  back

STUB(0, AX, stub0, back0, restore0, skip0)
STUB(1, BX, stub1, back1, restore1, skip1)
STUB(2, DI, stub2, back2, restore2, skip2)
STUB(3, R13, stub3, back3, restore3, skip3)
STUB(4, R14, stub4, back4, restore4, skip4)
STUB(5, R15, stub5, back5, restore5, skip5)
STUB(6, BP, stub6, back6, restore6, skip6)
