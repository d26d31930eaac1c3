package jsscan

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// counts returns the kinds found with their site counts.
func counts(r Result) map[string]int {
	m := map[string]int{}
	for _, f := range r.Findings {
		m[f.Kind] = f.Count
	}
	return m
}

type kindCase struct {
	name string
	src  string
	want map[string]int // every kind expected, with its count; nothing else may be found
}

func runKindCases(t *testing.T, cases []kindCase, analyze func(string) Result) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := analyze(tc.src)
			if r.Err != nil {
				t.Fatalf("Analyze(%q).Err = %v", tc.src, r.Err)
			}
			got := counts(r)
			want := tc.want
			if want == nil {
				want = map[string]int{}
			}
			if !maps.Equal(got, want) {
				t.Errorf("Analyze(%q) = %v, want %v\nfindings: %+v", tc.src, got, want, r.Findings)
			}
			for _, f := range r.Findings {
				if f.Evidence == "" || len(f.Evidence) > maxEvidence {
					t.Errorf("Analyze(%q): %s evidence %q: want 1..%d bytes", tc.src, f.Kind, f.Evidence, maxEvidence)
				}
			}
		})
	}
}

func analyzeString(s string) Result { return Analyze([]byte(s)) }

func one(kind string) map[string]int { return map[string]int{kind: 1} }

func TestDialogLoop(t *testing.T) {
	runKindCases(t, []kindCase{
		{"for loop", `for (var i = 0; i < 10; i++) { alert("Your computer is infected"); }`, one(KindDialogLoop)},
		{"while true confirm", `while (true) { confirm("Call support"); }`, one(KindDialogLoop)},
		{"do while window.alert", `do { window.alert("x") } while (1)`, one(KindDialogLoop)},
		{"while condition", `while (!confirm("Leave?")) {}`, one(KindDialogLoop)},
		{"setInterval function", `setInterval(function(){ alert("Virus") }, 1000)`, one(KindDialogLoop)},
		{"setInterval arrow", `setInterval(() => prompt("Code"), 1000)`, one(KindDialogLoop)},
		{"setInterval by name", `function warn(){ alert("Virus") } setInterval(warn, 1000)`, one(KindDialogLoop)},
		{"setInterval string", `setInterval("alert('Virus detected')", 500)`, one(KindDialogLoop)},
		{"setTimeout rescheduling itself", `function again(){ alert("Virus"); setTimeout(again, 100) } again()`, one(KindDialogLoop)},
		{"setTimeout string rescheduling", `function again(){ alert("Virus"); setTimeout("again()", 100) } again()`, one(KindDialogLoop)},
		{"recursion", `function ask(){ if (!confirm("Stay?")) ask() } ask()`, one(KindDialogLoop)},
		{"mutual recursion", `function a(){ alert("x"); b() } function b(){ a() } a()`, one(KindDialogLoop)},
		{"called from loop", `function show(){ alert("x") } for (;;) show()`, one(KindDialogLoop)},
		{"called from interval callee", `function show(){ alert("x") } setInterval(function(){ show() }, 9)`, one(KindDialogLoop)},
		{"beforeunload handler", `window.onbeforeunload = function(){ alert("Do not leave") }`, one(KindDialogLoop)},
		{"blur listener", `window.addEventListener("blur", function(){ alert("Come back") })`, one(KindDialogLoop)},
		{"document mousemove", `document.onmousemove = function(){ alert("x") }`, one(KindDialogLoop)},
		{"jquery document click", `$(document).on("click", function(){ alert("x") })`, one(KindDialogLoop)},
		{"body click", `document.body.addEventListener("click", function(){ confirm("x") })`, one(KindDialogLoop)},
		{"body click once", `document.body.addEventListener("click", function(){ confirm("x") }, {once: true})`, nil},
		{"global onclick var", `onclick = function(){ alert("x") }`, one(KindDialogLoop)},
		{"two sites", `for(;;){ alert(1); alert(2) }`, map[string]int{KindDialogLoop: 2}},
		{"single alert", `alert("Welcome")`, nil},
		{"button click", `document.getElementById("btn").onclick = function(){ alert("Saved") }`, nil},
		{"jquery button click", `$("#btn").click(function(){ alert("Saved") })`, nil},
		{"delegated document click", `$(document).on("click", ".btn", function(){ alert("x") })`, nil},
		{"one-shot timeout", `setTimeout(function(){ alert("Welcome") }, 3000)`, nil},
		{"validation loop returns", `function v(f){ for (var i = 0; i < f.length; i++) { if (!f[i].value) { alert("Please fill in " + f[i].name); return false; } } }`, nil},
		{"validation loop breaks", `for (var i = 0; i < 3; i++) { if (bad(i)) { alert("bad"); break; } }`, nil},
		{"handlers assigned in loop", `for (var i = 0; i < 3; i++) { els[i].onclick = function(){ alert("x") } }`, nil},
		{"shadowed alert", `var alert = function(){}; for (;;) alert("x")`, nil},
		{"alert method of object", `for (;;) logger.alert("x")`, nil},
		{"input blur validation", `input.onblur = function(){ if (!ok) alert("Invalid e-mail") }`, nil},
		{"switch break in loop still loops", `for (;;) { switch (x) { case 1: alert("x"); break; } }`, one(KindDialogLoop)},
	}, analyzeString)
}

