package match

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// This file builds the inputs of the benchmarks and the size tests: a rule
// set shaped like ScamScope's (scam phrases in twelve languages, brands,
// script tokens, phone and error-code regexes), generated rule sets of any
// size, synthetic multilingual page text, and the text of the real corpus.

var scamPhrases = []string{
	// en
	"your computer has been blocked", "your computer is infected", "call microsoft support",
	"windows defender security center", "do not restart your computer", "do not close this window",
	"toll free", "tech support", "technical support", "virus detected", "trojan spyware",
	"your personal information is at risk", "access to this pc has been blocked", "error code",
	"security alert", "system warning", "your browser has been locked", "contact support immediately",
	"call now", "unusual activity", "identity theft", "malware detected", "windows security",
	"microsoft warning alert", "apple security alert", "your iphone is infected", "your mac is infected",
	"pornographic spyware", "license expired", "customer care", "helpline", "suspicious activity",
	"banking information", "credit card details", "email credentials", "keylogger", "unauthorized access",
	"firewall breach", "network compromised", "immediate action required", "failure to call",
	"will be disabled", "registry failure", "hard drive safety delete", "zeus virus", "ransomware attack",
	"support technician", "certified technician", "remote access", "call the number below",
	// fr
	"votre ordinateur a été bloqué", "appelez le support", "ne redémarrez pas", "numéro gratuit",
	"virus détecté", "alerte de sécurité", "assistance technique", "votre ordinateur est infecté",
	"ne fermez pas cette fenêtre", "vos informations personnelles", "contactez immédiatement",
	// de
	"ihr computer wurde gesperrt", "rufen sie uns an", "nicht neu starten", "kostenlose hotline",
	"virus erkannt", "sicherheitswarnung", "technischer support", "ihre persönlichen daten",
	"schließen sie dieses fenster nicht", "sofort anrufen",
	// es
	"su computadora ha sido bloqueada", "llame al soporte", "no reinicie", "virus detectado",
	"alerta de seguridad", "soporte técnico", "número gratuito", "no cierre esta ventana",
	"su información personal",
	// it
	"il tuo computer è stato bloccato", "chiama il supporto", "non riavviare", "virus rilevato",
	"avviso di sicurezza", "assistenza tecnica", "numero verde", "non chiudere questa finestra",
	// pt
	"seu computador foi bloqueado", "ligue para o suporte", "não reinicie", "vírus detectado",
	"alerta de segurança", "suporte técnico", "não feche esta janela",
	// nl
	"uw computer is geblokkeerd", "bel de ondersteuning", "niet opnieuw opstarten", "virus gedetecteerd",
	"beveiligingswaarschuwing", "technische ondersteuning", "sluit dit venster niet",
	// pl
	"twój komputer został zablokowany", "zadzwoń do pomocy technicznej", "nie uruchamiaj ponownie",
	"wykryto wirusa", "alert bezpieczeństwa", "pomoc techniczna",
	// sv
	"din dator har blockerats", "ring support", "starta inte om", "virus upptäckt", "säkerhetsvarning",
	"teknisk support", "stäng inte detta fönster",
	// ja
	"お使いのコンピュータはブロックされています", "ウイルスが検出されました", "サポートに電話", "再起動しないでください",
	"セキュリティ警告", "トロイの木馬", "個人情報", "今すぐお電話ください", "このウィンドウを閉じないでください",
	// zh
	"您的计算机已被锁定", "检测到病毒", "请致电技术支持", "不要重新启动", "安全警告", "木马病毒", "个人信息泄露",
	"免费电话",
	// ko
	"컴퓨터가 잠겼습니다", "바이러스가 감지되었습니다", "기술 지원에 전화", "재부팅하지 마십시오", "보안 경고",
	"개인 정보",
}

var brands = []string{
	"microsoft", "windows", "apple", "macos", "norton", "mcafee", "avast", "kaspersky", "bitdefender",
	"defender", "icloud", "google", "chrome", "safari", "firefox", "paypal", "amazon", "netflix", "avg",
	"eset", "malwarebytes", "outlook", "office 365", "iphone",
}

