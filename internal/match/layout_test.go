package match

import (
	"bytes"
	"fmt"
	"testing"
)

func TestLayout(t *testing.T) {
	m, err := Compile([]Pattern{{ID: 1, Literal: "abc"}, {ID: 2, Literal: "abd"}, {ID: 3, Literal: "abd", Word: true}})
	if err != nil {
		t.Fatal(err)
	}
	l := m.Layout()
	// Two strings, "abc" and "abd" (both ways of matching it end at one
	// state): the root, a, ab, abc and abd.
	if l.Strings != 2 || l.States != 5 {
		t.Errorf("Layout = %+v, want 2 strings and 5 states", l)
	}
	// a, b, c, d and every other byte.
	if l.Classes != 5 {
		t.Errorf("Layout = %+v, want 5 classes", l)
	}
	if l.TableBytes < 2*l.States*l.Classes {
		t.Errorf("Layout = %+v: the table is smaller than a 16-bit entry per state and class", l)
	}
}

func TestFootprint(t *testing.T) {
	var ps []Pattern
	var words [][]byte
	for i := range 2000 {
		w := fmt.Sprintf("w%04dq", i)
		ps = append(ps, Pattern{ID: i, Literal: w})
		words = append(words, []byte(w))
	}
	m, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	shares := []float64{0.5, 0.9, 0.99}
	check := func(name string, texts [][]byte) Footprint {
		t.Helper()
		fp := m.Footprint(texts, shares...)
		n := int64(0)
		for _, tx := range texts {
			n += int64(len(tx))
		}
		if fp.Steps != n || len(fp.For) != len(shares) {
			t.Fatalf("%s: Footprint = %+v, want %d steps and %d shares", name, fp, n, len(shares))
		}
		for i := range fp.For {
			if fp.For[i]%lineBytes != 0 || fp.For[i] > fp.Lines*lineBytes || i > 0 && fp.For[i] < fp.For[i-1] {
				t.Errorf("%s: Footprint = %+v: bytes not whole lines, past the lines read or falling", name, fp)
			}
		}
		return fp
	}
	if fp := check("no text", nil); fp.Lines != 0 || fp.For[2] != 0 {
		t.Errorf("no text: Footprint = %+v, want nothing read", fp)
	}
	// Text of a byte no pattern holds stays at the root: one entry.
	if fp := check("spaces", [][]byte{bytes.Repeat([]byte(" "), 5000)}); fp.Lines != 1 || fp.For[0] != lineBytes {
		t.Errorf("spaces: Footprint = %+v, want one line", fp)
	}
	// Text made of the patterns' words walks through their states: their
	// entries lie in many lines, and 99% of the steps need more of them
	// than half of the steps do.
	fp := check("words", [][]byte{bytes.Join(words, []byte(" "))})
	if fp.Lines < 100 || fp.For[2] <= fp.For[0] {
		t.Errorf("words: Footprint = %+v, want over 100 lines and more for 99%% than for 50%% of the steps", fp)
	}
}

func TestPass(t *testing.T) {
	m, err := Compile([]Pattern{{ID: 1, Literal: "virus"}, {ID: 2, Literal: "call now"}, {ID: 3, Regex: `error #?\d{3}`}})
	if err != nil {
		t.Fatal(err)
	}
	one := func(text []byte) int { return m.ac.passRun(text, 0, 0) }
	if n := m.Pass(nil); n != 0 {
		t.Errorf("Pass(nil) = %d, want 0", n)
	}
	quiet := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog. "), 2000)
	if n, want := m.Pass(quiet), one(quiet); n != want {
		t.Errorf("Pass(text without the strings) = %d, want %d as one stream reaches", n, want)
	}
	// Every occurrence is a report, found again by Pass and not settled:
	// where Find reports "virus" once, Pass counts each of its visits.
	for _, size := range []int{40, 100_000} {
		var text []byte
		occ := 0
		for len(text) < size {
			text = append(text, "your pc has a virus, call now. "...)
			occ += 2
		}
		n, single := m.Pass(text), one(text)
		if hits := m.Find(text, nil); len(hits) != 2 {
			t.Fatalf("Find = %v, want virus and call now once each", hits)
		}
		// The streams overlap by the automaton's resync bytes, whose
		// reports a stream may see twice; nothing else differs from one
		// stream's pass.
		if n < occ || n < single || n > single+(nStreams-1)*m.ac.overlap {
			t.Errorf("%d bytes: Pass = %d, want at least the %d occurrences and one stream's %d, plus at most the overlaps' %d",
				len(text), n, occ, single, (nStreams-1)*m.ac.overlap)
		}
	}
}