func TestBeforeUnloadTrap(t *testing.T) {
	runKindCases(t, []kindCase{
		{"property returns string", `window.onbeforeunload = function(){ return "Are you sure?" }`, one(KindBeforeUnload)},
		{"listener preventDefault", `window.addEventListener("beforeunload", function(e){ e.preventDefault(); e.returnValue = ""; })`, one(KindBeforeUnload)},
		{"named handler", `function stay(){ return "Call now" } window.onbeforeunload = stay;`, one(KindBeforeUnload)},
		{"jquery", `$(window).on("beforeunload", function(){ return "x" })`, one(KindBeforeUnload)},
		{"returnValue from variable", `var msg = "Do not close"; window.onbeforeunload = function(e){ (e || window.event).returnValue = msg; return msg; }`, one(KindBeforeUnload)},
		{"conditional string", `window.onbeforeunload = function(){ if (x) { return "Call the helpline" } else { return; } }`, one(KindBeforeUnload)},
		{"returns call", `window.onbeforeunload = function(){ return myFunction() }`, one(KindBeforeUnload)},
		{"unload attachEvent", `window.attachEvent("onunload", function(){ return "stay" })`, one(KindBeforeUnload)},
		{"beacon only", `window.addEventListener("beforeunload", function(){ navigator.sendBeacon("/log") })`, nil},
		{"arrow returning call", `window.addEventListener("beforeunload", () => save())`, nil},
		{"cleared", `window.onbeforeunload = null`, nil},
		{"returns undefined", `window.onbeforeunload = function(){ cleanup(); return undefined }`, nil},
	}, analyzeString)
}

func TestHistoryFlood(t *testing.T) {
	runKindCases(t, []kindCase{
		{"for loop", `for (var i = 0; i < 50; i++) history.pushState({}, "", location.href)`, one(KindHistoryFlood)},
		{"popstate listener", `window.addEventListener("popstate", function(){ history.pushState(null, null, location.href) })`, one(KindHistoryFlood)},
		{"onpopstate go", `window.onpopstate = function(){ history.go(1) }`, one(KindHistoryFlood)},
		{"interval window.history", `setInterval(function(){ window.history.pushState(null, "", "#x") }, 10)`, one(KindHistoryFlood)},
		{"pushState in hashchange", `window.onhashchange = function(){ history.pushState(null, "", "#a") }`, one(KindHistoryFlood)},
		{"named popstate handler", `function trap(){ history.pushState(null, "", location.href) } window.onpopstate = trap`, one(KindHistoryFlood)},
		{"replaceState in hashchange", `window.onhashchange = function(){ history.replaceState(null, "", "#a") }`, nil},
		{"replaceState in loop", `for (var i = 0; i < 9; i++) history.replaceState(null, "", "#" + i)`, one(KindHistoryFlood)},
		{"router called from popstate", `function navigate(u){ history.pushState(null, "", u) } window.addEventListener("popstate", function(){ navigate(location.href) })`, nil},
		{"single pushState", `history.pushState({page: 2}, "", "/page/2")`, nil},
		{"router click", `$("a").click(function(e){ history.pushState(null, "", this.href) })`, nil},
		{"go in click", `btn.onclick = function(){ history.go(-1) }`, nil},
	}, analyzeString)
}

