package match

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// The verifier is a bounded backtracker over a syntax.Prog, written to give
// exactly what regexp.FindIndex gives on the whole text (leftmost start,
// then the first match in priority order, as Go's own backtracker), but
// for start positions in a window only, with no allocation, and reading
// the whole text for context, so ^, $, \b and \B see the true neighbours
// of the window.
//
// Its memo has one bit per (position, instruction) for the positions
// [base, hi]. A path that reaches beyond hi sets overflow, and the caller
// must not trust the result; callers size hi from the regex's maximum
// match length, so this happens only for unbounded regexes.

const endOfText rune = -1

type btJob struct {
	pc  uint32
	arg bool
	pos int
}

type backtracker struct {
	jobs     []btJob
	visited  []uint64
	cleared  int // visited[:cleared] is known to be zero
	base, hi int
	nInst    int
	overflow bool
	far      int // the furthest position visited since the last reset
	// owner is the regex whose failed explorations the memo holds, or
	// none. They stay valid for later starts of the same regex in the same
	// text (as in package regexp's unanchored loop), so consecutive
	// searches of one regex share the memo and the work stays linear.
	owner int32
}

// maxMemoWords caps the memo (4 Mbit, 512 KiB); larger searches fall back
// to package regexp.
const maxMemoWords = 1 << 16

// reset prepares a search by regex owner (of nInst instructions) from
// starts at or after base, whose paths stay within [base, hi]. The caller
// sets owner to none when the text changes.
func (b *backtracker) reset(owner int32, nInst, base, hi int) {
	b.jobs = b.jobs[:0]
	b.overflow = false
	b.far = base
	if owner == b.owner && base >= b.base && hi >= b.hi {
		if words := ((hi-b.base+1)*nInst + 63) / 64; words <= cap(b.visited) {
			b.visited = b.visited[:max(len(b.visited), words)]
			b.hi = hi
			return
		}
	}
	b.owner, b.nInst, b.base, b.hi = owner, nInst, base, hi
	words := ((hi-base+1)*nInst + 63) / 64
	if cap(b.visited) < words {
		b.visited = make([]uint64, words)
		b.cleared = words
	} else {
		b.visited = b.visited[:words]
		b.cleared = 0
	}
}

// shouldVisit reports whether (pc, pos) is new, and marks it visited. try
// has its fast path written out in its loop, where a call per step cost
// more than the check; both share shouldVisitSlow.
func (b *backtracker) shouldVisit(pc uint32, pos int) bool {
	n := (pos-b.base)*b.nInst + int(pc)
	w := n >> 6
	if pos > b.hi || w >= b.cleared {
		return b.shouldVisitSlow(pos, n)
	}
	b.far = max(b.far, pos)
	bit := uint64(1) << (n & 63)
	if b.visited[w]&bit != 0 {
		return false
	}
	b.visited[w] |= bit
	return true
}

// shouldVisitSlow is shouldVisit past the memo's end or its cleared part.
func (b *backtracker) shouldVisitSlow(pos, n int) bool {
	if pos > b.hi {
		b.overflow = true
		return false
	}
	b.far = max(b.far, pos)
	w := n >> 6
	b.clearTo(w)
	bit := uint64(1) << (n & 63)
	if b.visited[w]&bit != 0 {
		return false
	}
	b.visited[w] |= bit
	return true
}

// clearTo zeroes the memo up to word w and a little beyond.
func (b *backtracker) clearTo(w int) {
	end := min(len(b.visited), w+64)
	clear(b.visited[b.cleared:end])
	b.cleared = end
}

func (b *backtracker) push(insts []btInst, pc uint32, pos int, arg bool) {
	if insts[pc].op != btFail && (arg || b.shouldVisit(pc, pos)) {
		b.jobs = append(b.jobs, btJob{pc: pc, arg: arg, pos: pos})
	}
}

func step(text []byte, pos int) (rune, int) {
	if pos < len(text) {
		if c := text[pos]; c < utf8.RuneSelf {
			return rune(c), 1
		}
		return utf8.DecodeRune(text[pos:])
	}
	return endOfText, 0
}

