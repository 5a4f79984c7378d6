package exim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testOpts are the fixed options of every test.
func testOpts() parsekit.Options { return parsekit.Options{Year: 2026, Location: time.UTC} }

// shared is ../shared beside the module root; tests that need it skip
// when it is absent (a user's fresh clone).
func shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return p
}

type parsed struct {
	events []bouncescan.Event
	errs   []error
	lines  int
}

// parseReader runs p over every line of r (as the pipeline does: lines
// without their "\n", file fingerprint 1).
func parseReader(t testing.TB, p *Parser, name string, r io.Reader) parsed {
	t.Helper()
	p.Begin(parsekit.File{Name: name, Fingerprint: 1})
	var out parsed
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	for n := int64(1); sc.Scan(); n++ {
		line := sc.Bytes()
		out.lines++
		if err := p.Parse(line, bouncescan.Pos{Source: name, Line: n, Offset: off}, func(e *bouncescan.Event) {
			out.events = append(out.events, *e)
		}); err != nil {
			out.errs = append(out.errs, err)
		}
		off += int64(len(line)) + 1
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func parseFile(t testing.TB, path string) parsed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := New(testOpts())
	out := parseReader(t, p, filepath.Base(path), f)
	p.Flush(func(e *bouncescan.Event) { out.events = append(out.events, *e) })
	return out
}

// parseLines parses the given lines with a fresh parser.
func parseLines(t testing.TB, lines ...string) ([]bouncescan.Event, []error) {
	t.Helper()
	p := New(testOpts())
	out := parseReader(t, p, "test.log", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	p.Flush(func(e *bouncescan.Event) { out.events = append(out.events, *e) })
	return out.events, out.errs
}

// ndjson renders events one JSON object a line.
func ndjson(t testing.TB, evs []bouncescan.Event) []byte {
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
