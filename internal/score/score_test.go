package score

import (
	"slices"
	"testing"

	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
)

// testCfg is a scoring configuration written for these tests, so they
// check the combination logic and not the tuning of scoring.yaml.
var testCfg = rules.Scoring{
	ScamThreshold:       55,
	SuspiciousThreshold: 30,
	ScamMinCategories:   3,
	Categories: []rules.Category{
		{Name: "brand", Cap: 15},
		{Name: "alarm", Cap: 35},
		{Name: "support_cta", Cap: 25},
		{Name: "urgency", Cap: 20},
		{Name: "error_code", Cap: 15},
		{Name: "lock", Cap: 25},
		{Name: "remote_access", Cap: 15},
		{Name: "lead_capture", Cap: 25},
		{Name: "benign", Cap: 45},
	},
	Indicators: []rules.Indicator{
		{ID: "phone.with_cta", Kind: rules.IndicatorPhone, Category: "support_cta", Weight: 8, With: []string{"support_cta"}},
		{ID: "error_code", Kind: rules.IndicatorErrorCode, Category: "error_code", Weight: 6},
		{ID: "lock.runtime", Kind: rules.IndicatorRuntimeLock, Category: "lock", Weight: 8},
		{ID: "lock.fullscreen", Kind: rules.IndicatorLock, Lock: extract.LockFullscreen, Category: "lock", Weight: 3},
		{ID: "phone_form", Kind: rules.IndicatorPhoneForm, Category: "lead_capture", Weight: 20, With: []string{"brand", "alarm"}},
	},
	RuleSetVersion: "test",
}

var (
	microsoft  = &rules.Rule{ID: "brand.microsoft", Category: "brand", Weight: 10, Brand: "Microsoft"}
	defender   = &rules.Rule{ID: "brand.defender", Category: "brand", Weight: 12, Brand: "Microsoft"}
	teamviewer = &rules.Rule{ID: "remote.teamviewer", Category: "remote_access", Weight: 10, Tool: "TeamViewer"}
	infected   = &rules.Rule{ID: "alarm.infected", Category: "alarm", Weight: 25}
	blocked    = &rules.Rule{ID: "alarm.blocked", Category: "alarm", Weight: 20}
	callSupp   = &rules.Rule{ID: "cta.call", Category: "support_cta", Weight: 15}
	noRestart  = &rules.Rule{ID: "urgency.restart", Category: "urgency", Weight: 10}
	fullscreen = &rules.Rule{ID: "lock.fullscreen", Category: "lock", Weight: 12}
	awareness  = &rules.Rule{ID: "benign.awareness", Category: "benign", Weight: -25}
	never      = &rules.Rule{ID: "benign.never_call", Category: "benign", Weight: -30}
	ghost      = &rules.Rule{ID: "ghost", Category: "nowhere", Weight: 50}
)

func fire(rs ...*rules.Rule) []rules.Fired {
	out := make([]rules.Fired, len(rs))
	for i, r := range rs {
		out[i] = rules.Fired{Rule: r}
	}
	return out
}

func TestScore(t *testing.T) {
	phone := []extract.Phone{{Raw: "+1 800 000 0000", Type: "toll_free"}}
	tests := []struct {
		name      string
		f         *extract.Features
		fired     []*rules.Rule
		wantLabel Label
		wantScore int
		wantCats  []string
	}{
		{"nothing", nil, nil, Clean, 0, nil},
		{"a phone alone", &extract.Features{Phones: phone}, nil, Clean, 0, nil},
		{"Microsoft alone", nil, []*rules.Rule{microsoft}, Clean, 10, []string{"brand"}},
		{"TeamViewer alone", nil, []*rules.Rule{teamviewer}, Clean, 10, []string{"remote_access"}},
		{"an error code alone", &extract.Features{ErrorCodes: []extract.ErrorCode{{Code: "0x80070424"}}}, nil, Clean, 6, []string{"error_code"}},
		{"brand capped", nil, []*rules.Rule{microsoft, defender}, Clean, 15, []string{"brand"}},
		{"alarm capped, one category", nil, []*rules.Rule{infected, blocked}, Suspicious, 35, []string{"alarm"}},
		{"high score, two categories", nil, []*rules.Rule{infected, blocked, callSupp}, Suspicious, 50, []string{"alarm", "support_cta"}},
		{"over the threshold with two categories only", &extract.Features{Phones: phone}, []*rules.Rule{infected, blocked, callSupp, callSupp}, Suspicious, 60, []string{"alarm", "support_cta"}},
		{"brand+alarm+cta+lock", nil, []*rules.Rule{defender, infected, callSupp, fullscreen}, Scam, 64, []string{"brand", "alarm", "support_cta", "lock"}},
		{"phone counts with a call-support wording", &extract.Features{Phones: phone}, []*rules.Rule{defender, infected, callSupp}, Scam, 60, []string{"brand", "alarm", "support_cta"}},
		{"without the phone the same page is suspicious", nil, []*rules.Rule{defender, infected, callSupp}, Suspicious, 52, []string{"brand", "alarm", "support_cta"}},
		{"runtime lock adds to lock", &extract.Features{Locks: []extract.Lock{{Kind: extract.LockFullscreen, Runtime: true}}}, []*rules.Rule{defender, infected, callSupp, fullscreen}, Scam, 75, []string{"brand", "alarm", "support_cta", "lock"}},
		{"lock kind indicator", &extract.Features{Locks: []extract.Lock{{Kind: extract.LockFullscreen}}}, []*rules.Rule{defender, infected, callSupp}, Scam, 55, []string{"brand", "alarm", "support_cta", "lock"}},
		{"benign wording pulls a borderline page down", &extract.Features{Phones: phone}, []*rules.Rule{defender, infected, callSupp, awareness}, Suspicious, 35, []string{"brand", "alarm", "support_cta", "benign"}},
		{"benign wording, twice, to clean", &extract.Features{Phones: phone}, []*rules.Rule{defender, infected, callSupp, awareness, never}, Clean, 15, []string{"brand", "alarm", "support_cta", "benign"}},
		{"negative total clamps to 0", nil, []*rules.Rule{awareness, never}, Clean, 0, []string{"benign"}},
		{"unknown category ignored", nil, []*rules.Rule{ghost}, Clean, 0, nil},
		{"a phone form with brand and alarm", &extract.Features{Forms: []extract.Form{{AsksPhone: true}}}, []*rules.Rule{defender, infected}, Scam, 57, []string{"brand", "alarm", "lead_capture"}},
		{"a phone form without an alarm", &extract.Features{Forms: []extract.Form{{AsksPhone: true}}}, []*rules.Rule{defender}, Clean, 12, []string{"brand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Score(tt.f, fire(tt.fired...), testCfg)
			if v.Label != tt.wantLabel || v.Score != tt.wantScore || !slices.Equal(v.Categories, tt.wantCats) {
				t.Errorf("Score = %v %d %v, want %v %d %v (breakdown %v)", v.Label, v.Score, v.Categories, tt.wantLabel, tt.wantScore, tt.wantCats, v.Breakdown)
			}
			if v.RuleSetVersion != "test" {
				t.Errorf("RuleSetVersion = %q, want test", v.RuleSetVersion)
			}
		})
	}
}

