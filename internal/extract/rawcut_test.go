package extract

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tokenizerBody returns the raw text the x/net tokenizer reads for the first
// element of src, which starts with its start tag, and whether an end tag
// ended it.
func tokenizerBody(src string) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(src))
	if tt := z.Next(); tt != html.StartTagToken && tt != html.SelfClosingTagToken {
		return "", false
	}
	var body string
	tt := z.Next()
	if tt == html.TextToken {
		body = string(z.Raw())
		tt = z.Next()
	}
	return body, tt == html.EndTagToken
}

// TestScriptEndAgreesWithTokenizer holds scriptEnd and rawEnd to the x/net
// tokenizer on the escapes of script data and raw text.
func TestScriptEndAgreesWithTokenizer(t *testing.T) {
	bodies := []string{
		"a()",
		"x = '</scrip' + 't>'",
		"<!-- hidden -->",
		"<!-- document.write('<script>x()</script>') -->",
		"<!-- <script> a </script> b -->",
		"<!-- <script> a </SCRIPT> --> c",
		"<!-- <scriptx> </script> -->",
		"<!--<script>--></script>after",
		"<!-- -- > </script",
		"<!- <script></script>",
		"a<b && c</d",
		"<!--->",
		"<!-- <script/> </script/> -->",
		"<!-- <ScRiPt\t> -- </ScRiPt\n> -->",
		"<!-- <script> <!-- --> </script> -->",
		"if (a<!--b) {}",
		"x</scripty",
		"<!-- </script> -->",
		"<!--<script></script>--><!--<script>",
	}
	for _, body := range bodies {
		for _, tail := range []string{"</script>", "</SCRIPT >", "</script/>", "</script", ""} {
			src := "<script>" + body + tail + " after"
			want, ended := tokenizerBody(src)
			end := scriptEnd(src, len("<script>"))
			if !ended {
				if end >= 0 && end < len(src) && !strings.HasPrefix(strings.ToLower(src[end:]), "</script") {
					t.Errorf("%q: scriptEnd = %d, the tokenizer reads to the end", src, end)
				}
				continue
			}
			if end < 0 || src[len("<script>"):end] != want {
				t.Errorf("%q: scriptEnd = %d, the tokenizer reads %q", src, end, want)
			}
		}
	}
	for _, body := range []string{"p{}", "a</styl", "</stylex>", "<!-- </style> -->", "</Style"} {
		src := "<style>" + body + "</style> after"
		want, _ := tokenizerBody(src)
		if end := rawEnd(src, len("<style>"), "style"); end < 0 || src[len("<style>"):end] != want {
			t.Errorf("%q: rawEnd = %d, the tokenizer reads %q", src, end, want)
		}
	}
}

// TestStartTagEndAgreesWithTokenizer holds startTagEnd to the tokenizer's
// reading of attributes.
func TestStartTagEndAgreesWithTokenizer(t *testing.T) {
	tags := []string{
		`<script>`, `<script >`, `<script src="a>b">`, `<script src='a>b' async>`,
		`<script a=b>`, `<script a=b>c>`, `<script =a>`, `<script a = "x" / >`,
		`<script/>`, `<script a/b>`, `<script a="x"b='y'>`, `<script a=>`, `<script a= >`,
		`<script "a">`, `<script a='>'>`, "<script\ttype=module\n>", `<script a=b/>`,
	}
	for _, tag := range tags {
		src := tag + strings.Repeat("x", 8) + "</script>"
		want, _ := tokenizerBody(src)
		open := startTagEnd(src, len("<script"))
		if open < 0 || !strings.HasPrefix(src[open:], want) || len(src)-open-len("</script>") != len(want) {
			t.Errorf("%q: startTagEnd = %d, the tokenizer's body is %q", src, open, want)
		}
	}
}

