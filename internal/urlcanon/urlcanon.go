package urlcanon

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrInvalidURL is wrapped by every error Canonicalize returns.
var ErrInvalidURL = errors.New("invalid URL")

// MaxLength is the longest input Canonicalize accepts and the longest
// canonical URL it returns, in bytes.
const MaxLength = 32 << 10

// URL is a canonical URL. Host, Path and Query are in their canonical,
// escaped form, exactly as String writes them.
type URL struct {
	Scheme string // "http" or "https"
	Host   string // lower case; a dotted quad, a bracketed IPv6 address or a name
	Path   string // starts with "/"
	Query  string // without the '?'
	// HasQuery is true when the URL has a '?', even if the query is empty.
	HasQuery bool
}

// String returns the canonical URL.
func (u URL) String() string {
	var b strings.Builder
	b.Grow(len(u.Scheme) + 3 + len(u.Host) + len(u.Path) + 1 + len(u.Query))
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(u.Host)
	b.WriteString(u.Path)
	if u.HasQuery {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	return b.String()
}

// IsIP reports whether the host is an IP address (a dotted quad or a
// bracketed IPv6 address), for which no host suffixes are looked up.
func (u URL) IsIP() bool {
	if strings.HasPrefix(u.Host, "[") {
		return true
	}
	a, err := netip.ParseAddr(u.Host)
	return err == nil && a.Is4()
}

// Expression is the URL's own lookup expression: host, path and, when it is
// not empty, the query, without the scheme. It is the first of Expressions.
func (u URL) Expression() string {
	if u.Query != "" {
		return u.Host + u.Path + "?" + u.Query
	}
	return u.Host + u.Path
}

// Canonicalize returns the canonical form of raw (see the package doc). A URL
// without a scheme is taken as http. Errors wrap ErrInvalidURL and say what
// is wrong.
func Canonicalize(raw string) (URL, error) {
	if len(raw) > MaxLength {
		return URL{}, invalid(raw, fmt.Sprintf("longer than %d bytes", MaxLength))
	}
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\r\n") {
		b := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ { // bytes, not runes: invalid UTF-8 stays as it is
			if c := s[i]; c != '\t' && c != '\r' && c != '\n' {
				b = append(b, c)
			}
		}
		s = string(b)
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	s = unescape(s)
	// As browsers do for http(s), a backslash before the query is a slash.
	q := strings.IndexByte(s, '?')
	if q < 0 {
		q = len(s)
	}
	if strings.IndexByte(s[:q], '\\') >= 0 {
		s = strings.ReplaceAll(s[:q], "\\", "/") + s[q:]
	}
	if s == "" {
		return URL{}, invalid(raw, "empty")
	}

	scheme, rest, err := splitScheme(s)
	if err != nil {
		return URL{}, invalid(raw, err.Error())
	}
	var u URL
	u.Scheme = scheme

	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, rest := rest[:end], rest[end:]
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:] // user information is never kept
	}
	host, err := splitPort(authority)
	if err != nil {
		return URL{}, invalid(raw, err.Error())
	}
	host, err = canonHost(host, true)
	if err != nil {
		return URL{}, invalid(raw, err.Error())
	}
	u.Host = escape(host)

	path := rest
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		path = rest[:i]
		u.Query = escape(rest[i+1:])
		u.HasQuery = true
	}
	u.Path = escape(canonPath(path))
	if n := len(u.Scheme) + 3 + len(u.Host) + len(u.Path) + 1 + len(u.Query); n > MaxLength {
		return URL{}, invalid(raw, fmt.Sprintf("canonical form longer than %d bytes", MaxLength))
	}
	return u, nil
}

