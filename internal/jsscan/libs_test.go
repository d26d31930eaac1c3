package jsscan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLibraries runs over the JavaScript libraries installed on the machine
// (Debian's libjs-* packages put jQuery, underscore and others in
// /usr/share/javascript; SCAMSCOPE_JS_LIBS, a list of directories, overrides
// it) and requires no findings: ordinary libraries are not lockers.
func TestLibraries(t *testing.T) {
	dirs := filepath.SplitList(os.Getenv("SCAMSCOPE_JS_LIBS"))
	if len(dirs) == 0 {
		dirs = []string{"/usr/share/javascript"}
	}
	files := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files++
			r := Analyze(b)
			if r.Err != nil {
				t.Errorf("Analyze(%s).Err = %v", p, r.Err)
			}
			if len(r.Findings) > 0 {
				t.Errorf("Analyze(%s) = %+v, want no findings", p, r.Findings)
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Errorf("walk %s: %v", dir, err)
		}
	}
	if files == 0 {
		t.Skipf("no JavaScript libraries under %v (install libjs-jquery or set SCAMSCOPE_JS_LIBS)", dirs)
	}
	t.Logf("%d library files, no findings", files)
}