// instSets returns, per instruction of prog, the ASCII sets the
// backtracker tests instead of reading further: for an InstRune, the
// ASCII runes it matches in sets[pc][0:2] (a bit test is cheaper than
// Inst.MatchRune, and most text is ASCII); for an InstAlt, the ASCII
// bytes with which a match can go on from its Out in sets[pc][0:2] and
// from its Arg in sets[pc][2:4]. A branch that can match without reading
// another rune (it reaches InstMatch through empty-width instructions
// only) gets every byte: it is never passed over. Both come from
// fs, prog's firstBytes, whose ASCII half is exact: an ASCII rune is one
// byte.
//
// At an InstAlt, try passes over a branch whose set lacks the next text
// byte, when that byte is ASCII: every path through the branch reads a
// rune there, and no rune starting with that byte can be read, so the
// branch fails at once. An alternation of words tried at a position
// where few of them start is then a few bit tests, not a visit to every
// word's first instruction.
func instSets(prog *syntax.Prog, fs []first) [][4]uint64 {
	ascii := func(f first) (lo, hi uint64) {
		if f.empty {
			return ^uint64(0), ^uint64(0)
		}
		return f.set[0], f.set[1]
	}
	sets := make([][4]uint64, len(prog.Inst))
	for pc, inst := range prog.Inst {
		switch inst.Op {
		case syntax.InstRune:
			sets[pc][0], sets[pc][1] = ascii(fs[pc])
		case syntax.InstAlt:
			sets[pc][0], sets[pc][1] = ascii(fs[inst.Out])
			sets[pc][2], sets[pc][3] = ascii(fs[inst.Arg])
		}
	}
	return sets
}

// inDegrees returns how many instructions of prog lead to each (the start
// counts as one), capped at 2.
func inDegrees(prog *syntax.Prog) []uint8 {
	in := make([]uint8, len(prog.Inst))
	in[prog.Start]++
	for _, inst := range prog.Inst {
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			in[inst.Out] = min(in[inst.Out]+1, 2)
			in[inst.Arg] = min(in[inst.Arg]+1, 2)
		case syntax.InstMatch, syntax.InstFail:
		default:
			in[inst.Out] = min(in[inst.Out]+1, 2)
		}
	}
	return in
}

// literalRun appends to buf the run of InstRune1 instructions that starts
// at pc, an InstRune1, and returns it with the instruction after it: each
// next instruction is an InstRune1 that no other instruction leads to (in
// holds inDegrees), so it is reached from the one before at a position
// fixed by it, and the memo need not record it. U+FFFD stands for invalid
// bytes in the text, so it ends a run. A run holds at most maxLitRun
// bytes.
func literalRun(prog *syntax.Prog, in []uint8, pc uint32, buf []byte) ([]byte, uint32) {
	inst := &prog.Inst[pc]
	start := len(buf)
	buf = utf8.AppendRune(buf, inst.Rune[0])
	next := inst.Out
	for {
		x := &prog.Inst[next]
		if x.Op != syntax.InstRune1 || in[next] != 1 || x.Rune[0] == utf8.RuneError || len(buf)-start+utf8.UTFMax > maxLitRun {
			return buf, next
		}
		buf = utf8.AppendRune(buf, x.Rune[0])
		next = x.Out
	}
}

// maxLitRun bounds the bytes of one literal run (a btInst's n).
const maxLitRun = 1<<16 - 1

// emptyContext is the set of empty-width assertions true at pos, computed
// as package regexp computes it for a []byte input.
func emptyContext(text []byte, pos int) syntax.EmptyOp {
	r1, r2 := endOfText, endOfText
	if uint(pos-1) < uint(len(text)) {
		r1, _ = utf8.DecodeLastRune(text[:pos])
	}
	if uint(pos) < uint(len(text)) {
		r2, _ = utf8.DecodeRune(text[pos:])
	}
	return syntax.EmptyOpContext(r1, r2)
}

