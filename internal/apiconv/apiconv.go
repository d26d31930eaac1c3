// Package apiconv converts the pipeline's domain types to the gRPC
// contract's messages (api/scamscope/v1). It is the only place that knows
// both, so the server and the CLI render verdicts the same way.
//
// It converts one way, domain to proto, and validates nothing: requests are
// checked by internal/server.
package apiconv

import (
	"google.golang.org/protobuf/types/known/durationpb"

	scamscopev1 "github.com/scamscope/scamscope/api/scamscope/v1"
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/scan"
	"github.com/scamscope/scamscope/internal/score"
)

// Verdict converts a verdict and the timings of the scan that produced it.
// Lists the domain leaves nil are empty in the message. The contract has no
// place for the per-category Breakdown nor for the byte offsets of phone
// numbers and error codes; they are dropped.
func Verdict(v score.Verdict, timings []scan.Timing) *scamscopev1.Verdict {
	out := &scamscopev1.Verdict{
		Label:          Label(v.Label),
		Score:          int32(v.Score),
		RuleSetVersion: v.RuleSetVersion,
		Indicators:     Indicators(v.Indicators),
		Warnings:       clone(v.Warnings),
		Categories:     clone(v.Categories),
	}
	for _, f := range v.Fired {
		out.FiredRules = append(out.FiredRules, FiredRule(f))
	}
	for _, t := range timings {
		out.Timings = append(out.Timings, &scamscopev1.StageTiming{Stage: t.Stage, Duration: durationpb.New(t.Duration)})
	}
	return out
}

// Label converts a label; an unknown one is LABEL_UNSPECIFIED.
func Label(l score.Label) scamscopev1.Label {
	switch l {
	case score.Clean:
		return scamscopev1.Label_LABEL_CLEAN
	case score.Suspicious:
		return scamscopev1.Label_LABEL_SUSPICIOUS
	case score.Scam:
		return scamscopev1.Label_LABEL_SCAM
	}
	return scamscopev1.Label_LABEL_UNSPECIFIED
}

// FiredRule converts a fired rule with its evidence.
func FiredRule(f score.FiredRule) *scamscopev1.FiredRule {
	out := &scamscopev1.FiredRule{Id: f.ID, Title: f.Title, Category: f.Category, Weight: int32(f.Weight)}
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, &scamscopev1.Evidence{
			Field:   e.Field.String(),
			Start:   int32(e.Start),
			End:     int32(e.End),
			Snippet: e.Snippet,
		})
	}
	return out
}

// Indicators converts a verdict's indicators.
func Indicators(in score.Indicators) *scamscopev1.Indicators {
	out := &scamscopev1.Indicators{
		Brands:            clone(in.Brands),
		RemoteAccessTools: clone(in.RemoteTools),
	}
	for _, p := range in.Phones {
		out.PhoneNumbers = append(out.PhoneNumbers, Phone(p))
	}
	for _, c := range in.ErrorCodes {
		out.ErrorCodes = append(out.ErrorCodes, &scamscopev1.ErrorCode{Code: c.Code, Field: c.Field.String(), Snippet: c.Snippet})
	}
	for _, l := range in.Locks {
		out.LockBehaviors = append(out.LockBehaviors, Lock(l))
	}
	return out
}

// Phone converts a telephone number.
func Phone(p extract.Phone) *scamscopev1.PhoneNumber {
	return &scamscopev1.PhoneNumber{Raw: p.Raw, E164: p.E164, Region: p.Region, Type: p.Type, Field: p.Field.String()}
}

// Lock converts a lock behaviour.
func Lock(l extract.Lock) *scamscopev1.LockBehavior {
	return &scamscopev1.LockBehavior{Kind: string(l.Kind), Count: int32(l.Count), Runtime: l.Runtime, Evidence: l.Evidence}
}

func clone(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}
