package jsscan

import "strings"

// isFullscreenName reports whether a method name requests fullscreen.
func isFullscreenName(s string) bool {
	switch s {
	case "requestFullscreen", "requestFullScreen", "webkitRequestFullscreen", "webkitRequestFullScreen",
		"mozRequestFullScreen", "mozRequestFullscreen", "msRequestFullscreen", "webkitEnterFullscreen", "webkitEnterFullScreen":
		return true
	}
	return false
}

// isPointerLockName reports whether a method name requests pointer lock.
func isPointerLockName(s string) bool {
	switch s {
	case "requestPointerLock", "mozRequestPointerLock", "webkitRequestPointerLock":
		return true
	}
	return false
}

// isAPILiteral reports whether a string literal names a lock API, which
// matters in obfuscated scripts that call through string tables.
func isAPILiteral(s string) bool {
	return isFullscreenName(s) || isPointerLockName(s) || s == "keyboard" || s == "lock"
}

// timerFlags returns the context a timer function gives its callback, and
// whether name is a timer function.
func timerFlags(name string) (ctxFlags, bool) {
	switch name {
	case "setInterval":
		return fInterval, true
	case "setTimeout", "requestAnimationFrame", "setImmediate", "requestIdleCallback", "webkitRequestAnimationFrame", "mozRequestAnimationFrame":
		return fTimeout, true
	}
	return 0, false
}

// windowEvent reports whether an event only fires on the window, so that a
// handler of it is global whatever it was attached to.
func windowEvent(ev string) bool {
	switch ev {
	case "beforeunload", "unload", "pagehide", "popstate", "hashchange":
		return true
	}
	return false
}

// eventFlags returns the context the events give their handler.
func eventFlags(events []string, global bool) ctxFlags {
	var f ctxFlags
	for _, ev := range events {
		switch ev {
		case "beforeunload", "unload", "pagehide":
			f |= fUnload
		case "popstate", "hashchange":
			f |= fPopstate
		case "blur", "focusout", "visibilitychange", "mousemove", "mouseover", "mouseout", "mouseenter", "mouseleave",
			"keydown", "keyup", "keypress", "scroll", "resize", "wheel", "mousewheel", "touchmove", "pointermove":
			if global {
				f |= fRepeat
			}
		case "click", "dblclick", "mousedown", "mouseup", "touchstart", "touchend", "pointerdown", "pointerup", "contextmenu", "auxclick":
			if global {
				f |= fGlobalClick
			}
		}
	}
	return f
}

// domEvent reports whether ev is a DOM event name, so that an on<ev>
// property assignment is a handler and not some library's callback option.
func domEvent(ev string) bool {
	switch ev {
	case "beforeunload", "unload", "pagehide", "popstate", "hashchange", "load", "error", "blur", "focus", "focusout",
		"focusin", "visibilitychange", "mousemove", "mouseover", "mouseout", "mouseenter", "mouseleave", "keydown",
		"keyup", "keypress", "scroll", "resize", "wheel", "mousewheel", "touchmove", "pointermove", "click", "dblclick",
		"mousedown", "mouseup", "touchstart", "touchend", "pointerdown", "pointerup", "contextmenu", "auxclick",
		"selectstart", "dragstart", "copy", "cut", "paste", "beforeprint", "afterprint", "submit", "input", "change":
		return true
	}
	return false
}

// isShorthandEvent reports whether a jQuery-style method of that name with
// a function argument attaches a handler.
func isShorthandEvent(name string) bool {
	switch name {
	case "contextmenu", "keydown", "keyup", "keypress", "blur", "focusout", "mousemove", "mouseover", "mouseout",
		"mouseenter", "mouseleave", "click", "dblclick", "mousedown", "mouseup", "unload", "scroll", "resize":
		return true
	}
	return false
}

// splitEvents splits a jQuery event list ("click.ns keydown") into names.
func splitEvents(s string) []string {
	var out []string
	for _, f := range strings.Fields(strings.ToLower(s)) {
		if i := strings.IndexByte(f, '.'); i >= 0 {
			f = f[:i]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// audioName reports whether an identifier suggests an audio object.
func audioName(s string) bool {
	s = strings.ToLower(s)
	for _, w := range []string{"audio", "sound", "alarm", "beep", "siren", "music", "ringtone"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// isDecoderName reports whether a global function decodes text.
func isDecoderName(s string) bool {
	switch s {
	case "atob", "unescape", "decodeURIComponent", "decodeURI":
		return true
	}
	return false
}

// isObfIdent reports whether s looks like a javascript-obfuscator name (_0x1a2b3c).
func isObfIdent(s string) bool {
	if len(s) < 6 || len(s) > 12 || !strings.HasPrefix(s, "_0x") {
		return false
	}
	for _, c := range s[3:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// downloadURL reports whether a URL names a file download.
func downloadURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(s, "blob:") || strings.HasPrefix(s, "data:application/octet-stream") {
		return true
	}
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	for _, ext := range []string{".exe", ".msi", ".zip", ".rar", ".apk", ".dmg", ".pkg", ".scr", ".bat", ".cmd", ".jar", ".vbs", ".hta", ".iso"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}