// isRuneInst reports whether op reads a rune.
func isRuneInst(op syntax.InstOp) bool {
	switch op {
	case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		return true
	}
	return false
}

// btProg is a regex program as the backtracker runs it: the program of
// package regexp/syntax without what try would pass through (captures and
// no-ops, which are followed when the program is built), with every run
// of single runes (literalRun) as one instruction, and with what try
// reads of an instruction in one record of 48 bytes. A page's
// verifications read programs the cache has not held since the last page,
// and with the syntax.Inst, its run and its sets in three arrays each
// step of a search missed up to three times.
type btProg struct {
	inst  []btInst
	lits  []byte // the bytes of the lit instructions
	start uint32
	src   []syntax.Inst // for rune instructions outside ASCII
}

type btInst struct {
	// rune: the ASCII runes it matches in set[0:2]; alt: the ASCII bytes
	// its out and its arg can go on with in set[0:2] and set[2:4] (see
	// instSets).
	set [4]uint64
	op  btOp
	// altMatch: whether the original's Out reads a rune, as package
	// regexp decides which branch is the match.
	outReads bool
	n        uint16 // lit: its length in bytes
	out      uint32
	// alt, altMatch: the other branch; lit: its offset in lits; rune:
	// its pc in src; empty: the syntax.EmptyOp.
	arg uint32
}

type btOp uint8

const (
	btFail btOp = iota
	btMatch
	btAlt
	btAltMatch
	btLit
	btRune
	btAny
	btAnyNotNL
	btEmpty
	btNop // a loop of captures and no-ops only
)

// compileBt builds the btProg of prog, given its firstBytes.
func compileBt(prog *syntax.Prog, fs []first) btProg {
	src := prog.Inst
	sets := instSets(prog, fs)
	in := inDegrees(prog)
	// pass follows captures and no-ops from pc to the instruction they
	// lead to (or to one on a loop of them).
	pass := func(pc uint32) uint32 {
		for range len(src) {
			if op := src[pc].Op; op != syntax.InstCapture && op != syntax.InstNop {
				return pc
			}
			pc = src[pc].Out
		}
		return pc
	}
	// Number the instructions reachable from the start in the order they
	// are first reached.
	p := btProg{src: src}
	index := make([]int32, len(src))
	for i := range index {
		index[i] = -1
	}
	var order []uint32
	visit := func(pc uint32) uint32 {
		pc = pass(pc)
		if index[pc] >= 0 {
			return uint32(index[pc])
		}
		index[pc] = int32(len(order))
		order = append(order, pc)
		return uint32(index[pc])
	}
	p.start = visit(uint32(prog.Start))
	for i := 0; i < len(order); i++ {
		pc := order[i]
		inst := &src[pc]
		var b btInst
		switch inst.Op {
		case syntax.InstFail:
			b.op = btFail
		case syntax.InstMatch:
			b.op = btMatch
		case syntax.InstAlt:
			b.op, b.set = btAlt, sets[pc]
			b.out, b.arg = visit(inst.Out), visit(inst.Arg)
		case syntax.InstAltMatch:
			b.outReads = isRuneInst(src[inst.Out].Op)
			b.op = btAltMatch
			b.out, b.arg = visit(inst.Out), visit(inst.Arg)
		case syntax.InstRune1, syntax.InstRune:
			if inst.Op == syntax.InstRune1 && inst.Rune[0] != utf8.RuneError {
				// Only a run's first instruction is reached: no
				// other leads to the ones after it.
				off := len(p.lits)
				var next uint32
				p.lits, next = literalRun(prog, in, pc, p.lits)
				b.op, b.n, b.arg = btLit, uint16(len(p.lits)-off), uint32(off)
				b.out = visit(next)
				break
			}
			b.op, b.set, b.arg = btRune, sets[pc], uint32(pc)
			b.out = visit(inst.Out)
		case syntax.InstRuneAny:
			b.op, b.out = btAny, visit(inst.Out)
		case syntax.InstRuneAnyNotNL:
			b.op, b.out = btAnyNotNL, visit(inst.Out)
		case syntax.InstEmptyWidth:
			b.op, b.arg, b.out = btEmpty, inst.Arg, visit(inst.Out)
		default: // a loop of captures and no-ops
			b.op, b.out = btNop, visit(inst.Out)
		}
		p.inst = append(p.inst, b)
	}
	return p
}

