//go:build !purego

#include "textflag.h"

// func transpose8(dst *byte, src *byte, gap int, n int)
//
// dst[d*8+k] = src[k*gap+d] for k = 0..7 and d < n, n a multiple of 8:
// eight rows of bytes, 8 steps of each at a time, become 8-byte columns
// by three rounds of unpacking (bytes, words, double words).
TEXT ·transpose8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ gap+16(FP), DX
	MOVQ n+24(FP), CX
	LEAQ (DX)(DX*2), R10 // 3*gap
	LEAQ (DX)(DX*4), R11 // 5*gap
	LEAQ (R10)(DX*4), R12 // 7*gap
	ADDQ SI, CX // end
	CMPQ SI, CX
	JAE  tdone

tloop:
	MOVQ (SI), X0
	MOVQ (SI)(DX*1), X1
	MOVQ (SI)(DX*2), X2
	MOVQ (SI)(R10*1), X3
	MOVQ (SI)(DX*4), X4
	MOVQ (SI)(R11*1), X5
	MOVQ (SI)(R10*2), X6
	MOVQ (SI)(R12*1), X7
	PUNPCKLBW X1, X0 // a0 b0 a1 b1 ... a7 b7
	PUNPCKLBW X3, X2 // c0 d0 ...
	PUNPCKLBW X5, X4 // e0 f0 ...
	PUNPCKLBW X7, X6 // g0 h0 ...
	MOVO      X0, X1
	PUNPCKLWL X2, X0 // a0 b0 c0 d0 ... a3 b3 c3 d3
	PUNPCKHWL X2, X1 // a4 b4 c4 d4 ... a7 b7 c7 d7
	MOVO      X4, X5
	PUNPCKLWL X6, X4 // e0 f0 g0 h0 ... e3 f3 g3 h3
	PUNPCKHWL X6, X5 // e4 ... h7
	MOVO      X0, X2
	PUNPCKLLQ X4, X0 // steps 0, 1
	PUNPCKHLQ X4, X2 // steps 2, 3
	MOVO      X1, X3
	PUNPCKLLQ X5, X1 // steps 4, 5
	PUNPCKHLQ X5, X3 // steps 6, 7
	MOVOU     X0, 0(DI)
	MOVOU     X2, 16(DI)
	MOVOU     X1, 32(DI)
	MOVOU     X3, 48(DI)
	ADDQ      $8, SI
	ADDQ      $64, DI
	CMPQ      SI, CX
	JB        tloop

tdone:
	RET

// PAIR(A, B, stubA, backA, stubB, backB) steps the two streams whose
// states are in A and B, on the bytes in DL and DH: both columns, then
// both states, then the checks for special states.
#define PAIR(A, B, stubA, backA, stubB, backB) \
	MOVBLZX DL, R15 \
	MOVBLZX DH, CX \
	MOVQ    (R9)(R15*8), R15 \
	MOVQ    (R9)(CX*8), CX \
	MOVWLZX (R15)(A*2), A \
	MOVWLZX (CX)(B*2), B \
	CMPL    A, R8 \
	JAE     stubA \
backA: \
	CMPL    B, R8 \
	JAE     stubB \
backB:

