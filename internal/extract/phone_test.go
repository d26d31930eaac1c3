package extract

import (
	"bytes"
	"net/url"
	"slices"
	"testing"

	"github.com/scamscope/scamscope/internal/swar"
)

func TestPhones(t *testing.T) {
	type want struct {
		raw, e164, region, typ string
		field                  Field
	}
	tests := []struct {
		name, html string
		url        string
		want       []want
	}{
		{"us toll free", `<p>Call 1-800-642-7676 now</p>`, "",
			[]want{{"1-800-642-7676", "+18006427676", "US", "toll_free", FieldText}}},
		{"us parentheses and plus", `<p>Call +1 (888) 555-0100 now</p>`, "",
			[]want{{"+1 (888) 555-0100", "+18885550100", "US", "toll_free", FieldText}}},
		{"us dots", `<p>1.855.703.0225</p>`, "",
			[]want{{"1.855.703.0225", "+18557030225", "US", "toll_free", FieldText}}},
		{"us fixed or mobile", `<p>Tel: (213) 205-4479</p>`, "",
			[]want{{"(213) 205-4479", "+12132054479", "US", "fixed_line_or_mobile", FieldText}}},
		{"gb by lang", `<html lang="en-GB"><p>Freephone 0800 011 3456</p>`, "",
			[]want{{"0800 011 3456", "+448000113456", "GB", "toll_free", FieldText}}},
		{"gb by tld", `<p>Phone 020 7946 0958</p>`, "https://support.example.co.uk/",
			[]want{{"020 7946 0958", "+442079460958", "GB", "fixed_line", FieldText}}},
		{"jp full-width", `<html lang="ja"><p>フリーダイヤル ０１２０－１２３－４５６ まで</p>`, "",
			[]want{{"0120-123-456", "+81120123456", "JP", "toll_free", FieldText}}},
		{"jp no spaces", `<html lang="ja"><p>お電話ください03-1234-5678へ</p>`, "",
			[]want{{"03-1234-5678", "+81312345678", "JP", "fixed_line", FieldText}}},
		{"de", `<html lang="de"><p>Rufen Sie 0800 123 4567 an</p>`, "",
			[]want{{"0800 123 4567", "+498001234567", "DE", "toll_free", FieldText}}},
		{"fr", `<html lang="fr"><p>Appelez le 09 70 50 12 35</p>`, "",
			[]want{{"09 70 50 12 35", "+33970501235", "FR", "voip", FieldText}}},
		{"au", `<html lang="en-AU"><p>Call 1800 123 456</p>`, "",
			[]want{{"1800 123 456", "+611800123456", "AU", "toll_free", FieldText}}},
		{"international prefix 00", `<p>Call 0043 8000 18306</p>`, "",
			[]want{{"0043 8000 18306", "+43800018306", "AT", "toll_free", FieldText}}},
		{"unicode dashes", `<p>Call 1–800–642–7676</p>`, "",
			[]want{{"1–800–642–7676", "+18006427676", "US", "toll_free", FieldText}}},
		{"hidden", `<div style="display:none">Call 1-888-555-0100</div>`, "",
			[]want{{"1-888-555-0100", "+18885550100", "US", "toll_free", FieldHidden}}},
		{"title", `<title>Support 1-888-555-0100</title>`, "",
			[]want{{"1-888-555-0100", "+18885550100", "US", "toll_free", FieldTitle}}},
		{"dialog", `<script>alert("Call Microsoft at 1-888-555-0100 immediately")</script>`, "",
			[]want{{"1-888-555-0100", "+18885550100", "US", "toll_free", FieldDialog}}},
		{"tel href", `<a href="tel:+18885550100">Call us</a>`, "",
			[]want{{"+18885550100", "+18885550100", "US", "toll_free", FieldURL}}},
		{"script literal", `<script>var phone_number = '1-888-555-0199';</script>`, "",
			[]want{{"1-888-555-0199", "+18885550199", "US", "toll_free", FieldScript}}},
		{"once only", `<p>Call 1-888-555-0100</p><div hidden>Call (888) 555-0100</div>`, "",
			[]want{{"1-888-555-0100", "+18885550100", "US", "toll_free", FieldText}}},
		{"bare digits with label", `<p>Call 18004443898</p>`, "",
			[]want{{"18004443898", "+18004443898", "US", "toll_free", FieldText}}},
		{"labelled placeholder kept raw", `<p>直接お電話ください 000-0000-0000</p>`, "",
			[]want{{"000-0000-0000", "", "", "unknown", FieldText}}},
		{"labelled invalid kept raw", `<p>Call us: 1-800-574-574</p>`, "",
			[]want{{"1-800-574-574", "", "", "unknown", FieldText}}},
		{"unlabelled invalid dropped", `<p>Reference 123-456-7890</p>`, "", nil},
		{"bare digits without label", `<p>Order 18004443898 shipped</p>`, "", nil},
		{"label belongs to another number", `<p>Tel: 01507 529529 | Company No. 3676192</p>`, "",
			[]want{{"01507 529529", "+441507529529", "GB", "fixed_line", FieldText}}},
		{"dates", `<p>Call 2024-01-15, 15/01/2024 or 01.15.2024</p>`, "", nil},
		{"year range", `<p>Phone 2018-2023 © 2000/2020</p>`, "", nil},
		{"prices", `<p>Call now: $1,234,567 or 1.234.567 € or 1 234 567 €</p>`, "", nil},
		{"version and ip", `<p>Windows 10.0.19041.1234 at 192.168.100.200, v1.800.555.0100</p>`, "", nil},
		{"hex code", `<p>Error 0x80070424 call</p>`, "", nil},
		{"long id", `<p>Tel ID 1234567890123456789</p>`, "", nil},
		{"decimal", `<p>pi is 3.14159265 phone</p>`, "", nil},
		{"german year number", `<html lang="de"><p>Stand 20160720 Telefon</p>`, "", nil},
		{"css in script not searched", `<script>var w = "1000 2000 3000 4000";</script>`, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Content{HTML: []byte(tt.html)}
			if tt.url != "" {
				c.URL, _ = url.Parse(tt.url)
			}
			f := Extract(c)
			checkInvariants(t, tt.html, f)
			var got []want
			for _, p := range f.Phones {
				got = append(got, want{p.Raw, p.E164, p.Region, p.Type, p.Field})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Phones of %q = %+v, want %+v", tt.html, got, tt.want)
			}
		})
	}
}

