package exim

import (
	"os"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestTestbedTruth checks the mainlog of the real-Exim testbed against its
// ground truth: every row must be found as an event on its log line with
// the same message id, recipient, status, reply code, enhanced code and
// stage (the conventions of the Postfix truth test).
func TestTestbedTruth(t *testing.T) {
	truthPath := shared(t, "testbed/truth-exim.tsv")
	rows := parsekittest.TruthRows(t, truthPath)
	type logData struct {
		got    parsed
		lines  []string
		byLine map[string][]*bouncescan.Event
	}
	logs := map[string]*logData{}
	load := func(name string) *logData {
		if d := logs[name]; d != nil {
			return d
		}
		path := shared(t, "testbed/logs/"+name)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := &logData{got: parseFile(t, path), lines: strings.Split(string(raw), "\n"), byLine: map[string][]*bouncescan.Event{}}
		for _, err := range d.got.Errs {
			if !strings.Contains(err.Error(), bouncescan.ErrNotMine.Error()) {
				t.Errorf("%s: unparsed line: %v", name, err)
			}
		}
		for i := range d.got.Events {
			e := &d.got.Events[i]
			text := d.lines[e.Line-1]
			d.byLine[text] = append(d.byLine[text], e)
		}
		logs[name] = d
		return d
	}
	used := map[*bouncescan.Event]bool{}
	matched := 0
	for _, want := range rows {
		// MAIL FROM, EHLO and connection rejects happen before any
		// recipient is named: the truth row names the probe's planned one
		found, near := want.Match(load(want.File).byLine[want.LogLine], used, strings.Contains(want.LogLine, "RCPT <"))
		if found == nil {
			t.Errorf("no event for truth row %v; events on that line: %v", want, near)
			continue
		}
		used[found] = true
		matched++
	}
	t.Logf("testbed truth: %d of %d rows matched", matched, len(rows))
	if matched != len(rows) {
		t.Errorf("matched %d of %d truth rows, want all", matched, len(rows))
	}
}