func TestAPICalls(t *testing.T) {
	runKindCases(t, []kindCase{
		{"fullscreen", `document.documentElement.requestFullscreen()`, one(KindFullscreen)},
		{"fullscreen polyfill", `var el = document.documentElement; if (el.requestFullscreen) el.requestFullscreen(); else if (el.webkitRequestFullscreen) el.webkitRequestFullscreen(); else if (el.msRequestFullscreen) el.msRequestFullscreen();`, map[string]int{KindFullscreen: 3}},
		{"fullscreen alias call", `var el = document.documentElement, rfs = el.requestFullScreen || el.webkitRequestFullScreen || el.mozRequestFullScreen; rfs.call(el);`, one(KindFullscreen)},
		{"fullscreen grouped call", `(el.requestFullscreen || el.webkitRequestFullscreen).call(el)`, one(KindFullscreen)},
		{"fullscreen index", `el["webkitRequestFullscreen"]()`, one(KindFullscreen)},
		{"exit fullscreen", `if (document.exitFullscreen) document.exitFullscreen()`, nil},
		{"fullscreen feature test", `var canFs = !!document.documentElement.requestFullscreen;`, nil},
		{"keyboard lock", `navigator.keyboard.lock();`, one(KindKeyboardLock)},
		{"keyboard lock keys", `navigator.keyboard.lock(["Escape"]).then(function(){})`, one(KindKeyboardLock)},
		{"keyboard layout", `navigator.keyboard.getLayoutMap()`, nil},
		{"other lock", `mutex.lock()`, nil},
		{"pointer lock", `canvas.requestPointerLock()`, one(KindPointerLock)},
		{"pointer lock alias", `canvas.requestPointerLock = canvas.requestPointerLock || canvas.mozRequestPointerLock; var f = canvas.requestPointerLock || canvas.mozRequestPointerLock; f.call(canvas)`, one(KindPointerLock)},
		{"exit pointer lock", `document.exitPointerLock()`, nil},
		{"notification", `Notification.requestPermission().then(function(p){})`, one(KindNotificationSpam)},
		{"window notification", `window.Notification.requestPermission()`, one(KindNotificationSpam)},
		{"notification permission read", `if (Notification.permission === "granted") {}`, nil},
	}, analyzeString)
}

func TestContextMenuBlock(t *testing.T) {
	runKindCases(t, []kindCase{
		{"arrow preventDefault", `document.addEventListener("contextmenu", event => event.preventDefault());`, one(KindContextMenu)},
		{"jquery bind body", `$("body").bind("contextmenu", function(e){ return false; })`, one(KindContextMenu)},
		{"property", `document.oncontextmenu = function(){ return false }`, one(KindContextMenu)},
		{"named minified", `function no(){ return !1 } document.oncontextmenu = no;`, one(KindContextMenu)},
		{"image element", `img.addEventListener("contextmenu", function(e){ e.preventDefault() })`, one(KindContextMenu)},
		{"right button mousedown", `document.onmousedown = function(e){ if (e.button == 2) return false; }`, one(KindContextMenu)},
		{"ie returnValue", `document.oncontextmenu = function(){ event.returnValue = false }`, one(KindContextMenu)},
		{"setAttribute string", `document.body.setAttribute("oncontextmenu", "return false")`, one(KindContextMenu)},
		{"jquery shorthand", `$(document).contextmenu(function(){ return false })`, one(KindContextMenu)},
		{"logs only", `document.addEventListener("contextmenu", function(e){ console.log(e.pageX) })`, nil},
		{"mousedown cancel without button test", `document.onmousedown = function(e){ return false }`, nil},
		{"camel-case method is no handler", `t.onMouseDown = function(e){ if (e.button == 2) return false }; t.onContextMenu = function(){ return false }`, nil},
		{"returns true", `document.oncontextmenu = function(){ return true }`, nil},
	}, analyzeString)
}

