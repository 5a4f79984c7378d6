package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanLogJoinedOutOfOrder: a log followed by an earlier stretch of
// itself in one file (here: the same lines twice, four hours back) is read
// the second time as the first, for Postfix and Exim alike: the messages
// the first stretch left open are dropped at the step back and counted in
// dropped.rewound (and the table's "Log time went back"), and the second
// stretch's deferrals count their attempts from 1 again.
func TestScanLogJoinedOutOfOrder(t *testing.T) {
	for _, tc := range []struct{ name, log string }{
		{"postfix", `Nov 22 00:00:00 mx1 postfix/qmgr[1]: 5B6C7D8E9F: from=<s@mx1.test>, size=900, nrcpt=1 (queue active)
Nov 22 00:00:01 mx1 postfix/smtp[3]: 5B6C7D8E9F: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))
Nov 22 04:00:01 mx1 postfix/smtp[3]: 5B6C7D8E9F: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=14401, delays=14400/0/0/1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))
`},
		{"exim", `2026-11-22 00:00:00 1tXyZa-000123-AB <= s@mx1.test H=app.mx1.test [192.0.2.9] P=esmtp S=900 id=open@mx1.test
2026-11-22 00:00:01 1tXyZa-000123-AB == a@x.test R=dnslookup T=remote_smtp defer (-44) H=mx.x.test [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<a@x.test>: 452 4.2.2 Mailbox full
2026-11-22 04:00:01 1tXyZa-000123-AB == a@x.test R=dnslookup T=remote_smtp defer (-44) H=mx.x.test [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<a@x.test>: 452 4.2.2 Mailbox full
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			log := filepath.Join(d, "joined.log")
			if err := os.WriteFile(log, []byte(tc.log+tc.log), 0o644); err != nil {
				t.Fatal(err)
			}
			evf := filepath.Join(d, "events.ndjson")
			out, errs, code := runCLI(t, "", "scan", "--progress=false", "-o", "json", "--events", evf, log)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var rep struct {
				Dropped struct{ State, Rewound int64 }
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Dropped.Rewound != 1 || rep.Dropped.State != 0 {
				t.Errorf("dropped.rewound %d, dropped.state %d; want 1 and 0", rep.Dropped.Rewound, rep.Dropped.State)
			}
			b, err := os.ReadFile(evf)
			if err != nil {
				t.Fatal(err)
			}
			var attempts []int
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				var e struct{ Attempt int }
				if err := json.Unmarshal([]byte(l), &e); err != nil {
					t.Fatal(err)
				}
				attempts = append(attempts, e.Attempt)
			}
			if got, want := fmt.Sprint(attempts), "[1 2 1 2]"; got != want {
				t.Errorf("attempts %v, want %s", attempts, want)
			}
			table, _, _ := runCLI(t, "", "scan", "--progress=false", log)
			if !strings.Contains(table, "Log time went back") || !strings.Contains(table, "state of 1\n") {
				t.Errorf("table does not say the log went back:\n%s", table)
			}
		})
	}
}