var scriptTokens = []string{
	"onbeforeunload", "requestfullscreen", "keyboard.lock", "history.pushstate", "contextmenu",
	"window.alert", "audio.loop", "navigator.keyboard", "preventdefault", "ctrlkey", "keycode == 123",
	"webkitrequestfullscreen", "mozrequestfullscreen", "exitfullscreen", "document.oncontextmenu",
	"window.onbeforeunload", "setinterval(", "alert(", "confirm(", "location.reload",
}

var scamRegexes = []string{
	`\+?1?[-. (]*8[0-9]{2}[-. )]*[0-9]{3}[-. ]*[0-9]{4}`,
	`0x[0-9a-f]{8}`,
	`error\s*#?\s*[0-9a-z]{3,6}`,
	`(?:call|contact)\s+(?:microsoft|apple|windows|norton|mcafee)\s+(?:support|help)`,
	`\b(?:trojan|spyware|ransomware|adware|keylogger)s?\b`,
	`do\s+not\s+(?:restart|shut\s*down|close)`,
	`\b[0-9]{3}[-. ][0-9]{3}[-. ][0-9]{4}\b`,
	`\+44\s?[0-9]{3,4}\s?[0-9]{3}\s?[0-9]{3,4}`,
	`\+33\s?[0-9](?:[ .]?[0-9]{2}){4}`,
	`\+49\s?[0-9]{3,4}\s?[0-9]{4,8}`,
	`(?:numéro|numero)\s+(?:gratuit|vert)`,
	`virus(?:es)?\s+(?:detected|found)`,
	`windows\s+(?:defender|security|firewall)`,
	`error\s+code[:\s]+[0-9a-z]{2,8}`,
	`0x[0-9a-f]{4,8}\b`,
	`ip(?: address)?[:\s]+[0-9]{1,3}(?:\.[0-9]{1,3}){3}`,
	`\bhttps?://[a-z0-9.-]+\.(?:xyz|top|club|online|site)\b`,
	`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}`,
	`ウイルス.{0,10}検出`,
	`電話.{0,8}ください`,
	`病毒.{0,6}(?:检测|发现)`,
	`바이러스.{0,10}감지`,
	`(?i)microsoft\s+support`,
	`support@[a-z0-9-]+\.[a-z]{2,}`,
	`\b1[-. ]?8(?:00|33|44|55|66|77|88)\b`,
	`(?:alert|confirm)\s*\(`,
	`history\.(?:pushstate|replacestate)`,
	`setinterval\s*\(\s*function`,
	`(?:ctrl|alt)\s*\+\s*(?:f4|w|shift)`,
	`\berror\s*#\s*[0-9a-z]{4,5}\b`,
	`dw6vb36|268d3|0x80070424`,
	`(?:your|ihr|votre|su|seu|uw|din)\s+(?:computer|pc|mac|ordinateur|computadora|dator|komputer)`,
	`(?:appelez|rufen|llame|chiama|ligue|bel|ring|zadzwoń)\s+\S+\s+\S+`,
	`[0-9]{2,4}\s?[0-9]{2,4}\s?[0-9]{2,4}\s?[0-9]{2,4}`,
	`(?:toll|free)[- ]?(?:free|phone|number)`,
}

// scamRules is a rule set of the size and shape ScamScope runs with:
// phrases, brand words, brand templates, script tokens and regexes.
func scamRules() []Pattern {
	var ps []Pattern
	add := func(p Pattern) {
		p.ID = len(ps)
		ps = append(ps, p)
	}
	for _, s := range scamPhrases {
		add(Pattern{Literal: s})
	}
	for _, b := range brands {
		add(Pattern{Literal: b, Word: true})
		for _, t := range []string{"call %s support", "%s security alert", "%s technical support",
			"%s helpline", "%s has blocked", "%s firewall warning", "%s tech support number",
			"contact %s", "%s certified", "%s support team"} {
			add(Pattern{Literal: fmt.Sprintf(t, b)})
		}
	}
	for _, s := range scriptTokens {
		add(Pattern{Literal: s})
	}
	for _, r := range scamRegexes {
		add(Pattern{Regex: r})
	}
	return ps
}

