package match

// Pattern is one thing the matcher looks for. Exactly one of Literal and
// Regex is set. IDs are the caller's and need not be dense or unique; the
// matcher reports them back unchanged.
type Pattern struct {
	ID      int
	Literal string // exact bytes (the caller normalises text and literals alike)
	Regex   string // RE2 syntax, as accepted by regexp.Compile
	// Word requires a literal match to start and end at a word boundary:
	// the byte before the match and the byte after it are not letters or
	// digits (UTF-8 aware). Ignored for regexes, which use \b themselves.
	Word bool
}

// Hit is the leftmost match of one pattern: text[Start:End].
type Hit struct {
	ID         int
	Start, End int
}
