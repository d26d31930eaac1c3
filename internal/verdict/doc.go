// Package verdict defines what ScamScope keeps about scans and URLs, and the
// Store that keeps it: scans with their results and the indicators analysts
// pivot on, and per-URL verdicts that browser extensions look up on every
// navigation, in the clear or by 4-byte hash prefix (Safe Browsing style; see
// package urlcanon for canonical URLs, expressions and hashes).
//
// Semantics every Store implements (package storetest holds them to it):
//
//   - PutScan inserts or replaces a scan by ID. When the scan is done with a
//     known label it also writes the URL verdict for its canonical URL, which
//     lives for a time that depends on the label (Lifetimes: CLEAN briefly,
//     SUSPICIOUS longer, SCAM longest). The verdict of the scan that finished
//     last wins; an older scan that is stored later does not replace it.
//     PutScan never removes a verdict: verdicts expire.
//   - Verdicts are kept per full canonical URL. Verdicts on a whole host or
//     path prefix (a urlcanon expression such as "evil.example/" or
//     "evil.example/lock/") exist only through PutHostVerdict, an analyst's
//     action.
//   - LookupURL answers for one canonical URL from its own verdict and the
//     expression verdicts of its expressions: the most severe live one wins
//     (ties: the URL's own verdict, then the most specific expression).
//     A verdict is live while now < ExpiresAt.
//   - SearchPrefixes returns every live verdict, URL or expression, whose
//     hash starts with one of the prefixes. URL verdicts are hashed on the
//     URL's expression (urlcanon.URL.Expression, without the scheme), so
//     http and https verdicts for the same place share a hash.
//   - ListScans lists newest first (CreatedAt, then ID, descending), filters
//     combining with AND, with opaque page tokens that stay valid and stable
//     while new scans arrive; a token only works with the filter it came from.
//   - Indicators is the feed of phone numbers or error codes seen on done
//     scans labelled SUSPICIOUS or SCAM, by FinishedAt.
//   - Times are kept in UTC with microsecond precision.
//   - Strings must be valid UTF-8 without NUL bytes; size limits are in
//     Validate. Invalid input fails with ErrInvalid and stores nothing.
//   - An acknowledged write (nil error) is durable: it survives a crash of
//     the process or a SIGKILL.
//
// The package does not scan, score or canonicalise submitted URLs (the
// caller fills CanonURL and Host), does not decide cache durations for
// clients, and knows nothing of gRPC: internal/server converts.
// Implementations: boltstore (embedded, the default) and pgstore
// (PostgreSQL, for several servers sharing one store).
package verdict
