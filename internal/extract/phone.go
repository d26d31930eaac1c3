package extract

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"

	"github.com/scamscope/scamscope/internal/swar"
)

// Phone numbers.
//
// Candidates are found in the normalised fields (so full-width digits are
// already ASCII): a run that starts with a digit, '+' or '(' at a boundary
// and goes on with digits and separators (space, . - / ( ) and the Unicode
// dashes), at most three separators in a row, holding 7 to 15 digits.
// A candidate is dropped when it is preceded by a letter, digit, '_', '.',
// ',', '#', '$', '%', '/', '-', '@', '&' or a currency sign, or followed by
// an ASCII letter or digit, '%' or a currency sign (prices, versions,
// identifiers, hex codes); when it reads as a date (d/m/y, y-m-d) or an
// IPv4 address; and when it is a bare digit run (no separator, no '+') that
// is neither in a tel: URL nor after a phone label.
//
// A candidate is parsed with phonenumbers under the regions hinted by the
// page (the region of Features.Lang, then the page URL's country-code TLD),
// then US and GB; a number written with the international prefix 00 is
// also tried as from Germany (00 is the prefix in most of Europe). The
// first parse that IsValidNumber accepts gives E164, Region and Type, with
// one more condition: a number written nationally in a region that has a
// national prefix (0 in most of Europe and Asia; not the NANP's optional
// 1) must start with it, unless it is a service number (toll-free, shared
// cost, premium, UAN: Australia's 1800 123 456). That keeps dates, counts
// and identifiers from passing as German or British fixed lines, whose
// numbering is permissive.
//
// Choice: a candidate that validates under no region is kept, with Raw
// only (E164 and Region empty, Type "unknown"), when it comes from a tel:
// URL or a phone label ("call", "tel", "phone", "toll free", "appelez",
// "anrufen", "llame", "電話", ...) ends within 40 bytes before it with no
// other digit in between; such
// placeholders ("000-0000-0000" in a template) still show that the page
// asks to be called. Others are dropped.
//
// Fields searched, in this order: title, text, hidden, dialog, the tel:
// URLs in FieldURL, the prose strings of scripts in FieldScript, and string
// literals in the script sources that are a whole phone number with
// separators ("var phone = '0043 8000 18306'"; kept only when valid). A
// number is reported once (by E164, else by its digits), where first found.

// maxPhoneCandidates bounds the parses one page costs.
const maxPhoneCandidates = 2000

// phoneLabels are words that announce a phone number, normalised. A Latin
// label must start a word; one marked whole must also end one ("tel" but
// not "tell").
var phoneLabels = []struct {
	s     string
	whole bool
}{
	{"call", false}, {"contact", false}, {"assistance", false}, {"tel", true}, {"tél", true}, {"phone", false}, {"telephone", false}, {"toll free", false},
	{"toll-free", false}, {"helpline", false}, {"hotline", false}, {"dial", false}, {"appel", false},
	{"téléphon", false}, {"numéro vert", false}, {"anruf", false}, {"rufen sie", false}, {"telefon", false},
	{"llam", false}, {"teléfono", false}, {"chiam", false}, {"telefoon", false}, {"bel ons", false},
	{"bel naar", false}, {"zadzwo", false}, {"ring oss", false}, {"ligue", false}, {"ligar", false},
	{"電話", false}, {"でんわ", false}, {"フリーダイヤル", false}, {"ダイヤル", false}, {"电话", false},
	{"致电", false}, {"撥打", false}, {"拨打", false}, {"전화", false},
}

// phoneRegions returns the regions to parse national numbers in.
func phoneRegions(lang string, u *url.URL) []string {
	var rs []string
	add := func(r string) {
		r = strings.ToUpper(r)
		if r == "" || r == "ZZ" || !supportedRegion(r) {
			return
		}
		for _, o := range rs {
			if o == r {
				return
			}
		}
		rs = append(rs, r)
	}
	if lang != "" {
		if tag, err := language.Parse(lang); err == nil {
			if reg, conf := tag.Region(); conf != language.No {
				add(reg.String())
			}
		}
	}
	if host := pageHost(u); host != "" {
		tld := host[strings.LastIndexByte(host, '.')+1:]
		if len(tld) == 2 {
			if strings.EqualFold(tld, "uk") {
				tld = "gb"
			}
			add(tld)
		}
	}
	add("US")
	add("GB")
	return rs
}

func supportedRegion(r string) bool {
	return phonenumbers.GetCountryCodeForRegion(r) != 0
}

