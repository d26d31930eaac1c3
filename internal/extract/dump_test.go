package extract

import (
	"fmt"
	"os"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, p := range loadCorpus(t) {
		f := Extract(&Content{HTML: p.data})
		codes := []string{}
		for _, c := range f.ErrorCodes {
			codes = append(codes, c.Code+"@"+c.Field.String())
		}
		phones := []string{}
		for _, ph := range f.Phones {
			phones = append(phones, fmt.Sprintf("%q=%s/%s/%s@%s", ph.Raw, ph.E164, ph.Region, ph.Type, ph.Field))
		}
		fmt.Printf("%s\t%s\tlang=%s\tcodes=%v\tphones=%v\twarn=%q\n", p.label, p.path, f.Lang, codes, phones, f.Warnings)
	}
}