func TestBenignVeto(t *testing.T) {
	cfg := testCfg
	cfg.BenignVeto = 20
	scamWords := []*rules.Rule{defender, infected, blocked, callSupp, noRestart, teamviewer} // 82
	awareness := &rules.Rule{ID: "benign.awareness.light", Category: "benign", Weight: -20}
	tests := []struct {
		name  string
		fired []*rules.Rule
		want  Label
	}{
		{"a kit's words alone", scamWords, Scam},
		{"quoted on a page about scams", append(slices.Clone(scamWords), awareness), Suspicious},
		{"a page about scams that also locks the visitor", append(slices.Clone(scamWords), awareness, fullscreen), Scam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Score(nil, fire(tt.fired...), cfg)
			if v.Label != tt.want {
				t.Errorf("Score(%s) = %v (%d, %v), want %v", tt.name, v.Label, v.Score, v.Breakdown, tt.want)
			}
			if off := Score(nil, fire(tt.fired...), testCfg); tt.want == Suspicious && off.Label != Scam {
				t.Errorf("without the veto %s = %v, want SCAM (the veto must be what changes it)", tt.name, off.Label)
			}
		})
	}
}

func TestScoreExplains(t *testing.T) {
	f := &extract.Features{
		Phones:     []extract.Phone{{Raw: "0800 000 000"}},
		ErrorCodes: []extract.ErrorCode{{Code: "0x80070424"}},
		Locks:      []extract.Lock{{Kind: extract.LockKeyboard}},
		Warnings:   []string{"script 1 does not parse"},
	}
	v := Score(f, fire(microsoft, teamviewer, defender, infected, awareness, noRestart, ghost), testCfg)
	var ids []string
	for _, fr := range v.Fired {
		ids = append(ids, fr.ID)
	}
	if want := []string{"ghost", "alarm.infected", "brand.defender", "brand.microsoft", "remote.teamviewer", "urgency.restart", "benign.awareness"}; !slices.Equal(ids, want) {
		t.Errorf("Fired = %v, want %v (weight descending, then id)", ids, want)
	}
	if got := v.Indicators.Brands; !slices.Equal(got, []string{"Microsoft"}) {
		t.Errorf("Brands = %v, want [Microsoft]", got)
	}
	if got := v.Indicators.RemoteTools; !slices.Equal(got, []string{"TeamViewer"}) {
		t.Errorf("RemoteTools = %v, want [TeamViewer]", got)
	}
	if len(v.Indicators.Phones) != 1 || len(v.Indicators.ErrorCodes) != 1 || len(v.Indicators.Locks) != 1 {
		t.Errorf("Indicators = %+v, want the page's phone, code and lock", v.Indicators)
	}
	if len(v.Warnings) != 2 {
		t.Errorf("Warnings = %q, want the unknown category and the page's warning", v.Warnings)
	}
	sum := 0
	for _, b := range v.Breakdown {
		sum += b.Score
	}
	if sum != v.Score {
		t.Errorf("Breakdown %v sums to %d, want the score %d", v.Breakdown, sum, v.Score)
	}
}

func BenchmarkScore(b *testing.B) {
	f := &extract.Features{Phones: []extract.Phone{{Raw: "0800 000 000"}}}
	fired := fire(defender, infected, callSupp, fullscreen, noRestart, awareness)
	b.ReportAllocs()
	for b.Loop() {
		Score(f, fired, testCfg)
	}
}
