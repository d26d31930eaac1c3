package textnorm

import "unicode/utf8"

// Snippet returns text[start:end] with about context bytes either side,
// cut inward to rune boundaries. It shares text's memory.
func Snippet(text string, start, end, context int) string {
	start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
	a := max(0, start-context)
	for a < start && !utf8.RuneStart(text[a]) {
		a++
	}
	b := min(len(text), end+context)
	for b > end && b < len(text) && !utf8.RuneStart(text[b]) {
		b--
	}
	return text[a:b]
}
