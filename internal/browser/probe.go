package browser

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Names of the probed calls, the keys of Page.Calls.
const (
	CallFullscreen           = "Element.requestFullscreen" // and the webkit/moz/ms variants
	CallPointerLock          = "Element.requestPointerLock"
	CallKeyboardLock         = "navigator.keyboard.lock"
	CallPushState            = "history.pushState"
	CallReplaceState         = "history.replaceState"
	CallWindowOpen           = "window.open" // the page gets null; no window opens
	CallPrint                = "window.print"
	CallNotification         = "Notification.requestPermission" // answered "denied"
	CallBeforeUnloadListener = "addEventListener.beforeunload"
	CallBeforeUnloadHandler  = "onbeforeunload" // setter, or a handler found at the end
	CallMediaPlay            = "HTMLMediaElement.play"
	CallMediaPlayLoop        = "HTMLMediaElement.play.loop" // play() with loop set
	CallMediaLooping         = "HTMLMediaElement.looping"   // looping media playing or autoplaying at the end
	CallDownload             = "download"                   // anchor click with download attribute or blob:/data: href
	CallContextMenuBlock     = "contextmenu.preventDefault" // a contextmenu event was cancelled
	CallKeyBlockPrefix       = "keydown.preventDefault:"    // + F12, Ctrl+Shift+I, Ctrl+Shift+J, Ctrl+Shift+C, Ctrl+U, Escape
	CallAlert                = "alert"
	CallConfirm              = "confirm"
	CallPrompt               = "prompt"
)

// devtoolsKeys are the keys whose cancelled keydown means devtools_key_block.
var devtoolsKeys = []string{"F12", "Ctrl+Shift+I", "Ctrl+Shift+J", "Ctrl+Shift+C", "Ctrl+U"}

