package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/net/html"

	"github.com/scamscope/scamscope/internal/extract"
)

// maxBundleScript bounds one local script read into a bundle.
const maxBundleScript = 2 << 20

// localScripts returns the scripts a page on disk loads from beside it: a
// creative is a bundle of markup and scripts, and ad networks submit them
// together. Only relative src paths that stay inside the page's folder and
// name an existing file are read; nothing is ever fetched.
func localScripts(page string, data []byte) []extract.Script {
	if contentType(page) != "text/html" {
		return nil
	}
	dir := filepath.Dir(page)
	var out []extract.Script
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if string(name) != "script" || !hasAttr {
			continue
		}
		for {
			k, v, more := z.TagAttr()
			if string(k) == "src" {
				if s, ok := readLocal(dir, string(v)); ok {
					out = append(out, s)
				}
			}
			if !more {
				break
			}
		}
	}
}

// readLocal reads src relative to dir when it is a plain relative path that
// stays inside dir.
func readLocal(dir, src string) (extract.Script, bool) {
	src = strings.TrimSpace(src)
	if i := strings.IndexAny(src, "?#"); i >= 0 {
		src = src[:i]
	}
	if src == "" || strings.Contains(src, ":") || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "\\") {
		return extract.Script{}, false
	}
	rel := filepath.Clean(filepath.FromSlash(src))
	if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return extract.Script{}, false
	}
	p := filepath.Join(dir, rel)
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxBundleScript {
		return extract.Script{}, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return extract.Script{}, false
	}
	return extract.Script{Name: filepath.ToSlash(rel), Source: b}, true
}
