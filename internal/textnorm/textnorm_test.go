package textnorm

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"ascii lower", "Call Microsoft Support", "call microsoft support"},
		{"ascii spaces", "  a \t\n b\r\n\f\vc  ", "a b c"},
		{"ascii controls dropped", "Mi\x00cro\x1fsoft\x7f", "microsoft"},
		{"already normal", "windows defender", "windows defender"},
		{"nbsp and ideographic space", "Windows\u00a0Defender\u3000警告", "windows defender 警告"},
		{"other spaces", "a\u2003b\u2028c\u205fd\u1680e\u0085f", "a b c d e f"},
		{"zero width", "Mi\u200bcro\u200csoft\u200d \ufeffSupport\u2060", "microsoft support"},
		{"soft hyphen", "Micro\u00adsoft", "microsoft"},
		{"bidi marks", "\u202eWindows\u202c\u200e", "windows"},
		{"full-width", "ＷＩＮＤＯＷＳ　０１２３", "windows 0123"},
		{"full-width digits phone", "１−８００−６４２−７６７６", "1−800−642−7676"},
		{"math letters", "𝐌𝐢𝐜𝐫𝐨𝐬𝐨𝐟𝐭", "microsoft"},
		{"ligature", "ﬁrewall", "firewall"},
		{"sharp s folds", "STRAßE", "strasse"},
		{"accents kept", "Sécurité ÉCHEC", "sécurité échec"},
		{"decomposed accent composes", "se\u0301curite\u0301", "sécurité"},
		{"german umlaut", "FEHLERCODE Überprüfung", "fehlercode überprüfung"},
		{"cyrillic o in latin word", "Windоws", "windows"},
		{"cyrillic capitals in latin word", "МICRОSОFТ", "microsoft"},
		{"greek capitals in latin word", "ΜΙCRΟSΟFΤ", "microsoft"},
		{"greek small in latin word", "Αpple Suppοrt", "apple support"},
		{"armenian o", "Micrօsoft", "microsoft"},
		{"cherokee", "ᎪᏢᏢᏞᎬ ꭺꮲ", "ᎪᏢᏢᏞᎬ ᎪᏢ"}, // no Latin letter: left alone; folds to capitals
		{"cherokee in latin word", "ᎪPPLE", "apple"},
		{"lisu", "ꓪindows", "windows"},
		{"dotless i", "Wındows", "windows"},
		{"russian stays", "Ваш компьютер заблокирован", "ваш компьютер заблокирован"},
		{"greek stays", "Ο υπολογιστής σας", "ο υπολογιστήσ σασ"}, // final sigma folds to σ,
		{"mixed sentence", "Ваш Windоws заблокирован", "ваш windows заблокирован"},
		{"lookalike before mark kept", "Wо\u0331rd", "wо\u0331rd"},
		{"digits count as word", "Windоws10", "windows10"},
		{"japanese", "マイクロソフト　サポート：０１２０", "マイクロソフト サポート:0120"},
		{"japanese run with latin word", "今すぐWindоwsサポート", "今すぐwindowsサポート"},
		{"half-width katakana", "ｴﾗｰｺｰﾄﾞ", "エラーコード"},
		{"chinese", "錯誤代碼", "錯誤代碼"},
		{"korean", "오류 코드", "오류 코드"},
		{"invalid utf8 run", "a\xff\xfeb", "a\ufffdb"},
		{"invalid utf8 separate", "\xffa\xff", "\ufffda\ufffd"},
		{"only invisible", "\u200b\u200b", ""},
		{"turkish dotted capital", "İstanbul", "i\u0307stanbul"},
		{"kelvin sign", "\u212a", "k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(Append([]byte("x "), tt.in)); got != "x "+tt.want {
				t.Errorf("Append(%q, %q) = %q, want %q", "x ", tt.in, got, "x "+tt.want)
			}
		})
	}
}

