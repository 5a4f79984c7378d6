package sendmail

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestTestbedTruth checks the log of the real-Sendmail testbed run
// (testdata/testbed: Debian's Sendmail 8.17 via rsyslog, made with
// testbed/run-sendmail.sh from the shared scenario table) against its
// ground truth: every row must be found as an event on its log line with
// the same queue id, recipient, status, reply code and enhanced code
// (the conventions of the Postfix and Exim truth tests; the stage is not
// in Sendmail's log), and no line of the log may be unparsed.
func TestTestbedTruth(t *testing.T) {
	dir := filepath.Join("testdata", "testbed")
	logPath := filepath.Join(dir, "maillog")
	got := parseFile(t, logPath)
	for _, err := range got.Errs {
		if !errors.Is(err, bouncescan.ErrNotMine) {
			t.Errorf("unparsed line: %v", err)
		}
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	byLine := map[string][]*bouncescan.Event{}
	for i := range got.Events {
		e := &got.Events[i]
		byLine[lines[e.Line-1]] = append(byLine[lines[e.Line-1]], e)
	}
	rows := parsekittest.TruthRows(t, filepath.Join(dir, "truth-sendmail.tsv"))
	used := map[*bouncescan.Event]bool{}
	matched, noStage := 0, 0
	for _, want := range rows {
		if strings.Contains(want.LogLine, ": to=root, ") {
			// Sendmail logs an alias by its expansion only ("to=root" for
			// postmaster@): the truth row names the planned address
			want.Recipient = "root"
		}
		events := byLine[want.LogLine]
		found, near := want.Match(events, used, true)
		if found == nil && want.Status != "sent" {
			// Sendmail's to= lines mostly do not say which command a reply
			// answered (reply= and stat= say what, not when): an event
			// without a stage is right; one with a wrong stage is not
			stageless := want
			stageless.Stage = ""
			if found, _ = stageless.Match(events, used, true); found != nil {
				noStage++
			}
		}
		if found == nil {
			t.Errorf("no event for truth row %v; events on that line: %v", want, near)
			continue
		}
		used[found] = true
		matched++
	}
	t.Logf("sendmail testbed truth: %d of %d rows matched (%d without a stage: the log names none); %d events from %d lines",
		matched, len(rows), noStage, len(got.Events), len(lines))
	if matched != len(rows) || len(rows) < 150 {
		t.Errorf("matched %d of %d truth rows, want all (and at least 150)", matched, len(rows))
	}
}
