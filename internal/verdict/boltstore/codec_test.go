package boltstore

import (
	"testing"
	"time"

	"github.com/scamscope/scamscope/internal/verdict"
)

func FuzzDecodeScan(f *testing.F) {
	full := &verdict.Scan{ID: "a", URL: "u", CanonURL: "http://x/", Host: "x", Profile: "p", State: verdict.StateDone,
		Error: "e", CreatedAt: time.UnixMicro(1), FinishedAt: time.UnixMicro(2), Label: verdict.LabelScam, Score: -3,
		RuleSetVersion: "r", Phones: []string{"+1"}, ErrorCodes: []string{"0x1", "0x2"}, RuleIDs: []string{"q"}, Result: []byte{0}}
	f.Add(encodeScan(full), "id", int64(5), []byte("res"))
	f.Add(encodeScan(&verdict.Scan{}), "", int64(0), []byte(nil))
	f.Add([]byte{recordVersion, 0xff, 0xff, 0xff, 0xff, 0x0f}, "x", int64(-1), []byte{})
	f.Fuzz(func(t *testing.T, b []byte, id string, micro int64, result []byte) {
		decodeScan(b)    // never panics
		decodeVerdict(b) // never panics
		decodeFeed(b)    // never panics

		in := *full
		in.ID, in.CreatedAt, in.Result, in.Phones = id, time.UnixMicro(micro).UTC(), result, []string{id, id}
		if len(in.Result) == 0 {
			in.Result = nil
		}
		out, err := decodeScan(encodeScan(&in))
		if err != nil {
			t.Fatalf("decodeScan(encodeScan(%+v)): %v", in, err)
		}
		if out.ID != in.ID || !out.CreatedAt.Equal(in.CreatedAt) || string(out.Result) != string(in.Result) ||
			len(out.Phones) != 2 || out.Phones[1] != id || out.Score != in.Score || out.Label != in.Label {
			t.Fatalf("round trip: got %+v, want %+v", out, in)
		}
	})
}

func TestT8Order(t *testing.T) {
	times := []time.Time{time.Unix(-1e9, 0), time.Unix(-1, 999999000), time.Unix(0, 0), time.Unix(0, 1000), time.Unix(1e10, 0)}
	for i := 1; i < len(times); i++ {
		if string(t8(times[i-1])) >= string(t8(times[i])) {
			t.Errorf("t8(%v) does not sort before t8(%v)", times[i-1], times[i])
		}
		if got := fromT8(t8(times[i])); !got.Equal(times[i]) {
			t.Errorf("fromT8(t8(%v)) = %v", times[i], got)
		}
	}
}
