package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func hashOf(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func TestParseKeys(t *testing.T) {
	good := "# comment\n\nci-bot:submit:" + hashOf("s1") + "\n  alice:submit,analyst:" + strings.ToUpper(hashOf("s2")) + "  \nbob:analyst:" + hashOf("s3") + "\n"
	k, err := ParseKeys(strings.NewReader(good), "keys")
	if err != nil {
		t.Fatalf("ParseKeys(good) = %v", err)
	}
	if k.Len() != 3 {
		t.Errorf("Len() = %d, want 3", k.Len())
	}
	tests := []struct {
		secret string
		want   Key
	}{
		{"s1", Key{ID: "ci-bot", Roles: RoleSubmit}},
		{"s2", Key{ID: "alice", Roles: RoleSubmit | RoleAnalyst}},
		{"s3", Key{ID: "bob", Roles: RoleAnalyst}},
	}
	for _, tc := range tests {
		got, err := k.Authenticate(tc.secret)
		if err != nil || got != tc.want {
			t.Errorf("Authenticate(%q) = %+v, %v; want %+v", tc.secret, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "s4", hashOf("s1"), "S1"} {
		if got, err := k.Authenticate(bad); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("Authenticate(%q) = %+v, %v; want ErrUnknownKey", bad, got, err)
		}
	}
}

func TestParseKeysErrors(t *testing.T) {
	h := hashOf("x")
	tests := []struct {
		name, in string
		want     []string // every one must appear in the error
	}{
		{"two fields", "a:" + h, []string{"keys:1:", "colon-separated"}},
		{"bad id", "a b:submit:" + h, []string{"keys:1:", "key ID"}},
		{"bad role", "a:admin:" + h, []string{"keys:1:", `unknown role "admin"`}},
		{"secret instead of hash", "a:submit:hunter2", []string{"keys:1:", "64 hex digits"}},
		{"not hex", "a:submit:" + strings.Repeat("z", 64), []string{"not hex"}},
		{"duplicate id", "a:submit:" + h + "\na:analyst:" + hashOf("y"), []string{"keys:2:", "already defined on line 1"}},
		{"duplicate secret", "a:submit:" + h + "\nb:analyst:" + h, []string{"keys:2:", `same secret as key "a"`}},
		{"all errors at once", "a:admin:" + h + "\n\nb:submit:short", []string{"keys:1:", "keys:3:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseKeys(strings.NewReader(tc.in), "keys")
			if !errors.Is(err, ErrBadKeys) {
				t.Fatalf("ParseKeys(%q) = %v, want ErrBadKeys", tc.in, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseKeys(%q) = %q, want it to contain %q", tc.in, err, w)
				}
			}
		})
	}
}

func TestKeyListAndMerge(t *testing.T) {
	list, err := ParseKeyList("a:submit:"+hashOf("1")+"; b:analyst:"+hashOf("2"), "$KEYS")
	if err != nil || list.Len() != 2 {
		t.Fatalf("ParseKeyList = %d keys, %v; want 2", list.Len(), err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "keys")
	if err := os.WriteFile(path, []byte("c:submit:"+hashOf("3")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := LoadKeysFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := file.Merge(list)
	if err != nil || all.Len() != 3 {
		t.Fatalf("Merge = %d keys, %v; want 3", all.Len(), err)
	}
	if k, err := all.Authenticate("3"); err != nil || k.ID != "c" {
		t.Errorf("merged Authenticate(3) = %+v, %v", k, err)
	}
	if _, err := list.Merge(list); !errors.Is(err, ErrBadKeys) {
		t.Errorf("Merge with itself = %v, want ErrBadKeys", err)
	}
	if _, err := LoadKeysFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("LoadKeysFile(missing) = %v, want an error naming the file", err)
	}
	var none *Keys
	if _, err := none.Authenticate("x"); !errors.Is(err, ErrUnknownKey) || none.Len() != 0 {
		t.Errorf("nil Keys: Authenticate = %v, Len = %d", err, none.Len())
	}
}

func TestNewSecret(t *testing.T) {
	secret, line, err := NewSecret("ops", RoleSubmit|RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ssk_") || len(secret) < 40 || strings.Contains(line, secret) {
		t.Errorf("NewSecret = %q, %q: want an ssk_ secret not written in the line", secret, line)
	}
	k, err := ParseKeys(strings.NewReader(line), "line")
	if err != nil {
		t.Fatalf("the generated line %q does not parse: %v", line, err)
	}
	if got, err := k.Authenticate(secret); err != nil || got != (Key{ID: "ops", Roles: RoleSubmit | RoleAnalyst}) {
		t.Errorf("Authenticate(new secret) = %+v, %v", got, err)
	}
	other, _, _ := NewSecret("ops", RoleSubmit)
	if other == secret {
		t.Error("two NewSecret calls gave the same secret")
	}
	if _, _, err := NewSecret("bad id", RoleSubmit); err == nil {
		t.Error("NewSecret(bad id) = nil error")
	}
	if _, _, err := NewSecret("ok", 0); err == nil {
		t.Error("NewSecret(no roles) = nil error")
	}
}

// FuzzParseKeys: the parser never panics, and every key it accepts
// authenticates with nothing but its own secret's hash.
func FuzzParseKeys(f *testing.F) {
	f.Add("a:submit:" + hashOf("x"))
	f.Add("# c\nb:submit,analyst:" + hashOf("y") + "\nb:submit:" + hashOf("z"))
	f.Add("::\n:::\nx:analyst,:" + strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, in string) {
		k, err := ParseKeys(strings.NewReader(in), "fuzz")
		if err != nil && !errors.Is(err, ErrBadKeys) {
			t.Fatalf("ParseKeys error %v does not wrap ErrBadKeys", err)
		}
		for _, key := range k.byHash {
			if !validID(key.ID) || key.Roles == 0 || key.Roles&^AllRoles != 0 {
				t.Errorf("accepted key %+v", key)
			}
		}
		if lines := strings.Count(in, "\n") + 1; k.Len() > lines {
			t.Errorf("%d keys from %d lines", k.Len(), lines)
		}
	})
}