// phoneSearch finds phones in the fields of one page.
type phoneSearch struct {
	f       *Features
	regions []string
	seen    map[string]bool
	tried   int
	out     []Phone
	parsed  map[string]*phonenumbers.PhoneNumber // parse's answers, by raw text: pages repeat their number
}

// findPhones finds the phone numbers of a page; strRanges locate the prose
// strings in FieldScript.
func findPhones(f *Features, strRanges [][2]int, regions []string) []Phone {
	p := &phoneSearch{f: f, regions: regions, seen: map[string]bool{}}
	for _, fld := range []Field{FieldTitle, FieldText, FieldHidden, FieldDialog} {
		p.scan(fld, 0, len(f.Fields[fld]), false)
	}
	urls := f.Fields[FieldURL]
	for off := 0; off < len(urls); {
		end := strings.IndexByte(urls[off:], '\n')
		if end < 0 {
			end = len(urls)
		} else {
			end += off
		}
		if line := urls[off:end]; strings.HasPrefix(line, "tel:") {
			p.scan(FieldURL, off+len("tel:"), end, true)
		}
		off = end + 1
	}
	for _, r := range strRanges {
		p.scan(FieldScript, r[0], r[1], false)
	}
	p.scanQuoted()
	return p.out
}

// scanQuoted finds numbers that make up a whole string literal in the
// script sources ("var phone = '0043 8000 18306'"), kept only when valid:
// jsscan's prose strings leave such literals out.
func (p *phoneSearch) scanQuoted() {
	s := p.f.Fields[FieldScript]
	for i := 0; i < len(s); i++ {
		if i+8 <= len(s) {
			// Straight to the first quote of the next eight bytes.
			m := quoteLanes(swar.Load64(s[i:]))
			if m == 0 {
				i += 7
				continue
			}
			i += swar.FirstLane(m)
		}
		q := s[i]
		if q != '\'' && q != '"' && q != '`' {
			continue
		}
		j := i + 1
		for j < len(s) && j-i <= 32 && (s[j] >= '0' && s[j] <= '9' || strings.IndexByte("+ .-()/", s[j]) >= 0) {
			j++
		}
		if j >= len(s) || s[j] != q || j == i+1 {
			continue
		}
		start, end := i+1, j
		for start < end && s[start] == ' ' {
			start++
		}
		for end > start && s[end-1] == ' ' {
			end--
		}
		if run, digits, bare := phoneRun(s, start, end); run == end && !bare && digits >= 7 && digits <= 15 {
			p.consider(FieldScript, s, start, end, false, false, true)
		}
		i = j
	}
}

