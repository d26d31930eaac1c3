package rules_test

import (
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/textnorm"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// BenchmarkEvaluateEmbedded runs the shipped rule set over a 20 kB page.
func BenchmarkEvaluateEmbedded(b *testing.B) {
	s, err := rules.Load(rulefiles.FS())
	if err != nil {
		b.Fatal(err)
	}
	var f extract.Features
	f.Fields[extract.FieldText] = textnorm.Normalize(strings.Repeat(
		"Windows Defender: access to this PC has been blocked for security reasons. Call Windows Support (toll free). "+
			"Our bakery opens at nine and sells bread, cakes and coffee to the whole neighbourhood. ", 100))
	f.Fields[extract.FieldTitle] = "security warning"
	f.Fields[extract.FieldBehavior] = "fullscreen keyboard_lock"
	b.SetBytes(int64(len(f.Fields[extract.FieldText])))
	b.ReportAllocs()
	for b.Loop() {
		s.Evaluate(&f)
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Load(rulefiles.FS()); err != nil {
			b.Fatal(err)
		}
	}
}
