package browser

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/scamscope/scamscope/internal/extract"
)

// The lock kinds here must be extract's, which rules and scoring use.
func TestLockKindsMatchExtract(t *testing.T) {
	pairs := map[string]extract.LockKind{
		LockDialogLoop: extract.LockDialogLoop, LockBeforeUnload: extract.LockBeforeUnload,
		LockHistoryFlood: extract.LockHistoryFlood, LockFullscreen: extract.LockFullscreen,
		LockKeyboard: extract.LockKeyboard, LockPointer: extract.LockPointer,
		LockContextMenu: extract.LockContextMenu, LockDevtoolsKeys: extract.LockDevtoolsKeys,
		LockAudioLoop: extract.LockAudioLoop, LockPrintLoop: extract.LockPrintLoop,
		LockDownloadLoop: extract.LockDownloadLoop, LockNotificationSpam: extract.LockNotificationSpam,
		LockWindowOpenStorm: extract.LockWindowOpenStorm,
	}
	for ours, theirs := range pairs {
		if ours != string(theirs) {
			t.Errorf("lock kind %q, extract has %q", ours, theirs)
		}
	}
}

func TestBehaviors(t *testing.T) {
	tests := []struct {
		name    string
		calls   map[string]int
		dialogs map[string]int
		want    map[string]int
	}{
		{"nothing", nil, nil, map[string]int{}},
		{"two alerts are not a loop", map[string]int{CallAlert: 2}, map[string]int{"alert": 2}, map[string]int{}},
		{"three dialogs", map[string]int{CallAlert: 2, CallConfirm: 1}, nil, map[string]int{LockDialogLoop: 3}},
		{"dialogs seen beyond the probe", map[string]int{CallAlert: 1}, map[string]int{"alert": 4}, map[string]int{LockDialogLoop: 4}},
		{"beforeunload dialog only", nil, map[string]int{"beforeunload": 1}, map[string]int{LockBeforeUnload: 1}},
		{"beforeunload handlers", map[string]int{CallBeforeUnloadListener: 1, CallBeforeUnloadHandler: 1}, nil, map[string]int{LockBeforeUnload: 2}},
		{"four pushStates", map[string]int{CallPushState: 4, CallReplaceState: 40}, nil, map[string]int{}},
		{"five pushStates", map[string]int{CallPushState: 5}, nil, map[string]int{LockHistoryFlood: 5}},
		{"locks", map[string]int{CallFullscreen: 1, CallKeyboardLock: 2, CallPointerLock: 1}, nil,
			map[string]int{LockFullscreen: 1, LockKeyboard: 2, LockPointer: 1}},
		{"menus and keys", map[string]int{CallContextMenuBlock: 2, CallKeyBlockPrefix + "F12": 1, CallKeyBlockPrefix + "Ctrl+U": 1, CallKeyBlockPrefix + "Escape": 5}, nil,
			map[string]int{LockContextMenu: 2, LockDevtoolsKeys: 2}},
		{"escape alone is no devtools block", map[string]int{CallKeyBlockPrefix + "Escape": 1}, nil, map[string]int{}},
		{"looping play", map[string]int{CallMediaPlay: 1, CallMediaPlayLoop: 1}, nil, map[string]int{LockAudioLoop: 1}},
		{"autoplay loop element", map[string]int{CallMediaLooping: 1}, nil, map[string]int{LockAudioLoop: 1}},
		{"replayed audio", map[string]int{CallMediaPlay: 3}, nil, map[string]int{LockAudioLoop: 3}},
		{"one play", map[string]int{CallMediaPlay: 2}, nil, map[string]int{}},
		{"storms", map[string]int{CallWindowOpen: 3, CallPrint: 2, CallDownload: 2, CallNotification: 1}, nil,
			map[string]int{LockWindowOpenStorm: 3, LockPrintLoop: 2, LockDownloadLoop: 2, LockNotificationSpam: 1}},
		{"below storm thresholds", map[string]int{CallWindowOpen: 2, CallPrint: 1, CallDownload: 1}, nil, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := behaviors(tt.calls, tt.dialogs); !maps.Equal(got, tt.want) {
				t.Errorf("behaviors(%v, %v) = %v, want %v", tt.calls, tt.dialogs, got, tt.want)
			}
		})
	}
}

func TestProbeCounts(t *testing.T) {
	var pc probeCounts
	pc.add(`{"d":"a","c":{"alert":2,"history.pushState":3}}`)
	pc.add(`{"d":"a","c":{"alert":5,"history.pushState":1}}`) // later snapshot of the same document
	pc.add(`{"d":"b","c":{"alert":1,"evil label":9,"keydown.preventDefault:F12":1,"keydown.preventDefault:Q":1}}`)
	pc.add(`{"d":"c","c":{"alert":-4}}`)
	pc.add(`not json`)
	pc.add(`{"c":{"alert":1}}`)
	pc.add(`{"d":"d","c":{"alert":1}}` + strings.Repeat(" ", maxProbePayload))
	want := map[string]int{CallAlert: 6, CallPushState: 3, CallKeyBlockPrefix + "F12": 1}
	if got := pc.total(); !maps.Equal(got, want) {
		t.Errorf("total() = %v, want %v", got, want)
	}
}