// Expressions returns the strings Safe Browsing looks up for u, most specific
// first, without duplicates and at most 30: every host (the exact host, then
// up to four suffixes made from the last five components by removing leading
// components, never the top-level domain alone, and none for an IP address)
// with every path (the path with its query, the path alone, then up to four
// prefixes from "/" adding one directory at a time).
func Expressions(u URL) []string {
	hosts := []string{u.Host}
	if !u.IsIP() {
		comps := strings.Split(u.Host, ".")
		n := len(comps)
		for start := max(1, n-5); start <= n-2; start++ {
			hosts = append(hosts, strings.Join(comps[start:], "."))
		}
	}

	paths := make([]string, 0, 6)
	if u.Query != "" {
		paths = append(paths, u.Path+"?"+u.Query)
	}
	paths = append(paths, u.Path)
	prefixes := 0
	for i := 0; i < len(u.Path) && prefixes < 4; i++ {
		if u.Path[i] == '/' {
			paths = appendNew(paths, u.Path[:i+1])
			prefixes++
		}
	}

	out := make([]string, 0, len(hosts)*len(paths))
	for _, h := range hosts {
		for _, p := range paths {
			out = append(out, h+p)
		}
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Hash returns the SHA-256 of an expression.
func Hash(expr string) [32]byte { return sha256.Sum256([]byte(expr)) }

// Prefix4 returns the first four bytes of a hash, the part a client sends.
func Prefix4(h [32]byte) [4]byte { return [4]byte(h[:4]) }

func invalid(raw, reason string) error {
	const keep = 120
	if len(raw) > keep {
		raw = raw[:keep] + "..."
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidURL, raw, reason)
}

// unescape percent-unescapes s until no escape is left. Escapes never
// overlap, so reducing each one as soon as it is complete (a decoded byte can
// complete an escape begun before it) reaches the same result as repeated
// passes, in one pass.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		out = append(out, s[i])
		for n := len(out); n >= 3 && out[n-3] == '%' && isHex(out[n-2]) && isHex(out[n-1]); n = len(out) {
			c := unhex(out[n-2])<<4 | unhex(out[n-1])
			out = append(out[:n-3], c)
		}
	}
	return string(out)
}

// escape percent-escapes bytes <= 0x20, >= 0x7f, '#' and '%'.
func escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if mustEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEscape(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func mustEscape(c byte) bool { return c <= 0x20 || c >= 0x7f || c == '#' || c == '%' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// splitScheme returns the lower-cased scheme and what follows its slashes.
// Without a scheme it returns http and s. "host:port/..." has no scheme.
func splitScheme(s string) (scheme, rest string, err error) {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if letter || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			continue
		}
		break
	}
	if i > 0 && i < len(s) && s[i] == ':' {
		scheme, rest = strings.ToLower(s[:i]), s[i+1:]
		switch {
		case scheme == "http" || scheme == "https":
			return scheme, strings.TrimLeft(rest, "/"), nil
		case looksLikePort(rest):
			// "example.com:8080/": a host and port, no scheme.
		case strings.HasPrefix(rest, "//") || !strings.Contains(scheme, "."):
			return "", "", fmt.Errorf("scheme %q is not supported (only http and https)", scheme)
		}
	}
	if strings.HasPrefix(s, "/") {
		return "", "", errors.New("no host: want an absolute http(s) URL or host/path")
	}
	return "http", s, nil
}

// looksLikePort reports whether s starts with digits that end at '/', '?' or
// the end of s.
func looksLikePort(s string) bool {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i > 0 && (i == len(s) || s[i] == '/' || s[i] == '?')
}

// splitPort drops a port from host:port and checks it.
func splitPort(authority string) (string, error) {
	host, port := authority, ""
	if strings.HasPrefix(authority, "[") {
		j := strings.IndexByte(authority, ']')
		if j < 0 {
			return "", errors.New("IPv6 host has no closing ']'")
		}
		host, port = authority[:j+1], authority[j+1:]
		if port != "" && port[0] != ':' {
			return "", fmt.Errorf("unexpected %q after IPv6 host", port)
		}
		port = strings.TrimPrefix(port, ":")
	} else if i := strings.IndexByte(authority, ':'); i >= 0 {
		host, port = authority[:i], authority[i+1:]
	}
	if port != "" {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", fmt.Errorf("invalid port %q", port)
		}
	}
	if host == "" {
		return "", errors.New("no host")
	}
	return host, nil
}

