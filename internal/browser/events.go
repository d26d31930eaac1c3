package browser

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
)

// onEvent records the tab's events. It runs in chromedp's event loop for
// the tab: it must not block and must not send commands.
func (s *scan) onEvent(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished {
		return
	}
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		s.onDialog(ev)
	case *page.EventLoadEventFired:
		if s.navSent && !s.isLoaded {
			s.isLoaded = true
			close(s.loaded)
		}
	case *page.EventFrameNavigated:
		if s.navSent && ev.Frame != nil && ev.Frame.ParentID == "" {
			s.finalURL = ev.Frame.URL + ev.Frame.URLFragment
			s.committed = true
			s.lastNav = time.Now()
			s.lastCommit = s.lastNav
		}
	case *page.EventDomContentEventFired:
		s.lastDOM = time.Now()
	case *page.EventNavigatedWithinDocument:
		if ev.FrameID == s.mainFrame && s.navSent {
			s.finalURL = ev.URL
			if n := len(s.redirects); n == 0 || s.redirects[n-1].URL != ev.URL {
				s.addNav(Navigation{URL: ev.URL, Kind: NavSameDocument})
			}
		}
	case *page.EventFrameRequestedNavigation:
		if ev.FrameID == s.mainFrame && ev.Disposition == page.ClientNavigationDispositionCurrentTab {
			s.pendingKind = navKind(ev.Reason)
			s.lastNav = time.Now()
		}
	case *network.EventRequestWillBeSent:
		if ev.Type != network.ResourceTypeDocument || ev.FrameID != s.mainFrame || !s.navSent || ev.Request == nil {
			return
		}
		u := ev.Request.URL + ev.Request.URLFragment
		s.lastNav = time.Now()
		switch {
		case ev.RedirectResponse != nil:
			if n := len(s.redirects); n > 0 && s.redirects[n-1].Status == 0 {
				s.redirects[n-1].Status = int(ev.RedirectResponse.Status)
			}
			s.addNav(Navigation{URL: u, Kind: NavHTTPRedirect})
		case len(s.redirects) == 0:
			s.addNav(Navigation{URL: u, Kind: NavInitial})
		default:
			kind := s.pendingKind
			if kind == "" {
				kind = NavOther
			}
			s.addNav(Navigation{URL: u, Kind: kind})
		}
		s.pendingKind = ""
	case *network.EventResponseReceived:
		if ev.Type != network.ResourceTypeDocument || ev.FrameID != s.mainFrame || !s.navSent || ev.Response == nil {
			return
		}
		s.status = int(ev.Response.Status)
		for i := len(s.redirects) - 1; i >= 0; i-- {
			if s.redirects[i].Kind == NavSameDocument {
				continue
			}
			if s.redirects[i].Status == 0 {
				s.redirects[i].Status = s.status
			}
			break
		}
	case *runtime.EventBindingCalled:
		if ev.Name == s.names.binding {
			s.probe.add(ev.Payload)
		}
	case *runtime.EventExceptionThrown:
		if d := ev.ExceptionDetails; d != nil {
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			s.addConsole(msg)
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			s.addConsole(consoleText(ev.Args))
		}
	case *debugger.EventScriptParsed:
		// Before the navigation only chromedp's own and about:blank's
		// scripts exist.
		key := ev.Hash
		if key == "" {
			key = "id:" + string(ev.ScriptID)
		}
		if !s.navSent || ev.URL == s.names.source || s.scriptHashes[key] {
			return
		}
		if len(s.scriptHashes) >= s.cfg.MaxScripts || ev.Length > int64(s.cfg.MaxScriptBytes) {
			s.scriptsCut++
			return
		}
		s.scriptHashes[key] = true
		s.scriptsPending.Add(1)
		s.scriptCh <- scriptID{id: ev.ScriptID, url: ev.URL} // never blocks: MaxScripts fit
	case *debugger.EventPaused:
		// Pauses are skipped, except V8 stopping a page just before it runs
		// out of memory, which it does when a debugger is attached. The page
		// stays stopped; its memory is capped.
		if ev.Reason == debugger.PausedReasonOOM {
			s.noteLocked("javascript: stopped before it ran out of memory")
		}
	case *inspector.EventTargetCrashed:
		if !s.isCrashed {
			s.isCrashed = true
			close(s.crashed)
		}
	}
}

// onDialog records a dialog and queues its answer. mu is held.
func (s *scan) onDialog(ev *page.EventJavascriptDialogOpening) {
	typ := string(ev.Type)
	s.dialogsOpen.Add(1) // before the answer can come
	s.dialogAt.Store(time.Now().UnixNano())
	select {
	case s.dialogCh <- typ == string(page.DialogTypeBeforeunload):
	default: // cannot happen: one dialog at a time per tab
		s.dialogsOpen.Add(-1)
	}
	s.dialogTypes[typ]++
	msg := truncate(ev.Message, maxDialogMessage)
	key := [2]string{typ, msg}
	if i, ok := s.dialogIdx[key]; ok {
		s.dialogs[i].Count++
		return
	}
	if len(s.dialogs) >= s.cfg.MaxDialogs {
		s.dialogsCut++
		return
	}
	var since time.Duration
	if !s.navStart.IsZero() {
		since = time.Since(s.navStart)
	}
	s.dialogIdx[key] = len(s.dialogs)
	s.dialogs = append(s.dialogs, Dialog{Type: typ, Message: msg, Count: 1, SinceLoad: since})
}

// addNav appends to the redirect chain. mu is held.
func (s *scan) addNav(n Navigation) {
	if len(s.redirects) >= s.cfg.MaxRedirects {
		s.redirectsCut++
		return
	}
	n.URL = truncate(n.URL, maxURLLen)
	s.redirects = append(s.redirects, n)
}

// addConsole records a console error. mu is held.
func (s *scan) addConsole(msg string) {
	if len(s.console) >= s.cfg.MaxConsoleErrors {
		s.consoleCut++
		return
	}
	s.console = append(s.console, truncate(msg, maxConsoleMessage))
}

func navKind(r page.ClientNavigationReason) NavKind {
	switch r {
	case page.ClientNavigationReasonAnchorClick:
		return NavLink
	case page.ClientNavigationReasonFormSubmissionGet, page.ClientNavigationReasonFormSubmissionPost:
		return NavForm
	case page.ClientNavigationReasonHTTPHeaderRefresh:
		return NavHeaderRefresh
	case page.ClientNavigationReasonMetaTagRefresh:
		return NavMetaRefresh
	case page.ClientNavigationReasonScriptInitiated:
		return NavScript
	}
	return NavOther
}

// consoleText joins console.error arguments as the console shows them.
func consoleText(args []*runtime.RemoteObject) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if b.Len() > maxConsoleMessage {
			break
		}
		var str string
		switch {
		case a == nil:
		case a.Type == runtime.RemoteObjectTypeString && json.Unmarshal(a.Value, &str) == nil:
			b.WriteString(str)
		case len(a.Value) > 0:
			b.Write(a.Value)
		case a.UnserializableValue != "":
			b.WriteString(string(a.UnserializableValue))
		default:
			b.WriteString(a.Description)
		}
	}
	return b.String()
}

// note adds a Truncated note once.
func (s *scan) note(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteLocked(msg)
}

// noteLocked is note with mu held.
func (s *scan) noteLocked(msg string) {
	for _, t := range s.truncated {
		if t == msg {
			return
		}
	}
	s.truncated = append(s.truncated, msg)
}

func (s *scan) isLoadedNow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isLoaded
}

func (s *scan) isCrashedNow() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isCrashed
}

func (s *scan) isCommitted() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.committed
}
