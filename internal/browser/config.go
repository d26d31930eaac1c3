package browser

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scamscope/scamscope/internal/egress"
)

// Defaults for Config fields left zero.
const (
	DefaultExecPath           = "/usr/bin/chromium"
	DefaultPoolSize           = 2
	DefaultTimeout            = 30 * time.Second
	DefaultSettleTime         = 1500 * time.Millisecond
	DefaultMaxDialogs         = 20
	DefaultMaxScripts         = 200
	DefaultMaxScriptBytes     = 8 << 20
	DefaultMaxDOMBytes        = 4 << 20
	DefaultMaxScreenshotBytes = 4 << 20
	DefaultMaxConsoleErrors   = 50
	DefaultMaxRedirects       = 50
	DefaultJSHeapMB           = 512
	DefaultStartTimeout       = 20 * time.Second
)

// ErrConfig reports an invalid Config.
var ErrConfig = errors.New("invalid browser config")

// Config configures a Pool. Zero fields take the defaults above.
type Config struct {
	// ExecPath is the Chromium binary. Default /usr/bin/chromium, else
	// "chromium" in PATH.
	ExecPath string
	// PoolSize is the number of pages rendered at once.
	PoolSize int
	// QueueSize is how many Renders may wait for a free tab; one more and
	// Render returns ErrBusy at once. Default 2*PoolSize; negative means
	// no waiting at all.
	QueueSize int
	// Egress is the policy and caps of the per-scan egress proxy. Its zero
	// value is the production policy (public unicast only). Egress.Listen
	// is ignored (each scan's proxy listens on 127.0.0.1:0).
	Egress egress.Config
	// Timeout bounds a Render whose ctx has no deadline.
	Timeout time.Duration
	// SettleTime is how long the page may run after its load event and the
	// simulated visitor actions before it is read.
	SettleTime time.Duration
	// MaxDialogs caps Page.Dialogs (distinct type and message; repeats of
	// a recorded one still count, new ones are dismissed unrecorded) and the
	// dialogs one document may open (after that alert, confirm and prompt
	// return at once without a dialog).
	MaxDialogs int
	// MaxScripts and MaxScriptBytes cap Page.Scripts in count and total
	// bytes.
	MaxScripts     int
	MaxScriptBytes int
	// MaxDOMBytes caps Page.HTML.
	MaxDOMBytes int
	// MaxScreenshotBytes caps Page.Screenshot; a larger PNG is dropped.
	MaxScreenshotBytes int
	// MaxConsoleErrors caps Page.ConsoleErrors.
	MaxConsoleErrors int
	// MaxRedirects caps Page.Redirects.
	MaxRedirects int
	// JSHeapMB caps each renderer's JavaScript heap (V8 old space), so a
	// memory bomb crashes its own renderer early.
	JSHeapMB int
	// StartTimeout bounds launching Chromium when the ctx has no deadline.
	StartTimeout time.Duration
	// TempDir is where the profile directory is made; default os.TempDir.
	TempDir string
	// Metrics, if set, records renders, durations, queue depth and
	// restarts.
	Metrics *Metrics
}