// knownCall reports whether k is a key the probe may report; anything
// else in a payload (the page can call the binding too) is dropped.
func knownCall(k string) bool {
	switch k {
	case CallFullscreen, CallPointerLock, CallKeyboardLock, CallPushState, CallReplaceState,
		CallWindowOpen, CallPrint, CallNotification, CallBeforeUnloadListener, CallBeforeUnloadHandler,
		CallMediaPlay, CallMediaPlayLoop, CallMediaLooping, CallDownload, CallContextMenuBlock,
		CallAlert, CallConfirm, CallPrompt:
		return true
	}
	if key, ok := strings.CutPrefix(k, CallKeyBlockPrefix); ok {
		return key == "Escape" || contains(devtoolsKeys, key)
	}
	return false
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Lock kinds, the keys of Page.Behaviors. The values are those of
// extract.LockKind (a test keeps them in step).
const (
	LockDialogLoop       = "dialog_loop"
	LockBeforeUnload     = "beforeunload_trap"
	LockHistoryFlood     = "history_flood"
	LockFullscreen       = "fullscreen"
	LockKeyboard         = "keyboard_lock"
	LockPointer          = "pointer_lock"
	LockContextMenu      = "contextmenu_block"
	LockDevtoolsKeys     = "devtools_key_block"
	LockAudioLoop        = "audio_loop"
	LockPrintLoop        = "print_loop"
	LockDownloadLoop     = "download_loop"
	LockNotificationSpam = "notification_spam"
	LockWindowOpenStorm  = "window_open_storm"
)

// Thresholds: a behaviour is reported when its count reaches these.
const (
	minDialogLoop   = 3
	minHistoryFlood = 5
	minPrintLoop    = 2
	minDownloadLoop = 2
	minWindowOpens  = 3
	minPlays        = 3 // play() calls without loop that still make a loop
)

// behaviors maps raw counts to lock kinds. dialogs counts the dialogs the
// browser reported, by type.
func behaviors(calls map[string]int, dialogs map[string]int) map[string]int {
	out := make(map[string]int)
	set := func(kind string, n, min int) {
		if n >= min && n > 0 {
			out[kind] = n
		}
	}
	probed := calls[CallAlert] + calls[CallConfirm] + calls[CallPrompt]
	seen := dialogs["alert"] + dialogs["confirm"] + dialogs["prompt"]
	set(LockDialogLoop, max(probed, seen), minDialogLoop)
	set(LockBeforeUnload, calls[CallBeforeUnloadListener]+calls[CallBeforeUnloadHandler]+dialogs["beforeunload"], 1)
	set(LockHistoryFlood, calls[CallPushState], minHistoryFlood)
	set(LockFullscreen, calls[CallFullscreen], 1)
	set(LockKeyboard, calls[CallKeyboardLock], 1)
	set(LockPointer, calls[CallPointerLock], 1)
	set(LockContextMenu, calls[CallContextMenuBlock], 1)
	keys := 0
	for _, k := range devtoolsKeys {
		keys += calls[CallKeyBlockPrefix+k]
	}
	set(LockDevtoolsKeys, keys, 1)
	if loops := calls[CallMediaPlayLoop] + calls[CallMediaLooping]; loops > 0 {
		out[LockAudioLoop] = loops
	} else {
		set(LockAudioLoop, calls[CallMediaPlay], minPlays)
	}
	set(LockPrintLoop, calls[CallPrint], minPrintLoop)
	set(LockDownloadLoop, calls[CallDownload], minDownloadLoop)
	set(LockNotificationSpam, calls[CallNotification], 1)
	set(LockWindowOpenStorm, calls[CallWindowOpen], minWindowOpens)
	return out
}

// probeSnapshot is the payload the probe reports: a document id and its
// counts so far. Counts only grow, so the latest snapshot of a document
// replaces earlier ones.
type probeSnapshot struct {
	Doc    string         `json:"d"`
	Counts map[string]int `json:"c"`
}

const (
	maxProbePayload = 8 << 10
	maxProbeDocs    = 256
	maxCount        = 1 << 30
)

// probeCounts merges snapshots from every document of a scan. Not safe
// for concurrent use.
type probeCounts struct {
	docs map[string]map[string]int
}

// add merges one payload; it ignores malformed payloads, unknown keys and
// documents beyond maxProbeDocs.
func (pc *probeCounts) add(payload string) {
	if len(payload) > maxProbePayload {
		return
	}
	var s probeSnapshot
	if err := json.Unmarshal([]byte(payload), &s); err != nil || s.Doc == "" || len(s.Doc) > 64 {
		return
	}
	if pc.docs == nil {
		pc.docs = make(map[string]map[string]int)
	}
	d, ok := pc.docs[s.Doc]
	if !ok {
		if len(pc.docs) >= maxProbeDocs {
			return
		}
		d = make(map[string]int)
		pc.docs[s.Doc] = d
	}
	for k, v := range s.Counts {
		if !knownCall(k) || v <= 0 {
			continue
		}
		d[k] = max(d[k], min(v, maxCount))
	}
}

// total sums the counts over documents.
func (pc *probeCounts) total() map[string]int {
	out := make(map[string]int)
	for _, d := range pc.docs {
		for k, v := range d {
			out[k] = min(out[k]+v, maxCount)
		}
	}
	return out
}

// token returns n random bytes as hex, for names the page cannot guess.
func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on Linux
	return hex.EncodeToString(b)
}

// probeNames are the per-scan secret names of the probe.
type probeNames struct {
	global  string // non-enumerable window property: a func returning the snapshot
	binding string // Runtime binding the probe reports through
	source  string // sourceURL of our own scripts, to leave them out of Page.Scripts
}

func newProbeNames() probeNames {
	// Identifiers must start with a letter.
	return probeNames{
		global:  "_" + token(12),
		binding: "_" + token(12),
		source:  "scamscope-" + token(12) + ".js",
	}
}

// probeSource is the script run in every frame before the page's own
// scripts. It wraps the APIs that lock a visitor in, counts their calls
// and reports the counts through the binding (throttled) and through the
// hidden global (read at the end). It never throws into the page.
func probeSource(n probeNames, maxDialogs int) string {
	return fmt.Sprintf(probeTemplate, n.global, n.binding, maxDialogs) + "\n//# sourceURL=" + n.source + "\n"
}