func TestDevtoolsKeyBlock(t *testing.T) {
	classic := `document.onkeydown = function(e) {
  if (event.keyCode == 123) { return false; }
  if (e.ctrlKey && e.shiftKey && e.keyCode == 'I'.charCodeAt(0)) { return false; }
  if (e.ctrlKey && e.shiftKey && e.keyCode == 'J'.charCodeAt(0)) { return false; }
  if (e.ctrlKey && e.keyCode == 'U'.charCodeAt(0)) { return false; }
}`
	runKindCases(t, []kindCase{
		{"F12", `document.onkeydown = function(e){ if (e.keyCode == 123) return false; }`, one(KindDevtoolsKeys)},
		{"classic snippet", classic, one(KindDevtoolsKeys)},
		{"ctrl shift key name", `document.addEventListener("keydown", function(e){ if (e.ctrlKey && e.shiftKey && e.key === "I") e.preventDefault(); })`, one(KindDevtoolsKeys)},
		{"mac cmd opt", `window.addEventListener("keydown", e => { if (e.metaKey && e.altKey && e.code === "KeyI") { e.preventDefault() } })`, one(KindDevtoolsKeys)},
		{"ctrl U jquery", `$(document).keydown(function(e){ if (e.ctrlKey && e.keyCode == 85) { return false; } })`, one(KindDevtoolsKeys)},
		{"switch F12", `document.onkeydown = function(e){ switch (e.which) { case 123: e.preventDefault(); break; } }`, one(KindDevtoolsKeys)},
		{"every key on document", `document.onkeydown = function(){ return false }`, one(KindDevtoolsKeys)},
		{"escape closes modal", `document.addEventListener("keydown", function(e){ if (e.keyCode === 27) { closeModal(); e.preventDefault(); } })`, nil},
		{"F12 without cancel", `document.addEventListener("keydown", function(e){ if (e.keyCode === 123) console.log("F12") })`, nil},
		{"every key on input", `input.onkeydown = function(){ return false }`, nil},
		{"ctrl C copy", `document.addEventListener("keydown", function(e){ if (e.ctrlKey && e.keyCode == 67) { copy(); e.preventDefault() } })`, nil},
		{"F5 block", `document.attachEvent("onkeydown", function(){ switch (event.keyCode) { case 116: event.returnValue = !1; } })`, nil},
	}, analyzeString)
}

func TestAudioLoop(t *testing.T) {
	runKindCases(t, []kindCase{
		{"new Audio loop", `var a = new Audio("alarm.mp3"); a.loop = true; a.play();`, one(KindAudioLoop)},
		{"play in interval", `setInterval(function(){ document.getElementById("beep").play() }, 500)`, one(KindAudioLoop)},
		{"setAttribute loop", `var s = document.getElementById("snd"); s.setAttribute("loop", "");`, one(KindAudioLoop)},
		{"document click play", `document.addEventListener("click", function(){ audio.play() })`, one(KindAudioLoop)},
		{"loop !0", `var x = document.createElement("audio"); x.loop = !0;`, one(KindAudioLoop)},
		{"one play", `document.getElementById("player").play()`, nil},
		{"button play", `$("#play").click(function(){ document.getElementById("song").play() })`, nil},
		{"slider loop option", `slider.loop = true`, nil},
		{"carousel interval", `setInterval(function(){ carousel.play() }, 3000)`, nil},
		{"loop false", `var a = new Audio("x.mp3"); a.loop = false;`, nil},
	}, analyzeString)
}

func TestLoops(t *testing.T) {
	runKindCases(t, []kindCase{
		{"print loop", `for (;;) window.print()`, one(KindPrintLoop)},
		{"print interval", `setInterval(function(){ print() }, 1000)`, one(KindPrintLoop)},
		{"print button", `document.getElementById("p").onclick = function(){ window.print() }`, nil},
		{"download interval", `setInterval(function(){ var a = document.createElement("a"); a.href = "x.exe"; a.download = "x.exe"; a.click(); }, 1000)`, one(KindDownloadLoop)},
		{"download location loop", `for (var i = 0; i < 5; i++) location.href = "setup.exe"`, one(KindDownloadLoop)},
		{"single download", `var a = document.createElement("a"); a.href = url; a.download = "report.csv"; a.click();`, nil},
		{"location loop page", `for (var i = 0; i < 5; i++) location.href = "/next"`, nil},
		{"open loop", `for (var i = 0; i < 10; i++) window.open("http://x")`, one(KindWindowOpenStorm)},
		{"open document click", `document.onclick = function(){ window.open("http://x") }`, one(KindWindowOpenStorm)},
		{"open interval", `setInterval(function(){ open("http://x") }, 100)`, one(KindWindowOpenStorm)},
		{"open share button", `$(".share").click(function(){ window.open(this.href, "share", "width=600") })`, nil},
		{"open once", `window.open("http://x")`, nil},
		{"document.open", `for (;;) document.open()`, nil},
	}, analyzeString)
}

