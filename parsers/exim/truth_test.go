package exim

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestTestbedTruth checks the mainlog of the real-Exim testbed against its
// ground truth: every row must be found as an event on its log line with
// the same message id, recipient, status, reply code, enhanced code and
// stage (the conventions of the Postfix truth test).
func TestTestbedTruth(t *testing.T) {
	truthPath := shared(t, "testbed/truth-exim.tsv")
	data, err := os.ReadFile(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	header := strings.Split(rows[0], "\t")
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
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
	for _, row := range rows[1:] {
		f := strings.Split(row, "\t")
		get := func(k string) string { return f[col[k]] }
		want := struct {
			qid, rcpt, status, enhanced, stage string
			code                               int
		}{get("queue_id"), get("recipient"), get("expected_status"), get("enhanced_code"), get("stage"), 0}
		if c := get("reply_code"); c != "" {
			want.code, _ = strconv.Atoi(c)
		}
		if want.stage == "ehlo" {
			want.stage = "helo"
		}
		d := load(get("log_file"))
		var found *bouncescan.Event
		var near []string
		for _, e := range d.byLine[get("log_line")] {
			if used[e] {
				continue
			}
			rcpt := strings.ToLower(e.Recipient)
			if e.OrigRecipient != "" && !strings.EqualFold(e.Recipient, want.rcpt) {
				rcpt = strings.ToLower(e.OrigRecipient)
			}
			// MAIL FROM, EHLO and connection rejects happen before any
			// recipient is named: the truth row names the probe's planned one
			rcptOK := rcpt == want.rcpt || rcpt == "" && !strings.Contains(get("log_line"), "RCPT <")
			ok := e.QueueID == want.qid && rcptOK && e.Status.String() == want.status && e.ReplyCode == want.code
			// sent rows leave enhanced code and stage empty
			if want.status != "sent" {
				ok = ok && e.EnhancedCode == want.enhanced && e.Stage.String() == want.stage
			}
			if ok {
				found = e
				break
			}
			near = append(near, e.QueueID+" "+rcpt+" "+e.Status.String()+" "+strconv.Itoa(e.ReplyCode)+" "+e.EnhancedCode+" "+e.Stage.String())
		}
		if found == nil {
			t.Errorf("no event for truth row %s %s %s %d %q %q (scenario %s); events on that line: %v",
				want.qid, want.rcpt, want.status, want.code, want.enhanced, want.stage, get("scenario_id"), near)
			continue
		}
		used[found] = true
		matched++
	}
	t.Logf("testbed truth: %d of %d rows matched", matched, len(rows)-1)
	if matched != len(rows)-1 {
		t.Errorf("matched %d of %d truth rows, want all", matched, len(rows)-1)
	}
}
