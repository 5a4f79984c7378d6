package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/google/go-cmp/cmp"
)

// TestMergeEqualsOneScan: reports of parts of the samples (as if from two
// hosts), merged, equal the report of one scan over all of them, in every
// field but the file list (where each file names its report).
func TestMergeEqualsOneScan(t *testing.T) {
	dir := t.TempDir()
	groups := []string{"--group-by", "provider,reason", "--group-by", "mta,status"}
	// a real Postfix log with warnings, SASL failures and rejects on each
	// side, so that the notices and rejects merge too
	parts := [][]string{{"../../samples/postfix", "../../samples/sendmail", "../../../shared/corpus/postfix/fail2ban-postfix.log"},
		{"../../samples/exim", "../../samples/exchange", "../../../shared/corpus/postfix/crowdsec-postfix-logs.log"}}
	var names []string
	for i, p := range parts {
		out, errOut, code := runCLI(t, "", scanArgs(append(append([]string{"-o", "json"}, groups...), p...)...)...)
		if code != exitOK {
			t.Fatalf("scan %v: exit %d: %s", p, code, errOut)
		}
		name := filepath.Join(dir, []string{"host1.json", "host2.json"}[i])
		os.WriteFile(name, []byte(out), 0o644)
		names = append(names, name)
	}
	one, _, code := runCLI(t, "", scanArgs(append(append([]string{"-o", "json"}, groups...), append(parts[0], parts[1]...)...)...)...)
	if code != exitOK {
		t.Fatalf("one scan: exit %d", code)
	}
	merged, errOut, code := runCLI(t, "", append([]string{"merge", "-o", "json"}, names...)...)
	if code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	norm := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		files := m["files"].([]any)
		delete(m, "files")
		m["files_count"] = len(files)
		return m
	}
	a, b := norm(one), norm(merged)
	if n, _ := a["notices"].(map[string]any)["by_severity"].(map[string]any)["warning"].(float64); n < 5 {
		t.Errorf("the scan counted %v warnings: the test no longer merges notices", n)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("merge differs from one scan (-scan +merge):\n%s", diff)
	}
	if !strings.Contains(merged, `"report": "`) {
		t.Errorf("merged files do not name their report")
	}
	// the table and HTML of a merge work too
	for _, o := range []string{"table", "html", "csv"} {
		out, errOut, code := runCLI(t, "", "merge", "-o", o, names[0], names[1])
		if code != exitOK || len(out) < 100 {
			t.Errorf("merge -o %s: exit %d %s", o, code, errOut)
		}
	}
	// reports with different groups are refused, naming the flag
	plain, _, _ := runCLI(t, "", scanArgs("-o", "json", parts[0][0])...)
	os.WriteFile(filepath.Join(dir, "plain.json"), []byte(plain), 0o644)
	_, errOut, code = runCLI(t, "", "merge", names[0], filepath.Join(dir, "plain.json"))
	if code != exitFailure || !strings.Contains(errOut, "--group-by") {
		t.Errorf("mismatched groups: exit %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, "", "merge", "../../samples/postfix/mail.log")
	if code != exitFailure || !strings.Contains(errOut, "not a bouncescan JSON report") {
		t.Errorf("not a report: exit %d %s", code, errOut)
	}
}

func TestScanCSVAndSuppress(t *testing.T) {
	dir := t.TempDir()
	sup := filepath.Join(dir, "suppress.csv")
	out, errOut, code := runCLI(t, "", scanArgs("-o", "csv", "--table", "templates", "--suppress", sup, "../../samples/postfix")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(out, "count,status,reply_code,enhanced_code,class,subject,reason,provider,rule,domains,first,last,template,example\n") {
		t.Errorf("csv header: %q", strings.SplitN(out, "\n", 2)[0])
	}
	list, err := os.ReadFile(sup)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(list)), "\n")
	if lines[0] != "address,reason,code,last_seen,count,first_seen" || len(lines) < 2 {
		t.Fatalf("suppress list:\n%s", list)
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, "mailboxfull") || !(strings.Contains(l, ",5") || strings.Contains(l, ",")) {
			t.Errorf("not a hard failure: %s", l)
		}
	}
	_, errOut, code = runCLI(t, "", scanArgs("--suppress", "../../samples/postfix/mail.log", "../../samples/postfix")...)
	if code != exitFailure || !strings.Contains(errOut, "refusing") {
		t.Errorf("--suppress over an input: exit %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, "", scanArgs("--group-by", "provider,nosuch", "../../samples/postfix")...)
	if code != exitFailure || !strings.Contains(errOut, "nosuch") {
		t.Errorf("bad --group-by: exit %d %s", code, errOut)
	}
}

// TestTracerFollowsHandoffs: events as a parser gives them for a Postfix
// content filter on loopback (Hop, NextQueueID) and the next host.
func TestTracerFollowsHandoffs(t *testing.T) {
	evs := []bouncescan.Event{
		{ID: "1", Host: "mx1", QueueID: "AAA", MessageID: "<m1@x>", Recipient: "bob@example.com", Status: bouncescan.StatusSent, Hop: true, NextQueueID: "BBB", Relay: "127.0.0.1"},
		{ID: "2", Host: "mx1", QueueID: "ZZZ", MessageID: "<other@x>", Recipient: "eve@example.com", Status: bouncescan.StatusSent},
		{ID: "3", Host: "mx1", QueueID: "BBB", Recipient: "bob@example.com", Status: bouncescan.StatusSent, NextQueueID: "CCC", Relay: "mx2.example.com"},
		{ID: "4", Host: "mx2", QueueID: "CCC", Recipient: "bob@example.com", Status: bouncescan.StatusBounced, ReplyCode: 550},
		{ID: "5", Host: "mx3", QueueID: "DDD", MessageID: "m1@x", Recipient: "carol@example.com", Status: bouncescan.StatusDeferred},
	}
	for _, id := range []string{"AAA", "<m1@x>", "m1@x"} {
		tr := &tracer{id: id, queues: map[string]bool{}, msgids: map[string]bool{}, seen: map[string]bool{}}
		for pass := 0; pass < 3; pass++ { // as Run does: read again while links are learnt
			tr.events, tr.seen = nil, map[string]bool{}
			tr.Consume(evs)
		}
		var got []string
		for _, e := range tr.events {
			got = append(got, e.ID)
		}
		if want := "1 3 4 5"; strings.Join(got, " ") != want {
			t.Errorf("trace %s: events %v, want %s", id, got, want)
		}
	}
	tr := &tracer{id: "bob@example.com", rcpt: true, queues: map[string]bool{}, msgids: map[string]bool{}, seen: map[string]bool{}}
	tr.Consume(evs)
	if len(tr.events) != 3 {
		t.Errorf("recipient trace: %d events", len(tr.events))
	}
}

func TestTraceCommand(t *testing.T) {
	var buf bytes.Buffer
	out, errOut, code := runCLI(t, "", "trace", "--tz", "UTC", "--year", "2026", "--progress=false", "bob@example.com", "../../samples/")
	if code != exitOK || !strings.Contains(out, "trace bob@example.com:") || !strings.Contains(out, "bob@example.com") {
		t.Errorf("trace: exit %d %s\n%s", code, errOut, out)
	}
	buf.WriteString(out)
	_, errOut, code = runCLI(t, "", "trace", "--progress=false", "NOSUCHID", "../../samples/postfix")
	if code != exitFailure || !strings.Contains(errOut, "not found") {
		t.Errorf("missing id: exit %d %s", code, errOut)
	}
}
