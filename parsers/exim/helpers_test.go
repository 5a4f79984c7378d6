package exim

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testOpts are the fixed options of every test.
func testOpts() parsekit.Options { return parsekit.Options{Year: 2026, Location: time.UTC} }

// The helpers below bind the shared ones (parsekittest) to this parser.

type parsed = parsekittest.Parsed

func shared(t testing.TB, rel string) string { t.Helper(); return parsekittest.Shared(t, rel) }

func parseReader(t testing.TB, p *Parser, name string, r io.Reader) parsed {
	t.Helper()
	return parsekittest.ParseReader(t, p, name, r)
}

func parseFile(t testing.TB, path string) parsed {
	t.Helper()
	return parsekittest.ParseFile(t, New(testOpts()), path)
}

func parseLines(t testing.TB, lines ...string) ([]bouncescan.Event, []error) {
	t.Helper()
	return parsekittest.ParseLines(t, New(testOpts()), lines...)
}
