package scan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scamscope/scamscope/internal/browser"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/score"
	rulefiles "github.com/scamscope/scamscope/rules"
)

func newScanner(t *testing.T, cfg Config) *Scanner {
	t.Helper()
	rs, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatalf("rules.Load: %v", err)
	}
	return New(cfg, rs, nil)
}

func TestScanContentLimits(t *testing.T) {
	s := newScanner(t, Config{MaxContentBytes: 1000})
	tests := []struct {
		name string
		c    extract.Content
		want error
	}{
		{"empty", extract.Content{}, ErrEmpty},
		{"too large", extract.Content{HTML: []byte(strings.Repeat("a", 1001))}, ErrTooLarge},
		{"markup and scripts count together", extract.Content{HTML: []byte(strings.Repeat("a", 600)), Scripts: []extract.Script{{Source: []byte(strings.Repeat("b", 401))}}}, ErrTooLarge},
		{"binary", extract.Content{HTML: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}, ErrBinary},
		{"invalid UTF-8 is fine", extract.Content{HTML: []byte("<p>caf\xe9 \xff\xfe</p>")}, nil},
		{"a script alone is fine", extract.Content{Scripts: []extract.Script{{Source: []byte("alert(1)")}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.ScanContent(t.Context(), &tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ScanContent(%s) error = %v, want %v", tt.name, err, tt.want)
			}
			if err == nil && (res.Verdict.RuleSetVersion == "" || len(res.Timings) != 3) {
				t.Errorf("ScanContent(%s) = version %q timings %v, want a version and extract/match/score timings", tt.name, res.Verdict.RuleSetVersion, res.Timings)
			}
		})
	}
}

func TestScanContentHonoursContext(t *testing.T) {
	s := newScanner(t, DefaultConfig())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.ScanContent(ctx, &extract.Content{HTML: []byte("<p>hello</p>")}); !errors.Is(err, context.Canceled) {
		t.Errorf("ScanContent(canceled ctx) = %v, want context.Canceled", err)
	}
}

func TestScanURLWithoutRenderer(t *testing.T) {
	s := newScanner(t, DefaultConfig())
	if _, err := s.ScanURL(t.Context(), "https://example.com/", browser.Profile{}, browser.Options{}); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("ScanURL without a renderer = %v, want ErrNoBrowser", err)
	}
}

// TestPageContentScores checks that what a browser run observed reaches the
// rules: dialog texts as text, behaviours as runtime locks.
func TestPageContentScores(t *testing.T) {
	s := newScanner(t, DefaultConfig())
	page := &browser.Page{
		FinalURL: "https://alert.example/",
		HTML:     []byte(`<html><body><div>Windows Defender Security Center</div></body></html>`),
		Dialogs: []browser.Dialog{{Type: "alert", Count: 9,
			Message: "Your computer is infected with a Trojan spyware. Do not restart your computer. Call Microsoft Support toll-free 1-888-555-0142"}},
		Behaviors: map[string]int{"dialog_loop": 9, "fullscreen": 1, "keyboard_lock": 1},
		Scripts:   []browser.Script{{URL: "https://alert.example/a.js", Source: []byte("var x = 1;")}},
	}
	c := PageContent(page)
	if c.URL == nil || c.URL.Host != "alert.example" || len(c.Dialogs) != 1 || len(c.Scripts) != 1 || c.Behaviors["fullscreen"] != 1 {
		t.Fatalf("PageContent = %+v, want the URL, dialog, script and behaviours carried over", c)
	}
	res := &Result{}
	if err := s.classify(t.Context(), c, res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict.Label != score.Scam {
		t.Errorf("verdict of an alert-loop page = %v (%d, %v), want SCAM", res.Verdict.Label, res.Verdict.Score, res.Verdict.Categories)
	}
	runtime := 0
	for _, l := range res.Verdict.Indicators.Locks {
		if l.Runtime {
			runtime++
		}
	}
	if runtime != 3 {
		t.Errorf("runtime locks = %+v, want the 3 observed behaviours", res.Verdict.Indicators.Locks)
	}
}