func TestObfuscation(t *testing.T) {
	b64 := strings.Repeat("QWxlcnQoJ1lvdXIgY29tcHV0ZXIgaXMgaW5mZWN0ZWQnKTs=", 6)
	var obf strings.Builder
	obf.WriteString(`var _0x4e2a=['requestFullscreen','body','log'];`)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&obf, "var _0x1f%02x3c=_0x4e2a[%d];", i, i%3)
	}
	runKindCases(t, []kindCase{
		{"eval atob", `eval(atob("YWxlcnQoMSk="))`, one(KindObfuscation)},
		{"packer", `eval(function(p,a,c,k,e,d){ e=function(c){return c}; return p }("0 1",2,2,"a|b".split("|"),0,{}))`, one(KindObfuscation)},
		{"document.write unescape", `document.write(unescape("%3C%73%63%72%69%70%74%3E%61%6C%65%72%74%28%31%29%3C%2F%73%63%72%69%70%74%3E"))`, one(KindObfuscation)},
		{"Function fromCharCode", `var f = new Function(String.fromCharCode(97,108,101,114,116,40,49,41)); f();`, one(KindObfuscation)},
		{"long base64 to atob", `var x = atob("` + b64 + `");`, one(KindObfuscation)},
		{"eval long base64 variable", `var p = "` + b64 + `"; eval(atob(p));`, one(KindObfuscation)},
		{"string timer decoder", `setTimeout(unescape("%61%6C%65%72%74%28%31%29"), 10)`, one(KindObfuscation)},
		{"javascript-obfuscator", obf.String(), map[string]int{KindObfuscation: 1, KindFullscreen: 1}},
		{"google analytics loader", `document.write(unescape("%3Cscript src='" + gaJsHost + "google-analytics.com/ga.js' type='text/javascript'%3E%3C/script%3E"));`, nil},
		{"one char code", `var s = String.fromCharCode(65)`, nil},
		{"decode hash", `JSON.parse(decodeURIComponent(location.hash.slice(1)))`, nil},
		{"eval plain", `eval("1+1")`, nil},
		{"short base64", `var img = atob("R0lGODlhAQABAAAAACw=")`, nil},
		{"long base64 image", `var png = atob("iVBORw0KGgo` + b64 + `")`, nil},
		{"top-level this is window", `this.addEventListener("contextmenu", function(e){ e.preventDefault() }); this.onclick = function(){ alert(1) }`, map[string]int{KindContextMenu: 1, KindDialogLoop: 1}},
	}, analyzeString)
}

func TestAnalyzeHandler(t *testing.T) {
	cases := []struct {
		event, body string
		want        map[string]int
	}{
		{"onbeforeunload", "return myFunction()", one(KindBeforeUnload)},
		{"beforeunload", `return "Your files will be lost"`, one(KindBeforeUnload)},
		{"contextmenu", "return false", one(KindContextMenu)},
		{"ONCONTEXTMENU", "event.preventDefault()", one(KindContextMenu)},
		{"contextmenu", "showMenu(event)", nil},
		{"keydown", "if (event.keyCode == 123) return false;", one(KindDevtoolsKeys)},
		{"keydown", "return false", nil},
		{"click", "alert('hi')", nil},
		{"load", "for (;;) alert('x')", one(KindDialogLoop)},
		{"onbeforeunload", "alert('Do not leave')", one(KindDialogLoop)},
		{"load", "document.documentElement.requestFullscreen()", one(KindFullscreen)},
		{"popstate", "history.pushState(null, '', location.href)", one(KindHistoryFlood)},
	}
	for _, tc := range cases {
		r := AnalyzeHandler(tc.event, []byte(tc.body))
		if r.Err != nil {
			t.Errorf("AnalyzeHandler(%q, %q).Err = %v", tc.event, tc.body, r.Err)
			continue
		}
		want := tc.want
		if want == nil {
			want = map[string]int{}
		}
		if got := counts(r); !maps.Equal(got, want) {
			t.Errorf("AnalyzeHandler(%q, %q) = %v, want %v", tc.event, tc.body, got, want)
		}
	}
	elementCases := []struct {
		tag, event, body string
		want             map[string]int
	}{
		{"body", "onclick", "alert('Call now')", one(KindDialogLoop)},
		{"BODY", "blur", "alert('Come back')", one(KindDialogLoop)},
		{"body", "keydown", "return false", one(KindDevtoolsKeys)},
		{"body", "onload", "this.addEventListener('click', function(){ window.open('x') })", one(KindWindowOpenStorm)},
		{"button", "onclick", "alert('Saved')", nil},
		{"input", "keydown", "return false", nil},
		{"div", "onload", "this.addEventListener('click', function(){ window.open('x') })", nil},
	}
	for _, tc := range elementCases {
		r := AnalyzeElementHandler(tc.tag, tc.event, []byte(tc.body))
		want := tc.want
		if want == nil {
			want = map[string]int{}
		}
		if got := counts(r); r.Err != nil || !maps.Equal(got, want) {
			t.Errorf("AnalyzeElementHandler(%q, %q, %q) = %v, %v; want %v", tc.tag, tc.event, tc.body, got, r.Err, want)
		}
	}
	if r := AnalyzeHandler("click", []byte("alert('hi there')")); !slices.Equal(r.Dialogs, []string{"hi there"}) {
		t.Errorf("AnalyzeHandler(click).Dialogs = %q, want [hi there]", r.Dialogs)
	}
}