func TestPhoneRegions(t *testing.T) {
	tests := []struct {
		lang, url string
		want      []string
	}{
		{"", "", []string{"US", "GB"}},
		{"ja", "", []string{"JP", "US", "GB"}},
		{"pt-BR", "", []string{"BR", "US", "GB"}},
		{"en-GB", "https://x.co.uk/", []string{"GB", "US"}},
		{"de", "https://x.fr/", []string{"DE", "FR", "US", "GB"}},
		{"sv", "https://x.com/", []string{"SE", "US", "GB"}},
		{"zz-invalid!", "https://x.io/", []string{"IO", "US", "GB"}},
	}
	for _, tt := range tests {
		var u *url.URL
		if tt.url != "" {
			u, _ = url.Parse(tt.url)
		}
		if got := phoneRegions(tt.lang, u); !slices.Equal(got, tt.want) {
			t.Errorf("phoneRegions(%q, %q) = %q, want %q", tt.lang, tt.url, got, tt.want)
		}
	}
}

// TestWordScans holds the eight-byte tests of the phone scans to their
// byte-by-byte meaning, for every byte value in every position, among
// bytes that match neither test and among bytes that match both.
func TestWordScans(t *testing.T) {
	isQuote := func(c byte) bool { return c == '\'' || c == '"' || c == '`' }
	isStart := func(c byte) bool { return c >= '0' && c <= '9' || c == '+' || c == '(' }
	lanes := func(w []byte, match func(byte) bool) uint64 {
		var m uint64
		for i, c := range w {
			if match(c) {
				m |= 0x80 << (8 * i)
			}
		}
		return m
	}
	for _, fill := range []byte{'a', '"', '7'} {
		for b := 0; b < 256; b++ {
			for pos := 0; pos < 8; pos++ {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(b)
				v := swar.Load64(string(w))
				if got, want := quoteLanes(v), lanes(w, isQuote); got != want {
					t.Fatalf("quoteLanes(%q) = %#x, want %#x", w, got, want)
				}
				if got, want := phoneStartLanes(v), lanes(w, isStart); got != want {
					t.Fatalf("phoneStartLanes(%q) = %#x, want %#x", w, got, want)
				}
			}
		}
	}
}
