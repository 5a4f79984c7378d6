package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Postfix lines that are not outcomes but what pflogsumm counts as
// warnings, fatal errors and panics, and reject_warning (warn_if_reject):
// counted by severity and text in every report format, never unparsed.
const noticeLog = `Nov 22 00:00:00 mx1 postfix/smtpd[58731]: warning: unknown[193.170.127.238]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
Nov 22 00:00:05 mx1 postfix/smtpd[31296]: warning: unknown[91.158.46.65]: SASL LOGIN authentication failed: UGFzc3dvcmQ6
Nov 22 00:00:06 mx1 postfix/smtpd[31296]: warning: hostname mail.example.net does not resolve to address 198.51.100.7: Name or service not known
Nov 22 00:00:07 mx1 postfix/smtpd[31297]: NOQUEUE: reject_warning: RCPT from unknown[203.0.113.9]: 554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<x>
Nov 22 00:00:08 mx1 postfix/cleanup[4001]: 4F1A2B3C4D: warning: header Subject: cheap pills from unknown[203.0.113.9]; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<x>
Nov 22 00:00:09 mx1 postfix/master[1]: fatal: bind 0.0.0.0 port 25: Address already in use
Nov 22 00:00:10 mx1 postfix/smtp[77]: panic: myfree: corrupt or unallocated memory block
Nov 22 00:00:11 mx1 postfix/trivial-rewrite[78]: error: open database /etc/postfix/transport.db: No such file or directory
Nov 22 00:00:12 mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)
`

func TestNoticesCounted(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte(noticeLog), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "scan", "--year", "2026", "-o", "json", log)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Events  int64
		Input   struct{ Unparsed, Foreign int64 }
		Notices struct {
			BySeverity map[string]int64 `json:"by_severity"`
			ByText     map[string]int64 `json:"by_text"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"warning": 4, "reject_warning": 1, "fatal": 1, "panic": 1, "error": 1}
	for k, v := range want {
		if rep.Notices.BySeverity[k] != v {
			t.Errorf("%s: %d, want %d (%v)", k, rep.Notices.BySeverity[k], v, rep.Notices.BySeverity)
		}
	}
	if rep.Events != 1 || rep.Input.Unparsed != 0 || rep.Input.Foreign != 0 {
		t.Errorf("events %d unparsed %d foreign %d, want 1 0 0", rep.Events, rep.Input.Unparsed, rep.Input.Foreign)
	}
	// the two SASL lines differ in the client's address only: one text
	if n := rep.Notices.ByText["warning smtpd: unknown[<ip>]: SASL LOGIN authentication failed: #"]; n != 2 {
		t.Errorf("SASL template counted %d, want 2: %v", n, rep.Notices.ByText)
	}
	table, _, _ := runCLI(t, "", "scan", "--year", "2026", log)
	for _, w := range []string{"MTA notices", "reject_warning", "panic", "fatal"} {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q", w)
		}
	}
	csv, _, code := runCLI(t, "", "scan", "--year", "2026", "-o", "csv", "--table", "notices", log)
	if code != 0 || !strings.HasPrefix(csv, "severity,text,lines\n") || !strings.Contains(csv, "\nfatal,master: bind ") || !strings.Contains(csv, "\nreject_warning,smtpd: RCPT from ") {
		t.Errorf("csv notices: exit %d\n%s", code, csv)
	}
}

// Every line of the table reports (scan with groups, merge, trace) fits
// in 100 columns, also with long texts from the logs.
func TestTablesFit100Columns(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("very-long-label.", 12)
	log := filepath.Join(dir, "mail.log")
	text := noticeLog + "Nov 22 00:00:13 mx1 postfix/smtp[4243]: 5F1A2B3C4D: to=<someone." + long + "@" + long + "example.com>, relay=mx." + long + "example.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.10] said: 550 5.1.1 <x@example.com>: " + strings.Repeat("Recipient address rejected ", 10) + " (in reply to RCPT TO command))\n"
	if err := os.WriteFile(log, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(what, out string) {
		t.Helper()
		if out == "" {
			t.Fatalf("%s: no output", what)
		}
		for _, l := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(l); n > 100 {
				t.Errorf("%s: %d columns: %s", what, n, l)
			}
		}
	}
	scan, _, _ := runCLI(t, "", "scan", "--year", "2026", "--group-by", "provider,reason,relay,sender,sender_domain", "--group-by", "relay_ip,host,stage", log, "../../samples")
	check("scan", scan)
	js, _, _ := runCLI(t, "", "scan", "--year", "2026", "-o", "json", log)
	rep := filepath.Join(dir, "a.json")
	if err := os.WriteFile(rep, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	merged, errOut, code := runCLI(t, "", "merge", rep, rep)
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	check("merge", merged)
	tr, errOut, code := runCLI(t, "", "trace", "--year", "2026", "5F1A2B3C4D", log)
	if code != 0 {
		t.Fatalf("trace: exit %d: %s", code, errOut)
	}
	check("trace", tr)
}
