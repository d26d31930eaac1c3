package browser

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/debugger"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/scamscope/scamscope/internal/egress"
)

func TestExplore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			fmt.Fprint(w, `<html><head><title>busy</title><script>var x=1;</script></head><body><p>before</p><script>while(true){}</script><p>after</p></body></html>`)
		case "/alert":
			fmt.Fprint(w, `<html><body><p>alerts</p><script>for(var i=0;i<5;i++){alert("hello "+i)}</script></body></html>`)
		default:
			fmt.Fprint(w, `<html><head><title>ok</title></head><body>hi</body></html>`)
		}
	}))
	defer srv.Close()
	_, ps, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(ps)
	px, err := egress.New(egress.Config{Policy: egress.Policy{AllowLoopback: true, AllowedPorts: []int{port}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := px.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("proxy-server", "http://127.0.0.1:1"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-quic", true),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf), chromedp.WithErrorf(t.Logf))
	defer bcancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/ok", "/busy", "/alert"} {
		tctx, tcancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(func(p *target.CreateBrowserContextParams) {
			p.ProxyServer = "http://" + addr
			p.ProxyBypassList = "<-loopback>"
		}), chromedp.WithListener(func(ev any) {
			switch ev := ev.(type) {
			case *page.EventJavascriptDialogOpening:
				t.Logf("dialog %q", ev.Message)
			}
		}))
		start := time.Now()
		octx, ocancel := context.WithTimeout(tctx, 8*time.Second)
		if err := chromedp.Do(octx); err != nil {
			t.Fatal(err)
		}
		go func() {
			for ev, err := range chromedp.Events(octx, page.JavascriptDialogOpening) {
				if err != nil {
					return
				}
				_, err := chromedp.Call(octx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				t.Logf("dismissed %q: %v", ev.Message, err)
			}
		}()
		var scripts []cdp.ScriptID
		chromedp.Listen(octx, func(ev any) {
			if ev, ok := ev.(*debugger.EventScriptParsed); ok {
				scripts = append(scripts, ev.ScriptID)
			}
		})
		_, err := chromedp.Call(octx, debugger.Enable, debugger.EnableParams{})
		t.Logf("debugger enable %v", err)
		nctx, ncancel := context.WithTimeout(octx, 3*time.Second)
		res, err := chromedp.Call(nctx, page.Navigate, page.NavigateParams{URL: srv.URL + path})
		ncancel()
		t.Logf("%s: navigate %+v err=%v after %v", path, res, err, time.Since(start))
		time.Sleep(500 * time.Millisecond)
		ectx, ecancel := context.WithTimeout(octx, 1*time.Second)
		ev, err := chromedp.Call(ectx, runtime.Evaluate, runtime.EvaluateParams{Expression: "document.documentElement.outerHTML", ReturnByValue: new(true)})
		ecancel()
		if err != nil {
			t.Logf("evaluate err %v; terminating", err)
			_, err = chromedp.Call(octx, runtime.TerminateExecution, cdp.Empty{})
			t.Logf("terminate: %v", err)
			ectx, ecancel := context.WithTimeout(octx, 2*time.Second)
			ev, err = chromedp.Call(ectx, runtime.Evaluate, runtime.EvaluateParams{Expression: "document.documentElement.outerHTML", ReturnByValue: new(true)})
			ecancel()
		}
		if err == nil {
			t.Logf("html: %s", ev.Result.Value)
		} else {
			t.Logf("evaluate2 err %v", err)
		}
		for _, id := range scripts {
			gctx, gcancel := context.WithTimeout(octx, time.Second)
			src, err := chromedp.Call(gctx, debugger.GetScriptSource, debugger.GetScriptSourceParams{ScriptID: id})
			gcancel()
			t.Logf("script %s: %q %v", id, src.ScriptSource, err)
		}
		ocancel()
		c0 := time.Now()
		tcancel()
		t.Logf("%s: closed in %v total %v", path, time.Since(c0), time.Since(start))
	}
	t.Logf("report %+v", px.Report())
}
