package score

import (
	"testing"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/textnorm"
	rulefiles "github.com/scamscope/scamscope/rules"
)

// TestEmbeddedRules scores pages written for this test (never copied from a
// corpus) with the shipped rules and scoring.yaml: kits in several
// languages must be SCAM, the hard negatives must not.
func TestEmbeddedRules(t *testing.T) {
	set, err := rules.Load(rulefiles.FS())
	if err != nil {
		t.Fatal(err)
	}
	phone := []extract.Phone{{Raw: "+1 800 000 0000", Type: "toll_free"}}
	locks := func(kinds ...extract.LockKind) []extract.Lock {
		var ls []extract.Lock
		for _, k := range kinds {
			ls = append(ls, extract.Lock{Kind: k})
		}
		return ls
	}
	tests := []struct {
		name   string
		text   string
		title  string
		phones []extract.Phone
		locks  []extract.Lock
		want   Label
	}{
		{
			name:  "english locker",
			title: "Windows Defender Security Alert",
			text: "Windows Defender Security Center. Access to this computer has been locked for security reasons. " +
				"Your PC has been reported to be infected with spyware. Do not restart your computer. " +
				"Call Windows Support now: +1 800 000 0000 (Toll Free)",
			phones: phone,
			locks:  locks(extract.LockFullscreen, extract.LockKeyboard, extract.LockAudioLoop),
			want:   Scam,
		},
		{
			name: "english locker, template without its number",
			text: "Microsoft Defender alert! Threat detected: Trojan spyware. Error code: 0x80073AFC. " +
				"The following data has been compromised: e-mail credentials, banking passwords. " +
				"Please contact Microsoft technical support immediately, our engineer will guide you over the phone.",
			want: Scam,
		},
		{
			name:  "french locker",
			title: "Alerte de sécurité",
			text: "Sécurité Windows : votre ordinateur est infecté par un cheval de Troie. L'accès à cet ordinateur a été bloqué. " +
				"Veuillez ne pas redémarrer votre ordinateur. Appelez le support Windows (numéro gratuit).",
			want: Scam,
		},
		{
			name: "german locker",
			text: "Windows-Sicherheit: Ihr Computer wurde mit einem Trojaner infiziert und aus Sicherheitsgründen gesperrt. " +
				"Schalten Sie den Computer nicht aus. Rufen Sie den Windows-Support an (gebührenfrei).",
			want: Scam,
		},
		{
			name: "japanese locker",
			text: "Windows セキュリティ警告。お使いのパソコンはウイルスに感染しています。セキュリティ上の理由により、アクセスはブロックされています。" +
				"このウィンドウを閉じると、個人情報が盗まれる可能性があります。今すぐ Windows サポートにお電話ください。",
			locks: locks(extract.LockFullscreen, extract.LockKeyboard),
			want:  Scam,
		},
		{
			name: "renewal lander",
			text: "Your McAfee subscription has expired and your computer is unprotected. Renew now: call the number below " +
				"to activate your licence. Our certified technicians will access your computer securely and remove the infection.",
			phones: phone,
			want:   Scam,
		},
		{
			name:   "a phone number alone",
			text:   "Bakery on Main Street. Call 0800 000 000 for orders.",
			phones: phone,
			want:   Clean,
		},
		{
			name: "repair shop",
			text: "PC repair and virus removal. Is your computer slow? It may be infected with malware. Our certified technicians " +
				"remove viruses and install antivirus. We use TeamViewer for remote support. Opening hours: Monday to Friday 9-5. " +
				"Book an appointment or call us.",
			phones: phone,
			want:   Clean,
		},
		{
			name: "article about tech support scams",
			text: "How to spot a tech support scam. A fake virus alert says your computer is infected and access has been blocked, " +
				"and tells you to call Microsoft support at a toll-free number. Microsoft will never call you, and error messages " +
				"never include a phone number. If you see a pop-up claiming your PC is locked, close the browser.",
			want: Clean,
		},
		{
			name: "error code reference",
			text: "How to fix Windows Update error 0x80070424. Method 1: run the Windows Update troubleshooter. Method 2: reset " +
				"the update components. If the error code persists, contact Microsoft support. Was this information helpful?",
			want: Clean,
		},
		{
			name:  "antivirus vendor page",
			title: "Norton 360 Deluxe",
			text: "Norton 360 protects against viruses, ransomware and spyware. Buy now and save. Subscription with auto-renewal. " +
				"Privacy policy | Terms of use | Careers",
			want: Clean,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &extract.Features{Phones: tt.phones, Locks: tt.locks}
			f.Fields[extract.FieldText] = textnorm.Normalize(tt.text)
			f.Fields[extract.FieldTitle] = textnorm.Normalize(tt.title)
			var tokens string
			for i, l := range tt.locks {
				if i > 0 {
					tokens += " "
				}
				tokens += string(l.Kind)
			}
			f.Fields[extract.FieldBehavior] = tokens
			v := Score(f, set.Evaluate(f), set.Scoring())
			t.Logf("%v %d %v", v.Label, v.Score, v.Breakdown)
			if v.Label != tt.want {
				var ids []string
				for _, fr := range v.Fired {
					ids = append(ids, fr.ID)
				}
				t.Errorf("Score = %v (%d, %v), want %v; fired %v", v.Label, v.Score, v.Breakdown, tt.want, ids)
			}
		})
	}
}