func TestDialogs(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"literal", `alert("Your PC is infected")`, []string{"Your PC is infected"}},
		{"concatenation with variable", `var phone = "1-800-000-0000"; alert("Call " + phone + " now")`, []string{"Call 1-800-000-0000 now"}},
		{"unknown part left out", `alert("Call " + getPhone() + " now")`, []string{"Call now"}},
		{"template", "confirm(`Error ${code}: call ${'us'}`)", []string{"Error : call us"}},
		{"escapes", `window.alert('Line1\nLine2 \x41\u0042')`, []string{"Line1 Line2 AB"}},
		{"unicode escapes", `alert("\u8b66\u544a\uD83D\uDEA8")`, []string{"警告🚨"}},
		{"prompt message only", `prompt("Enter code", "default value here")`, []string{"Enter code"}},
		{"unknown variable", `alert(msg)`, nil},
		{"deduplicated", `alert("A warning"); alert("A warning"); confirm("Another")`, []string{"A warning", "Another"}},
		{"markup stripped", `alert("<b>Warning</b> &amp; error")`, []string{"Warning & error"}},
		{"in loop and handler attribute string", `setInterval("alert('Virus found')", 9)`, []string{"Virus found"}},
		{"not a dialog", `logger.alert("no")`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze([]byte(tc.src))
			if !slices.Equal(r.Dialogs, tc.want) {
				t.Errorf("Analyze(%q).Dialogs = %q, want %q", tc.src, r.Dialogs, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"prose", `var t = "Your computer has been locked due to suspicious activity";`, []string{"Your computer has been locked due to suspicious activity"}},
		{"concatenated prose", `var m = 'It looks like you are editing something. ' + 'Your changes will be lost.';`, []string{"It looks like you are editing something. Your changes will be lost."}},
		{"markup", `el.innerHTML = "<div class='x'>Do not restart your computer</div>";`, []string{"Do not restart your computer"}},
		{"japanese", `var j = "ウイルスが検出されました";`, []string{"ウイルスが検出されました"}},
		{"class list", `var cls = "btn btn-primary col-md-6 pull-right";`, nil},
		{"url", `var u = "https://example.com/path/to/some file";`, nil},
		{"identifier", `var k = "someVeryLongIdentifierName";`, nil},
		{"short", `var s = "hi there";`, nil},
		{"dialog text excluded", `alert("Your computer has been blocked")`, nil},
		{"code string excluded", `setTimeout("doSomething(); doSomethingElse(); andMore()", 10)`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Analyze([]byte(tc.src))
			if !slices.Equal(r.Strings, tc.want) {
				t.Errorf("Analyze(%q).Strings = %q, want %q", tc.src, r.Strings, tc.want)
			}
		})
	}
}

func TestStringsCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 4*maxStringsBytes; i++ {
		fmt.Fprintf(&b, "var s = \"this is a sentence of prose number %d\";\n", i)
	}
	r := Analyze([]byte(b.String()))
	total := 0
	for _, s := range r.Strings {
		total += len(s)
	}
	if total > maxStringsBytes || total < maxStringsBytes/2 {
		t.Errorf("Strings total = %d bytes, want between %d and %d", total, maxStringsBytes/2, maxStringsBytes)
	}
}