// scan looks for candidates in f.Fields[fld][from:to]; tel is set inside
// a tel: URL.
func (p *phoneSearch) scan(fld Field, from, to int, tel bool) {
	s := p.f.Fields[fld]
	for i := from; i < to; {
		if i+8 <= to {
			// Straight to the first byte of the next eight where a
			// candidate can start.
			m := phoneStartLanes(swar.Load64(s[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += swar.FirstLane(m)
		}
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '+' || c == '(') || !phoneBoundaryBefore(s, from, i) {
			i++
			continue
		}
		end, digits, bare := phoneRun(s, i, to)
		if end <= i {
			i++
			continue
		}
		if digits >= 7 && digits <= 15 && phoneBoundaryAfter(s, end, to) {
			p.consider(fld, s, i, end, bare, tel, false)
		}
		i = end
	}
}

// quoteLanes returns the top bit of every byte of v that is ', " or `,
// and no other bit.
func quoteLanes(v uint64) uint64 {
	return swar.EqualLanes(v, '\'') | swar.EqualLanes(v, '"') | swar.EqualLanes(v, '`')
}

// phoneStartLanes returns the top bit of every byte of v that is a digit,
// '+' or '(' (where a candidate can start), and no other bit.
func phoneStartLanes(v uint64) uint64 {
	// Digits are 0x30..0x39: 0x30..0x37 share v&0xf8 == 0x30, 0x38 and
	// 0x39 share v&0xfe == 0x38.
	d := swar.ZeroLanes(v&swar.Repeat(0xf8)^swar.Repeat(0x30)) | swar.ZeroLanes(v&swar.Repeat(0xfe)^swar.Repeat(0x38))
	return d | swar.EqualLanes(v, '+') | swar.EqualLanes(v, '(')
}

// phoneRun returns the end of the candidate run starting at s[i], its
// digit count, and whether it is a bare digit run.
func phoneRun(s string, i, to int) (end, digits int, bare bool) {
	j := i
	if s[j] == '+' {
		j++
	}
	seps, lastDigit, open := 0, -1, 0
	for j < to {
		c := s[j]
		if c >= '0' && c <= '9' {
			digits++
			seps = 0
			j++
			lastDigit = j
			continue
		}
		n := phoneSep(s[j:to])
		if n == 0 || seps == 3 {
			break
		}
		switch c {
		case '(':
			open++
		case ')':
			open--
		}
		if c == '/' && seps > 0 {
			break
		}
		seps++
		j += n
	}
	if lastDigit < 0 {
		return j, 0, bare
	}
	end = lastDigit
	if open > 0 && end < to && s[end] == ')' {
		end++
	}
	bare = digits == end-i
	return end, digits, bare
}

// phoneSep returns the length of the phone separator that s starts with,
// or 0.
func phoneSep(s string) int {
	switch s[0] {
	case ' ', '.', '-', '(', ')', '/':
		return 1
	}
	if s[0] < utf8.RuneSelf {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s)
	switch r {
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u30fc', '\u00b7':
		return n
	}
	return 0
}

// phoneBoundaryBefore reports whether a candidate may start at s[i].
func phoneBoundaryBefore(s string, from, i int) bool {
	if i == from {
		return true
	}
	c := s[i-1]
	if c < utf8.RuneSelf {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return false
		}
		return !strings.ContainsRune("_.,#$%/-@&+", rune(c))
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.Is(unicode.Sc, r) && !unicode.Is(unicode.Latin, r)
}

// phoneBoundaryAfter reports whether a candidate may end at s[end].
func phoneBoundaryAfter(s string, end, to int) bool {
	if end >= to {
		return true
	}
	c := s[end]
	if c < utf8.RuneSelf {
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '%' || c == '$' {
			return false
		}
		// A price or a unit after a space: "1 234 567 €".
		if c == ' ' && end+1 < to {
			r, _ := utf8.DecodeRuneInString(s[end+1:])
			if unicode.Is(unicode.Sc, r) {
				return false
			}
		}
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[end:])
	return !unicode.Is(unicode.Sc, r) && !unicode.Is(unicode.Latin, r)
}

// consider parses one candidate and records it when it passes; quoted
// candidates (whole string literals in scripts) need no label but must be
// valid.
func (p *phoneSearch) consider(fld Field, s string, start, end int, bare, tel, quoted bool) {
	raw := s[start:end]
	if notPhone(raw) {
		return
	}
	labelled := tel || !quoted && phoneLabelBefore(s, start)
	if bare && !labelled && !quoted {
		return
	}
	if p.tried >= maxPhoneCandidates {
		return
	}
	p.tried++
	ph := Phone{Raw: raw, Field: fld, Start: start, End: end, Type: "unknown"}
	if num := p.parse(raw); num != nil {
		ph.E164 = phonenumbers.Format(num, phonenumbers.E164)
		ph.Region = phonenumbers.GetRegionCodeForNumber(num)
		ph.Type = numberType(phonenumbers.GetNumberType(num))
	} else if !labelled {
		return
	}
	key := ph.E164
	if key == "" {
		key = digitsOf(raw)
	}
	if p.seen[key] {
		return
	}
	p.seen[key] = true
	p.out = append(p.out, ph)
}

// parse returns the first valid reading of raw, or nil.
func (p *phoneSearch) parse(raw string) *phonenumbers.PhoneNumber {
	if num, ok := p.parsed[raw]; ok {
		return num
	}
	num := p.parseRegions(raw)
	if p.parsed == nil {
		p.parsed = map[string]*phonenumbers.PhoneNumber{}
	}
	p.parsed[raw] = num
	return num
}

// parseRegions parses raw under the page's regions.
func (p *phoneSearch) parseRegions(raw string) *phonenumbers.PhoneNumber {
	regions := p.regions
	if strings.HasPrefix(digitsOf(raw), "00") && !strings.HasPrefix(raw, "+") {
		regions = append(regions[:len(regions):len(regions)], "DE")
	}
	digits := digitsOf(raw)
	intl := strings.HasPrefix(raw, "+") || strings.HasPrefix(digits, "00")
	for _, r := range regions {
		// Written nationally, a number starts with the national prefix
		// where there is one (0 in most of Europe and Asia; the NANP's 1
		// is optional), which keeps dates and counts from reading as
		// German or British numbers.
		ndd := phonenumbers.GetNddPrefixForRegion(r, true)
		num, err := phonenumbers.Parse(raw, r)
		if err != nil {
			continue
		}
		if phonenumbers.IsValidNumber(num) {
			if intl || ndd == "" || phonenumbers.IsNANPACountry(r) || strings.HasPrefix(digits, ndd) {
				return num
			}
			// Written without the national prefix: only service numbers
			// are written so (Australia's 1800 and 1300).
			switch phonenumbers.GetNumberType(num) {
			case phonenumbers.TOLL_FREE, phonenumbers.SHARED_COST, phonenumbers.PREMIUM_RATE, phonenumbers.UAN:
				return num
			}
		}
		if strings.HasPrefix(raw, "+") {
			return nil // the region played no part
		}
	}
	return nil
}

// notPhone reports whether a candidate reads as something else: a date
// (d/m/y, y-m-d), a year range, an IPv4 address, a decimal number or a
// number with thousands separators.
func notPhone(raw string) bool {
	groups := strings.FieldsFunc(raw, func(r rune) bool { return r < '0' || r > '9' })
	seps := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '+' {
			return -1
		}
		return r
	}, raw)
	if len(groups) == 3 && len(digitsOf(raw)) <= 8 {
		// d/m/y, m-d-y, y.m.d
		a, b, c := len(groups[0]), len(groups[1]), len(groups[2])
		if (a <= 2 && b <= 2 && (c == 2 || c == 4)) || (a == 4 && b <= 2 && c <= 2) {
			return true
		}
	}
	if len(groups) == 2 && year(groups[0]) && year(groups[1]) {
		return true
	}
	if len(groups) == 4 && strings.Count(raw, ".") == 3 && !strings.ContainsAny(raw, " -()") {
		ip := true
		for _, g := range groups {
			if len(g) > 3 || len(g) == 3 && g > "255" {
				ip = false
			}
		}
		if ip {
			return true
		}
	}
	if seps == "." || seps == "," {
		return true // a decimal number
	}
	if raw[0] != '+' && raw[0] != '0' && len(groups) >= 2 && len(groups[0]) <= 3 &&
		strings.Trim(seps, seps[:1]) == "" && strings.ContainsAny(seps[:1], "., ") {
		thousands := true
		for _, g := range groups[1:] {
			if len(g) != 3 {
				thousands = false
			}
		}
		if thousands {
			return true
		}
	}
	return false
}

