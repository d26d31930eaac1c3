package jsscan

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tdewolff/parse/v2/js"
)

// sameAnalysis fails t unless analysing src with its data literals cut
// out gives what analysing it whole gives, and reports whether the cut
// was taken.
func sameAnalysis(t testing.TB, name string, src []byte) (cut bool) {
	t.Helper()
	whole := analyzeWhole(append(src[:len(src):len(src)], 0)[:len(src)], true, "", false, false)
	got := Analyze(src)
	if fmt.Sprint(got.Err) != fmt.Sprint(whole.Err) || !reflect.DeepEqual(got.Findings, whole.Findings) ||
		!reflect.DeepEqual(got.Dialogs, whole.Dialogs) || !reflect.DeepEqual(got.Strings, whole.Strings) {
		t.Fatalf("%s: with data cut out:\n%+v\nwhole:\n%+v", name, got, whole)
	}
	c, d := cutData(src)
	if d == nil {
		return false
	}
	_, ok := analyzeCut(c, d, "", false)
	return ok
}

// data is a JSON object of about n bytes with prose among its values.
func data(n int) string {
	var b strings.Builder
	b.WriteString(`{"items": [`)
	for i := 0; b.Len() < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id": %d, "title": "Item number %d reads as a sentence", "on": true, "x": -1.5e3, "u": "\u00e9\/", "n": null}`, i, i)
	}
	b.WriteString(`], "requestFullscreen": "keyboard", "api": "requestFullscreen"}`)
	return b.String()
}

