package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Errors of this package, wrapped with context.
var (
	// ErrUnknownKey: no key has this secret.
	ErrUnknownKey = errors.New("unknown API key")
	// ErrBadKeys: a key list does not parse.
	ErrBadKeys = errors.New("bad API key list")
)

// Role is something a key lets its holder do.
type Role uint8

// The roles.
const (
	// RoleSubmit: ask for URL scans (ScanURL, SubmitURLs, scan_if_unknown).
	RoleSubmit Role = 1 << iota
	// RoleAnalyst: read stored scans and the indicator feeds.
	RoleAnalyst
)

// AllRoles is every role, for local development without keys.
const AllRoles = RoleSubmit | RoleAnalyst

// Has reports whether r includes every role in want.
func (r Role) Has(want Role) bool { return r&want == want }

// String names the roles, comma-separated.
func (r Role) String() string {
	var names []string
	if r.Has(RoleSubmit) {
		names = append(names, "submit")
	}
	if r.Has(RoleAnalyst) {
		names = append(names, "analyst")
	}
	return strings.Join(names, ",")
}

// ParseRole reads one role name.
func ParseRole(s string) (Role, error) {
	switch s {
	case "submit":
		return RoleSubmit, nil
	case "analyst":
		return RoleAnalyst, nil
	}
	return 0, fmt.Errorf("unknown role %q (want submit or analyst)", s)
}

// Key is an authenticated caller.
type Key struct {
	ID    string
	Roles Role
}

// Keys is a set of API keys, by the SHA-256 of their secrets. The zero
// value and nil hold no key. It is immutable and safe for concurrent use.
type Keys struct {
	byHash map[[32]byte]Key
}

// Len returns how many keys there are.
func (k *Keys) Len() int {
	if k == nil {
		return 0
	}
	return len(k.byHash)
}

// Authenticate returns the key whose secret is secret, or ErrUnknownKey.
func (k *Keys) Authenticate(secret string) (Key, error) {
	if k != nil && secret != "" {
		if key, ok := k.byHash[sha256.Sum256([]byte(secret))]; ok {
			return key, nil
		}
	}
	return Key{}, ErrUnknownKey
}

// ParseKeys reads key lines from r; name prefixes error positions
// (name:line). Every bad line is reported, at once; a key ID or hash that
// appears twice is an error.
func ParseKeys(r io.Reader, name string) (*Keys, error) {
	k := &Keys{byHash: map[[32]byte]Key{}}
	return k, k.add(r, name)
}

// ParseKeyList reads keys separated by whitespace or semicolons, as an
// environment variable holds them; name says where they came from.
func ParseKeyList(s, name string) (*Keys, error) {
	return ParseKeys(strings.NewReader(strings.NewReplacer(";", "\n", " ", "\n", "\t", "\n").Replace(s)), name)
}

// LoadKeysFile reads the key file at path.
func LoadKeysFile(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read API keys: %w", err)
	}
	defer f.Close()
	return ParseKeys(f, path)
}

// Merge returns the keys of k and more; a key ID or hash in both is an error.
func (k *Keys) Merge(more *Keys) (*Keys, error) {
	out := &Keys{byHash: make(map[[32]byte]Key, k.Len()+more.Len())}
	ids := map[string]bool{}
	var errs []error
	for _, src := range []*Keys{k, more} {
		if src == nil {
			continue
		}
		for h, key := range src.byHash {
			if _, dup := out.byHash[h]; dup || ids[key.ID] {
				errs = append(errs, fmt.Errorf("%w: key %q is defined twice, or shares its secret with another key", ErrBadKeys, key.ID))
				continue
			}
			ids[key.ID] = true
			out.byHash[h] = key
		}
	}
	return out, errors.Join(errs...)
}

func (k *Keys) add(r io.Reader, name string) error {
	var errs []error
	ids := map[string]int{}
	for _, key := range k.byHash {
		ids[key.ID] = -1
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%w: %s:%d: %s", ErrBadKeys, name, n, fmt.Sprintf(format, args...)))
		}
		parts := strings.Split(line, ":")
		if len(parts) != 3 {
			bad("want key-id:role[,role]:sha256-hex, got %d colon-separated fields", len(parts))
			continue
		}
		id, roleList, hexHash := parts[0], parts[1], strings.ToLower(parts[2])
		if !validID(id) {
			bad("key ID %q must be 1..64 letters, digits, '.', '_' or '-'", id)
			continue
		}
		var roles Role
		roleErr := false
		for _, rn := range strings.Split(roleList, ",") {
			role, err := ParseRole(strings.TrimSpace(rn))
			if err != nil {
				bad("key %q: %v", id, err)
				roleErr = true
				break
			}
			roles |= role
		}
		if roleErr {
			continue
		}
		var h [32]byte
		if len(hexHash) != 64 {
			bad("key %q: the hash must be 64 hex digits (the SHA-256 of the secret, not the secret), got %d characters", id, len(hexHash))
			continue
		}
		if _, err := hex.Decode(h[:], []byte(hexHash)); err != nil {
			bad("key %q: the hash is not hex", id)
			continue
		}
		if prev, dup := ids[id]; dup {
			if prev > 0 {
				bad("key ID %q is already defined on line %d", id, prev)
			} else {
				bad("key ID %q is already defined", id)
			}
			continue
		}
		if other, dup := k.byHash[h]; dup {
			bad("key %q has the same secret as key %q", id, other.ID)
			continue
		}
		ids[id] = n
		k.byHash[h] = Key{ID: id, Roles: roles}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("read %s: %w", name, err))
	}
	return errors.Join(errs...)
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// NewSecret returns a fresh random secret for a key (256 bits, base64url,
// prefixed "ssk_") and the key-file line for it.
func NewSecret(id string, roles Role) (secret, line string, err error) {
	if !validID(id) {
		return "", "", fmt.Errorf("key ID %q must be 1..64 letters, digits, '.', '_' or '-'", id)
	}
	if roles == 0 {
		return "", "", errors.New("a key needs at least one role (submit, analyst)")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	secret = "ssk_" + base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(secret))
	return secret, id + ":" + roles.String() + ":" + hex.EncodeToString(h[:]), nil
}