func TestNormalizeReturnsSameString(t *testing.T) {
	s := "already normal text"
	if got := Normalize(s); got != s {
		t.Fatalf("Normalize(%q) = %q", s, got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = Normalize(s) }); n != 0 {
		t.Errorf("Normalize of normal ASCII allocates %v times, want 0", n)
	}
}

func TestAppendASCIIAllocs(t *testing.T) {
	s := "  Your COMPUTER has been Blocked.\n\tCall   Support now  "
	dst := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { dst = Append(dst[:0], s) }); n != 0 {
		t.Errorf("Append on ASCII allocates %v times, want 0", n)
	}
}

func TestIdempotentOnSamples(t *testing.T) {
	samples := []string{
		"ǰ", "J\u030c", "ᾳ", "a\u0345", "ΐ", "\u0390\u0345", "İ", "ﬅ", "ẞ",
		"e\u034f\u0301", "Ǆ", "ᾼ", "ϓ", "Ꭰꭰ", "\u0345", "ᏸ", "ǅ", "ff\u0301",
	}
	for _, s := range samples {
		n := Normalize(s)
		if nn := Normalize(n); nn != n {
			t.Errorf("Normalize(Normalize(%q)) = %q, want %q", s, nn, n)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	seeds := []string{
		"", "Hello World", "Windоws", "ΜΙCRΟSΟFΤ", "Mi\u200bcrosoft", "a\xffb",
		"Sécurité", "ＷＩＮＤＯＷＳ", "ǰ", "a\u0345", "  spaced  ", "Ваш компьютер",
		"İstanbul", "е\u0301", "エラーコード：0x80070424", "\u3000\u00a0", "ß",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if nn := Normalize(n); nn != n {
			t.Fatalf("Normalize(Normalize(%q)) = %q, want %q", s, nn, n)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("Normalize(%q) = %q: untrimmed or uncollapsed space", s, n)
		}
		if got := string(Append([]byte("p"), s)); got != "p"+n {
			t.Fatalf("Append(p, %q) = %q, want %q", s, got, "p"+n)
		}
	})
}

var benchInputs = map[string]string{
	"ascii":       strings.Repeat("Your computer has been BLOCKED. Call Microsoft Support at 1-888-555-0100 now. ", 50),
	"latin1":      strings.Repeat("Votre ordinateur a été bloqué. Appelez le support Microsoft immédiatement. ", 50),
	"japanese":    strings.Repeat("お使いのコンピューターはブロックされています。マイクロソフトサポートに電話してください。", 50),
	"nbsp":        strings.Repeat("Your computer has been BLOCKED.\u00a0Call Microsoft\u00a0Support at 1-888-555-0100\u00a0now. ", 50),
	"typographic": strings.Repeat("It’s “urgent” – call Microsoft’s support… now. ", 50),
	"mixed":       strings.Repeat("Windоws Dеfender: Ваш компьютер ЗАБЛОКИРОВАН\u200b ０１２０ ", 50),
}

func BenchmarkAppend(b *testing.B) {
	for _, name := range []string{"ascii", "nbsp", "typographic", "latin1", "japanese", "mixed"} {
		s := benchInputs[name]
		b.Run(name, func(b *testing.B) {
			dst := make([]byte, 0, 2*len(s))
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				dst = Append(dst[:0], s)
			}
		})
	}
}

// TestSpaceLen holds spaceLen to unicode.IsSpace for every code point
// beyond ASCII, and to 0 for invalid and cut sequences.
func TestSpaceLen(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		s := string(r)
		want := 0
		if unicode.IsSpace(r) && utf8.ValidRune(r) {
			want = len(s)
		}
		if got := spaceLen(s + "x"); got != want {
			t.Errorf("spaceLen(%+q) = %d, want %d", s, got, want)
		}
		if len(s) > 1 {
			if got := spaceLen(s[:len(s)-1]); got != 0 {
				t.Errorf("spaceLen(%+q) = %d, want 0", s[:len(s)-1], got)
			}
		}
	}
}