// canonHost canonicalises an unescaped host; the caller escapes the result.
func canonHost(h string, tryIDNA bool) (string, error) {
	if strings.HasPrefix(h, "[") {
		a, err := netip.ParseAddr(h[1 : len(h)-1])
		if err != nil || !a.Is6() {
			return "", fmt.Errorf("invalid IPv6 host %q", h)
		}
		return "[" + a.WithZone("").String() + "]", nil
	}
	if strings.ContainsAny(h, "[]") {
		return "", fmt.Errorf("host %q has '[' or ']' outside an IPv6 address", h)
	}
	h = strings.Trim(h, ".")
	if strings.Contains(h, "..") {
		var b strings.Builder
		for i := 0; i < len(h); i++ {
			if h[i] == '.' && i > 0 && h[i-1] == '.' {
				continue
			}
			b.WriteByte(h[i])
		}
		h = b.String()
	}
	if h == "" {
		return "", errors.New("no host")
	}
	if ip, ok := parseIPv4(h); ok {
		return ip, nil
	}
	h = asciiLower(h)
	if tryIDNA && !isASCII(h) && utf8.ValidString(h) {
		if a, err := idna.Lookup.ToASCII(h); err == nil && isPlainHostname(a) {
			// The A-label form is ASCII: dots and IPv4 get one more look.
			return canonHost(a, false)
		}
	}
	return h, nil
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isPlainHostname(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseIPv4 parses a host of one to four numbers (decimal, octal with a
// leading 0, hex with 0x), the last one filling the remaining bytes, and
// returns the dotted quad.
func parseIPv4(h string) (string, bool) {
	if !ipv4Chars(h) {
		return "", false // a host name: most hosts, answered without allocating
	}
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return "", false
	}
	var ip uint64
	for i, p := range parts {
		n, ok := parseIPNumber(p)
		if !ok {
			return "", false
		}
		if i < len(parts)-1 {
			if n > 255 {
				return "", false
			}
			ip |= n << (8 * (3 - i))
			continue
		}
		if n >= 1<<(8*(4-i)) {
			return "", false
		}
		ip |= n
	}
	a := netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)})
	return a.String(), true
}

// ipv4Chars reports whether h has only the bytes parseIPv4 accepts: digits,
// hex digits, x and dots.
func ipv4Chars(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == 'x' || c == 'X' || c == '.') {
			return false
		}
	}
	return true
}

func parseIPNumber(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		p, base = p[2:], 16
		if p == "" {
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	return n, err == nil
}

// cleanPath reports whether canonPath would return p as it is: p starts
// with a slash and has no empty segment (but perhaps the last), no "." and
// no "..". Most paths are clean; this spares them the split and join.
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	start := 1 // of the current segment
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch seg := p[start:i]; seg {
		case "":
			if i < len(p) {
				return false // "//"; a trailing "/" is kept as it is
			}
		case ".", "..":
			return false
		}
		start = i + 1
	}
	return true
}

// canonPath resolves "." and ".." segments and collapses runs of slashes.
func canonPath(p string) string {
	if p == "" || p == "/" {
		return "/"
	}
	if cleanPath(p) {
		return p
	}
	return resolveSegments(p)
}

// resolveSegments is canonPath without the clean-path shortcut: it
// resolves "." and ".." and collapses empty segments of p (which starts
// with "/").
func resolveSegments(p string) string {
	segs := strings.Split(p[1:], "/")
	out := make([]string, 0, len(segs))
	trailing := false
	for _, s := range segs {
		trailing = false
		switch s {
		case "", ".":
			trailing = true
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			trailing = true
		default:
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "/"
	}
	r := "/" + strings.Join(out, "/")
	if trailing {
		r += "/"
	}
	return r
}
