package score

import (
	"github.com/scamscope/scamscope/internal/extract"
	"github.com/scamscope/scamscope/internal/rules"
)

// Label is the classifier's answer.
type Label int

// The labels, in increasing order of alarm.
const (
	Clean Label = iota
	Suspicious
	Scam
)

func (l Label) String() string {
	switch l {
	case Clean:
		return "CLEAN"
	case Suspicious:
		return "SUSPICIOUS"
	case Scam:
		return "SCAM"
	}
	return "UNKNOWN"
}

// FiredRule is a rule that matched, with its evidence.
type FiredRule struct {
	ID       string
	Title    string
	Category string
	Weight   int
	Evidence []rules.Evidence
}

// Indicators are the concrete things a page showed, for pivots.
type Indicators struct {
	Phones      []extract.Phone
	ErrorCodes  []extract.ErrorCode
	Brands      []string
	RemoteTools []string
	Locks       []extract.Lock
}

// CategoryScore is one category's contribution to the score, after its cap.
type CategoryScore struct {
	Category string
	Score    int
}

// Verdict is the answer for one page, with everything that explains it.
type Verdict struct {
	Label          Label
	Score          int // 0..100
	RuleSetVersion string
	Fired          []FiredRule // strongest first
	Categories     []string    // evidence categories that counted (non-zero contribution), in scoring order
	Breakdown      []CategoryScore
	Indicators     Indicators
	Warnings       []string
}
