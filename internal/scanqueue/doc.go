// Package scanqueue runs submitted URL scans in the background and keeps
// their state in a verdict.Store: Submit writes each new scan as queued
// (durably) and returns its ID at once; workers take scans in submission
// order, mark them running, hand them to a Runner (internal/server's, which
// renders the page in the browser pool and classifies it) and write them back
// done or failed.
//
// Semantics:
//
//   - Dedup: unless forced, a URL (canonical URL and profile) scanned or
//     queued within the dedup window gets the recent scan's ID instead of
//     a new scan, and a call naming the same URL twice gets one scan.
//     Failed scans do not count.
//   - Bounded: at most Config.QueueSize scans wait; a Submit that would
//     exceed it fails whole with ErrFull and stores nothing.
//   - Busy browser: a Runner error wrapping ErrRetry is retried after a
//     short delay, a few times, before the scan fails.
//   - Shutdown: Close stops new submissions, lets the workers drain the
//     queue until its context ends, then cancels the running scans. Scans
//     that did not finish stay queued in the store (a cancelled running scan
//     is written back as queued), and Recover, called after the next start,
//     queues them again.
//
// IDs are 32 lower-case hex digits (128 random bits); ValidID checks one.
//
// The package does not render, classify, canonicalise or validate URLs (the
// caller fills Request), and knows nothing of gRPC.
package scanqueue