func (c *Config) setDefaults() error {
	if c.PoolSize < 0 || c.Timeout < 0 || c.SettleTime < 0 || c.MaxDialogs < 0 || c.MaxScripts < 0 ||
		c.MaxScriptBytes < 0 || c.MaxDOMBytes < 0 || c.MaxScreenshotBytes < 0 || c.MaxConsoleErrors < 0 ||
		c.MaxRedirects < 0 || c.JSHeapMB < 0 || c.StartTimeout < 0 {
		return fmt.Errorf("%w: negative value", ErrConfig)
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.PoolSize, DefaultPoolSize)
	switch {
	case c.QueueSize == 0:
		c.QueueSize = 2 * c.PoolSize
	case c.QueueSize < 0:
		c.QueueSize = 0
	}
	def(&c.MaxDialogs, DefaultMaxDialogs)
	def(&c.MaxScripts, DefaultMaxScripts)
	def(&c.MaxScriptBytes, DefaultMaxScriptBytes)
	def(&c.MaxDOMBytes, DefaultMaxDOMBytes)
	def(&c.MaxScreenshotBytes, DefaultMaxScreenshotBytes)
	def(&c.MaxConsoleErrors, DefaultMaxConsoleErrors)
	def(&c.MaxRedirects, DefaultMaxRedirects)
	def(&c.JSHeapMB, DefaultJSHeapMB)
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.SettleTime == 0 {
		c.SettleTime = DefaultSettleTime
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	c.Egress.Listen = ""
	return nil
}

// Profile is the visitor a page sees: user agent, languages, time zone,
// screen. Scam pages cloak for bots and tailor their lure to the platform,
// so the default looks like an ordinary Windows desktop.
type Profile struct {
	Name           string
	UserAgent      string // navigator.userAgent and the User-Agent header
	AcceptLanguage string // Accept-Language header and navigator.languages, e.g. "en-US,en;q=0.9"
	Timezone       string // IANA zone, e.g. "America/New_York"
	ViewportWidth  int    // CSS pixels, 200..4096
	ViewportHeight int
	Platform       string // navigator.platform: Win32, MacIntel, Linux armv8l
	Mobile         bool   // mobile viewport and touch emulation
	ScaleFactor    float64
}

// The built-in profile names.
const (
	ProfileWindowsDesktop = "windows-desktop"
	ProfileMacDesktop     = "mac-desktop"
	ProfileAndroidPhone   = "android-phone"
)

// chromeMajor is the Chrome version the built-in profiles claim: the
// installed Chromium's major version, in the reduced UA format.
const chromeMajor = "156"

// Profiles returns the built-in profiles; the first is the default.
func Profiles() []Profile {
	return []Profile{
		{
			Name:           ProfileWindowsDesktop,
			UserAgent:      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeMajor + ".0.0.0 Safari/537.36",
			AcceptLanguage: "en-US,en;q=0.9",
			Timezone:       "America/New_York",
			ViewportWidth:  1366,
			ViewportHeight: 768,
			Platform:       "Win32",
			ScaleFactor:    1,
		},
		{
			Name:           ProfileMacDesktop,
			UserAgent:      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeMajor + ".0.0.0 Safari/537.36",
			AcceptLanguage: "en-US,en;q=0.9",
			Timezone:       "America/Los_Angeles",
			ViewportWidth:  1440,
			ViewportHeight: 900,
			Platform:       "MacIntel",
			ScaleFactor:    1,
		},
		{
			Name:           ProfileAndroidPhone,
			UserAgent:      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeMajor + ".0.0.0 Mobile Safari/537.36",
			AcceptLanguage: "en-US,en;q=0.9",
			Timezone:       "America/Chicago",
			ViewportWidth:  412,
			ViewportHeight: 915,
			Platform:       "Linux armv8l",
			Mobile:         true,
			ScaleFactor:    2.625,
		},
	}
}

// DefaultProfile is the windows-desktop profile.
func DefaultProfile() Profile { return Profiles()[0] }

// LookupProfile returns the built-in profile called name; "" is the
// default.
func LookupProfile(name string) (Profile, error) {
	if name == "" {
		return DefaultProfile(), nil
	}
	for _, p := range Profiles() {
		if p.Name == name {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("%w: unknown profile %q", ErrConfig, name)
}

// resolve fills a zero Profile with the default, and checks a custom one.
func (p Profile) resolve() (Profile, error) {
	if p == (Profile{}) {
		return DefaultProfile(), nil
	}
	if p.UserAgent == "" && p.Name != "" {
		// A name alone picks a built-in.
		return LookupProfile(p.Name)
	}
	def := DefaultProfile()
	if p.UserAgent == "" {
		p.UserAgent = def.UserAgent
	}
	if p.AcceptLanguage == "" {
		p.AcceptLanguage = def.AcceptLanguage
	}
	if p.Timezone == "" {
		p.Timezone = def.Timezone
	}
	if p.ViewportWidth == 0 && p.ViewportHeight == 0 {
		p.ViewportWidth, p.ViewportHeight = def.ViewportWidth, def.ViewportHeight
	}
	if p.Platform == "" {
		p.Platform = def.Platform
	}
	if p.ScaleFactor == 0 {
		p.ScaleFactor = 1
	}
	switch {
	case p.ViewportWidth < 200 || p.ViewportWidth > 4096 || p.ViewportHeight < 200 || p.ViewportHeight > 4096:
		return Profile{}, fmt.Errorf("%w: viewport %dx%d outside 200..4096", ErrConfig, p.ViewportWidth, p.ViewportHeight)
	case p.ScaleFactor < 0.5 || p.ScaleFactor > 4:
		return Profile{}, fmt.Errorf("%w: scale factor %v outside 0.5..4", ErrConfig, p.ScaleFactor)
	case strings.ContainsAny(p.UserAgent+p.AcceptLanguage+p.Timezone+p.Platform, "\r\n\x00"):
		return Profile{}, fmt.Errorf("%w: control character in profile", ErrConfig)
	}
	return p, nil
}

// locale is the ICU locale for the first language of AcceptLanguage.
func (p Profile) locale() string {
	first, _, _ := strings.Cut(p.AcceptLanguage, ",")
	first, _, _ = strings.Cut(first, ";")
	return strings.ReplaceAll(strings.TrimSpace(first), "-", "_")
}

// uaPlatform is the Sec-CH-UA-Platform value for navigator.platform.
func (p Profile) uaPlatform() (platform, version, arch string) {
	switch {
	case strings.HasPrefix(p.Platform, "Win"):
		return "Windows", "10.0.0", "x86"
	case strings.HasPrefix(p.Platform, "Mac"):
		return "macOS", "10.15.7", "x86"
	case strings.Contains(p.UserAgent, "Android"):
		return "Android", "10.0.0", ""
	default:
		return "Linux", "", "x86"
	}
}
