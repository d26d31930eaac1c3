package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
)

// scamPage is a self-written browser locker: its alarm text, error code and
// phone number reach the visitor through an alert loop, and it goes
// fullscreen and locks the keyboard on the first click.
const scamPage = `<!doctype html><html lang="en"><head><title>Windows Defender Security Center</title></head>
<body><div id="box"></div>
<script>
var msg = "Windows Defender: your computer is infected with a Trojan spyware. Error code 0x80070424. " +
  "Do not restart your computer. Call Microsoft Support now toll-free: 1-888-555-0142";
var n = 0;
function nag() { alert(msg); if (++n < 4) { setTimeout(nag, 10); } }
nag();
document.getElementById("box").textContent = "Access to this PC has been blocked for security reasons. Call 1-888-555-0142";
document.addEventListener("click", function () {
  document.documentElement.requestFullscreen();
  if (navigator.keyboard) { navigator.keyboard.lock(); }
});
document.addEventListener("contextmenu", function (e) { e.preventDefault(); });
</script></body></html>`

// TestScanURLEndToEnd runs the server with the browser on and loopback
// allowed explicitly, and scans a local scam page through gRPC.
func TestScanURLEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Skip("chromium not installed (apt-get install chromium): URL scans not tested")
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, scamPage)
	}))
	defer site.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	args := append([]string{"--data-dir=" + t.TempDir(), "--http-addr=", "--grpc-addr=127.0.0.1:0", "--metrics-addr=", "--browser=on", "--browser-pool=1", "--egress-allow-loopback", "--egress-ports=80,443," + site.URL[strings.LastIndexByte(site.URL, ':')+1:]}, rulesArgs(t)...)
	runErr := make(chan error, 1)
	go func() { runErr <- run(ctx, args, io.Discard, logs) }()
	addr := logAddr(t, logs, "serving gRPC", runErr)

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sc := scamscopev1.NewScanServiceClient(conn)
	callCtx, callCancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer callCancel()

	resp, err := sc.ScanURL(callCtx, &scamscopev1.ScanURLRequest{Url: site.URL + "/alert"})
	if err != nil {
		t.Fatalf("ScanURL: %v\nlogs:\n%s", err, logs)
	}
	v, r := resp.GetVerdict(), resp.GetRun()
	if v.GetLabel() != scamscopev1.Label_LABEL_SCAM {
		t.Errorf("ScanURL label = %v (score %d), want SCAM; fired %v", v.GetLabel(), v.GetScore(), v.GetFiredRules())
	}
	var dialogs []string
	for _, d := range r.GetDialogs() {
		dialogs = append(dialogs, d.GetMessage())
	}
	if !slices.ContainsFunc(dialogs, func(m string) bool { return strings.Contains(m, "Do not restart") }) {
		t.Errorf("dialogs = %q, want the alert loop's text", dialogs)
	}
	var e164 []string
	for _, p := range v.GetIndicators().GetPhoneNumbers() {
		e164 = append(e164, p.GetE164())
	}
	if !slices.Contains(e164, "+18885550142") {
		t.Errorf("phones = %v, want +18885550142", e164)
	}
	locks := map[string]bool{}
	for _, l := range v.GetIndicators().GetLockBehaviors() {
		if l.GetRuntime() {
			locks[l.GetKind()] = true
		}
	}
	for _, want := range []string{"dialog_loop", "fullscreen"} {
		if !locks[want] {
			// What the run noted (visitor actions skipped or cut, ...) and
			// the server's log say why, should this fail again (it failed
			// once in CI, without a reproduction since).
			t.Errorf("runtime lock behaviours = %v, want %s observed; warnings %q, dialogs %q\nlogs:\n%s", locks, want, v.GetWarnings(), dialogs, logs)
		}
	}
	if r.GetFinalUrl() != site.URL+"/alert" || r.GetHttpStatus() != 200 {
		t.Errorf("run = %q %d, want %q 200", r.GetFinalUrl(), r.GetHttpStatus(), site.URL+"/alert")
	}
	if !slices.ContainsFunc(v.GetTimings(), func(s *scamscopev1.StageTiming) bool { return s.GetStage() == "fetch" }) {
		t.Errorf("timings = %v, want a fetch stage", v.GetTimings())
	}

	// The default-deny policy still refuses what loopback does not cover.
	_, err = sc.ScanURL(callCtx, &scamscopev1.ScanURLRequest{Url: "http://169.254.169.254/latest/meta-data/"})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !strings.Contains(st.Message(), "egress policy") {
		t.Errorf("ScanURL(metadata) = %v %q, want InvalidArgument naming the egress policy", st.Code(), st.Message())
	}

	cancel()
	select {
	case err := <-runErr:
		if err != nil {
			t.Errorf("run = %v, want nil after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return 30s after cancel")
	}
}
