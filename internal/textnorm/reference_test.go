package textnorm

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// referenceAppend is the pipeline of the package doc applied to the whole
// of s at once, as a reference for appendSlow, which applies steps 1 to 5
// piece by piece between ASCII white space.
func referenceAppend(dst []byte, s string) []byte {
	buf := []byte(strings.ToValidUTF8(s, "\ufffd"))
	kept := buf[:0:0]
	for _, r := range string(buf) {
		if !dropped(r) {
			kept = utf8.AppendRune(kept, r)
		}
	}
	b := mapConfusables(norm.NFKC.Bytes(kept))
	folder := cases.Fold()
	for range 3 {
		folder.Reset()
		f := foldCherokee([]byte(folder.String(string(b))))
		n := norm.NFKC.Bytes(f)
		b = n
		if string(n) == string(f) {
			break
		}
	}
	b = mapConfusables(b)
	start := len(dst)
	space := false
	for _, r := range string(b) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && len(dst) > start {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

func TestAppendMatchesReference(t *testing.T) {
	var ins []string
	for _, tt := range benchInputs {
		ins = append(ins, tt)
	}
	ins = append(ins,
		"ASCII first, then Windоws and more ASCII "+strings.Repeat("x ", 100)+"Ваш компьютер",
		"e \u0301 e\u0301 \u0301start", "ends with mark e\u0301", "a\xff \xfeb \xff",
		" \u200b \u200b ", "\u00a0lead and trail\u3000", "İ I ı ß ẞ", "Ꭰꭰ ᏸ aꭰ",
		"ΜΙCRΟSΟFΤ ΜΙ", "ﬁ ﬀ ＡＢＣ", "word\u034f\u0301 x", "x\x00y\x7f z\x1f",
		strings.Repeat("a", 70)+"é"+strings.Repeat(" b", 40)+"ü",
		"It’s “Urgent” – CALL © 2024 café ÉCOLE", "é\u0323 ’\u0301 a’\u0308b", "x ’ \u0301 ’",
		"straße Straße ﬁ µ ª", "Ǆ ǅ ǆ", "ı İ ĸ ſ ŉ", "l·l ŀ ĳ",
		"Текст ½ мир Ѕ\x10A и Windоws… текст ß конец\u00a0Ёлка ОКНО ΣΟΦΙΑ ς", "сло\u00adво Ѕ\u00adA АВС abc",
	)
	for _, s := range ins {
		if got, want := string(Append([]byte("p "), s)), string(referenceAppend([]byte("p "), s)); got != want {
			t.Errorf("Append(%q) = %q, want %q (reference)", s, got, want)
		}
	}
}

func FuzzAppendMatchesReference(f *testing.F) {
	for _, s := range []string{"Текст ½ мир Ѕ\x10A и Windоws… ß", "Windоws Dеfender", "a \u0301b", "x\xff y", "Ꭰ ꭰ", "é" + strings.Repeat(" a", 40) + " ü", "It’s é\u0323 ’\u0301", "µ ß ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(Append(nil, s)), string(referenceAppend(nil, s)); got != want {
			t.Fatalf("Append(%q) = %q, want %q (reference)", s, got, want)
		}
	})
}

// TestAppendMatchesReferenceEveryRune runs every assigned code point through
// both, in pieces that mix it with ASCII words, white space and marks.
func TestAppendMatchesReferenceEveryRune(t *testing.T) {
	rs := assignedRunes()
	seps := []string{" ", "\t", "\n ", "  "}
	for i := 0; i < len(rs); i += 64 {
		var b strings.Builder
		for j, r := range rs[i:min(i+64, len(rs))] {
			switch j % 4 {
			case 0:
				b.WriteString("Ab")
			case 1:
				b.WriteString("\u0301")
			}
			b.WriteRune(r)
			if j%3 == 0 {
				b.WriteString("x")
			}
			b.WriteString(seps[j%len(seps)])
			switch j % 5 {
			case 0:
				b.WriteString("\u0308 plain ascii words here ")
			case 2:
				// Longer than maxASCIIGap: the pieces around it are apart.
				b.WriteString(strings.Repeat("ASCII ", 12) + "\u0345")
			}
		}
		s := b.String()
		if got, want := string(Append(nil, s)), string(referenceAppend(nil, s)); got != want {
			t.Fatalf("Append(%q) = %q, want %q (reference)", s, got, want)
		}
	}
}

// TestAppendMatchesReferenceSimpleFolds runs every letter of simpleFolds
// through both, in the contexts that decide whether the fast path of
// scratch.simple takes a piece: alone, in words with and without Latin
// letters, stable letters and look-alikes, beside white space beyond ASCII
// and controls.
func TestAppendMatchesReferenceSimpleFolds(t *testing.T) {
	ft := simpleFolds()
	n := 0
	for r := rune(0); r < stableLimit; r++ {
		if ft.to[r] == 0 {
			continue
		}
		n++
		c := string(r)
		for _, s := range []string{
			c, "Ab" + c, c + "x", "Б" + c + "д", "é" + c, c + "3", "Ж" + c + "о", "о" + c + "W",
			"x " + c + " y", c + "\u00a0" + c + "\u3000z", "\x01" + c + "\x7f", "W\x10" + c, c + "\x7fa", c + "-W" + c, "Ω" + c + "ς",
		} {
			if got, want := string(Append(nil, s)), string(referenceAppend(nil, s)); got != want {
				t.Fatalf("Append(%+q) = %+q, want %+q (reference)", s, got, want)
			}
		}
	}
	if n < 100 {
		t.Errorf("simpleFolds has %d letters, want the capitals and look-alikes of several scripts", n)
	}
}

// TestAppendMatchesReferenceASCIIShapes runs short texts of letters, white
// space (a no-break space too, which leaves a space pending for the ASCII
// after it), controls and a stable character through both, after text and
// at the start, to cover every shape of the eight-byte path of
// collapser.ascii, up to the end of its room.
func TestAppendMatchesReferenceASCIIShapes(t *testing.T) {
	alphabet := []string{"a", "B", " ", " ", "\t", "\n", "\r", "\x0b", "\x01", "\x1f", "\x7f", "’", "z", "abcdefgh", "\u00a0"}
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for range 100000 {
		b.Reset()
		for range rng.IntN(24) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		for _, dst := range []string{"", "p", "p "} {
			if got, want := string(Append([]byte(dst), s)), string(referenceAppend([]byte(dst), s)); got != want {
				t.Fatalf("Append(%q, %q) = %q, want %q (reference)", dst, s, got, want)
			}
		}
	}
}