const probeTemplate = `(function () {
'use strict';
var NAME = %q, BIND = %q, MAXD = %d;
var w = window, O = Object, R = Reflect, apply = R.apply, gopd = O.getOwnPropertyDescriptor, defineProperty = O.defineProperty;
try { if (gopd(w, NAME)) return; } catch (e) { return; }
var stringify = JSON.stringify, setT = w.setTimeout, WS = w.WeakSet, WM = w.WeakMap;
var wsHas = WS.prototype.has, wsAdd = WS.prototype.add, wmGet = WM.prototype.get, wmSet = WM.prototype.set;
var addEL = w.EventTarget && w.EventTarget.prototype.addEventListener;
var bind = null;
function binding() { if (!bind) { try { var b = w[BIND]; if (typeof b === 'function') bind = b; } catch (e) {} } return bind; }
binding();
var counts = O.create(null), dialogs = 0, pending = false, inClick = false;
var doc = (Math.random() * 1e16).toString(36) + (Math.random() * 1e16).toString(36);
var seen = new WS(), wrapped = new WM();
function snap() {
	var c = {};
	for (var k in counts) c[k] = counts[k];
	try { if (!c.onbeforeunload && typeof w.onbeforeunload === 'function') c.onbeforeunload = 1; } catch (e) {}
	return stringify({d: doc, c: c});
}
function flush() { pending = false; var b = binding(); if (b) { try { apply(b, w, [snap()]); } catch (e) {} } }
function hit(k) {
	counts[k] = (counts[k] || 0) + 1;
	if (!pending) { pending = true; try { apply(setT, w, [flush, 50]); } catch (e) { pending = false; } }
}
defineProperty(w, NAME, {value: snap, enumerable: false, configurable: false, writable: false});
function wrap(obj, prop, fn) {
	try {
		var d = obj && gopd(obj, prop);
		if (!d || typeof d.value !== 'function' || !d.configurable && !d.writable) return;
		var orig = d.value;
		var f = ({[prop](...a) { return fn(orig, this, a); }})[prop];
		apply(wmSet, wrapped, [f, prop]);
		defineProperty(obj, prop, {value: f, writable: d.writable, enumerable: d.enumerable, configurable: d.configurable});
	} catch (e) {}
}
function wrapSetter(obj, prop, fn) {
	try {
		var d = obj && gopd(obj, prop);
		if (!d || typeof d.set !== 'function' || !d.configurable) return;
		var set = d.set;
		var f = gopd({set [prop](v) { fn(this, v); return apply(set, this, [v]); }}, prop).set;
		apply(wmSet, wrapped, [f, 'set ' + prop]);
		defineProperty(obj, prop, {get: d.get, set: f, enumerable: d.enumerable, configurable: true});
	} catch (e) {}
}
function pass(key) { return function (o, t, a) { hit(key); return apply(o, t, a); }; }
wrap(w.Function.prototype, 'toString', function (o, t, a) {
	var n = apply(wmGet, wrapped, [t]);
	if (typeof n === 'string') return 'function ' + n + '() { [native code] }';
	return apply(o, t, a);
});
var E = w.Element && w.Element.prototype;
['requestFullscreen', 'webkitRequestFullscreen', 'webkitRequestFullScreen', 'mozRequestFullScreen', 'msRequestFullscreen'].forEach(function (p) {
	wrap(E, p, pass('Element.requestFullscreen'));
});
wrap(E, 'requestPointerLock', pass('Element.requestPointerLock'));
wrap(w.Keyboard && w.Keyboard.prototype, 'lock', pass('navigator.keyboard.lock'));
var H = w.History && w.History.prototype;
wrap(H, 'pushState', pass('history.pushState'));
wrap(H, 'replaceState', pass('history.replaceState'));
wrap(w, 'open', function () { hit('window.open'); return null; });
wrap(w, 'print', function () { hit('window.print'); });
['alert', 'confirm', 'prompt'].forEach(function (p) {
	wrap(w, p, function (o, t, a) {
		hit(p);
		if (dialogs >= MAXD) return p === 'confirm' ? false : p === 'prompt' ? null : undefined;
		dialogs++;
		return apply(o, t == null ? w : t, a);
	});
});
wrap(w.Notification, 'requestPermission', function (o, t, a) {
	hit('Notification.requestPermission');
	var cb = a[0];
	if (typeof cb === 'function') { try { apply(setT, w, [function () { cb('denied'); }, 0]); } catch (e) {} }
	return w.Promise.resolve('denied');
});
wrap(w.EventTarget && w.EventTarget.prototype, 'addEventListener', function (o, t, a) {
	if (typeof a[0] === 'string' && a[0].toLowerCase() === 'beforeunload') hit('addEventListener.beforeunload');
	return apply(o, t, a);
});
var bu = function (t, v) { if (typeof v === 'function') hit('onbeforeunload'); };
wrapSetter(gopd(w, 'onbeforeunload') ? w : w.Window && w.Window.prototype, 'onbeforeunload', bu);
wrapSetter(w.HTMLBodyElement && w.HTMLBodyElement.prototype, 'onbeforeunload', bu);
wrap(w.HTMLMediaElement && w.HTMLMediaElement.prototype, 'play', function (o, t, a) {
	hit('HTMLMediaElement.play');
	try { if (t && t.loop) hit('HTMLMediaElement.play.loop'); } catch (e) {}
	return apply(o, t, a);
});
var A = w.HTMLAnchorElement && w.HTMLAnchorElement.prototype;
var hasAttr = E && E.hasAttribute, closest = E && E.closest, hrefGet = A && gopd(A, 'href') && gopd(A, 'href').get;
function isDownload(a) {
	try { return apply(hasAttr, a, ['download']) || /^(blob|data):/i.test(apply(hrefGet, a, []) || ''); } catch (e) { return false; }
}
var AnchorC = w.HTMLAnchorElement;
wrap(w.HTMLElement && w.HTMLElement.prototype, 'click', function (o, t, a) {
	if (AnchorC && t instanceof AnchorC && isDownload(t)) hit('download');
	inClick = true;
	try { return apply(o, t, a); } finally { inClick = false; }
});
function keyName(e) {
	var k = e.key, c = e.ctrlKey || e.metaKey, s = e.shiftKey, kc = e.keyCode;
	if (k === 'F12' || kc === 123) return 'F12';
	if (k === 'Escape' || kc === 27) return 'Escape';
	var u = typeof k === 'string' && k.length === 1 ? k.toUpperCase() : (kc >= 65 && kc <= 90 ? String.fromCharCode(kc) : '');
	if (c && s && (u === 'I' || u === 'J' || u === 'C')) return 'Ctrl+Shift+' + u;
	if (c && !s && u === 'U') return 'Ctrl+U';
	return '';
}
var EP = w.Event && w.Event.prototype;
var typeGet = EP && gopd(EP, 'type').get, dpGet = EP && gopd(EP, 'defaultPrevented').get;
function note(e) {
	try {
		if (apply(wsHas, seen, [e])) return;
		var t = apply(typeGet, e, []);
		if (t === 'contextmenu') { apply(wsAdd, seen, [e]); hit('contextmenu.preventDefault'); return; }
		if (t === 'keydown' || t === 'keyup' || t === 'keypress') {
			var n = keyName(e);
			if (n) { apply(wsAdd, seen, [e]); hit('keydown.preventDefault:' + n); }
		}
	} catch (x) {}
}
// A console flood costs the scanner a CPU per page (every message is a
// protocol event); past a budget per document, console output is dropped.
var consoleLeft = 500;
var C = w.console;
['log', 'info', 'warn', 'error', 'debug', 'dir', 'dirxml', 'table', 'trace', 'clear', 'count', 'assert', 'timeLog'].forEach(function (p) {
	wrap(C, p, function (o, t, a) { if (consoleLeft <= 0) return; consoleLeft--; return apply(o, t, a); });
});
wrap(EP, 'preventDefault', function (o, t, a) { note(t); return apply(o, t, a); });
wrapSetter(EP, 'returnValue', function (t, v) { if (v === false) note(t); });
try {
	['contextmenu', 'keydown'].forEach(function (type) {
		apply(addEL, w, [type, function (e) {
			apply(setT, w, [function () { try { if (apply(dpGet, e, [])) note(e); } catch (x) {} }, 0]);
		}, true]);
	});
	apply(addEL, w, ['click', function (e) {
		if (inClick) return;
		try { var a = apply(closest, e.target, ['a']); if (a && isDownload(a)) hit('download'); } catch (x) {}
	}, true]);
	apply(addEL, w, ['pagehide', flush, true]);
} catch (e) {}
})();`
