package browser

import (
	"errors"
	"time"

	"github.com/scamscope/scamscope/internal/egress"
)

// Errors Render and New return. Test with errors.Is; deadline and
// cancellation errors wrap context.DeadlineExceeded or context.Canceled.
var (
	// ErrBusy: every tab is in use and the wait queue is full. Render
	// returns it at once, without waiting.
	ErrBusy = errors.New("browser pool busy")
	// ErrBadURL: the URL is not an absolute http or https URL. Render
	// returns it before any browser work.
	ErrBadURL = errors.New("bad url: want an absolute http or https url")
	// ErrBrowserUnavailable: Chromium is missing or cannot start.
	ErrBrowserUnavailable = errors.New("browser unavailable")
	// ErrClosed: the Pool was closed.
	ErrClosed = errors.New("browser pool closed")
	// ErrNavigation: the browser could not load the URL at all (DNS or
	// connection failure, TLS error, too many redirects, the URL is a
	// download, ...). The error text carries Chromium's net error.
	ErrNavigation = errors.New("navigation failed")
	// ErrBlocked: the egress proxy refused the page's own document (the
	// requested URL or a redirect target is a private, loopback, metadata
	// or otherwise denied address, or a denied port).
	ErrBlocked = errors.New("destination refused by egress policy")
	// ErrCrashed: the browser or the page's renderer crashed before the
	// page committed. A crashed browser is relaunched by the next Render.
	ErrCrashed = errors.New("browser crashed")
)

// Page is what one Render observed. Slices and maps are never shared with
// other Pages. Fields that hit a limit are cut and named in Truncated.
type Page struct {
	// RequestedURL is the URL given to Render; FinalURL the main frame's
	// URL at the end (after redirects and same-document navigations).
	RequestedURL string
	FinalURL     string
	// Redirects is the main frame's navigation chain in order, starting with
	// the requested URL (Kind NavInitial). Each entry is a URL the main frame
	// went to and how it got there.
	Redirects []Navigation
	// Status is the HTTP status of the final main document (0 if unknown).
	Status int
	// HTML is the serialised final DOM of the main frame (doctype plus
	// document.documentElement.outerHTML), at most Config.MaxDOMBytes.
	HTML []byte
	// Scripts are the sources of the scripts the page ran: external,
	// inline, eval'd and Function() code, in the order parsed, deduplicated
	// by content, bounded by Config.MaxScripts and Config.MaxScriptBytes.
	// URL is empty for inline and eval'd code.
	Scripts []Script
	// Dialogs are the JavaScript dialogs the page opened, one entry per
	// distinct (Type, Message), in order of first appearance.
	Dialogs []Dialog
	// Calls counts the page's calls of the probed APIs (see the Call*
	// constants), summed over every document and frame of the scan.
	Calls map[string]int
	// Behaviors are the lock behaviours derived from Calls and Dialogs:
	// extract.LockKind name -> count. Only kinds that crossed their
	// threshold are present.
	Behaviors map[string]int
	// Blocked lists what the egress proxy refused or cut during the scan.
	Blocked []egress.Blocked
	// ConsoleErrors are uncaught exceptions and console.error messages,
	// at most Config.MaxConsoleErrors, each at most 512 bytes.
	ConsoleErrors []string
	// Screenshot is a PNG of the viewport when Options.Screenshot was set,
	// nil if not asked for, not taken in time or over the size limit.
	Screenshot []byte
	// Profile is the visitor profile the page saw.
	Profile Profile
	// StartedAt is when Render started; Duration how long it took.
	StartedAt time.Time
	Duration  time.Duration
	// Truncated names what was cut or left unfinished, for example
	// "load: no load event before the deadline" or "html: 4194304 bytes".
	Truncated []string
}

// Navigation is one step of the main frame's navigation chain.
type Navigation struct {
	URL    string
	Kind   NavKind
	Status int // HTTP status of this URL's response; 0 if none (same-document) or unknown
}

// NavKind says how the main frame got to a URL.
type NavKind string

// The navigation kinds.
const (
	NavInitial       NavKind = "initial"        // the requested URL
	NavHTTPRedirect  NavKind = "http_redirect"  // a 3xx response of the previous URL
	NavHeaderRefresh NavKind = "header_refresh" // a Refresh response header
	NavMetaRefresh   NavKind = "meta_refresh"   // <meta http-equiv=refresh>
	NavScript        NavKind = "script"         // location.href=..., location.replace, ...
	NavForm          NavKind = "form"           // a form submission
	NavLink          NavKind = "link"           // an anchor click (including the simulated click)
	NavSameDocument  NavKind = "same_document"  // history.pushState/replaceState or a fragment
	NavOther         NavKind = "other"          // anything else (reload, ...)
)

// Script is the source of one script.
type Script struct {
	URL    string // empty for inline and eval'd code
	Source []byte
}

// Dialog is a JavaScript dialog the page opened, dismissed at once.
type Dialog struct {
	Type    string // alert, confirm, prompt, beforeunload
	Message string // at most 1024 bytes
	Count   int    // how often this Type and Message appeared
	// SinceLoad is the time from the start of navigation to the first
	// appearance.
	SinceLoad time.Duration
}

// Options are per-Render choices.
type Options struct {
	// Screenshot asks for a PNG of the viewport.
	Screenshot bool
}
