//go:build hyperscan

package matchbench_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/match"
	"github.com/scamscope/scamscope/internal/matchbench"
	"github.com/scamscope/scamscope/internal/textnorm"
)

// TestHyperscanRefusesSome checks that a pattern Hyperscan cannot read (the
// ungreedy flag) is reported and the others still match.
func TestHyperscanRefusesSome(t *testing.T) {
	ps := []match.Pattern{{ID: 10, Literal: "virus"}, {ID: 11, Regex: `(?U)a+b`}, {ID: 12, Regex: `0x[0-9a-f]{8}`}}
	h, refused, err := matchbench.NewHyperscan(ps)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if len(refused) != 1 || refused[0].ID != 11 || refused[0].Reason == "" {
		t.Errorf("NewHyperscan refused %+v, want pattern 11 with a reason", refused)
	}
	if got, want := h.Match([]byte("virus 0x80070424 aab"), nil), []int{10, 12}; !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
	if h.NativeBytes() <= 0 {
		t.Errorf("NativeBytes = %d, want > 0", h.NativeBytes())
	}
	if _, _, err := matchbench.NewHyperscan([]match.Pattern{{ID: 1, Regex: `(?U)a`}}); err == nil {
		t.Error("NewHyperscan with every pattern refused did not fail")
	}
}

// TestHyperscanAgreesOnGenerated runs Hyperscan and the matcher on texts
// made of the generated patterns' own words, in matching form (the
// project's matcher is compiled for it: NewProject).
func TestHyperscanAgreesOnGenerated(t *testing.T) {
	ps := matchbench.Generate(300, 9, []string{"alerte", "ошибка"})
	var texts [][]byte
	var names []string
	for i := 0; i+3 < len(ps); i += 3 {
		var b strings.Builder
		for _, p := range ps[i : i+3] {
			b.WriteString(p.Literal)
			b.WriteString(" 1234 ")
		}
		text := textnorm.Normalize(b.String())
		texts = append(texts, []byte(text))
		names = append(names, text)
	}
	proj, err := matchbench.NewProject(ps)
	if err != nil {
		t.Fatal(err)
	}
	h, refused, err := matchbench.NewHyperscan(ps)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if len(refused) > 0 {
		t.Errorf("Hyperscan refused generated patterns: %+v", refused)
	}
	diffs, matches := matchbench.Compare(names, texts, proj, h)
	if matches < len(texts) {
		t.Errorf("only %d matches on %d texts: the test texts do not exercise the patterns", matches, len(texts))
	}
	for _, d := range diffs {
		t.Errorf("%q: only matcher %v, only hyperscan %v", d.Page, d.Missing, d.Extra)
	}
}
