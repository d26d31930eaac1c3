package textnorm

import (
	"testing"
	"unicode/utf8"
)

func TestSnippet(t *testing.T) {
	tests := []struct {
		text       string
		start, end int
		context    int
		want       string
	}{
		{"call support now please", 5, 12, 3, "ll support no"},
		{"abc", 0, 3, 10, "abc"},
		{"éééé", 2, 4, 1, "é"},      // context cuts inward to rune starts
		{"abcdef", 4, 99, 1, "def"}, // end beyond the text is clamped
	}
	for _, tt := range tests {
		if got := Snippet(tt.text, tt.start, tt.end, tt.context); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Snippet(%q, %d, %d, %d) = %q, want %q", tt.text, tt.start, tt.end, tt.context, got, tt.want)
		}
	}
}
