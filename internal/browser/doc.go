// Package browser renders untrusted URLs in headless Chromium and reports
// what a visitor would meet: the final DOM, the scripts that ran, the
// JavaScript dialogs, the calls that lock a visitor in (fullscreen, keyboard
// lock, beforeunload traps, history floods, ...), the redirect chain, and
// what the egress policy refused. It does not classify anything; package
// extract and the rules do.
//
// # Pool
//
// New starts one Chromium (a fresh --user-data-dir, removed by Close). A
// Pool renders Config.PoolSize pages at once; up to Config.QueueSize more
// wait, and past that Render fails at once with ErrBusy. A browser that
// died (crash, OOM kill) is noticed by the next Render, which relaunches it
// (scamscope_browser_restarts_total).
//
// # Isolation
//
// Every Render gets its own egress.Proxy (internal/egress: the SSRF policy
// of Config.Egress, checked on every request and every dialled address)
// and its own browser context (Target.createBrowserContext with
// proxyServer set to that proxy and proxyBypassList "<-loopback>", so
// loopback goes through the proxy too). Both are disposed of after the
// Render, whatever its outcome. Browser contexts share no cookies, storage
// or cache. Chromium itself is started with --proxy-server pointing at a
// proxy that refuses everything (for the first tab and anything outside a
// scan), --host-resolver-rules "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1" (the
// browser resolves no name itself; with a proxy it never needs to),
// --disable-quic and a WebRTC policy that sends no UDP. Downloads are
// denied. Site isolation is off so that iframes run in the page's process
// and get the same probes; scans are still kept apart by their browser
// contexts. Chromium runs without its sandbox (--no-sandbox): run the
// service itself in a locked-down container.
//
// # What a Render does
//
//  1. Create the browser context and tab; install the probe script
//     (Page.addScriptToEvaluateOnNewDocument, so it runs in every frame
//     before the page's scripts), the dialog handler, Debugger.enable (with
//     all pauses skipped) and the visitor Profile (user agent and client
//     hints, Accept-Language, time zone, locale, viewport, touch).
//  2. Navigate, and wait for the load event. While it waits, a watchdog
//     asks the page every 250 ms whether its main thread answers, and
//     stops a script that leaves it a second without answer, so that a
//     page stuck in a loop before its load event still loads.
//  3. Play a visitor: a click in the middle of the viewport, a right click,
//     and the keys Escape, F12, Ctrl+Shift+I and Ctrl+U, so that handlers
//     that trap them show themselves. Each action waits until no dialog
//     shows and the main frame has stopped navigating (Escape would stop
//     a redirect in flight). Then let the page run for Config.SettleTime,
//     longer while it keeps navigating.
//  4. Read the probes, the DOM (serialised in an isolated world, so the
//     page cannot tamper with the serialiser), the screenshot if asked
//     for, and the proxy's report.
//
// Dialogs are answered as they open: dismissed, except beforeunload, which
// is accepted so the page can be left. The probe wraps alert, confirm and
// prompt and, after Config.MaxDialogs in one document, makes them return at
// once, so an alert loop turns into a plain busy loop. A page whose
// JavaScript never yields is stopped with Runtime.terminateExecution, by
// the watchdog before the load event and again when the page is read if it
// is busy then. Scripts are fetched with Debugger.getScriptSource as they
// are parsed (inline, external, eval and Function code), so those of
// documents the page left are kept too. window.open returns null and opens
// nothing; window.print and Notification.requestPermission do nothing;
// console output past a budget per document is dropped (a console flood
// would cost the scanner a CPU).
//
// # Deadlines
//
// Render is bounded by its ctx's deadline (Config.Timeout if none) in every
// wait and every protocol call, and aims to finish a tenth of the time (at
// most 0.3 s) early. A quarter of the time (0.5 s to 3 s) is kept for
// reading the page. A page that committed always comes back as a Page
// with a nil error, with notes in Page.Truncated for what did not finish
// ("load: no load event before the deadline", "settle: cut short by the
// deadline", "javascript: page was busy and was stopped", "html: cut to
// N bytes", ...). A page that never committed comes back as an error:
// context.DeadlineExceeded (a server that never answers), ErrNavigation
// (DNS, TLS, too many redirects, a download), ErrBlocked (the document
// itself was refused by the egress policy) or ErrCrashed.
//
// # Limits
//
// Config bounds everything a page can make the scanner keep: dialogs,
// scripts (count and bytes), DOM bytes, console errors, redirects, the
// screenshot, and the V8 heap of each renderer (a memory bomb is stopped
// by V8 just before it runs out of memory, since a debugger is attached).
// The egress proxy bounds requests and bytes. Probe reports from the page
// are parsed defensively: only known names, bounded counts.
//
// # What it does not do
//
// It does not follow popups (they are never opened), probe workers (the
// probes run in documents only), interact beyond the fixed visitor
// actions, solve CAPTCHAs, or retry. It does not decide anything:
// Calls and Behaviors are observations, with thresholds only to name lock
// kinds (dialog_loop at 3 dialogs, history_flood at 5 pushState calls,
// window_open_storm at 3 window.open calls, print_loop and download_loop
// at 2, the others at 1).
package browser