func TestDataCut(t *testing.T) {
	big := data(2000)
	cases := []struct {
		name, src string
		cut       bool
	}{
		{"assignment", "window.__STATE__ = " + big + ";\nalert('Call now, your computer is blocked')", true},
		{"declaration", "var state = " + big + ", other = 1; setInterval(function(){ alert('x') }, 10)", true},
		{"two", "a.b = " + big + "\nc = [" + big + ", 2]", true},
		{"array", "var list = [" + big + "]", true},
		{"inside a function", "function f() { var d = " + big + "; return d }", true},
		{"function argument", `setTimeout(function(){ x = ` + big + ` }, 1)`, true},
		{"quiet", `alert(d = ` + big + `); el.setAttribute("onclick", e = ` + big + `)`, true},
		{"handler property", "window.onbeforeunload = " + big, false},
		{"comparison", "if (a == " + big + ") {}", false},
		{"arrow", "f = " + big + " => 1", false},
		{"destructuring", "x = " + big + " = y", false},
		{"update", "x = " + big + "++", false},
		{"in a string", `var s = 'x = ` + big + `'`, false},
		{"in a comment", "/* x = " + big + " */ var a = 1", false},
		{"string code", `setTimeout('x = ` + big + `', 5)`, false},
		{"evidence", "setInterval(function(){ alert(d = " + big + ") }, 10)", false},
		{"handler", "window.addEventListener('beforeunload', function(e){ var d = " + big + "; return 'stay' })", false},
		{"loop", "for (;;) { var d = " + big + "; alert('Your computer is blocked') }", true},
		{"budgeted search", "document.onkeydown = function(e){ var d = " + big + "; if (e.keyCode == 123) { e.preventDefault(); return false } }", false},
		{"not data", "x = {\"a\": 1, b: c, " + big[1:], false},
		{"identifier keys", "x = {a: 1, $b_2: 'two', " + big[1:], true},
		{"single quotes", "x = {'a': 'Item one reads as a sentence', " + big[1:], true},
		{"space after brace", "x = {\n  \"a\": 1, " + big[1:], true},
		{"escapes", `x = {"a": "\! \' \x41 \u{1F600} \q", ` + big[1:], true},
		{"trailing commas", "x = [1, 2, " + big + ",\n]", true},
		{"shorthand", "x = {b, " + big[1:], false},
		{"method", "x = {b() {}, " + big[1:], false},
		{"getter", "x = {get b() { return 1 }, " + big[1:], false},
		{"hole", "x = [1,, " + big + "]", false},
		{"two trailing commas", "x = [" + big + ",,]", false},
		{"numeric key", "x = {1: 2, " + big[1:], false},
		{"proto key", "x = {__proto__: 1, " + big[1:], false},
		{"quoted proto key", "x = {'__proto__': 1, " + big[1:], false},
		{"escaped proto key", `x = {"\u005f_proto__": 1, ` + big[1:], false},
		{"line continuation", "x = {\"a\": \"b\\\nc\", " + big[1:], false},
		{"escaped separator", "x = {\"a\": \"b\\\u2028c\", " + big[1:], false},
		{"proto", "x = {\"__proto__\": 1, \"__proto__\": 2, \"z\": " + big + "}", false},
		{"line separator", "x = {\"a\": \"\u2028\", \"z\": " + big + "}", false},
		{"syntax error after", "x = " + big + "; function (", false},
		{"cdata", "<![CDATA[\nx = " + big + "\n]]>", true},
		{"cdata in the literal", "<![CDATA[\nx = " + big[:len(big)-1] + ", \"m\": \"a ]]> b\"}\n]]>", false},
		{"php around the literal", "<?php $a = 1 ?>\nx = " + big + "; <?= $b ?>", true},
		{"php value", "var phone = <?= $phone ?>;\nx = " + big, true},
		{"placeholder name in page", "x = " + big + "; var __scamscope_data_0 = 1", false},
		{"short", `x = {"a": "Item number one reads as a sentence"}`, false},
	}
	var obf strings.Builder
	for i := range 12 {
		fmt.Fprintf(&obf, "var _0x%04x = %d;\n", 0xa000+i, i)
	}
	cases = append(cases, struct {
		name, src string
		cut       bool
	}{"string table", obf.String() + "var _0xtable = 1, t = " + big, true})
	for _, tc := range cases {
		if got := sameAnalysis(t, tc.name, []byte(tc.src)); got != tc.cut {
			t.Errorf("%s: cut taken = %v, want %v", tc.name, got, tc.cut)
		}
	}
	// A keyword is a key as any identifier is.
	for kw := range js.Keywords {
		for _, src := range []string{"x = {" + kw + ": 1, " + big[1:], "x = {'a': {" + kw + ": [1]}, " + big[1:]} {
			if !sameAnalysis(t, "keyword key", []byte(src)) {
				t.Errorf("%.40q: cut not taken", src)
			}
		}
	}
	// The cut keeps what the literal says: its prose, and the API names
	// an obfuscated script's string table would hold.
	r := Analyze([]byte("window.__STATE__ = " + big))
	if !strings.Contains(strings.Join(r.Strings, "\n"), "Item number 3 reads as a sentence") {
		t.Errorf("Strings %q lack the literal's prose", r.Strings)
	}
}

// TestDataCutCorpus holds the cut to the whole analysis on every script
// of the corpus, and checks that it is taken for most scripts that have
// data literals.
func TestDataCutCorpus(t *testing.T) {
	scripts, _ := corpusScripts(t)
	withData, taken := 0, 0
	for i, s := range scripts {
		if _, d := cutData(s); d != nil {
			withData++
		}
		if sameAnalysis(t, fmt.Sprintf("script %d (%.60q)", i, s), s) {
			taken++
		}
	}
	t.Logf("%d scripts, %d with data literals, the cut taken for %d", len(scripts), withData, taken)
	if taken*10 < withData*9 {
		t.Errorf("the cut was taken for %d of %d scripts with data literals; want 90%%", taken, withData)
	}
}

// FuzzDataCut holds the cut to the whole analysis on any script.
func FuzzDataCut(f *testing.F) {
	big := data(600)
	for _, s := range []string{
		"x = " + big, "var a = [" + big + "]; alert(a)", "x = " + big + " => 1", "if (a = " + big + ") {}",
		"o.on = " + big, "`${x = " + big + "}`", "x = " + big + "\n(foo)", "x = " + big + "\n/re/.test(y)",
		"x = {a: 'b', " + big[1:], "x = {\n 'k': \"\\! \\u{41}\", " + big[1:], "x = [" + big + ",\n]", "x = {if: [1,], " + big[1:],
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 1<<16 {
			return
		}
		sameAnalysis(t, "input", src)
	})
}
