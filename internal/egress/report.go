package egress

import (
	"slices"
	"sync"
)

// Report is what one proxy saw. Counts cover every request; Blocked lists
// the first MaxBlockedEntries refusals and cuts, in order.
type Report struct {
	// Requests is every request the proxy received: plain HTTP requests and
	// CONNECT tunnels, allowed or not. Requests inside a tunnel are not seen.
	Requests int
	// Allowed is the requests and tunnels that passed the policy and caps.
	Allowed int
	// Refused is the requests refused (by policy or a cap), including those
	// dropped from Blocked.
	Refused int
	// Failed is the allowed requests whose upstream failed: DNS, connection
	// refused, dial or header timeout.
	Failed int
	// Cut is the responses and tunnels stopped at a byte cap.
	Cut int
	// ResponseBytes is the bytes relayed from upstream to the browser:
	// response bodies of plain requests plus everything read from tunnels.
	ResponseBytes int64
	// Blocked lists refusals and cuts, at most MaxBlockedEntries.
	Blocked []Blocked
	// Dropped counts refusals and cuts left out of Blocked.
	Dropped int
}

// Blocked is one refused request or cut response.
type Blocked struct {
	Target string // URL for plain HTTP, host:port for CONNECT (at most 2048 bytes)
	Reason Reason
}

const maxTargetLen = 2048

// recorder accumulates a Report; safe for concurrent use.
type recorder struct {
	mu      sync.Mutex
	max     int
	r       Report
	metrics *Metrics
}

func (rc *recorder) request() {
	rc.mu.Lock()
	rc.r.Requests++
	rc.mu.Unlock()
}

func (rc *recorder) allowed() {
	rc.mu.Lock()
	rc.r.Allowed++
	rc.mu.Unlock()
	rc.metrics.request("allowed")
}

func (rc *recorder) failed() {
	rc.mu.Lock()
	rc.r.Failed++
	rc.mu.Unlock()
}

func (rc *recorder) refused(target string, r Reason) {
	rc.mu.Lock()
	rc.r.Refused++
	rc.add(target, r)
	rc.mu.Unlock()
	rc.metrics.request("blocked")
	rc.metrics.blocked(r)
}

func (rc *recorder) cut(target string, r Reason) {
	rc.mu.Lock()
	rc.r.Cut++
	rc.add(target, r)
	rc.mu.Unlock()
	rc.metrics.cut(r)
}

func (rc *recorder) bytes(n int64) {
	if n <= 0 {
		return
	}
	rc.mu.Lock()
	rc.r.ResponseBytes += n
	rc.mu.Unlock()
	rc.metrics.bytes(n)
}

// add must be called with mu held.
func (rc *recorder) add(target string, r Reason) {
	if len(rc.r.Blocked) >= rc.max {
		rc.r.Dropped++
		return
	}
	if len(target) > maxTargetLen {
		target = target[:maxTargetLen]
	}
	rc.r.Blocked = append(rc.r.Blocked, Blocked{Target: target, Reason: r})
}

func (rc *recorder) report() Report {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r := rc.r
	r.Blocked = slices.Clone(rc.r.Blocked)
	return r
}
