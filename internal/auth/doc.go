// Package auth decides who a caller is and how often an anonymous caller may
// call: API keys with roles, and a per-client token-bucket rate limiter.
//
// API keys. The server keeps only the SHA-256 of each secret, with the key's
// ID and roles, one key per line ("key-id:role[,role]:sha256-hex"; blank lines
// and lines starting with # are skipped):
//
//	# who        roles            sha256 of the secret, hex
//	ci-bot:submit:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//	alice:submit,analyst:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
//
// Roles are submit (ask for scans) and analyst (read stored scans and the
// indicator feeds); neither implies the other. A client sends the secret
// itself; Authenticate hashes it and looks the hash up. NewSecret makes a
// secret and the line to add for it. Key IDs may be logged; secrets and
// their hashes never are.
//
// Rate limiting. A Limiter keeps a token bucket (golang.org/x/time/rate) per
// client address in a bounded, sharded LRU: IPv4 addresses count one by one,
// IPv6 addresses by /64, the block one host usually holds. When the LRU is
// full the least recently seen client is forgotten (and starts again with a
// full bucket).
//
// Client addresses behind a load balancer. Proxies lists the balancers
// (CIDR prefixes) whose X-Forwarded-For is believed: for a call from one of
// them, Client walks the header from the right, past entries that are
// themselves trusted proxies, and takes the first that is not (a client can
// prepend forged entries, never append them); from any other peer the
// header is ignored. Junk in the header stops the walk at the last trusted
// proxy.
//
// The package does not know which methods need which role, nor gRPC or HTTP:
// internal/server maps methods to roles and answers with status codes.
package auth