// func scanStepsAsm(col *[256]uintptr, t *byte, n int, st *[8]uint32, sp uint32, done *[8]*uint64, ev *events, base int) int
//
// Eight interleaved automaton streams for n steps over transposed text:
// t[d*8+k] is stream k's byte at step d, so one load brings a step's
// eight bytes. Every step that leaves stream k in a special state s (>=
// sp) that is not done for it (bit s-sp of done[k]) appends the event
// step<<32 | s<<8 | k to ev, step counting from base+1; a done state is
// passed over. The kernel stops early, after a whole step, when ev is
// nearly full, and returns the steps taken. Events are recorded in the
// stubs below, out of the loop's way, without returning to Go. The states
// live in registers: AX, BX, DI, BP, R10, R11, R13, R14; DX holds the
// step's bytes, taken two at a time from DL and DH (DH only into CX: with
// the REX prefix of R15 its encoding would name SIB). col[b] is the address
// of the column of b's class, so a step of a stream is two loads: its
// column and its next state. Streams go in pairs, both columns loaded
// before either state: the state loads wait on the column loads, and two
// streams' loads in flight together keep the load units busier than one
// stream's at a time (in a kernel-only scratch benchmark, 1,703 to 1,723
// against 1,628 to 1,639 MB/s over spaces, 4% over page text).
TEXT ·scanStepsAsm(SB), NOSPLIT, $8-72
	MOVQ col+0(FP), R9
	MOVQ t+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ st+24(FP), DI
	MOVL sp+32(FP), R8
	LEAQ (SI)(CX*8), R12 // end
	MOVL 0(DI), AX
	MOVL 4(DI), BX
	MOVL 12(DI), BP
	MOVL 16(DI), R10
	MOVL 20(DI), R11
	MOVL 24(DI), R13
	MOVL 28(DI), R14
	MOVL 8(DI), DI

	CMPQ SI, R12
	JAE  sdone

sloop:
	MOVQ (SI), DX
	PAIR(AX, BX, stub0, back0, stub1, back1)
	SHRQ $16, DX
	PAIR(DI, BP, stub2, back2, stub3, back3)
	SHRQ $16, DX
	PAIR(R10, R11, stub4, back4, stub5, back5)
	SHRQ $16, DX
	PAIR(R13, R14, stub6, back6, stub7, back7)
	ADDQ $8, SI
	CMPQ SI, R12
	JB   sloop

sdone:
	MOVQ st+24(FP), CX
	MOVL AX, 0(CX)
	MOVL BX, 4(CX)
	MOVL DI, 8(CX)
	MOVL BP, 12(CX)
	MOVL R10, 16(CX)
	MOVL R11, 20(CX)
	MOVL R13, 24(CX)
	MOVL R14, 28(CX)
	SUBQ t+8(FP), SI
	SHRQ $3, SI
	MOVQ SI, ret+64(FP)
	RET

// STUB(k, R, stub, back, restore) is stream k's report path, for its state
// in register R: pass over a state done for the stream; else record the
// event, and when the buffer is nearly full end the loop after this step
// (R12 = SI+8); then go back to the step's remaining streams. CX and R15
// are free; DX, the step's bytes, is saved and restored. 56 is evCap -
// nStreams (scanblock.go).
#define STUB(k, R, stub, back, restore) \
stub: \
	MOVQ done+40(FP), R15 \
	MOVQ (8*k)(R15), R15 \
	MOVL R, CX \
	SUBL R8, CX \
	BTQ  CX, (R15) \
	JCS  back \
	MOVQ DX, save-8(SP) \
	MOVQ ev+48(FP), R15 \
	MOVQ SI, CX \
	SUBQ t+8(FP), CX \
	SHRQ $3, CX \
	ADDQ base+56(FP), CX \
	INCQ CX \
	SHLQ $32, CX \
	MOVL R, DX \
	SHLL $8, DX \
	ORL  $k, DX \
	ORQ  DX, CX \
	MOVQ 0(R15), DX \
	MOVQ CX, 8(R15)(DX*8) \
	INCQ DX \
	MOVQ DX, 0(R15) \
	CMPQ DX, $56 \
	JB   restore \
	LEAQ 8(SI), R12 \
restore: \
	MOVQ save-8(SP), DX \
	JMP  back

STUB(0, AX, stub0, back0, restore0)
STUB(1, BX, stub1, back1, restore1)
STUB(2, DI, stub2, back2, restore2)
STUB(3, BP, stub3, back3, restore3)
STUB(4, R10, stub4, back4, restore4)
STUB(5, R11, stub5, back5, restore5)
STUB(6, R13, stub6, back6, restore6)
STUB(7, R14, stub7, back7, restore7)
