package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

func sampleReport(t *testing.T) (*aggregate.Report, []*bouncescan.Event) {
	t.Helper()
	r := aggregate.New(aggregate.Limits{})
	long := strings.Repeat("very-long-label.", 12)
	at := time.Date(2026, 11, 22, 3, 14, 15, 0, time.UTC)
	evs := []*bouncescan.Event{
		{ID: "a-1", Time: at, MTA: "postfix", Source: "/var/log/" + long + "mail.log", Recipient: "bob@" + long + "example.com", Domain: long + "example.com",
			Status: bouncescan.StatusBounced, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.1.1",
			Text:    "The email account that you tried to reach does not exist. " + strings.Repeat("Please try double-checking. ", 10),
			Verdict: &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Subject: bouncescan.SubjectAddressing, Reason: "userunknown", Provider: "gmail", Rule: "gmail.nosuchuser"}},
		{ID: "a-2", Time: at.Add(time.Hour), MTA: "exim", Source: "mainlog", Recipient: "al@example.net", Domain: "example.net",
			Status: bouncescan.StatusSent, ReplyCode: 250, Text: "ok",
			Verdict: &bouncescan.Verdict{Class: bouncescan.ClassSuccess, Subject: bouncescan.SubjectOther, Reason: "delivered", Rule: "status.sent"}},
	}
	f := r.File(evs[0].Source)
	f.Format, f.Lines = "postfix", 10
	r.FileError("broken.gz", &testErr{"broken.gz: at uncompressed byte 5: corrupt input"})
	for _, e := range evs {
		r.Add(e)
	}
	r.Finish()
	return r, evs
}

type testErr struct{ s string }

func (e *testErr) Error() string { return e.s }

func TestTableFitsWidth(t *testing.T) {
	r, _ := sampleReport(t)
	var buf bytes.Buffer
	if err := Table(&buf, r, TableOptions{Top: 10, Width: 100}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for i, l := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("line %d has %d columns: %q", i+1, n, l)
		}
	}
	for _, want := range []string{"events 2", "FILE ERRORS 1", "userunknown", "gmail", "ERROR, see below", "      at uncompressed byte 5: corrupt input", "bounced", "550 5.1.1", "2026-11-22 03:14:15"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONReport(t *testing.T) {
	r, _ := sampleReport(t)
	var buf bytes.Buffer
	if err := JSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if got["events"] != float64(2) {
		t.Errorf("events = %v", got["events"])
	}
	for _, k := range []string{"input", "files", "by_status", "by_reason", "groups", "templates", "volume", "series", "totals"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON report lacks %q: keys %v", k, keys(got))
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEventsNDJSON(t *testing.T) {
	_, evs := sampleReport(t)
	var buf bytes.Buffer
	w := NewEvents(&buf)
	for _, e := range evs {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(evs) {
		t.Fatalf("%d lines for %d events", len(lines), len(evs))
	}
	for i, l := range lines {
		var e struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Verdict struct {
				Class  string `json:"class"`
				Reason string `json:"reason"`
			} `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if e.ID != evs[i].ID || e.Status != evs[i].Status.String() || e.Verdict.Reason != evs[i].Verdict.Reason || e.Verdict.Class == "" {
			t.Errorf("line %d: %s", i+1, l)
		}
	}
}
