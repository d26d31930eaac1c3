package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLocalScripts(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "creative")
	for name, body := range map[string]string{
		"creative/lock.js":       "document.documentElement.requestFullscreen()",
		"creative/sub/more.js":   "navigator.keyboard.lock()",
		"outside.js":             "secret()",
		"creative/page.html":     "",
		"creative/notes.txt.js/": "",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if name[len(name)-1] == '/' {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page := filepath.Join(dir, "page.html")
	html := []byte(`<script src="lock.js?v=2"></script><script src="sub/more.js"></script>
		<script src="../outside.js"></script><script src="/etc/passwd"></script><script src="https://cdn.example/x.js"></script>
		<script src="missing.js"></script><script src="notes.txt.js"></script><script>inline()</script>`)
	var got []string
	for _, s := range localScripts(page, html) {
		got = append(got, s.Name+"="+string(s.Source))
	}
	want := []string{"lock.js=document.documentElement.requestFullscreen()", "sub/more.js=navigator.keyboard.lock()"}
	if !slices.Equal(got, want) {
		t.Errorf("localScripts = %q, want %q", got, want)
	}
	if s := localScripts(filepath.Join(dir, "lock.js"), []byte(`<script src="sub/more.js">`)); s != nil {
		t.Errorf("localScripts of a .js file = %v, want none", s)
	}
}