// rawCases are pages that the cut must read as the whole parse does, most
// of them built to mislead it.
var rawCases = []string{
	"<p>text</p><script>" + strings.Repeat("alert('x'); ", 20) + "</script><p>more</p>",
	"<style>.h{display:none}" + strings.Repeat(" ", 200) + "</style><div class=h>hidden</div><p>shown</p>",
	"<!-- <script>" + strings.Repeat("a=1;", 60) + "</script> --><p>after</p>",
	"<div title=\"<script>" + strings.Repeat("a", 200) + "</script>\">x</div>",
	"<textarea><script>" + strings.Repeat("b", 200) + "</script></textarea>",
	"<svg><script>" + strings.Repeat("if (a<b) c();", 20) + "</script></svg><p>x</p>",
	"<svg><style>" + strings.Repeat(".a{fill:red}", 20) + "</style><text>t</text></svg>",
	"<math><style>" + strings.Repeat("x", 200) + "</style></math>",
	"<SVG><script>" + strings.Repeat("if (a<b) c();", 20) + "</script></SVG><p>x</p>",
	"<Svg><style>" + strings.Repeat(".a{fill:red}<b>", 20) + "</style></Svg>",
	"<script>\r\n" + strings.Repeat("var a = 'x\x00';\r", 20) + "</script>",
	"<script><!-- document.write('<script>" + strings.Repeat("z", 200) + "</script>'); --></script><p>after</p>",
	"<iframe><script>" + strings.Repeat("y", 200) + "</script></iframe>",
	"<script type=\"text/template\"><div>" + strings.Repeat("Call now ", 30) + "</div></script>",
	"<script type=application/ld+json>{\"a\":\"" + strings.Repeat("q", 200) + "\"}</script>",
	"<frameset><script>" + strings.Repeat("w", 200) + "</script></frameset>",
	"<table><script>" + strings.Repeat("t=1;", 60) + "</script><tr><td>cell</td></tr></table>",
	"<script>" + strings.Repeat("u=1;", 60),
	"<p>\uFDD0</p><script>" + strings.Repeat("v=1;", 60) + "</script>",
	"<noscript><script>" + strings.Repeat("n=1;", 60) + "</script></noscript>",
	"<template><script>" + strings.Repeat("m=1;", 60) + "</script></template>",
	"<title><script>" + strings.Repeat("k", 200) + "</script></title><p>x</p>",
}

// TestRawCutReadsAsWhole checks that the cut gives the whole parse's
// features, and that it is taken where it can be.
func TestRawCutReadsAsWhole(t *testing.T) {
	taken := 0
	for _, src := range rawCases {
		c := &Content{HTML: []byte(src)}
		whole, _ := extract(c, false)
		cut, used := extract(c, true)
		if !reflect.DeepEqual(whole, cut) {
			t.Errorf("%.60q: features differ with the cut:\n whole %+v\n cut   %+v", src, whole, cut)
		}
		if used {
			taken++
		}
	}
	if taken < 6 {
		t.Errorf("the cut was taken on %d pages, want the plain ones (at least 6)", taken)
	}
}

// TestRawCutCorpus checks the cut against the whole parse on every corpus
// page, and that it is taken on most of the pages that have bodies to cut.
func TestRawCutCorpus(t *testing.T) {
	pages := loadCorpus(t)
	candidates, taken := 0, 0
	for _, p := range pages {
		c := &Content{HTML: p.data}
		whole, _ := extract(c, false)
		cut, used := extract(c, true)
		if !reflect.DeepEqual(whole, cut) {
			t.Errorf("%s: features differ with the cut", p.path)
		}
		if cutRaw(string(p.data)) != nil {
			candidates++
		}
		if used {
			taken++
		}
	}
	t.Logf("%d pages, %d with bodies to cut, cut taken on %d", len(pages), candidates, taken)
	if taken*10 < candidates*9 {
		t.Errorf("cut taken on %d of %d pages, want 90%%", taken, candidates)
	}
}

// FuzzRawCut checks that the cut and the whole parse read the same.
func FuzzRawCut(f *testing.F) {
	for _, s := range rawCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c := &Content{HTML: []byte(src)}
		whole, _ := extract(c, false)
		cut, _ := extract(c, true)
		if !reflect.DeepEqual(whole, cut) {
			t.Errorf("%q: features differ with the cut", src)
		}
	})
}
