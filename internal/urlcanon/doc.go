// Package urlcanon canonicalises URLs and derives their lookup expressions
// and hashes the way Google Safe Browsing (v4, "URLs and Hashing") does, so a
// browser extension and the server agree on what a URL is without the server
// learning it: the client hashes the expressions of the URL it is about to
// visit and sends 4-byte prefixes of those hashes.
//
// Canonicalize, in order:
//
//   - trims leading and trailing spaces and control characters, removes every
//     tab, CR and LF, and drops the fragment (from the first '#');
//   - percent-unescapes the URL repeatedly until no escape is left (so
//     "%2525" becomes "%"), and turns backslashes before the query into
//     slashes, as browsers do for http(s) ("http://a.example\@b.example/"
//     is a page on a.example);
//   - takes the scheme (lower-cased; "http" when there is none, as for
//     "www.example.com/"); only http and https are accepted;
//   - drops the user information and the port, any port (as the Safe Browsing
//     examples do: "http://www.gotaport.com:1234/" becomes
//     "http://www.gotaport.com/");
//   - host: strips leading and trailing dots, collapses runs of dots, turns an
//     IPv4 address written in decimal, octal, hex or with fewer than four
//     parts into a dotted quad, writes a bracketed IPv6 address in its
//     compressed lower-case form (without zone), and lower-cases ASCII
//     letters. A host with non-ASCII letters that is a valid IDN becomes its
//     punycode (A-label) form, as the Safe Browsing documentation asks; any
//     other byte is kept and escaped;
//   - path: resolves "/./" and "/../", collapses runs of slashes, and makes an
//     empty path "/"; the query is kept byte for byte (an empty query, "q?",
//     stays);
//   - re-escapes every byte <= 0x20, >= 0x7f, '#' and '%' as %XX with upper
//     case hex digits.
//
// The result is idempotent: canonicalising a canonical URL gives it back.
//
// Expressions lists the host-suffix x path-prefix strings that Safe Browsing
// looks up for a URL (at most 30), Hash gives their SHA-256, and Prefix4 the
// 4-byte prefix that is sent to the server.
//
// The package does not resolve names, fetch anything, decide whether a host
// exists, apply the Public Suffix List, or accept schemes other than http and
// https. It follows the Safe Browsing rules rather than the WHATWG URL
// standard, so a few URLs canonicalise differently from a browser's address
// bar (an escaped "%2F" in the host, for instance, becomes a real slash, as it
// does for Safe Browsing).
package urlcanon
