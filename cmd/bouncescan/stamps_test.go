package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Stamps outside the years 1970-9999, run with the real binary: each such
// line is unparsed with its own reason, the lines around it give their
// events, and the JSON report and --events file are written (before, a
// Exim stamp "9999-12-31 23:59:59 -0500" — year 10000 in UTC — reached
// the output and made it fail: "Time.MarshalJSON: year outside of range").
func TestStampsOutOfRangeBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	const exim = " 1tXyZa-000123-AB ** bob@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.10]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550 5.1.1 User unknown\n"
	eximLog := put(t, dir, "mainlog", []byte("2026-11-22 03:14:15"+exim+
		"9999-12-31 23:59:59 -0500"+exim+
		"10000-01-01 00:00:00"+exim+
		"1969-06-01 00:00:00"+exim+
		"2026-11-22 03:14:16"+exim))
	trk := put(t, dir, "MSGTRK2026112203-1.LOG", []byte("#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n"+
		"#Fields: date-time,event-id,source,recipient-address,recipient-status,message-id,sender-address\r\n"+
		"2026-11-22T03:14:15.000Z,FAIL,SMTP,carol@example.net,550 5.1.1 User unknown,<m1@contoso.test>,alice@contoso.test\r\n"+
		"10000-11-22T03:14:15.000Z,FAIL,SMTP,dave@example.net,550 5.1.1 User unknown,<m2@contoso.test>,alice@contoso.test\r\n"))
	const pf = " mx1 postfix/smtp[1]: 4F1A2B3C4D: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
	postfix := put(t, dir, "mail.log", []byte("2026-11-22T03:14:15.123456+01:00"+pf+"10000-11-22T03:14:15.123456+01:00"+pf))
	journal := put(t, dir, "journal.json", []byte(`{"__REALTIME_TIMESTAMP":"999999999999999999","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"1","MESSAGE":"4F1A2B3C4E: to=<c@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"}`+"\n"+
		`{"__REALTIME_TIMESTAMP":"1763781255000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"1","MESSAGE":"4F1A2B3C4F: to=<d@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"}`+"\n"))
	const sm = " mx1 sendmail[99]: 4AMA0B1C002345: to=<e@b.example>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=x. [192.0.2.1], dsn=2.0.0, stat=Sent (ok)\n"
	sendmail := put(t, dir, "maillog", []byte("2026-11-22T03:14:15+00:00"+sm+"12026-11-22T03:14:15+00:00"+sm))
	events := filepath.Join(dir, "events.ndjson")
	out, errOut, code := runBinary(t, bin, dir, false, "scan", "--progress=false", "--tz", "UTC", "-o", "json", "-e", events, eximLog, trk, postfix, journal, sendmail)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Input struct {
			Lines    int64            `json:"lines"`
			Unparsed int64            `json:"unparsed"`
			Reasons  map[string]int64 `json:"unparsed_by_reason"`
		} `json:"input"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("the JSON report: %v\n%.500s", err, out)
	}
	const reason = "timestamp out of range (1970–9999)"
	if rep.Input.Unparsed != 7 || rep.Input.Reasons[reason] != 7 {
		t.Errorf("unparsed %d, by reason %v; want 7 (Exim 3, Exchange 1, Postfix 2, Sendmail 1), all %q", rep.Input.Unparsed, rep.Input.Reasons, reason)
	}
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d events, want 6 (two Exim, one Exchange, two Postfix, one Sendmail):\n%s", len(lines), b)
	}
	for _, l := range lines {
		var e struct {
			Time      time.Time `json:"time"`
			Recipient string    `json:"recipient"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Time.Year() != 2026 && e.Time.Year() != 2025 {
			t.Errorf("event %s: %v (year %d)", l, err, e.Time.Year())
		}
	}
}

// The year of yearless syslog stamps, with the real binary: never more
// than a day after the file's modification time (month and day compared),
// a new year only from December to January, and --year overrides.
func TestYearInferenceBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	const bounce = " mta postfix/smtp[1]: 58D21C807E: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/0, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"
	p := put(t, dir, "mail.log", []byte("Dec 19 10:00:00"+bounce+"Dec 31 23:59:00"+bounce+"Jan  1 00:01:00"+bounce+"Sep  1 00:00:00"+bounce+"Mar  1 00:00:00"+bounce))
	mtime := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	years := func(args ...string) []int {
		t.Helper()
		out, errOut, code := runBinary(t, bin, dir, false, append([]string{"scan", "--progress=false", "--tz", "UTC", "-e", "-"}, append(args, p)...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var ys []int
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var e struct {
				Time time.Time `json:"time"`
			}
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			ys = append(ys, e.Time.Year())
		}
		return ys
	}
	// Dec 19 in a file modified Dec 1 2026 is 2025's; Jan starts 2026;
	// Sep → Mar is a step back within 2026
	if got, want := years(), []int{2025, 2025, 2026, 2026, 2026}; !equalInts(got, want) {
		t.Errorf("years from the mtime: %v, want %v", got, want)
	}
	if got, want := years("--year", "2019"), []int{2019, 2019, 2020, 2020, 2020}; !equalInts(got, want) {
		t.Errorf("--year 2019: %v, want %v", got, want)
	}
	// an mtime before 1990 is no reference: the clock's year is used
	old := time.Date(1985, 10, 26, 1, 21, 0, 0, time.UTC)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	first := now.Year()
	if time.Date(now.Year(), 12, 19, 0, 0, 0, 0, time.UTC).After(now.AddDate(0, 0, 1)) {
		first-- // Dec 19 still to come this year
	}
	if got := years(); len(got) != 5 || got[0] != first {
		t.Errorf("mtime 1985: years %v, want %d first (the clock's)", got, first)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A modification time before 1990 or in the future says nothing of the
// year of yearless stamps: the clock's year is used and the report says
// so, naming the file; --year gives the year and no note.
func TestImplausibleModTimeNoted(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	const line = "Nov 22 03:14:15 mx1 postfix/smtp[1]: 4F1A2B3C4D: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n"
	for _, tc := range []struct {
		name  string
		mtime time.Time
		what  string
	}{
		{"old.log", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), "is before 1990"},
		{"future.log", time.Now().AddDate(3, 0, 0), "is in the future"},
	} {
		p := put(t, dir, tc.name, []byte(line))
		if err := os.Chtimes(p, tc.mtime, tc.mtime); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runBinary(t, bin, dir, false, "scan", "--progress=false", "--tz", "UTC", "-o", "json", p)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.name, code, errOut)
		}
		var rep struct {
			Files []struct{ Name, Note string }
			First time.Time
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Files) != 1 {
			t.Fatalf("%s: %v %.300s", tc.name, err, out)
		}
		if !strings.Contains(rep.Files[0].Note, tc.what) || !strings.Contains(rep.Files[0].Note, "--year") {
			t.Errorf("%s: note %q, want one saying it %s", tc.name, rep.Files[0].Note, tc.what)
		}
		if now := time.Now(); rep.First.Year() != now.Year() && rep.First.Year() != now.Year()-1 {
			t.Errorf("%s: stamp placed in %d", tc.name, rep.First.Year())
		}
		out, _, _ = runBinary(t, bin, dir, false, "scan", "--progress=false", "--tz", "UTC", "--year", "2024", "-o", "json", p)
		rep.Files, rep.First = nil, time.Time{}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Files) != 1 || rep.Files[0].Note != "" || rep.First.Year() != 2024 {
			t.Errorf("%s with --year: %v %+v", tc.name, err, rep)
		}
	}
}
