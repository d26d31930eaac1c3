// Package rulefiles embeds ScamScope's rule files: scoring.yaml (categories,
// indicators, thresholds) and the rule files beside it. It only carries the
// bytes; internal/rules decodes and compiles them (rules.Load(rulefiles.FS())).
// README.md in this directory documents the format.
package rulefiles

import (
	"embed"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// FS returns the rule files, at its root.
func FS() fs.FS { return files }
