// Package jsscan finds, in a script's source, the behaviours with which
// tech-support-scam pages trap their visitors, and the texts they show in
// dialogs. It parses the script with github.com/tdewolff/parse/v2/js and
// reads the syntax tree; it never runs the script.
//
// # What it detects
//
// Each kind is reported once with the number of sites (syntactic places in
// the source) and the first site as evidence:
//
//   - dialog_loop: alert, confirm or prompt (bare or through window, self,
//     top) inside a loop, a setInterval callback, a function on a call cycle
//     (including one that reschedules itself with setTimeout), or a handler
//     of beforeunload/unload, of a frequent window/document event (blur,
//     mousemove, keydown, ...) or of a click on the window/document. A
//     dialog followed by return/break/throw in its block does not repeat
//     with the loop around it. A dialog in a button's click handler, in a
//     {once: true} listener or in a one-shot setTimeout is not a loop.
//   - beforeunload_trap: a beforeunload/unload handler (onbeforeunload
//     property or attribute, addEventListener, jQuery on/bind) that
//     returns a string (or, outside arrow functions, a call's value), sets
//     event.returnValue or calls preventDefault.
//   - history_flood: history.pushState/replaceState in a loop, interval,
//     call cycle or unload handler; pushState, history.go or forward written
//     in a popstate/hashchange handler itself (a router's handler calling
//     its navigate function is not a trap). A single pushState is not
//     reported.
//   - fullscreen, pointer_lock: calls of requestFullscreen (and the webkit,
//     moz, ms spellings) and requestPointerLock, also through an alias
//     (var rfs = el.requestFullscreen || ...; rfs.call(el)).
//   - keyboard_lock: navigator.keyboard.lock().
//   - contextmenu_block: a contextmenu handler (any form, any element) that
//     returns false, calls preventDefault or sets returnValue = false; a
//     mousedown/mouseup handler that does so for the right button.
//   - devtools_key_block: a keydown/keyup/keypress handler that cancels
//     and compares the key to F12 (123), Ctrl/Cmd+Shift/Alt+I, J or C, or
//     Ctrl/Cmd+U (numbers, "I", 'I'.charCodeAt(0), KeyI); or a handler on
//     the window or document that cancels every key unconditionally.
//   - audio_loop: x.loop = true or setAttribute("loop") on an audio object
//     (new Audio, createElement("audio"), an element looked up, a variable
//     named like a sound), or .play() on one in a loop, interval, call
//     cycle or repeating/global handler.
//   - print_loop: window.print in a loop, interval or call cycle.
//   - download_loop: clicks on created or download links, or location set
//     to a file or blob URL, in a loop, interval or call cycle.
//   - notification_spam: Notification.requestPermission calls.
//   - window_open_storm: window.open in a loop, interval, call cycle, or a
//     repeating, unload, popstate or window/document click handler.
//   - obfuscation: eval, Function, string timers fed by atob, unescape,
//     decodeURI(Component) or String.fromCharCode; document.write of such
//     a decoder applied to an encoded literal; decoders and eval applied to
//     encoded literals longer than 200 bytes; the packer's
//     eval(function(p,a,c,k,e,d){...}(...)); javascript-obfuscator output
//     (many _0x… names), in which string-table entries naming the
//     fullscreen, pointer-lock and keyboard-lock APIs are reported as those
//     kinds, since the calls themselves cannot be seen.
//
// Contexts follow functions through the script: a handler or timer given by
// name, a function called from a loop or handler, and code held in strings
// (setTimeout("f()"), setAttribute("onclick", "...")) are resolved by the
// parser's scopes and by global name within the one script analysed.
// AnalyzeHandler and AnalyzeElementHandler read the body of an on...
// attribute as a handler of its event; on <body> and <html> it is global.
//
// Result.Dialogs holds the static text of dialog arguments (literals,
// concatenations, templates, variables assigned a string); Result.Strings
// holds other string literals that read as prose, for text matching.
//
// # What it does not do
//
// It does not execute, evaluate or deobfuscate code: a lock reached through
// computed names, decoded strings or eval is invisible to it, beyond the
// literal signatures above. It does not follow calls between separately
// analysed scripts, nor object methods (obj.m()). It does not judge: a site
// is reported whatever the intent, and libraries can have some (a video
// player's fullscreen button); scoring weighs them.
//
// # Robustness and cost
//
// Analyze never panics; a panic inside is returned as ErrInternal. Inputs
// over MaxInputSize are not analysed (ErrTooLarge). A script that does not
// parse is retried with PHP tags and CDATA markers blanked (a success is
// complete and not an error), then with up to four offending lines blanked
// (partial, Err is the first *SyntaxError); failing that, string literals
// are still collected from the token stream. Work is linear in the input
// apart from a bounded number of reparses, tree walks are depth-limited,
// and Strings and Dialogs are size-capped. Large JSON literals (also as
// JavaScript writes them: identifier keys, single quotes) assigned in a
// script (page state, configuration) are not parsed into nodes: the
// script is analysed with each cut out, its prose read off the literal's
// strings, and the result is the one the whole script gives (see data.go).
package jsscan
