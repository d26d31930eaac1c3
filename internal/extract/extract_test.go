package extract

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func extractHTML(t *testing.T, src string) *Features {
	t.Helper()
	f := Extract(&Content{HTML: []byte(src)})
	checkInvariants(t, src, f)
	return f
}

func TestVisibleText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"inline joins", `<p>Mic<b>ro</b>soft</p>`, "microsoft"},
		{"blocks separate", `<div>Call</div><div>Now</div><p>Today</p>`, "call now today"},
		{"br separates", `Call<br>Now`, "call now"},
		{"cells separate", `<table><tr><td>Error</td><td>Code</td></tr></table>`, "error code"},
		{"alt title placeholder aria-label", `<img alt="Windows Logo"><input placeholder="Your PIN"><a aria-label="Close dialog" href="/x">x</a>`,
			"windows logo your pin x close dialog"},
		{"title on inline does not split a word", `<p>Mi<span title="tip">cro</span>soft</p>`, "microsoft tip"},
		{"button values", `<input type="submit" value="Scan Now"><input type="button" value="Cancel"><button>Call Support</button>`,
			"scan now cancel call support"},
		{"text input value", `<input type="text" value="prefilled">`, "prefilled"},
		{"script and style left out", `<style>p{color:red}</style><p>Hi</p><script>var x = "secret";</script>`, "hi"},
		{"noscript is visible", `<noscript><p>Enable JavaScript</p></noscript><p>After</p>`, "enable javascript after"},
		{"php blocks left out", `<p>Call <?php echo $phone; ?> now</p><p><?= $x ?>Done</p>`, "call now done"},
		{"unterminated php", `<p>Hello</p><?php echo "x"; `, "hello"},
		{"smarty placeholder is text", `<p>Call {$phone} now</p>`, "call {$phone} now"},
		{"entities decoded", `<p>Mi&shy;cro&#8203;soft &amp; Apple&nbsp;Support</p>`, "microsoft & apple support"},
		{"cyrillic lookalike", `<p>Windоws Dеfender</p>`, "windows defender"},
		{"full-width", `<p>ＷＩＮＤＯＷＳ　サポート</p>`, "windows サポート"},
		{"marquee visible", `<marquee>Virus detected</marquee>`, "virus detected"},
		{"textarea visible", `<textarea>Type here</textarea>`, "type here"},
		{"svg title not page title", `<svg><title>icon</title></svg><p>x</p>`, "icon x"},
		{"head title not text", `<title>Page Title</title><p>Body</p>`, "body"},
		{"iframe fallback not text", `<iframe src="/a">fallback</iframe><p>x</p>`, "x"},
		{"iframe srcdoc is text", `<p>a</p><iframe srcdoc="<p>Call &lt;b&gt;now&lt;/b&gt;</p>"></iframe>`, "a call now"},
		{"accents kept", `<p>Sécurité de Windows</p>`, "sécurité de windows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractHTML(t, tt.html)
			if got := f.Fields[FieldText]; got != tt.want {
				t.Errorf("FieldText of %q = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}

func TestHiddenText(t *testing.T) {
	tests := []struct {
		name, html, text, hidden string
	}{
		{"display none", `<p>Shown</p><div style="display:none">Your PC is blocked</div>`, "shown", "your pc is blocked"},
		{"display none important upper case", `<div style="DISPLAY: NONE !important">x y</div><p>a</p>`, "a", "x y"},
		{"display none then block", `<div style="display:none;display:block">seen</div>`, "seen", ""},
		{"visibility hidden", `<div style="visibility:hidden">v</div>`, "", "v"},
		{"opacity 0", `<div style="opacity:0">o</div><div style="opacity:0.5">half</div>`, "half", "o"},
		{"font-size 0", `<p>Mi<span style="font-size:0px">q</span>crosoft</p>`, "microsoft", "q"},
		{"offscreen", `<div style="position:absolute;left:-9999px">off</div>`, "", "off"},
		{"hidden attribute", `<section hidden><p>Call now</p></section><p>ok</p>`, "ok", "call now"},
		{"aria-hidden", `<span aria-hidden="true">deco</span>word`, "word", "deco"},
		{"template", `<template><p>Overlay text</p></template><p>x</p>`, "x", "overlay text"},
		{"closed dialog", `<dialog><p>Alert!</p></dialog><dialog open>Open one</dialog>`, "open one", "alert!"},
		{"hidden input value", `<form><input type="hidden" name="c" value="DW6VB36"></form>`, "", "dw6vb36"},
		{"junk letter in word", `<p>Mi<span style='display:none'>x</span>crosoft Sup<i hidden>q</i>port</p>`, "microsoft support", "x q"},
		{"junk block in word", `<p>Mi<div style="display:none">z</div>crosoft</p>`, "mi crosoft", "z"},
		{"sheet class", `<style>.ov{display:none}</style><div class="a ov">Virus found</div><p>x</p>`, "x", "virus found"},
		{"sheet id", `<style>#pop { visibility: hidden; }</style><div id="pop">Pop</div>`, "", "pop"},
		{"sheet in media query ignored", `<style>@media print{.p{display:none}}</style><div class="p">Print</div>`, "print", ""},
		{"sheet compound selector ignored", `<style>div.p > span{display:none}</style><div class="p"><span>s</span></div>`, "s", ""},
		{"inline style beats sheet", `<style>.m{display:none}</style><div class="m" style="display:block">shown</div>`, "shown", ""},
		{"later sheet rule wins", `<style>.m{display:none} .m{display:block}</style><div class="m">shown</div>`, "shown", ""},
		{"nested hidden", `<div style="display:none">a<div style="display:none">b</div>c</div>`, "", "a b c"},
		{"template script type", `<script type="text/template"><div>Call <b>now</b></div></script>`, "", "call now"},
		{"json script ignored", `<script type="application/ld+json">{"name":"x"}</script><p>t</p>`, "t", ""},
		{"php goes to hidden", `<p>a</p><?php $phone = "1-888-555-0100"; ?>`, "a", `$phone = "1-888-555-0100";`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractHTML(t, tt.html)
			if got := f.Fields[FieldText]; got != tt.text {
				t.Errorf("FieldText of %q = %q, want %q", tt.html, got, tt.text)
			}
			if got := f.Fields[FieldHidden]; got != tt.hidden {
				t.Errorf("FieldHidden of %q = %q, want %q", tt.html, got, tt.hidden)
			}
		})
	}
}

func TestTitleMetaLang(t *testing.T) {
	tests := []struct {
		name, html, title, fieldTitle, meta, lang string
	}{
		{"all", `<html lang="fr"><head><title> Alerte de Sécurité </title>
			<meta name="description" content="Votre PC est bloqué">
			<meta name="keywords" content="virus, support">
			<meta property="og:title" content="OG Title">
			<meta name="twitter:description" content="TW desc">
			<meta name="twitter:image" content="https://x/y.png">
			<meta name="viewport" content="width=device-width">
			</head></html>`,
			"Alerte de Sécurité", "alerte de sécurité", "votre pc est bloqué\nvirus, support\nog title\ntw desc", "fr"},
		{"content-language", `<meta http-equiv="Content-Language" content="de-DE"><title>x</title>`, "x", "x", "", "de-DE"},
		{"og locale", `<meta property="og:locale" content="ja_JP">`, "", "", "", "ja-JP"},
		{"bad lang skipped", `<html lang="!!"><meta property="og:locale" content="it_IT">`, "", "", "", "it-IT"},
		{"no lang", `<p>x</p>`, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractHTML(t, tt.html)
			if f.Title != tt.title {
				t.Errorf("Title = %q, want %q", f.Title, tt.title)
			}
			if got := f.Fields[FieldTitle]; got != tt.fieldTitle {
				t.Errorf("FieldTitle = %q, want %q", got, tt.fieldTitle)
			}
			if got := f.Fields[FieldMeta]; got != tt.meta {
				t.Errorf("FieldMeta = %q, want %q", got, tt.meta)
			}
			if f.Lang != tt.lang {
				t.Errorf("Lang = %q, want %q", f.Lang, tt.lang)
			}
		})
	}
}

func lockKinds(f *Features) []string {
	var ks []string
	for _, l := range f.Locks {
		k := string(l.Kind)
		if l.Runtime {
			k += "@runtime"
		}
		ks = append(ks, k)
	}
	return ks
}

func TestScripts(t *testing.T) {
	page := `<html><body oncontextmenu="return false" onbeforeunload="return 'Are you sure?'">
		<script src="js/app.js"></script>
		<script>document.documentElement.requestFullscreen(); alert("Your computer is infected! Call support.");</script>
		<script type="module">navigator.keyboard.lock();</script>
		<script type="application/ld+json">{"alert": "x"}</script>
		<script>function ( {</script>
		<a href="javascript:alert('Clicked warning')">x</a>
		</body></html>`
	c := &Content{
		HTML:      []byte(page),
		Scripts:   []Script{{Name: "extra.js", Source: []byte(`document.addEventListener("contextmenu", e => e.preventDefault());`)}},
		Dialogs:   []string{"Observed dialog text"},
		Behaviors: map[string]int{"fullscreen": 2, "print_loop": 1},
	}
	f := Extract(c)
	checkInvariants(t, "page", f)

	if want := []string{"js/app.js"}; !slices.Equal(f.ScriptURLs, want) {
		t.Errorf("ScriptURLs = %q, want %q", f.ScriptURLs, want)
	}
	wantLocks := []string{"beforeunload_trap", "contextmenu_block", "fullscreen", "keyboard_lock", "fullscreen@runtime", "print_loop@runtime"}
	if got := lockKinds(f); !slices.Equal(got, wantLocks) {
		t.Errorf("locks = %q, want %q", got, wantLocks)
	}
	for _, l := range f.Locks {
		if l.Kind == LockContextMenu && (l.Count != 2 || l.Runtime) {
			t.Errorf("contextmenu lock = %+v, want count 2 (body attribute + extra.js), static", l)
		}
	}
	if got, want := f.Fields[FieldBehavior], "beforeunload_trap contextmenu_block fullscreen keyboard_lock print_loop"; got != want {
		t.Errorf("FieldBehavior = %q, want %q", got, want)
	}
	for _, d := range []string{"your computer is infected! call support.", "clicked warning", "observed dialog text"} {
		if !slices.Contains(strings.Split(f.Fields[FieldDialog], "\n"), d) {
			t.Errorf("FieldDialog = %q, want a line %q", f.Fields[FieldDialog], d)
		}
	}
	script := f.Fields[FieldScript]
	for _, want := range []string{"requestfullscreen()", "navigator.keyboard.lock()", "return false", `e.preventdefault()`} {
		if !strings.Contains(script, want) {
			t.Errorf("FieldScript lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, `{"alert": "x"}`) {
		t.Errorf("FieldScript has the JSON-LD block:\n%s", script)
	}
	if !strings.Contains(f.Fields[FieldText], "x") || strings.Contains(f.Fields[FieldText], "alert") {
		t.Errorf("FieldText = %q", f.Fields[FieldText])
	}
	var parseWarn bool
	for _, w := range f.Warnings {
		if strings.HasPrefix(w, "script 3 (inline) does not parse:") {
			parseWarn = true
		}
	}
	if !parseWarn {
		t.Errorf("Warnings = %q, want one for script 3 (inline): the src-only and JSON scripts are not counted", f.Warnings)
	}
}

func TestMedia(t *testing.T) {
	tests := []struct {
		name, html string
		media      []Media
		lock       bool
	}{
		{"audio loop autoplay", `<audio loop autoplay src="alarm.mp3"></audio>`,
			[]Media{{Tag: "audio", Src: "alarm.mp3", Autoplay: true, Loop: true}}, true},
		{"audio source child", `<audio autoplay><source src="a.ogg" type="audio/ogg"></audio>`,
			[]Media{{Tag: "audio", Src: "a.ogg", Autoplay: true}}, true},
		{"audio with controls only", `<audio controls src="podcast.mp3"></audio>`,
			[]Media{{Tag: "audio", Src: "podcast.mp3"}}, false},
		{"muted background video", `<video autoplay loop muted src="bg.mp4"></video>`,
			[]Media{{Tag: "video", Src: "bg.mp4", Autoplay: true, Loop: true}}, false},
		{"loud looping video", `<video autoplay loop src="warn.mp4"></video>`,
			[]Media{{Tag: "video", Src: "warn.mp4", Autoplay: true, Loop: true}}, true},
		{"bgsound", `<bgsound src="beep.wav" loop="infinite">`,
			[]Media{{Tag: "bgsound", Src: "beep.wav", Autoplay: true, Loop: true}}, true},
		{"embed audio", `<embed src="siren.mp3" autostart="true" loop="true">`,
			[]Media{{Tag: "embed", Src: "siren.mp3", Autoplay: true, Loop: true}}, true},
		{"embed flash", `<embed src="movie.swf" autostart="true">`,
			[]Media{{Tag: "embed", Src: "movie.swf", Autoplay: true}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractHTML(t, tt.html)
			if !slices.Equal(f.Media, tt.media) {
				t.Errorf("Media = %+v, want %+v", f.Media, tt.media)
			}
			got := slices.ContainsFunc(f.Locks, func(l Lock) bool { return l.Kind == LockAudioLoop })
			if got != tt.lock {
				t.Errorf("audio_loop lock = %v, want %v (locks %+v)", got, tt.lock, f.Locks)
			}
			if tt.media[0].Src != "" && !strings.Contains(f.Fields[FieldURL], tt.media[0].Src) {
				t.Errorf("FieldURL = %q, want %q in it", f.Fields[FieldURL], tt.media[0].Src)
			}
		})
	}
}

func TestIframesFormsURLs(t *testing.T) {
	page := `<html><head><link rel="stylesheet" href="CSS/Main.css">
		<meta http-equiv="refresh" content="5; URL='https://next.example/'"></head><body>
		<iframe src="https://ads.example/frame"></iframe>
		<a href="#top">top</a><a href="tel:+1-888-555-0100">call</a><a href="https://Example.com/Help">help</a>
		<img src="data:image/png;base64,AAAAAAAA">
		<form action="/pay" method="POST">
		  <input name="email" type="email"><input type="password" name="pw"><input type="hidden" name="t" value="1">
		  <input type="submit" value="Go"><select name="country"></select>
		</form>
		<form action="/card"><input name="card_number"><input autocomplete="cc-exp"><textarea name="msg"></textarea></form>
		<form><input name="q"></form>
		<form><input type="tel" name="n"></form>
		<form><input name="number" placeholder="Phone number"><input name="name"></form>
		<form><input name="kontakt" placeholder="Telefonnummer"></form>
		</body></html>`
	f := Extract(&Content{HTML: []byte(page), URL: &url.URL{Scheme: "https", Host: "scam.example", Path: "/index.html"}})
	checkInvariants(t, "page", f)
	if want := []string{"https://ads.example/frame"}; !slices.Equal(f.Iframes, want) {
		t.Errorf("Iframes = %q, want %q", f.Iframes, want)
	}
	wantForms := []Form{
		{Action: "/pay", Method: "post", Inputs: 3, Sensitive: true},
		{Action: "/card", Inputs: 3, Sensitive: true},
		{Inputs: 1},
		{Inputs: 1, AsksPhone: true},
		{Inputs: 2, AsksPhone: true},
		{Inputs: 1, AsksPhone: true},
	}
	if !slices.Equal(f.Forms, wantForms) {
		t.Errorf("Forms = %+v, want %+v", f.Forms, wantForms)
	}
	wantURLs := "https://scam.example/index.html\nhttps://next.example/\ncss/main.css\nhttps://ads.example/frame\ntel:+1-888-555-0100\nhttps://example.com/help\n/pay\n/card"
	if got := f.Fields[FieldURL]; got != wantURLs {
		t.Errorf("FieldURL = %q, want %q", got, wantURLs)
	}
	if len(f.Phones) != 1 || f.Phones[0].Field != FieldURL || f.Phones[0].E164 != "+18885550100" {
		t.Errorf("Phones = %+v, want the tel: number from FieldURL", f.Phones)
	}
}

func TestNonHTML(t *testing.T) {
	js := `window.onbeforeunload = function() { return "Stay!"; }; alert("Call 1-888-555-0100 now");`
	tests := []struct {
		name                string
		c                   Content
		text, script, locks string
		warn                string
	}{
		{"js by content type", Content{HTML: []byte(js), ContentType: "application/javascript; charset=utf-8"},
			"", "window.onbeforeunload", "beforeunload_trap", ""},
		{"js by extension", Content{HTML: []byte(js), URL: &url.URL{Path: "/x/lock.js"}},
			"", "window.onbeforeunload", "beforeunload_trap", ""},
		{"js sniffed", Content{HTML: []byte("\ufeff  " + js)}, "", "window.onbeforeunload", "beforeunload_trap", ""},
		{"text sniffed", Content{HTML: []byte("Your computer has a virus. Call now!")}, "your computer has a virus. call now!", "", "", ""},
		{"markdown by type", Content{HTML: []byte("# Title\n\nCall *now*"), ContentType: "text/markdown"}, "# title call *now*", "", "", ""},
		{"html without leading tag", Content{HTML: []byte("Hello\n<div>World</div>")}, "hello world", "", "", ""},
		{"binary", Content{HTML: []byte("\x00\x01\x02\xff\xfe binary \x00 garbage")}, "\ufffd binary garbage", "", "", "content looks binary"},
		{"invalid utf8 replaced", Content{HTML: []byte("<p>caf\xe9 ok</p>")}, "caf\ufffd ok", "", "", "invalid bytes replaced"},
		{"latin1 declared by type", Content{HTML: []byte("<p>caf\xe9 ok</p>"), ContentType: "text/html; charset=iso-8859-1"}, "café ok", "", "", ""},
		{"latin1 declared by meta", Content{HTML: []byte("<meta charset=\"windows-1252\"><p>S\xe9curit\xe9</p>")}, "sécurité", "", "", ""},
		{"shift_jis declared by meta", Content{HTML: append([]byte(`<meta charset="shift_jis"><p>`), 0x83, 0x47, 0x83, 0x89, 0x81, 0x5b)}, "エラー", "", "", ""},
		{"script only", Content{Scripts: []Script{{Name: "a.js", Source: []byte(js)}}}, "", "window.onbeforeunload", "beforeunload_trap", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Extract(&tt.c)
			checkInvariants(t, tt.name, f)
			if got := f.Fields[FieldText]; got != tt.text {
				t.Errorf("FieldText = %q, want %q", got, tt.text)
			}
			if got := f.Fields[FieldScript]; tt.script == "" && got != "" || !strings.Contains(got, tt.script) {
				t.Errorf("FieldScript = %q, want it to contain %q", got, tt.script)
			}
			if got := f.Fields[FieldBehavior]; got != tt.locks {
				t.Errorf("FieldBehavior = %q, want %q", got, tt.locks)
			}
			if tt.warn != "" && !slices.ContainsFunc(f.Warnings, func(w string) bool { return strings.Contains(w, tt.warn) }) {
				t.Errorf("Warnings = %q, want one containing %q", f.Warnings, tt.warn)
			}
			if tt.warn == "" && len(f.Warnings) > 0 {
				t.Errorf("Warnings = %q, want none", f.Warnings)
			}
		})
	}
}

func TestNilAndEmpty(t *testing.T) {
	if f := Extract(nil); f == nil || f.Fields != [NumFields]string{} {
		t.Errorf("Extract(nil) = %+v, want empty features", f)
	}
	if f := Extract(&Content{}); f.Fields != [NumFields]string{} || len(f.Warnings) != 0 {
		t.Errorf("Extract(empty) = %+v, want empty features", f)
	}
}

func TestDeepNesting(t *testing.T) {
	for _, tag := range []string{"div", "b", "span", "table"} {
		t.Run(tag, func(t *testing.T) {
			const depth = 100000
			src := "<html><body>" + strings.Repeat("<"+tag+">", depth) +
				`Deep text <script>alert("deep alert")</script>` + strings.Repeat("</"+tag+">", depth) + "<p>After</p>"
			f := extractHTML(t, src)
			if !strings.Contains(f.Fields[FieldText], "deep text") || !strings.Contains(f.Fields[FieldText], "after") {
				t.Errorf("FieldText = %.200q, want the deep text and the text after", f.Fields[FieldText])
			}
			flattened := slices.ContainsFunc(f.Warnings, func(w string) bool { return strings.Contains(w, "flattened") })
			if tag != "table" && !flattened { // nested tables close each other: no depth
				t.Errorf("Warnings = %q, want one saying nesting was flattened", f.Warnings)
			}
			if !strings.Contains(f.Fields[FieldDialog], "deep alert") {
				t.Errorf("FieldDialog = %q, want the deep script's alert", f.Fields[FieldDialog])
			}
		})
	}
}

// TestDeepReconstruction nests formatting elements through the parser's
// reconstruction of active formatting elements, which the tag-counting
// flattener cannot see: the fallback that drops all tags must still read
// the text.
func TestDeepReconstruction(t *testing.T) {
	var b strings.Builder
	for i := range 700 {
		fmt.Fprintf(&b, "<div><b id=b%d></div>", i)
	}
	b.WriteString("<p>Reconstructed text</p>")
	f := extractHTML(t, b.String())
	if !strings.Contains(f.Fields[FieldText], "reconstructed text") {
		t.Errorf("FieldText = %.200q, want the text", f.Fields[FieldText])
	}
	if len(f.Warnings) == 0 {
		t.Errorf("Warnings = %q, want the parse failure noted", f.Warnings)
	}
}

func TestLargePage(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><head><title>Big</title></head><body>")
	para := `<div class="row"><p>Your computer is <b>at risk</b>. Error code: 0x80070424. Call <a href="tel:+18885550100">+1 (888) 555-0100</a> now.</p><script>var n = 1;</script></div>` + "\n"
	for b.Len() < 10<<20 {
		b.WriteString(para)
	}
	b.WriteString("</body></html>")
	f := extractHTML(t, b.String())
	if got := strings.Count(f.Fields[FieldText], "your computer is at risk"); got < 50000 {
		t.Errorf("FieldText has the paragraph %d times, want over 50000", got)
	}
	if len(f.Phones) != 1 || f.Phones[0].E164 != "+18885550100" || f.Phones[0].Type != "toll_free" {
		t.Errorf("Phones = %+v, want one toll-free number", f.Phones)
	}
	if len(f.ErrorCodes) != 1 || f.ErrorCodes[0].Code != "0x80070424" {
		t.Errorf("ErrorCodes = %+v, want 0x80070424 once", f.ErrorCodes)
	}
}

func TestMatchingBrace(t *testing.T) {
	for _, tt := range []struct {
		css  string
		want int
	}{
		{"{}", 1}, {"a{b}c", 3}, {"{a{b}c}d", 6}, {"{{}{}}}", 5}, {"{a", 2}, {"{a{b}", 5}, {"x { y } }", 6},
	} {
		open := strings.IndexByte(tt.css, '{')
		if got := matchingBrace(tt.css, open); got != tt.want {
			t.Errorf("matchingBrace(%q, %d) = %d, want %d", tt.css, open, got, tt.want)
		}
	}
}