// year reports whether g reads as a year from 1900 to 2099.
func year(g string) bool {
	return len(g) == 4 && (g[:2] == "19" || g[:2] == "20")
}

// phoneLabelBefore reports whether a phone label ends within 40 bytes
// before s[i], with no digit between it and s[i].
func phoneLabelBefore(s string, i int) bool {
	from := max(0, i-40)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from++
	}
	w := s[from:i]
	for _, l := range phoneLabels {
		for off := 0; off < len(w); {
			k := strings.Index(w[off:], l.s)
			if k < 0 {
				break
			}
			at, end := off+k, off+k+len(l.s)
			off = at + 1
			latin := l.s[0] < utf8.RuneSelf
			if latin && at > 0 && isLetterByte(w[at-1]) && from+at > 0 {
				continue
			}
			if l.whole && end < len(w) && isLetterByte(w[end]) {
				continue
			}
			if strings.ContainsAny(w[end:], "0123456789") {
				continue // the label is another number's
			}
			return true
		}
	}
	return false
}

// isLetterByte reports whether c is an ASCII letter or starts or continues
// a multi-byte character (taken as a letter: labels are checked against
// Latin text).
func isLetterByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// numberType names a phonenumbers number type.
func numberType(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "fixed_line"
	case phonenumbers.MOBILE:
		return "mobile"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "fixed_line_or_mobile"
	case phonenumbers.TOLL_FREE:
		return "toll_free"
	case phonenumbers.PREMIUM_RATE:
		return "premium_rate"
	case phonenumbers.SHARED_COST:
		return "shared_cost"
	case phonenumbers.VOIP:
		return "voip"
	case phonenumbers.PERSONAL_NUMBER:
		return "personal_number"
	case phonenumbers.PAGER:
		return "pager"
	case phonenumbers.UAN:
		return "uan"
	case phonenumbers.VOICEMAIL:
		return "voicemail"
	}
	return "unknown"
}
