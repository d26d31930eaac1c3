package match

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

func threadCPU() time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3 /* CLOCK_THREAD_CPUTIME_ID */, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

func cpuMeasure(name string, pages [][]byte, fn func([]byte)) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	total := totalLen(pages)
	best := time.Duration(1 << 62)
	for r := 0; r < 7; r++ {
		st := threadCPU()
		for _, p := range pages {
			fn(p)
		}
		if el := threadCPU() - st; el < best {
			best = el
		}
	}
	fmt.Printf("%-30s %8.1f MB/s (cpu)\n", name, float64(total)/best.Seconds()/1e6)
}

func TestDevCPU(t *testing.T) {
	if os.Getenv("DEVCPU") == "" {
		t.Skip()
	}
	m := mustCompile(t, scamRules())
	dst := make([]Hit, 0, 4096)
	syn := splitPages(syntheticText(4<<20, 1), 16<<10)
	cpuMeasure("scam/synthetic", syn, func(p []byte) { dst = m.Find(p, dst[:0]) })
	cp := corpusPages(t)
	cpuMeasure("scam/corpus", cp, func(p []byte) { dst = m.Find(p, dst[:0]) })
	for _, n := range []int{100, 1000, 10000} {
		g := mustCompile(t, genRules(n, 3))
		cpuMeasure(fmt.Sprint("gen/", n), syn, func(p []byte) { dst = g.Find(p, dst[:0]) })
	}
}

func TestDevEvents(t *testing.T) {
	if os.Getenv("DEVCPU") == "" {
		t.Skip()
	}
	text := []byte(strings.Repeat("xx su ab ", 100000))
	pages := splitPages(text, 16<<10)
	for _, ps := range [][]Pattern{
		{{ID: 1, Regex: `(?:your|ihr|votre|su|seu|uw|din)\s+(?:computer|pc|mac|ordinateur|computadora|dator|komputer)`}},
		{{ID: 1, Literal: "su"}},
		{{ID: 1, Literal: "su", Word: true}, {ID: 2, Literal: "zzz"}},
		{{ID: 1, Regex: `su\d`}},
	} {
		m := mustCompile(t, ps)
		dst := make([]Hit, 0, 16)
		cpuMeasure(fmt.Sprintf("%.30v", ps), pages, func(p []byte) { dst = m.Find(p, dst[:0]) })
	}
	fmt.Println("events per MB:", 1e6/9)
}
