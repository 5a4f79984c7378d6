package postfix

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// shared is rel inside ../shared; tests that need it skip without it.
func shared(t testing.TB, rel string) string { t.Helper(); return parsekittest.Shared(t, rel) }

type parsed struct {
	events []bouncescan.Event
	lines  []string // line texts, index = line number - 1
	errs   []error
}

// parseFile runs a fresh parser over a whole file.
func parseFile(t testing.TB, path string, opts parsekit.Options) parsed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := New(opts)
	p.Begin(parsekit.File{Name: path, Fingerprint: 1})
	var out parsed
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	for n := int64(1); sc.Scan(); n++ {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		out.lines = append(out.lines, string(line))
		if err := p.Parse(line, bouncescan.Pos{Source: path, Line: n, Offset: off}, func(e *bouncescan.Event) {
			out.events = append(out.events, *e)
		}); err != nil {
			out.errs = append(out.errs, err)
		}
		off += int64(len(sc.Bytes())) + 1
	}
	p.Flush(func(e *bouncescan.Event) { out.events = append(out.events, *e) })
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTestbedTruth(t *testing.T) {
	checkTruth(t, shared(t, "testbed/logs/postfix.log"), shared(t, "testbed/truth-postfix.tsv"))
}

// TestRepoTestbedTruth checks the repository's own run of the real-Postfix
// testbed (classify/testdata/testbed/postfix: scenarios-postfix.tsv, codes
// and texts from the providers' published lists, other than the shared
// run's) against its ground truth, field by field.
func TestRepoTestbedTruth(t *testing.T) {
	dir := filepath.Join("..", "..", "classify", "testdata", "testbed", "postfix")
	checkTruth(t, filepath.Join(dir, "postfix.log"), filepath.Join(dir, "truth-postfix.tsv"))
}

// checkTruth: every truth row must be found as an event on its log line
// with the same queue id, recipient, status, reply code, enhanced code
// and stage, and no line of the log may be unparsed.
func checkTruth(t *testing.T, logPath, truthPath string) {
	t.Helper()
	got := parseFile(t, logPath, parsekit.Options{Year: 2026, Location: time.UTC})
	if len(got.errs) > 0 {
		t.Errorf("%d unparsed lines in the testbed log, first: %v", len(got.errs), got.errs[0])
	}
	// events by the text of their line
	byLine := map[string][]*bouncescan.Event{}
	for i := range got.events {
		e := &got.events[i]
		text := got.lines[e.Line-1]
		byLine[text] = append(byLine[text], e)
	}
	rows := parsekittest.TruthRows(t, truthPath)
	used := map[*bouncescan.Event]bool{}
	matched, unknowable := 0, 0
	greeting := map[string]bool{}
	for _, want := range rows {
		if want.PostfixKnowable(greeting) {
			unknowable++
		}
		// a MAIL FROM reject happens before any recipient is named: the
		// log has no to=, the truth row names the planned recipient
		found, near := want.Match(byLine[want.LogLine], used, strings.Contains(want.LogLine, "to=<"))
		if found == nil {
			t.Errorf("no event for truth row %v; events on that line: %v", want, near)
			continue
		}
		used[found] = true
		matched++
	}
	t.Logf("testbed truth: %d of %d rows matched (%d with a 4xx EHLO reply read as a greeting: the log does not say); %d events from %d lines",
		matched, len(rows), unknowable, len(got.events), len(got.lines))
	if matched != len(rows) {
		t.Errorf("matched %d of %d truth rows, want all", matched, len(rows))
	}
}