// try reports the end of the first match (in priority order) starting at
// pos. Captures do not change which match is found first, so they are
// left out of the program.
func (b *backtracker) try(p *btProg, text []byte, pos int) (int, bool) {
	insts := p.inst
	b.push(insts, p.start, pos, false)
	// shouldVisit, inlined for the hot path: the memo does not move
	// during a try.
	visited, base, hi, nInst := b.visited, b.base, b.hi, b.nInst
	for len(b.jobs) > 0 {
		l := len(b.jobs) - 1
		pc, pos, arg := b.jobs[l].pc, b.jobs[l].pos, b.jobs[l].arg
		b.jobs = b.jobs[:l]
		goto skip
	checkAndLoop:
		if n := (pos-base)*nInst + int(pc); pos > hi || n>>6 >= b.cleared {
			if !b.shouldVisitSlow(pos, n) {
				continue
			}
		} else {
			bit := uint64(1) << (n & 63)
			if visited[n>>6]&bit != 0 {
				continue
			}
			visited[n>>6] |= bit
			if pos > b.far {
				b.far = pos
			}
		}
	skip:
		inst := &insts[pc]
		switch inst.op {
		case btAlt:
			if arg {
				arg = false
				pc = inst.arg
				goto checkAndLoop
			}
			if pos < len(text) && text[pos] < utf8.RuneSelf {
				c := text[pos]
				out := inst.set[c>>6]&(1<<(c&63)) != 0
				arg := inst.set[2+c>>6]&(1<<(c&63)) != 0
				switch {
				case !out && !arg:
					continue
				case !out:
					pc = inst.arg
					goto checkAndLoop
				case !arg:
					pc = inst.out
					goto checkAndLoop
				}
			}
			b.jobs = append(b.jobs, btJob{pc: pc, arg: true, pos: pos})
			pc = inst.out
			goto checkAndLoop
		case btAltMatch:
			if inst.outReads {
				b.push(insts, inst.arg, pos, false)
				pc = inst.arg
				pos = len(text)
				goto checkAndLoop
			}
			b.push(insts, inst.out, len(text), false)
			pc = inst.out
			goto checkAndLoop
		case btLit:
			n := int(inst.n)
			if len(text)-pos < n || string(text[pos:pos+n]) != string(p.lits[inst.arg:inst.arg+uint32(n)]) {
				continue
			}
			pos += n
			pc = inst.out
			goto checkAndLoop
		case btRune:
			if pos < len(text) && text[pos] < utf8.RuneSelf {
				c := text[pos]
				if inst.set[c>>6]&(1<<(c&63)) == 0 {
					continue
				}
				pos++
			} else {
				r, w := step(text, pos)
				if r < 0 || !p.src[inst.arg].MatchRune(r) {
					continue
				}
				pos += w
			}
			pc = inst.out
			goto checkAndLoop
		case btAnyNotNL:
			r, w := step(text, pos)
			if r == '\n' || r == endOfText {
				continue
			}
			pos += w
			pc = inst.out
			goto checkAndLoop
		case btAny:
			r, w := step(text, pos)
			if r == endOfText {
				continue
			}
			pos += w
			pc = inst.out
			goto checkAndLoop
		case btEmpty:
			op := syntax.EmptyOp(inst.arg)
			if emptyContext(text, pos)&op != op {
				continue
			}
			pc = inst.out
			goto checkAndLoop
		case btNop:
			pc = inst.out
			goto checkAndLoop
		case btMatch:
			return pos, true
		default: // btFail
			continue
		}
	}
	return 0, false
}

