package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract holds Extract to its promises on any input: it returns (a
// panic would be recovered, so internal-error warnings fail the test),
// every field is valid UTF-8 in matching form line by line, and every
// phone and code lies in its field and reads what was found.
func FuzzExtract(f *testing.F) {
	pages, _ := filepath.Glob("testdata/golden/*.html")
	for _, p := range pages {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "")
		}
	}
	for _, s := range []string{
		"", "<", "<?php", "<?= ?>", "\xff\xfe\x00", "<div style='display:none'>Call 1-800-642-7676</div>",
		"Error # 268D3 0x80070424 code0x268d3 Error: Ox800VDS", "+1 (888) 555-0100 tel:",
		"<a href='tel:+18885550100'>x</a><a href='javascript:alert(1)'>y</a>",
		"<style>.a{display:none</style><p class=a>x", "<template><template><p>x", "<audio loop><source src=a.mp3>",
		"<form><input type=password><form><input name=cvv>", "<script>alert('Call 0120-123-456')</script>",
		"window.onbeforeunload=function(){return 'x'};", "０１２０－１２３－４５６ エラーコード：ＡＢ１２",
		strings.Repeat("<div>", 600) + "x", strings.Repeat("<b>", 600) + "y",
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte("alert(1)"), "application/javascript")
	f.Add([]byte("caf\xe9"), "text/html; charset=latin1")
	f.Add([]byte("# md"), "text/markdown")
	f.Fuzz(func(t *testing.T, src []byte, contentType string) {
		feat := Extract(&Content{HTML: src, ContentType: contentType})
		for _, w := range feat.Warnings {
			if strings.Contains(w, "internal error") {
				t.Fatalf("Extract(%q): %s", src, w)
			}
		}
		checkInvariants(t, string(src), feat)
	})
}
