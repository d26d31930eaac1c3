package apiconv

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/score"
)

// full is a verdict with every field set to something other than zero.
func full() (score.Verdict, []scan.Timing) {
	v := score.Verdict{
		Label:          score.Scam,
		Score:          97,
		RuleSetVersion: "sha256:abc",
		Fired: []score.FiredRule{{
			ID: "brand.microsoft", Title: "Impersonates Microsoft", Category: "brand", Weight: 30,
			Evidence: []rules.Evidence{{Field: extract.FieldTitle, Start: 4, End: 13, Snippet: "… microsoft defender …"}},
		}, {
			ID: "benign.news", Title: "Reads like news", Category: "benign", Weight: -20,
			Evidence: []rules.Evidence{{Field: extract.FieldText, Start: 2, End: 9, Snippet: "reuters"}},
		}},
		Categories: []string{"brand", "alarm"},
		Indicators: score.Indicators{
			Phones:      []extract.Phone{{Raw: "(800) 555-0199", E164: "+18005550199", Region: "US", Type: "toll_free", Field: extract.FieldDialog, Start: 3, End: 17}},
			ErrorCodes:  []extract.ErrorCode{{Code: "0x80070424", Field: extract.FieldText, Start: 10, End: 20, Snippet: "error code 0x80070424 call"}},
			Brands:      []string{"Microsoft"},
			RemoteTools: []string{"AnyDesk"},
			Locks:       []extract.Lock{{Kind: extract.LockFullscreen, Count: 2, Runtime: true, Evidence: "requestFullscreen()"}},
		},
		Warnings: []string{"script 2 does not parse"},
	}
	return v, []scan.Timing{{Stage: "extract", Duration: 1500 * time.Microsecond}, {Stage: "score", Duration: time.Millisecond}}
}

func TestVerdict(t *testing.T) {
	v, timings := full()
	got := Verdict(v, timings)
	want := &scamscopev1.Verdict{
		Label:          scamscopev1.Label_LABEL_SCAM,
		Score:          97,
		RuleSetVersion: "sha256:abc",
		FiredRules: []*scamscopev1.FiredRule{{
			Id: "brand.microsoft", Title: "Impersonates Microsoft", Category: "brand", Weight: 30,
			Evidence: []*scamscopev1.Evidence{{Field: "title", Start: 4, End: 13, Snippet: "… microsoft defender …"}},
		}, {
			Id: "benign.news", Title: "Reads like news", Category: "benign", Weight: -20,
			Evidence: []*scamscopev1.Evidence{{Field: "text", Start: 2, End: 9, Snippet: "reuters"}},
		}},
		Indicators: &scamscopev1.Indicators{
			PhoneNumbers:      []*scamscopev1.PhoneNumber{{Raw: "(800) 555-0199", E164: "+18005550199", Region: "US", Type: "toll_free", Field: "dialog"}},
			ErrorCodes:        []*scamscopev1.ErrorCode{{Code: "0x80070424", Field: "text", Snippet: "error code 0x80070424 call"}},
			Brands:            []string{"Microsoft"},
			RemoteAccessTools: []string{"AnyDesk"},
			LockBehaviors:     []*scamscopev1.LockBehavior{{Kind: "fullscreen", Count: 2, Runtime: true, Evidence: "requestFullscreen()"}},
		},
		Timings: []*scamscopev1.StageTiming{
			{Stage: "extract", Duration: durationpb.New(1500 * time.Microsecond)},
			{Stage: "score", Duration: durationpb.New(time.Millisecond)},
		},
		Warnings:   []string{"script 2 does not parse"},
		Categories: []string{"brand", "alarm"},
	}
	if !proto.Equal(got, want) {
		t.Errorf("Verdict() =\n%v\nwant\n%v", protojson.Format(got), protojson.Format(want))
	}
}

// TestVerdictEveryField fails when the contract gains a field this package
// does not fill: every field of every message reached from a full verdict
// must be set.
func TestVerdictEveryField(t *testing.T) {
	v, timings := full()
	unset := map[protoreflect.FullName]bool{}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		fields := m.Descriptor().Fields()
		for i := range fields.Len() {
			fd := fields.Get(i)
			if unset[fd.FullName()] {
				continue
			}
			if !m.Has(fd) {
				t.Errorf("%s is not set by Verdict()", fd.FullName())
				continue
			}
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := m.Get(fd).List()
				for j := range l.Len() {
					walk(l.Get(j).Message())
				}
			case fd.Message() != nil && fd.Message().FullName().Parent() == "scamscope.v1":
				walk(m.Get(fd).Message())
			}
		}
	}
	walk(Verdict(v, timings).ProtoReflect())
}

func TestLabel(t *testing.T) {
	tests := []struct {
		in   score.Label
		want scamscopev1.Label
	}{
		{score.Clean, scamscopev1.Label_LABEL_CLEAN},
		{score.Suspicious, scamscopev1.Label_LABEL_SUSPICIOUS},
		{score.Scam, scamscopev1.Label_LABEL_SCAM},
		{score.Label(42), scamscopev1.Label_LABEL_UNSPECIFIED},
	}
	for _, tt := range tests {
		if got := Label(tt.in); got != tt.want {
			t.Errorf("Label(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestVerdictZero(t *testing.T) {
	got := Verdict(score.Verdict{}, nil)
	if got.GetLabel() != scamscopev1.Label_LABEL_CLEAN || got.GetIndicators() == nil || len(got.GetFiredRules()) != 0 {
		t.Errorf("Verdict(zero) = %v, want a CLEAN verdict with empty indicators", got)
	}
	if _, err := protojson.Marshal(got); err != nil {
		t.Errorf("protojson.Marshal(Verdict(zero)): %v", err)
	}
}

// TestDomainFieldsKnown fails when the domain types gain a field, so that
// someone decides whether the contract carries it.
func TestDomainFieldsKnown(t *testing.T) {
	tests := []struct {
		typ reflect.Type
		// converted fields, and fields the contract has no place for
		converted, dropped []string
	}{
		{reflect.TypeFor[score.Verdict](), []string{"Label", "Score", "RuleSetVersion", "Fired", "Categories", "Indicators", "Warnings"}, []string{"Breakdown"}},
		{reflect.TypeFor[score.FiredRule](), []string{"ID", "Title", "Category", "Weight", "Evidence"}, nil},
		{reflect.TypeFor[rules.Evidence](), []string{"Field", "Start", "End", "Snippet"}, nil},
		{reflect.TypeFor[score.Indicators](), []string{"Phones", "ErrorCodes", "Brands", "RemoteTools", "Locks"}, nil},
		{reflect.TypeFor[extract.Phone](), []string{"Raw", "E164", "Region", "Type", "Field"}, []string{"Start", "End"}},
		{reflect.TypeFor[extract.ErrorCode](), []string{"Code", "Field", "Snippet"}, []string{"Start", "End"}},
		{reflect.TypeFor[extract.Lock](), []string{"Kind", "Count", "Runtime", "Evidence"}, nil},
		{reflect.TypeFor[scan.Timing](), []string{"Stage", "Duration"}, nil},
	}
	for _, tt := range tests {
		known := append(append([]string(nil), tt.converted...), tt.dropped...)
		for i := range tt.typ.NumField() {
			if f := tt.typ.Field(i); f.IsExported() && !slices.Contains(known, f.Name) {
				t.Errorf("%v.%s is new: convert it in apiconv or list it as dropped", tt.typ, f.Name)
			}
		}
	}
}
