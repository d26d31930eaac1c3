package extract

import (
	"fmt"
	"net/url"
)

// Field names a text of the page that rules can match against.
type Field uint8

// The fields. Every text is in textnorm's matching form.
const (
	FieldText     Field = iota // visible text in document order (alt/title/placeholder/button values included)
	FieldHidden                // text of hidden elements (display:none, hidden, aria-hidden, visibility:hidden, templates) and prose string literals of scripts
	FieldTitle                 // <title>
	FieldMeta                  // meta description, keywords, og:*, twitter:*
	FieldScript                // inline and submitted script source (string literals included as written)
	FieldURL                   // page URL, script, iframe, media, form-action and link URLs, one per line
	FieldDialog                // texts of JavaScript dialogs: static alert/confirm/prompt arguments, or observed at run time
	FieldBehavior              // lock behaviours as space-separated tokens ("fullscreen keyboard_lock ...")
	NumFields
)

var fieldNames = [NumFields]string{"text", "hidden", "title", "meta", "script", "url", "dialog", "behavior"}

func (f Field) String() string {
	if f < NumFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("field(%d)", uint8(f))
}

// ParseField returns the Field named s.
func ParseField(s string) (Field, error) {
	for i, n := range fieldNames {
		if n == s {
			return Field(i), nil
		}
	}
	return 0, fmt.Errorf("unknown field %q (want one of %v)", s, fieldNames)
}

// Content is what is submitted for a scan: markup and, optionally, scripts
// supplied apart from it, the URL the page was served from and its type.
type Content struct {
	HTML        []byte
	Scripts     []Script
	URL         *url.URL // may be nil
	ContentType string   // may be empty: sniffed
	// Runtime evidence from a browser run, when there was one.
	Dialogs   []string       // dialog message texts
	Behaviors map[string]int // observed lock behaviours: LockKind -> count
}

// Script is a script supplied apart from the markup.
type Script struct {
	Name   string
	Source []byte
}

// LockKind names a behaviour that traps a visitor.
type LockKind string

// The lock behaviours, detected statically from scripts or observed at run time.
const (
	LockDialogLoop       LockKind = "dialog_loop"        // alert/confirm/prompt in a loop, timer or recursion
	LockBeforeUnload     LockKind = "beforeunload_trap"  // onbeforeunload handler that asks to stay
	LockHistoryFlood     LockKind = "history_flood"      // pushState in a loop or popstate handler
	LockFullscreen       LockKind = "fullscreen"         // requestFullscreen
	LockKeyboard         LockKind = "keyboard_lock"      // navigator.keyboard.lock
	LockPointer          LockKind = "pointer_lock"       // requestPointerLock
	LockContextMenu      LockKind = "contextmenu_block"  // contextmenu handler cancelling the event
	LockDevtoolsKeys     LockKind = "devtools_key_block" // keydown handler cancelling F12, Ctrl+Shift+I, Ctrl+U
	LockAudioLoop        LockKind = "audio_loop"         // looping or autoplaying alarm audio
	LockPrintLoop        LockKind = "print_loop"         // window.print in a loop or timer
	LockDownloadLoop     LockKind = "download_loop"      // repeated downloads
	LockNotificationSpam LockKind = "notification_spam"  // Notification.requestPermission
	LockWindowOpenStorm  LockKind = "window_open_storm"  // window.open in a loop or timer
	LockObfuscation      LockKind = "obfuscation"        // eval/atob/unescape/fromCharCode packs
)

// Lock is one lock behaviour found on the page.
type Lock struct {
	Kind     LockKind
	Count    int
	Runtime  bool   // observed while the page ran, not read from the source
	Evidence string // a short snippet of the code or event
}

// Phone is a telephone number found on the page.
type Phone struct {
	Raw    string // as written
	E164   string // +CC..., empty when it did not validate
	Region string // ISO 3166-1 alpha-2
	Type   string // toll_free, mobile, fixed_line, fixed_line_or_mobile, premium_rate, shared_cost, voip, unknown
	Field  Field
	Start  int // byte offsets in Features.Fields[Field]
	End    int
}

// ErrorCode is a fake error code such as 0x80070424 or "Error # 268D3".
type ErrorCode struct {
	Code  string // the code itself, upper-cased: "0X80070424" -> "0x80070424", "268D3"
	Field Field
	Start int // byte offsets in Features.Fields[Field]
	End   int
	// Snippet is the code with a little context around it.
	Snippet string
}

// Media is an audio or video element.
type Media struct {
	Tag      string // audio, video, embed, bgsound
	Src      string
	Autoplay bool
	Loop     bool
}

// Form is a form on the page.
type Form struct {
	Action string
	Method string
	Inputs int
	// Sensitive is true when it asks for a card number, a password or similar.
	Sensitive bool
	// AsksPhone is true when it asks for the visitor's phone number (type=tel,
	// or a phone name, id, placeholder, label or autocomplete token): the
	// lead forms of renewal and call-back scams.
	AsksPhone bool
}

// Features is everything the later stages know of a page.
type Features struct {
	Fields     [NumFields]string
	Title      string // as written
	Lang       string // BCP 47 from <html lang>, meta or empty
	Phones     []Phone
	ErrorCodes []ErrorCode
	Locks      []Lock
	ScriptURLs []string
	Media      []Media
	Iframes    []string
	Forms      []Form
	// Warnings are things that could not be read, such as a script that
	// does not parse; they never fail a scan.
	Warnings []string
}
