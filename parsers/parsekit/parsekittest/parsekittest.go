// Package parsekittest holds what the parsers' tests share: finding the
// shared data, running a parser over a file or a list of lines the way the
// pipeline does, and rendering events for golden files. It is imported by
// tests only.
package parsekittest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Parser is the part of parsers.Parser the helpers use (that package
// cannot be imported from the parsers' own tests).
type Parser interface {
	Begin(f parsekit.File)
	Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error
	Flush(emit func(*bouncescan.Event))
}

// Shared is rel inside ../shared beside the module root, seen from a
// package two levels down (parsers/NAME). Tests that need it are skipped
// when it is absent (a user's fresh clone).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return p
}

// Parsed is what a parser made of some lines.
type Parsed struct {
	Events []bouncescan.Event // copies, in emit order
	Errs   []error            // one per line the parser refused
	Lines  int
}

// ParseReader runs p over every line of r as the pipeline does: Begin
// with the name and fingerprint 1, lines without their "\n", positions
// with line numbers and byte offsets. It does not call Flush.
func ParseReader(t testing.TB, p Parser, name string, r io.Reader) Parsed {
	t.Helper()
	p.Begin(parsekit.File{Name: name, Fingerprint: 1})
	var out Parsed
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	for n := int64(1); sc.Scan(); n++ {
		line := sc.Bytes()
		out.Lines++
		if err := p.Parse(line, bouncescan.Pos{Source: name, Line: n, Offset: off}, func(e *bouncescan.Event) {
			out.Events = append(out.Events, *e)
		}); err != nil {
			out.Errs = append(out.Errs, err)
		}
		off += int64(len(line)) + 1
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ParseFile runs p over the file at path (named by its base name) and
// flushes it.
func ParseFile(t testing.TB, p Parser, path string) Parsed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := ParseReader(t, p, filepath.Base(path), f)
	p.Flush(func(e *bouncescan.Event) { out.Events = append(out.Events, *e) })
	return out
}

// ParseLines runs p over the lines (as a file "test.log") and flushes it.
func ParseLines(t testing.TB, p Parser, lines ...string) ([]bouncescan.Event, []error) {
	t.Helper()
	out := ParseReader(t, p, "test.log", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	p.Flush(func(e *bouncescan.Event) { out.Events = append(out.Events, *e) })
	return out.Events, out.Errs
}

// NDJSON renders events one JSON object a line.
func NDJSON(t testing.TB, evs []bouncescan.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}