// goMinInputLen is regexp's minInputLen: package regexp reports no match
// for a text shorter than this, even where a case-folded literal could
// match fewer bytes, and the Matcher must agree with it.
func goMinInputLen(re *syntax.Regexp) int {
	switch re.Op {
	default:
		return 0
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCharClass:
		return 1
	case syntax.OpLiteral:
		l := 0
		for _, r := range re.Rune {
			if r == utf8.RuneError {
				l++
			} else {
				l += utf8.RuneLen(r)
			}
		}
		return l
	case syntax.OpCapture, syntax.OpPlus:
		return goMinInputLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * goMinInputLen(re.Sub[0])
	case syntax.OpConcat:
		l := 0
		for _, sub := range re.Sub {
			l += goMinInputLen(sub)
		}
		return l
	case syntax.OpAlternate:
		l := goMinInputLen(re.Sub[0])
		for _, sub := range re.Sub[1:] {
			l = min(l, goMinInputLen(sub))
		}
		return l
	}
}

// first is what a program can read first from an instruction on: the
// bytes a match can go on with there, and whether it can reach InstMatch
// without reading.
type first struct {
	set   byteSet
	empty bool
}

// firstBytes returns, per instruction of prog, what it can read first; at
// prog.Start, the bytes at which a match can start (any position, when
// it can be empty), which the screens use (newScreen). A
// rune instruction's bytes are those its runes start with (for U+FFFD,
// which also stands for an invalid byte, every byte from 0x80); the
// instructions that read nothing take the union of their successors',
// grown to a fixed point since loops lead back.
func firstBytes(prog *syntax.Prog) []first {
	insts := prog.Inst
	fs := make([]first, len(insts))
	for pc := range insts {
		f := &fs[pc]
		addRune := func(r rune) {
			switch {
			case r == utf8.RuneError:
				f.set.addRange(0x80, 0xFF) // also any invalid byte
			case r < utf8.RuneSelf:
				f.set.add(byte(r))
			default:
				f.set.add(leadByte(r))
			}
		}
		switch inst := &insts[pc]; inst.Op {
		case syntax.InstMatch:
			f.empty = true
		case syntax.InstRune1:
			addRune(inst.Rune[0])
		case syntax.InstRune:
			if len(inst.Rune) == 1 {
				rs := []rune{inst.Rune[0]}
				if syntax.Flags(inst.Arg)&syntax.FoldCase != 0 {
					rs = foldOrbit(inst.Rune[0])
				}
				for _, r := range rs {
					addRune(r)
				}
				continue
			}
			for i := 0; i+1 < len(inst.Rune); i += 2 {
				lo, hi := inst.Rune[i], min(inst.Rune[i+1], unicode.MaxRune)
				if lo < utf8.RuneSelf {
					f.set.addRange(byte(lo), byte(min(hi, utf8.RuneSelf-1)))
				}
				if hi >= utf8.RuneSelf {
					f.set.addRange(leadByte(max(lo, utf8.RuneSelf)), leadByte(hi))
				}
				if lo <= utf8.RuneError && utf8.RuneError <= hi {
					f.set.addRange(0x80, 0xFF)
				}
			}
		case syntax.InstRuneAny:
			f.set.addRange(0, 0xFF)
		case syntax.InstRuneAnyNotNL:
			f.set.addRange(0, '\n'-1)
			f.set.addRange('\n'+1, 0xFF)
		}
	}
	for changed := true; changed; {
		changed = false
		for pc := range insts {
			inst := &insts[pc]
			var f first
			switch inst.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				a, b := &fs[inst.Out], &fs[inst.Arg]
				f = fs[inst.Out]
				f.set.union(&b.set)
				f.empty = a.empty || b.empty
			case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
				f = fs[inst.Out]
			default:
				continue
			}
			if f != fs[pc] {
				fs[pc], changed = f, true
			}
		}
	}
	return fs
}

// leadByte is the first byte of r's UTF-8 encoding (r >= 0x80).
func leadByte(r rune) byte {
	switch {
	case r < 0x800:
		return byte(0xC0 | r>>6)
	case r < 0x10000:
		return byte(0xE0 | r>>12)
	}
	return byte(0xF0 | r>>18)
}