// FuzzProbePayload: the page can call the probe's binding with anything;
// only known keys with positive, capped counts may come out.
func FuzzProbePayload(f *testing.F) {
	f.Add(`{"d":"x","c":{"alert":3}}`)
	f.Add(`{"d":"x","c":{"window.open":1e12,"download":2}}`)
	f.Add(`{"d":"","c":null}`)
	f.Add(`[1,2,3]`)
	f.Add(`{"d":"y","c":{"keydown.preventDefault:Ctrl+Shift+I":1,"__proto__":1}}`)
	f.Fuzz(func(t *testing.T, payload string) {
		var pc probeCounts
		pc.add(payload)
		pc.add(payload)
		for k, v := range pc.total() {
			if !knownCall(k) || v <= 0 || v > maxCount {
				t.Errorf("add(%q) gave %q = %d", payload, k, v)
			}
		}
	})
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		in, want string // want "" means ErrBadURL
	}{
		{"http://example.com", "http://example.com"},
		{"HTTPS://Example.com/a?b=c#d", "https://Example.com/a?b=c#d"},
		{"http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"},
		{"http://[::1]/", "http://[::1]/"},
		{"file:///etc/passwd", ""},
		{"chrome://settings", ""},
		{"javascript:alert(1)", ""},
		{"data:text/html,hi", ""},
		{"about:blank", ""},
		{"blob:http://example.com/uuid", ""},
		{"https:example.com", ""},
		{"http://", ""},
		{"http:///path", ""},
		{"//example.com", ""},
		{"example.com", ""},
		{" http://example.com", ""},
		{"http://example.com/\x00", ""},
		{"http://exa mple.com", ""},
		{"http://example.com/" + strings.Repeat("a", maxURLLen), ""},
	}
	for _, tt := range tests {
		got, err := checkURL(tt.in)
		if tt.want == "" {
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("checkURL(%q) = %q, %v; want ErrBadURL", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("checkURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzCheckURL: whatever checkURL accepts is an http(s) URL with a host
// and without spaces or control characters.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"http://example.com/", "javascript:alert(1)", "https:x", "http://a\\b@c/", "http://[::1]:80/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := checkURL(raw)
		if err != nil {
			if !errors.Is(err, ErrBadURL) {
				t.Errorf("checkURL(%q) error %v does not wrap ErrBadURL", raw, err)
			}
			return
		}
		lower := strings.ToLower(u)
		if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			t.Errorf("checkURL(%q) = %q, not http(s)", raw, u)
		}
		if strings.ContainsAny(u, " \t\r\n\x00") {
			t.Errorf("checkURL(%q) = %q has spaces or controls", raw, u)
		}
	})
}

func TestProfileResolve(t *testing.T) {
	def := DefaultProfile()
	if strings.Contains(def.UserAgent, "Headless") || def.Name != ProfileWindowsDesktop || def.Platform != "Win32" ||
		def.Timezone != "America/New_York" || def.ViewportWidth != 1366 || def.ViewportHeight != 768 {
		t.Errorf("DefaultProfile() = %+v", def)
	}
	tests := []struct {
		in      Profile
		want    Profile
		wantErr bool
	}{
		{Profile{}, def, false},
		{Profile{Name: ProfileAndroidPhone}, Profiles()[2], false},
		{Profile{Name: "nope"}, Profile{}, true},
		{Profile{Name: "custom", UserAgent: "UA/1"}, Profile{Name: "custom", UserAgent: "UA/1", AcceptLanguage: def.AcceptLanguage,
			Timezone: def.Timezone, ViewportWidth: def.ViewportWidth, ViewportHeight: def.ViewportHeight, Platform: def.Platform, ScaleFactor: 1}, false},
		{Profile{UserAgent: "UA", ViewportWidth: 100, ViewportHeight: 100}, Profile{}, true},
		{Profile{UserAgent: "UA\r\nX-Evil: 1"}, Profile{}, true},
	}
	for _, tt := range tests {
		got, err := tt.in.resolve()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%+v.resolve() = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if l := Profiles()[0].locale(); l != "en_US" {
		t.Errorf("locale() = %q, want en_US", l)
	}
}

func TestTruncate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"héllo", 2, "h"},
		{"\xff\xfeab", 100, "\uFFFDab"},
	} {
		got := truncate(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestHasArg(t *testing.T) {
	for _, tt := range []struct {
		cmd, arg string
		want     bool
	}{
		{"chromium --user-data-dir=/tmp/a --x", "--user-data-dir=/tmp/a", true},
		{"chromium --user-data-dir=/tmp/a", "--user-data-dir=/tmp/a", true},
		{"chromium --user-data-dir=/tmp/ab", "--user-data-dir=/tmp/a", false},
		{"chromium x--user-data-dir=/tmp/a", "--user-data-dir=/tmp/a", false},
		{"", "--user-data-dir=/tmp/a", false},
	} {
		if got := hasArg(tt.cmd, tt.arg); got != tt.want {
			t.Errorf("hasArg(%q, %q) = %v, want %v", tt.cmd, tt.arg, got, tt.want)
		}
	}
}

func TestSweepStaleProfiles(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{profilePrefix + "stale", profilePrefix + "fresh", "other-old"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
			t.Fatal(err)
		}
		if name != profilePrefix+"fresh" {
			os.Chtimes(filepath.Join(dir, name), old, old)
		}
	}
	if n := sweepStaleProfiles(dir); n != 1 {
		t.Errorf("sweepStaleProfiles removed %d, want 1", n)
	}
	for name, want := range map[string]bool{profilePrefix + "stale": false, profilePrefix + "fresh": true, "other-old": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", name, err == nil, want)
		}
	}
}
