package rules

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (errors.Is) by every error Load reports about the
// content of a rule or scoring file.
var ErrInvalid = errors.New("invalid rule file")

// ErrExample is matched by the errors TestExamples returns.
var ErrExample = errors.New("rule example failed")

// Error is one problem in a rule or scoring file, or one failed example.
type Error struct {
	File string
	Line int // 1-based; 0 when the problem has no line (a missing file)
	Msg  string
	Err  error // the sentinel it matches; nil means ErrInvalid
}

func (e *Error) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Unwrap returns the sentinel the error matches: ErrInvalid or ErrExample.
func (e *Error) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return ErrInvalid
}