// Word material for generated rule sets and synthetic text: ordinary words
// of the twelve languages, and the words scam pages (and the rules) use.
var (
	plainWords = strings.Fields(`the and for you your with this that are not from have will can all
	about more time people year way day world life work school state family group number home
	et le la les des une pour vous votre avec dans est pas sur plus tout faire comme temps monde
	der die das und ist nicht mit sie ihr für auf werden auch noch eine nach wie zeit jahr stadt
	el la los las que por con para una su más pero como año tiempo ciudad mundo vida casa
	il di che non per con una sono della anche come anno tempo città mondo vita casa
	o que não com para uma seu mais como ano tempo cidade mundo vida casa
	de het een van en niet met uw ook maar jaar tijd stad wereld leven huis
	nie jest się na że do jak ale czas rok miasto świat życie dom
	och att det inte som för din med han hon år tid stad värld liv hus`)
	triggerWords = strings.Fields(`call support computer security virus windows microsoft apple error
	alert please now free ordinateur sécurité appelez sicherheit rufen jetzt computadora seguridad
	llame ahora gratis sicurezza chiama subito computador segurança ligue agora beveiliging bel
	komputer bezpieczeństwo zadzwoń teraz dator säkerhet ring`)
	cjkPlain = strings.Fields(`日本 今日 会社 情報 時間 東京 世界 研究 学校 電車 天気 料理
	我们 公司 时间 发展 问题 经济 世界 学生 城市 文化 历史 朋友
	한국 사람 시간 회사 정부 문제 세계 학교 도시 문화 역사 친구`)
	cjkTrigger = strings.Fields(`コンピュータ ウイルス サポート 電話 警告 セキュリティ 個人情報 再起動 ブロック
	计算机 病毒 支持 电话 警告 安全 个人信息 重新启动 锁定 微软
	컴퓨터 바이러스 지원 전화 경고 보안 개인정보 재부팅 잠김`)
	cyrillicPlain   = strings.Fields(`и в не на что это как по но он она мы они год время день жизнь работа`)
	cyrillicTrigger = strings.Fields(`ваш компьютер заблокирован вирус обнаружен позвоните поддержка безопасность`)
)

// genWord makes a pseudo-word in one of several scripts, so generated rule
// sets do not collapse onto a few real words.
func genWord(r *rand.Rand) string {
	var b strings.Builder
	switch r.IntN(10) {
	case 0, 1, 2, 3, 4:
		cons, vows := "bcdfghjklmnprstvwz", "aeiouy"
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteByte(cons[r.IntN(len(cons))])
			b.WriteByte(vows[r.IntN(len(vows))])
		}
	case 5:
		for n := 3 + r.IntN(4); n > 0; n-- {
			b.WriteRune(rune(0x430 + r.IntN(32))) // Cyrillic
		}
	case 6:
		for n := 2 + r.IntN(4); n > 0; n-- {
			b.WriteRune(rune(0x30A1 + r.IntN(80))) // Katakana
		}
	case 7:
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteRune(rune(0x4E00 + r.IntN(3000))) // CJK
		}
	case 8:
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteRune(rune(0xAC00 + r.IntN(2000))) // Hangul
		}
	default:
		b.WriteString(plainWords[r.IntN(len(plainWords))])
		b.WriteString(triggerWords[r.IntN(len(triggerWords))][:1])
		b.WriteString("é")
	}
	return b.String()
}

// genRules makes n patterns: about 90% literals of one to four generated
// words (a third with Word), the rest regexes of the usual rule shapes.
func genRules(n int, seed uint64) []Pattern {
	r := rand.New(rand.NewPCG(seed, 99))
	ps := make([]Pattern, 0, n)
	phrase := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = genWord(r)
		}
		return strings.Join(ws, " ")
	}
	for len(ps) < n {
		p := Pattern{ID: len(ps)}
		if r.IntN(10) == 0 {
			w1, w2, w3 := genWord(r), genWord(r), genWord(r)
			switch r.IntN(6) {
			case 0:
				p.Regex = w1 + `\s+` + w2
			case 1:
				p.Regex = `\b` + w1 + `\b`
			case 2:
				p.Regex = `(?:` + w1 + `|` + w2 + `|` + w3 + `)\s*[0-9]{2,4}`
			case 3:
				p.Regex = w1 + `.{0,20}` + w2
			case 4:
				p.Regex = `0x[0-9a-f]{6}` + string([]rune(w1)[:1])
			default:
				p.Regex = `\+` + fmt.Sprint(10+r.IntN(89)) + `[ -]?[0-9]{3}[ -]?` + w1
			}
		} else {
			p.Literal = phrase(1 + r.IntN(4))
			p.Word = r.IntN(3) == 0
		}
		ps = append(ps, p)
	}
	return ps
}

