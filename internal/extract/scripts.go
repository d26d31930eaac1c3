package extract

import (
	"errors"

	"github.com/scamscope/scamscope/internal/jsscan"
)

// This file is the one place that calls the static script analyser.

// scriptResult is what the analyser found in one script or handler.
type scriptResult struct {
	findings []scriptFinding
	dialogs  []string
	strings  []string
	err      error
	tooLarge bool // err is because the script was over the analyser's limit
}

type scriptFinding struct {
	kind     LockKind
	count    int
	evidence string
}

// analyzeScript analyses a whole script.
func analyzeScript(src string) scriptResult { return fromJSScan(jsscan.AnalyzeString(src)) }

// analyzeHandler analyses the body of an inline event-handler attribute;
// event is the attribute name ("onclick").
func analyzeHandler(event, body string) scriptResult {
	return fromJSScan(jsscan.AnalyzeHandlerString(event, body))
}

func fromJSScan(r jsscan.Result) scriptResult {
	out := scriptResult{dialogs: r.Dialogs, strings: r.Strings, err: r.Err}
	out.tooLarge = errors.Is(r.Err, jsscan.ErrTooLarge)
	for _, f := range r.Findings {
		out.findings = append(out.findings, scriptFinding{kind: LockKind(f.Kind), count: f.Count, evidence: f.Evidence})
	}
	return out
}