func TestErrors(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		r := Analyze(make([]byte, MaxInputSize+1))
		if !errors.Is(r.Err, ErrTooLarge) {
			t.Errorf("Analyze(2 MiB+1).Err = %v, want ErrTooLarge", r.Err)
		}
	})
	t.Run("syntax", func(t *testing.T) {
		r := Analyze([]byte("var ok = 1;\nvar a = ;"))
		var se *SyntaxError
		if !errors.Is(r.Err, ErrSyntax) || !errors.As(r.Err, &se) {
			t.Fatalf("Analyze(bad).Err = %v, want a *SyntaxError", r.Err)
		}
		if se.Line != 2 {
			t.Errorf("SyntaxError.Line = %d, want 2", se.Line)
		}
	})
	t.Run("php template is complete", func(t *testing.T) {
		src := `var phone = "<?php echo $phone; ?>"; var n = <?= $n ?>;
for (;;) alert("Call " + phone);`
		r := Analyze([]byte(src))
		if r.Err != nil {
			t.Fatalf("Analyze(php).Err = %v, want nil", r.Err)
		}
		if r.Count(KindDialogLoop) != 1 {
			t.Errorf("Analyze(php) = %v, want dialog_loop", counts(r))
		}
	})
	t.Run("partial", func(t *testing.T) {
		src := "for (;;) alert(\"y\");\n}}} {{template}} \"Do not turn off your computer now\"\nwindow.onbeforeunload = function(){ return \"stay\" }"
		r := Analyze([]byte(src))
		var se *SyntaxError
		if !errors.As(r.Err, &se) || se.BlankedLines == 0 {
			t.Fatalf("Analyze(partial).Err = %v, want a SyntaxError with blanked lines", r.Err)
		}
		want := map[string]int{KindDialogLoop: 1, KindBeforeUnload: 1}
		if got := counts(r); !maps.Equal(got, want) {
			t.Errorf("Analyze(partial) = %v, want %v", got, want)
		}
		if !slices.Contains(r.Strings, "Do not turn off your computer now") {
			t.Errorf("Analyze(partial).Strings = %q, want the blanked line's string", r.Strings)
		}
	})
	t.Run("not javascript", func(t *testing.T) {
		src := `<div class="x">{{title}}</div> <p>Call now</p> alert("Your system is infected") "Your personal data is at risk right now"`
		r := Analyze([]byte(src))
		if !errors.Is(r.Err, ErrSyntax) {
			t.Errorf("Analyze(html).Err = %v, want ErrSyntax", r.Err)
		}
		if !slices.Contains(r.Dialogs, "Your system is infected") || !slices.Contains(r.Strings, "Your personal data is at risk right now") {
			t.Errorf("Analyze(html) = dialogs %q strings %q, want the token fallback's texts", r.Dialogs, r.Strings)
		}
	})
	t.Run("input not modified", func(t *testing.T) {
		buf := make([]byte, 0, 64)
		buf = append(buf, "alert(1)"...)
		full := buf[:cap(buf)]
		full[len(buf)] = 'Z'
		Analyze(buf)
		if full[len(buf)] != 'Z' {
			t.Errorf("Analyze wrote past len(src)")
		}
	})
}

func TestEvidence(t *testing.T) {
	src := `document.addEventListener("contextmenu", function(e){ e.preventDefault(); ` + strings.Repeat("x++;", 500) + `})`
	r := Analyze([]byte(src))
	if len(r.Findings) != 1 {
		t.Fatalf("Analyze = %+v, want one finding", r.Findings)
	}
	ev := r.Findings[0].Evidence
	if !strings.HasPrefix(ev, `document.addEventListener("contextmenu"`) || len(ev) > maxEvidence {
		t.Errorf("Evidence = %q, want the registration, at most %d bytes", ev, maxEvidence)
	}
}

func TestDeepNesting(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000),
		strings.Repeat("[", 5000),
		"a" + strings.Repeat("+a", 200000),
		strings.Repeat("function f(){", 3000) + strings.Repeat("}", 3000),
		strings.Repeat("if(x){", 3000) + "alert(1)" + strings.Repeat("}", 3000),
	} {
		r := Analyze([]byte(src))
		if errors.Is(r.Err, ErrInternal) {
			t.Errorf("Analyze(%.20q...).Err = %v", src, r.Err)
		}
	}
}