// syntheticText makes n bytes of lower-case multilingual page-like text:
// ordinary words in many languages and scripts, numbers, and now and then a
// scam phrase, brand, phone number, error code, or a phrase of the
// generated rules. triggers is the share of words (per mille) drawn from
// the scam vocabulary the rules look for: about 10 for pages in general,
// far more for a stress test.
func syntheticText(n int, seed uint64, triggers int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	gen := genRules(200, seed)
	pick := func(plain, trigger []string) string {
		if r.IntN(1000) < triggers {
			return trigger[r.IntN(len(trigger))]
		}
		return plain[r.IntN(len(plain))]
	}
	var b bytes.Buffer
	for b.Len() < n {
		switch k := r.IntN(1000); {
		case k < 1:
			b.WriteString(scamPhrases[r.IntN(len(scamPhrases))])
		case k < 2:
			b.WriteString(brands[r.IntN(len(brands))])
		case k < 3:
			fmt.Fprintf(&b, "+1-8%02d-%03d-%04d", r.IntN(100), r.IntN(1000), r.IntN(10000))
		case k < 4:
			fmt.Fprintf(&b, "0x%08x", r.Uint32())
		case k < 5:
			if p := gen[r.IntN(len(gen))]; p.Literal != "" {
				b.WriteString(p.Literal)
			}
		case k < 80:
			b.WriteString(pick(cjkPlain, cjkTrigger))
		case k < 100:
			b.WriteString(pick(cyrillicPlain, cyrillicTrigger))
		case k < 130:
			fmt.Fprintf(&b, "%d", r.IntN(10000))
		default:
			b.WriteString(pick(plainWords, triggerWords))
		}
		switch k := r.IntN(20); {
		case k == 0:
			b.WriteString(". ")
		case k == 1:
			b.WriteString(", ")
		case k == 2:
			b.WriteString("\n")
		default:
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:n]
}

// splitPages cuts text into pages of about size bytes, at spaces.
func splitPages(text []byte, size int) [][]byte {
	var pages [][]byte
	for len(text) > 0 {
		n := min(size, len(text))
		if i := bytes.IndexByte(text[n:], ' '); i >= 0 {
			n += i
		} else {
			n = len(text)
		}
		pages = append(pages, text[:n])
		text = text[n:]
	}
	return pages
}

// corpusDir is the shared real-world corpus, relative to this package.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusPages returns the lower-cased visible text of every HTML page the
// corpus manifest lists (scripts and styles dropped, tags stripped), or
// skips tb when the corpus is absent.
func corpusPages(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		tb.Skipf("real corpus not available (%v); it lives in /work/shared/corpus", err)
	}
	defer f.Close()
	var pages [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 2 || !strings.HasSuffix(cols[1], ".html") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(corpusDir, cols[1]))
		if err != nil {
			tb.Fatalf("corpus page listed in the manifest: %v", err)
		}
		if text := pageText(raw); len(text) > 0 {
			pages = append(pages, text)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read manifest: %v", err)
	}
	if len(pages) == 0 {
		tb.Skip("real corpus lists no HTML pages")
	}
	return pages
}

// pageText approximates a page's visible text, lower-cased.
func pageText(raw []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(raw))
	var out bytes.Buffer
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return bytes.ToLower(out.Bytes())
		case html.StartTagToken:
			if n, _ := z.TagName(); isHiddenTag(n) {
				skip++
			}
		case html.EndTagToken:
			if n, _ := z.TagName(); isHiddenTag(n) && skip > 0 {
				skip--
			}
		case html.TextToken:
			if skip == 0 {
				if t := bytes.TrimSpace(z.Text()); len(t) > 0 {
					out.Write(t)
					out.WriteByte(' ')
				}
			}
		}
	}
}

func isHiddenTag(name []byte) bool {
	switch string(name) {
	case "script", "style", "noscript", "template":
		return true
	}
	return false
}
