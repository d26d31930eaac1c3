package extract

import (
	"slices"
	"testing"
)

func TestErrorCodes(t *testing.T) {
	tests := []struct {
		name, html string
		want       []string
	}{
		{"hex", `<p>Error 0x80070424 occurred</p>`, []string{"0x80070424"}},
		{"hex upper", `<p>0X800F0922</p>`, []string{"0x800F0922"}},
		{"hex five digits", `<p>Error 0x268d3.</p>`, []string{"0x268D3"}},
		{"hex glued to label", `<title>System Security Center code0x268d3 services</title>`, []string{"0x268D3"}},
		{"error hash", `<p>Error # 268D3</p>`, []string{"268D3"}},
		{"error hash hex", `<p>Error #0x80070424</p>`, []string{"0x80070424"}},
		{"error code", `<p>error code: DW6VB36</p>`, []string{"DW6VB36"}},
		{"error_code", `<div id="timezone"> (Error_code: 2v7HgTvB)</div>`, []string{"2V7HGTVB"}},
		{"weak label look-alike hex", `<p>Error: Ox800VDS</p>`, []string{"0x800VDS"}},
		{"french", `<div>(Code d'erreur : 2K7 HITV)</div>`, []string{"2K7"}},
		{"french curly apostrophe", `<p>Code d’erreur: 0x80070424</p>`, []string{"0x80070424"}},
		{"german", `<p>Fehlercode: DE-45X9</p>`, []string{"DE-45X9"}},
		{"spanish", `<p>Código de error: ES4491</p>`, []string{"ES4491"}},
		{"italian", `<p>Codice di errore: IT8841</p>`, []string{"IT8841"}},
		{"dutch", `<p>Foutcode: NL2231</p>`, []string{"NL2231"}},
		{"polish", `<p>Kod błędu: PL7788</p>`, []string{"PL7788"}},
		{"swedish", `<p>Felkod: SE5521</p>`, []string{"SE5521"}},
		{"portuguese", `<p>Código de erro: PT3344</p>`, []string{"PT3344"}},
		{"japanese", `<p>エラーコード：JP0042が発生</p>`, []string{"JP0042"}},
		{"chinese simplified", `<p>错误代码：CN8899</p>`, []string{"CN8899"}},
		{"chinese traditional", `<p>錯誤代碼: TW7766</p>`, []string{"TW7766"}},
		{"korean", `<p>오류 코드: KR5544</p>`, []string{"KR5544"}},
		{"dedupe and order", `<p>0x80070424 then Error # 268D3 and again 0x80070424</p>`, []string{"0x80070424", "268D3"}},
		{"hidden", `<div style="display:none">Error code: 0x800F0922</div>`, []string{"0x800F0922"}},
		{"dialog", `<script>alert("Error # 268D3: call support")</script>`, []string{"268D3"}},
		{"script prose string", `<script>var msg = "Your system reported error code 0x80070424, please call support now";</script>`, []string{"0x80070424"}},
		{"css colour", `<p>color #268d3f and Error #</p>`, nil},
		{"short hex", `<p>mask 0xff and 0x1234</p>`, nil},
		{"long hex", `<p>0x1234567890</p>`, nil},
		{"obfuscator names", `<p>_0x45cf50 $0x2fe4c2 a.0x138c18</p>`, nil},
		{"http status", `<p>Error code: 404</p>`, nil},
		{"label inside word", `<p>terror code 12345</p>`, nil},
		{"weak label without digit", `<p>Error: file not found</p>`, nil},
		{"weak label short token", `<p>Error: 2fa required</p>`, nil},
		{"ticket id", `<p>Ticket ID: 8F3K2</p>`, nil},
		{"script source hex", `<script>var mask = 0x80070424;</script>`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := extractHTML(t, tt.html)
			var got []string
			for _, c := range f.ErrorCodes {
				got = append(got, c.Code)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ErrorCodes of %q = %q, want %q (%+v)", tt.html, got, tt.want, f.ErrorCodes)
			}
		})
	}
}

// TestEveryLabelHasRoot keeps each label on a root, so that labelledCodes
// searches the text once per root and not once per label.
func TestEveryLabelHasRoot(t *testing.T) {
	for _, l := range allLabels {
		if l.root < 0 {
			t.Errorf("label %q has no root in labelRoots", l.label)
		}
	}
}