// analyzeSeeds are the seed scripts of the fuzz tests of Analyze.
func analyzeSeeds() []string {
	return []string{
		`for (;;) alert("x")`,
		`window.onbeforeunload = function(){ return "stay" }`,
		`document.oncontextmenu = function(){ return !1 }`,
		`document.onkeydown = function(e){ if (e.ctrlKey && e.shiftKey && e.keyCode == 'I'.charCodeAt(0)) return false }`,
		`setInterval("alert('x')", 9); setTimeout(atob("YWxlcnQoMSk="))`,
		`eval(function(p,a,c,k,e,d){return p}("x",1,1,[],0,{}))`,
		"alert(`a ${b} c`)",
		`var a = "<?php echo $x ?>"; <?= $y ?>`,
		`}}}{{`,
		`el.setAttribute("onclick", "setTimeout('alert(1)')")`,
		`"\u{1F600}\uD83D\x41\`,
		"<!-- \nalert(1)\n-->",
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range analyzeSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if r, rs := Analyze(src), AnalyzeString(string(src)); !sameResult(r, rs) {
			t.Fatalf("AnalyzeString(%q) = %+v, Analyze = %+v", src, rs, r)
		}
		if r, rs := AnalyzeHandler("keydown", src), AnalyzeHandlerString("keydown", string(src)); !sameResult(r, rs) {
			t.Fatalf("AnalyzeHandlerString(%q) = %+v, AnalyzeHandler = %+v", src, rs, r)
		}
		for _, r := range []Result{Analyze(src), AnalyzeHandler("keydown", src)} {
			if errors.Is(r.Err, ErrInternal) {
				t.Fatalf("Analyze(%q).Err = %v", src, r.Err)
			}
			seen := map[string]bool{}
			for _, fd := range r.Findings {
				if fd.Count <= 0 || len(fd.Evidence) > maxEvidence || seen[fd.Kind] {
					t.Fatalf("Analyze(%q): bad finding %+v", src, fd)
				}
				seen[fd.Kind] = true
			}
			total := 0
			for _, s := range r.Strings {
				total += len(s)
			}
			if total > maxStringsBytes {
				t.Fatalf("Analyze(%q): Strings total %d bytes", src, total)
			}
		}
	})
}

// sameResult reports whether two results are equal, errors by their text.
func sameResult(a, b Result) bool {
	ea, eb := fmt.Sprint(a.Err), fmt.Sprint(b.Err)
	a.Err, b.Err = nil, nil
	return ea == eb && reflect.DeepEqual(a, b)
}

func TestCollapsed(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\u00a0b", "a\u3000b", "é ü", "a\xffb", "a \xff", "\u2028"} {
		want := strings.Join(strings.Fields(s), " ") == s
		if got := collapsed(s); got != want {
			t.Errorf("collapsed(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzCollapse holds collapse to strings.Fields and a join, and the word
// count of looksProse to strings.FieldsSeq.
func FuzzCollapse(f *testing.F) {
	for _, s := range []string{"", " a  b\t", "a\u00a0b\u3000c \xff d", "x_y a-b {c} plain words here", "é\u2028ü\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
		words, codey := 0, 0
		for w := range strings.FieldsSeq(s) {
			words++
			if strings.ContainsAny(w, "-_#=/{}();:[]$") {
				codey++
			}
		}
		// looksProse ends with the word test once the letters and
		// spaces pass: prose of at least 12 runes with two spaces.
		p := "Aaaa bbbb cccc " + s
		if strings.Contains(p, "://") || strings.Contains(p, "function") {
			return
		}
		var runes, letters, spaces int
		for _, r := range p {
			runes++
			if r == ' ' {
				spaces++
			} else if r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z') {
				letters++
			}
		}
		if letters+spaces < runes*7/10 || letters < runes/2 || strings.ContainsFunc(p, func(r rune) bool { return r >= 0x80 }) {
			return
		}
		if got, want := looksProse(p), codey*2 < words+3; got != want {
			t.Errorf("looksProse(%q) = %v, want %v", p, got, want)
		}
	})
}
