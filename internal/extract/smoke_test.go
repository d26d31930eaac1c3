package extract

import (
	"fmt"
	"os"
	"testing"
)

func TestSmoke(t *testing.T) {
	p := os.Getenv("SMOKE")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	f := Extract(&Content{HTML: b})
	for i, s := range f.Fields {
		fmt.Printf("== %s (%d)\n%.1500s\n", Field(i), len(s), s)
	}
	fmt.Printf("title=%q lang=%q\nphones=%+v\ncodes=%+v\nlocks=%+v\nscripts=%v\nmedia=%+v\niframes=%v\nforms=%+v\nwarn=%q\n", f.Title, f.Lang, f.Phones, f.ErrorCodes, f.Locks, f.ScriptURLs, f.Media, f.Iframes, f.Forms, f.Warnings)
}
