package postfix

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testOpts are the options of every table test.
var testOpts = parsekit.Options{Year: 2026, Location: time.UTC}

const testSource = "t.log"

type result struct {
	events []bouncescan.Event
	errs   []error // nil entries for lines without error
}

// feed runs lines through p as one file (Begin with file), with offsets as
// if each line ended in "\n", and flushes.
func feed(p *Parser, file parsekit.File, lines ...string) result {
	p.Begin(file)
	var r result
	var off int64
	for i, l := range lines {
		err := p.Parse([]byte(l), bouncescan.Pos{Source: testSource, Line: int64(i + 1), Offset: off}, func(e *bouncescan.Event) {
			r.events = append(r.events, *e)
		})
		r.errs = append(r.errs, err)
		off += int64(len(l)) + 1
	}
	p.Flush(func(e *bouncescan.Event) { r.events = append(r.events, *e) })
	return r
}

// run parses lines with a fresh parser and the test options.
func run(t *testing.T, lines ...string) result {
	t.Helper()
	return feed(New(testOpts), parsekit.File{Name: testSource, Fingerprint: 7}, lines...)
}

var ignoreID = cmpopts.IgnoreFields(bouncescan.Event{}, "ID")

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// offsetOf is the byte offset of line n (1-based) of lines.
func offsetOf(lines []string, n int) int64 {
	var off int64
	for _, l := range lines[:n-1] {
		off += int64(len(l)) + 1
	}
	return off
}

func checkNoErrors(t *testing.T, r result) {
	t.Helper()
	for i, err := range r.errs {
		if err != nil {
			t.Errorf("line %d: unexpected error %v", i+1, err)
		}
	}
}

// TestTimestamps checks every header style on the same delivery line.
func TestTimestamps(t *testing.T) {
	const body = " mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=example.com type=MX: Host not found)"
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name  string
		opts  parsekit.Options
		file  parsekit.File
		lines []string
		want  []time.Time // time of the event of each line
	}{
		{name: "classic", opts: testOpts, lines: []string{"Nov 22 03:14:15" + body},
			want: []time.Time{utc("2026-11-22T03:14:15Z")}},
		{name: "single-digit day", opts: testOpts, lines: []string{"Nov  2 03:14:15" + body},
			want: []time.Time{utc("2026-11-02T03:14:15Z")}},
		{name: "single-digit day unpadded", opts: testOpts, lines: []string{"Nov 2 03:14:15" + body},
			want: []time.Time{utc("2026-11-02T03:14:15Z")}},
		{name: "year option", opts: parsekit.Options{Year: 2019, Location: time.UTC}, lines: []string{"Feb 28 23:59:59" + body},
			want: []time.Time{utc("2019-02-28T23:59:59Z")}},
		{name: "location for zoneless stamp", opts: parsekit.Options{Year: 2026, Location: paris}, lines: []string{"Nov 22 03:14:15" + body},
			want: []time.Time{utc("2026-11-22T02:14:15Z")}},
		{name: "year from mtime", opts: parsekit.Options{Location: time.UTC},
			file:  parsekit.File{ModTime: utc("2025-06-01T00:00:00Z")},
			lines: []string{"May 30 10:00:00" + body},
			want:  []time.Time{utc("2025-05-30T10:00:00Z")}},
		{name: "Dec line with January mtime is last year", opts: parsekit.Options{Location: time.UTC},
			file:  parsekit.File{ModTime: utc("2027-01-03T08:00:00Z")},
			lines: []string{"Dec 31 23:59:58" + body, "Jan  1 00:00:01" + body},
			want:  []time.Time{utc("2026-12-31T23:59:58Z"), utc("2027-01-01T00:00:01Z")}},
		{name: "Dec to Jan rollover inside a file", opts: testOpts,
			lines: []string{"Dec 31 23:59:59" + body, "Jan  1 00:00:00" + body, "Jan  2 00:00:00" + body},
			want:  []time.Time{utc("2026-12-31T23:59:59Z"), utc("2027-01-01T00:00:00Z"), utc("2027-01-02T00:00:00Z")}},
		{name: "stdin uses Now", opts: parsekit.Options{Location: time.UTC, Now: func() time.Time { return utc("2024-03-01T00:00:00Z") }},
			lines: []string{"Feb 29 12:00:00" + body},
			want:  []time.Time{utc("2024-02-29T12:00:00Z")}},
		{name: "RFC 3339 with fraction and zone", opts: testOpts, lines: []string{"2026-11-22T03:14:15.123456+01:00" + body},
			want: []time.Time{utc("2026-11-22T02:14:15.123456Z")}},
		{name: "RFC 3339 Z", opts: testOpts, lines: []string{"2026-11-22T03:14:15Z" + body},
			want: []time.Time{utc("2026-11-22T03:14:15Z")}},
		{name: "rsyslog high precision +00:00", opts: testOpts, lines: []string{"2023-03-14T00:00:31.185246+00:00" + body},
			want: []time.Time{utc("2023-03-14T00:00:31.185246Z")}},
		{name: "maillog_file microseconds", opts: testOpts, lines: []string{"Nov 22 03:14:15.654321" + body},
			want: []time.Time{utc("2026-11-22T03:14:15.654321Z")}},
		{name: "journalctl short-iso", opts: testOpts, lines: []string{"2026-11-22T03:14:15+0100" + body},
			want: []time.Time{utc("2026-11-22T02:14:15Z")}},
		{name: "journalctl short-iso-precise", opts: testOpts, lines: []string{"2026-11-22T03:14:15.500000+0100" + body},
			want: []time.Time{utc("2026-11-22T02:14:15.5Z")}},
		{name: "syslog priority prefix", opts: testOpts, lines: []string{"<22>Nov 22 03:14:15" + body},
			want: []time.Time{utc("2026-11-22T03:14:15Z")}},
		{name: "mixed styles re-anchor the year", opts: testOpts,
			lines: []string{"2023-03-14T00:00:31.185246+00:00" + body, "Mar 14 00:00:32" + body},
			want:  []time.Time{utc("2023-03-14T00:00:31.185246Z"), utc("2023-03-14T00:00:32Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := feed(New(tt.opts), tt.file, tt.lines...)
			checkNoErrors(t, r)
			var got []time.Time
			for _, e := range r.events {
				got = append(got, e.Time.UTC())
				if e.Host != "mx1" || e.Process != "postfix/smtp" || e.QueueID != "4F1A2B3C4D" {
					t.Errorf("header fields: host %q process %q queue id %q", e.Host, e.Process, e.QueueID)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("times (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJournalJSON reads `journalctl -o json` lines with MESSAGE as a string
// and as an array of bytes.
func TestJournalJSON(t *testing.T) {
	msg := "4F1A2B3C4D: to=<bob@example.com>, relay=none, delay=0.1, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=example.com type=MX: Host not found)"
	var arr strings.Builder
	arr.WriteByte('[')
	for i := 0; i < len(msg); i++ {
		if i > 0 {
			arr.WriteByte(',')
		}
		arr.WriteString(parsekit.Itoa(int(msg[i])))
	}
	arr.WriteByte(']')
	head := `{"__REALTIME_TIMESTAMP":"1795317255123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"4242","_PID":"4242","MESSAGE":`
	want := bouncescan.Event{
		Time: time.UnixMicro(1795317255123456), Host: "mx1", MTA: Name, Source: testSource, Line: 1,
		QueueID: "4F1A2B3C4D", Recipient: "bob@example.com", Domain: "example.com", Process: "postfix/smtp",
		Delay: 0.1, Status: bouncescan.StatusBounced, DSN: "5.4.4",
		Text: "Host or domain name not found. Name service error for name=example.com type=MX: Host not found",
	}
	for name, line := range map[string]string{
		"string": head + `"` + msg + `"}`,
		"bytes":  head + arr.String() + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			r := run(t, line)
			checkNoErrors(t, r)
			if diff := cmp.Diff(parsekittest.FirstAttempt([]bouncescan.Event{want}), r.events, ignoreID); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLines checks one or a few lines → the whole events they give.
func TestLines(t *testing.T) {
	t0 := utc("2026-11-22T03:14:15Z")
	ev := func(e bouncescan.Event) bouncescan.Event {
		// the fields every event of these tests shares
		e.MTA, e.Source, e.Host = Name, testSource, "mx1"
		if e.Time.IsZero() {
			e.Time = t0
		}
		if e.Domain == "" && e.Recipient != "" {
			e.Domain = parsekit.Domain(e.Recipient)
		}
		return e
	}
	const pre = "Nov 22 03:14:15 mx1 "
	tests := []struct {
		name  string
		lines []string
		want  []bouncescan.Event // Line and Offset are filled in from Line
		errs  []error            // per line, errors.Is targets; nil = no error
	}{
		{
			name:  "smtp sent",
			lines: []string{pre + "postfix/smtp[4242]: 4F1A2B3C4D: to=<Bob@Example.COM>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4XvR1f0Bs2z1xyz)"},
			want: []bouncescan.Event{ev(bouncescan.Event{Line: 1, QueueID: "4F1A2B3C4D", Recipient: "Bob@Example.COM", Domain: "example.com",
				Process: "postfix/smtp", Relay: "mx.example.com", RelayIP: "192.0.2.10", RelayPort: 25, Delay: 1.2,
				Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", DSN: "2.0.0", Text: "Ok: queued as 4XvR1f0Bs2z1xyz"})},
		},
		{
			name:  "smtp bounced multi-line reply with orig_to and IPv6 relay",
			lines: []string{pre + "postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@gmail.com>, orig_to=<alias@example.org>, relay=gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1b]:25, delay=0.85, delays=0.02/0/0.3/0.53, dsn=5.1.1, status=bounced (host gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1b] said: 550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp (in reply to RCPT TO command))"},
			want: []bouncescan.Event{ev(bouncescan.Event{Line: 1, QueueID: "4F1A2B3C4D", Recipient: "bob@gmail.com", OrigRecipient: "alias@example.org",
				Process: "postfix/smtp", Relay: "gmail-smtp-in.l.google.com", RelayIP: "2a00:1450:400c:c0b::1b", RelayPort: 25, Delay: 0.85,
				Status: bouncescan.StatusBounced, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.1.1", DSN: "5.1.1",
				Text: "The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp"})},
		},
		{
			name: "stages of the in-reply-to command",
			lines: []string{
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.x.test[192.0.2.1] said: 550 5.7.1 Sender rejected (in reply to MAIL FROM command))",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.3.0, status=deferred (host mx.x.test[192.0.2.1] said: 451 4.3.0 Try later (in reply to DATA command))",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<c@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.x.test[192.0.2.1] said: 554 5.7.1 Message rejected as spam (in reply to end of DATA command))",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<d@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.5.2, status=bounced (host mx.x.test[192.0.2.1] said: 501 Syntax error (in reply to EHLO command))",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "1A2B3C4D5E", Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageMail, ReplyCode: 550, EnhancedCode: "5.7.1", DSN: "5.7.1", Text: "Sender rejected"}),
				ev(bouncescan.Event{Line: 2, QueueID: "1A2B3C4D5E", Recipient: "b@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageData, ReplyCode: 451, EnhancedCode: "4.3.0", DSN: "4.3.0", Text: "Try later"}),
				ev(bouncescan.Event{Line: 3, QueueID: "1A2B3C4D5E", Recipient: "c@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageEndOfData, ReplyCode: 554, EnhancedCode: "5.7.1", DSN: "5.7.1", Text: "Message rejected as spam"}),
				ev(bouncescan.Event{Line: 4, QueueID: "1A2B3C4D5E", Recipient: "d@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageHelo, ReplyCode: 501, DSN: "5.5.2", Text: "Syntax error"}),
			},
		},
		{
			name: "refused to talk to me: greeting vs EHLO",
			lines: []string{
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.0, status=deferred (host mx.x.test[192.0.2.1] refused to talk to me: 421 4.7.0 [TSS04] Messages temporarily deferred)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.x.test[192.0.2.1] refused to talk to me: 554 5.7.1 Service unavailable; Client host [192.0.2.99] blocked using zen.spamhaus.org)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<c@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.x.test[192.0.2.1] refused to talk to me: 550 5.7.1 Client host rejected: cannot find your reverse hostname, [192.0.2.99])",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "1A2B3C4D5E", Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, ReplyCode: 421, EnhancedCode: "4.7.0", DSN: "4.7.0", Text: "[TSS04] Messages temporarily deferred"}),
				ev(bouncescan.Event{Line: 2, QueueID: "1A2B3C4D5E", Recipient: "b@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, ReplyCode: 554, EnhancedCode: "5.7.1", DSN: "4.7.1", Text: "Service unavailable; Client host [192.0.2.99] blocked using zen.spamhaus.org"}),
				ev(bouncescan.Event{Line: 3, QueueID: "1A2B3C4D5E", Recipient: "c@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageHelo, ReplyCode: 550, EnhancedCode: "5.7.1", DSN: "5.7.1", Text: "Client host rejected: cannot find your reverse hostname, [192.0.2.99]"}),
			},
		},
		{
			name: "network failures: MTA's own text",
			lines: []string{
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=300, delays=0/0/300/0, dsn=4.4.2, status=deferred (lost connection with mx.x.test[192.0.2.1] while receiving the initial server greeting)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=300, delays=0/0/0/300, dsn=4.4.2, status=deferred (conversation with mx.x.test[192.0.2.1] timed out while sending RCPT TO)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<c@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=300, delays=0/0/0/300, dsn=4.4.2, status=deferred (conversation with mx.x.test[192.0.2.1] timed out while sending message body)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<d@x.test>, relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to mx.x.test[192.0.2.1]:25: Connection refused)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<e@nx.test>, relay=none, delay=0.1, delays=0/0/0.1/0, dsn=5.4.4, status=bounced (Host or domain name not found. Name service error for name=nx.test type=A: Host not found)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<f@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)",
				pre + "postfix/smtp[1]: 1A2B3C4D5E: to=<g@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/1/0, dsn=4.4.2, status=deferred (lost connection with mx.x.test[192.0.2.1] while performing the EHLO handshake)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "1A2B3C4D5E", Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 300,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, DSN: "4.4.2", Text: "lost connection with mx.x.test[192.0.2.1] while receiving the initial server greeting"}),
				ev(bouncescan.Event{Line: 2, QueueID: "1A2B3C4D5E", Recipient: "b@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 300,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageRcpt, DSN: "4.4.2", Text: "conversation with mx.x.test[192.0.2.1] timed out while sending RCPT TO"}),
				ev(bouncescan.Event{Line: 3, QueueID: "1A2B3C4D5E", Recipient: "c@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 300,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageEndOfData, DSN: "4.4.2", Text: "conversation with mx.x.test[192.0.2.1] timed out while sending message body"}),
				ev(bouncescan.Event{Line: 4, QueueID: "1A2B3C4D5E", Recipient: "d@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 30,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, DSN: "4.4.1", Text: "connect to mx.x.test[192.0.2.1]:25: Connection refused"}),
				ev(bouncescan.Event{Line: 5, QueueID: "1A2B3C4D5E", Recipient: "e@nx.test", Process: "postfix/smtp", Delay: 0.1,
					Status: bouncescan.StatusBounced, DSN: "5.4.4", Text: "Host or domain name not found. Name service error for name=nx.test type=A: Host not found"}),
				ev(bouncescan.Event{Line: 6, QueueID: "1A2B3C4D5E", Recipient: "f@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageStartTLS, DSN: "4.7.5", Text: "Cannot start TLS: handshake failure"}),
				ev(bouncescan.Event{Line: 7, QueueID: "1A2B3C4D5E", Recipient: "g@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageHelo, DSN: "4.4.2", Text: "lost connection with mx.x.test[192.0.2.1] while performing the EHLO handshake"}),
			},
		},
		{
			name: "local, virtual, pipe, lmtp, error, retry, discard",
			lines: []string{
				pre + "postfix/local[5]: 1A2B3C4D5E: to=<root@mx1.test>, orig_to=<postmaster@mx1.test>, relay=local, delay=0.02, delays=0/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)",
				pre + "postfix/local[5]: 1A2B3C4D5E: to=<ghost@mx1.test>, relay=local, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (unknown user: \"ghost\")",
				pre + "postfix/virtual[6]: 1A2B3C4D5E: to=<full@vhost.test>, relay=virtual, delay=0.1, delays=0/0/0/0.1, dsn=5.2.2, status=bounced (cannot update mailbox /var/mail/vhosts/full for user full. error writing message: File too large)",
				pre + "postfix/pipe[7]: 1A2B3C4D5E: to=<u@mx1.test>, relay=dovecot, delay=0.3, delays=0/0/0/0.3, dsn=4.3.0, status=deferred (temporary failure. Command output: lda: Error: quota exceeded )",
				pre + "postfix/lmtp[8]: 1A2B3C4D5E: to=<v@mx1.test>, relay=mail.mx1.test[private/dovecot-lmtp], delay=0.2, delays=0/0/0/0.2, dsn=5.2.2, status=bounced (host mail.mx1.test[private/dovecot-lmtp] said: 552 5.2.2 <v@mx1.test> Quota exceeded (mailbox for user is full) (in reply to end of DATA command))",
				pre + "postfix/error[9]: 1A2B3C4D5E: to=<w@x.test>, relay=none, delay=0.1, delays=0/0/0/0.1, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.x.test[192.0.2.1]:25: Connection refused)",
				pre + "postfix/retry[10]: 1A2B3C4D5E: to=<y@x.test>, relay=none, delay=0.1, delays=0/0/0/0.1, dsn=4.4.1, status=deferred (delivery temporarily suspended: lost connection with mx.x.test[192.0.2.1] while receiving the initial server greeting)",
				pre + "postfix/discard[11]: 1A2B3C4D5E: to=<z@x.test>, relay=none, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (x.test)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "1A2B3C4D5E", Recipient: "root@mx1.test", OrigRecipient: "postmaster@mx1.test", Process: "postfix/local", Relay: "local", Delay: 0.02,
					Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "delivered to mailbox"}),
				ev(bouncescan.Event{Line: 2, QueueID: "1A2B3C4D5E", Recipient: "ghost@mx1.test", Process: "postfix/local", Relay: "local",
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, DSN: "5.1.1", Text: `unknown user: "ghost"`}),
				ev(bouncescan.Event{Line: 3, QueueID: "1A2B3C4D5E", Recipient: "full@vhost.test", Process: "postfix/virtual", Relay: "virtual", Delay: 0.1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, DSN: "5.2.2", Text: "cannot update mailbox /var/mail/vhosts/full for user full. error writing message: File too large"}),
				ev(bouncescan.Event{Line: 4, QueueID: "1A2B3C4D5E", Recipient: "u@mx1.test", Process: "postfix/pipe", Relay: "dovecot", Delay: 0.3,
					Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, DSN: "4.3.0", Text: "temporary failure. Command output: lda: Error: quota exceeded"}),
				ev(bouncescan.Event{Line: 5, QueueID: "1A2B3C4D5E", Recipient: "v@mx1.test", Process: "postfix/lmtp", Relay: "mail.mx1.test", RelayIP: "private/dovecot-lmtp", Delay: 0.2,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageEndOfData, ReplyCode: 552, EnhancedCode: "5.2.2", DSN: "5.2.2", Text: "<v@mx1.test> Quota exceeded (mailbox for user is full)"}),
				ev(bouncescan.Event{Line: 6, QueueID: "1A2B3C4D5E", Recipient: "w@x.test", Process: "postfix/error", Delay: 0.1,
					Status: bouncescan.StatusDeferred, DSN: "4.4.1", Text: "delivery temporarily suspended: connect to mx.x.test[192.0.2.1]:25: Connection refused"}),
				ev(bouncescan.Event{Line: 7, QueueID: "1A2B3C4D5E", Recipient: "y@x.test", Process: "postfix/retry", Delay: 0.1,
					Status: bouncescan.StatusDeferred, DSN: "4.4.1", Text: "delivery temporarily suspended: lost connection with mx.x.test[192.0.2.1] while receiving the initial server greeting"}),
				ev(bouncescan.Event{Line: 8, QueueID: "1A2B3C4D5E", Recipient: "z@x.test", Process: "postfix/discard", Delay: 0.1,
					Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "x.test"}),
			},
		},
		{
			name: "syslog_name prefixes and long queue ids",
			lines: []string{
				pre + "postfix-out/smtp[4242]: 4XvR1f0Bs2z1xyz: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)",
				pre + "postfix/submission/smtpd[77]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 554 5.7.1 <c@far.test>: Relay access denied; from=<s@here.test> to=<c@far.test> proto=ESMTP helo=<pc>",
				pre + "mx-out/smtp[4242]: 4XvR1f0Bs2z1xyz: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "4XvR1f0Bs2z1xyz", Recipient: "a@x.test", Process: "postfix-out/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", DSN: "2.0.0", Text: "OK"}),
				ev(bouncescan.Event{Line: 2, Sender: "s@here.test", Recipient: "c@far.test", Process: "postfix/submission/smtpd", RelayIP: "198.51.100.7",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, ReplyCode: 554, EnhancedCode: "5.7.1", Text: "<c@far.test>: Relay access denied"}),
				ev(bouncescan.Event{Line: 3, QueueID: "4XvR1f0Bs2z1xyz", Recipient: "b@x.test", Process: "mx-out/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", DSN: "2.0.0", Text: "OK"}),
			},
		},
		{
			name: "smtpd: connect/disconnect give nothing, reject_warning and warning are notices, rejects give events",
			lines: []string{
				pre + "postfix/smtpd[77]: connect from unknown[198.51.100.7]",
				pre + "postfix/smtpd[77]: NOQUEUE: reject_warning: RCPT from unknown[198.51.100.7]: 450 4.7.1 <pc>: Helo command rejected: Host not found; from=<s@here.test> to=<c@mx1.test> proto=ESMTP helo=<pc>",
				pre + "postfix/smtpd[77]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 450 4.7.1 Client host rejected: cannot find your reverse hostname, [198.51.100.7]; from=<s@here.test> to=<c@mx1.test> proto=ESMTP helo=<pc>",
				pre + "postfix/smtpd[77]: NOQUEUE: reject: MAIL from unknown[198.51.100.7]: 553 5.7.1 <s@here.test>: Sender address rejected: not logged in; proto=ESMTP helo=<pc>",
				pre + "postfix/smtpd[77]: disconnect from unknown[198.51.100.7] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
				pre + "postfix/postscreen[88]: NOQUEUE: reject: RCPT from [203.0.113.5]:51234: 550 5.7.1 Service unavailable; client [203.0.113.5] blocked using zen.spamhaus.org; from=<x@spam.test>, to=<c@mx1.test>, proto=ESMTP, helo=<spam.test>",
				pre + "postfix/postscreen[88]: CONNECT from [203.0.113.5]:51234 to [192.0.2.25]:25",
				pre + "postfix/smtpd[77]: warning: hostname 7.100.51.198.example does not resolve to address 198.51.100.7",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 3, Sender: "s@here.test", Recipient: "c@mx1.test", Process: "postfix/smtpd", RelayIP: "198.51.100.7",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, ReplyCode: 450, EnhancedCode: "4.7.1", Text: "Client host rejected: cannot find your reverse hostname, [198.51.100.7]"}),
				ev(bouncescan.Event{Line: 4, Process: "postfix/smtpd", RelayIP: "198.51.100.7",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageMail, ReplyCode: 553, EnhancedCode: "5.7.1", Text: "<s@here.test>: Sender address rejected: not logged in"}),
				ev(bouncescan.Event{Line: 6, Sender: "x@spam.test", Recipient: "c@mx1.test", Process: "postfix/postscreen", RelayIP: "203.0.113.5",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "Service unavailable; client [203.0.113.5] blocked using zen.spamhaus.org"}),
			},
			errs: []error{nil, bouncescan.ErrNotice, nil, nil, nil, nil, nil, bouncescan.ErrNotice},
		},
		{
			name: "before-queue content filter: proxy-reject is a reject, proxy-accept is not",
			lines: []string{
				pre + "postfix/smtpd[77]: proxy-accept: END-OF-MESSAGE: 250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as A0320E00C3; from=<s@sender.test> to=<c@mx1.test> proto=ESMTP helo=<mail.sender.test>",
				pre + "postfix/smtpd[77]: NOQUEUE: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject, id=31172-01 - spam; from=<s@sender.test> to=<c@mx1.test> proto=ESMTP helo=<mail.sender.test>",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 2, Sender: "s@sender.test", Recipient: "c@mx1.test", Process: "postfix/smtpd",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageEndOfData, ReplyCode: 554, EnhancedCode: "5.7.0", Text: "Reject, id=31172-01 - spam"}),
			},
		},
		{
			name: "cleanup: message-id, milter-reject and header reject joined with qmgr",
			lines: []string{
				pre + "postfix/smtpd[77]: 3E8F1C0A1B: client=mail.sender.test[198.51.100.8]",
				pre + "postfix/cleanup[78]: 3E8F1C0A1B: message-id=<abc@sender.test>",
				pre + "postfix/cleanup[78]: 3E8F1C0A1B: milter-reject: END-OF-MESSAGE from mail.sender.test[198.51.100.8]: 5.7.1 Spam message rejected; from=<s@sender.test> to=<c@mx1.test> proto=ESMTP helo=<mail.sender.test>",
				pre + "postfix/cleanup[78]: 9F8E7D6C5B: reject: header Subject: win big from mail.sender.test[198.51.100.8]; from=<s2@sender.test> to=<d@mx1.test> proto=ESMTP helo=<mail.sender.test>: 5.7.1 No spam here",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 3, QueueID: "3E8F1C0A1B", MessageID: "abc@sender.test", Sender: "s@sender.test", Recipient: "c@mx1.test", Process: "postfix/cleanup", RelayIP: "198.51.100.8",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageEndOfData, EnhancedCode: "5.7.1", Text: "Spam message rejected"}),
				ev(bouncescan.Event{Line: 4, QueueID: "9F8E7D6C5B", Sender: "s2@sender.test", Recipient: "d@mx1.test", Process: "postfix/cleanup",
					Status: bouncescan.StatusRejected, Stage: bouncescan.StageEndOfData, EnhancedCode: "5.7.1", Text: "No spam here"}),
			},
		},
		{
			name: "qmgr and bounce lines give no event but feed the join",
			lines: []string{
				pre + "postfix/pickup[3]: 5B6C7D8E9F: uid=1000 from=<me@mx1.test>",
				pre + "postfix/cleanup[4]: 5B6C7D8E9F: message-id=<m1@mx1.test>",
				pre + "postfix/qmgr[5]: 5B6C7D8E9F: from=<me@mx1.test>, size=1234, nrcpt=1 (queue active)",
				pre + "postfix/smtp[6]: 5B6C7D8E9F: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.x.test[192.0.2.1] said: 550 5.1.1 No such user (in reply to RCPT TO command))",
				pre + "postfix/bounce[7]: 5B6C7D8E9F: sender non-delivery notification: 6C7D8E9F0A",
				pre + "postfix/qmgr[5]: 5B6C7D8E9F: removed",
				pre + "postfix/smtp[6]: 5B6C7D8E9F: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 OK)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 4, QueueID: "5B6C7D8E9F", MessageID: "m1@mx1.test", Sender: "me@mx1.test", Size: 1234, Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusBounced, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.1.1", DSN: "5.1.1", Text: "No such user"}),
				// after "removed" the state is gone: no join
				ev(bouncescan.Event{Line: 7, QueueID: "5B6C7D8E9F", Recipient: "b@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 1,
					Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "OK"}),
			},
		},
		{
			name: "message started before the file: outcome without join",
			lines: []string{
				pre + "postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=9000, delays=8999/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "0123456789", Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 9000,
					Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", DSN: "2.0.0", Text: "Ok"}),
			},
		},
		{
			name: "old Postfix without dsn= and delays=",
			lines: []string{
				pre + "postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=none, delay=0, status=bounced (Host or domain name not found. Name service error for name=x.test type=A: Host not found)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "0123456789", Recipient: "a@x.test", Process: "postfix/smtp",
					Status: bouncescan.StatusBounced, Text: "Host or domain name not found. Name service error for name=x.test type=A: Host not found"}),
			},
		},
		{
			name: "address verification probes are outcomes of their own",
			lines: []string{
				pre + "postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=6.3, delays=0.04/0.01/6/0.19, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)",
				pre + "postfix/smtp[6]: 0123456789: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=6.3, delays=0.04/0.01/6/0.19, dsn=5.1.1, status=undeliverable (host mx.x.test[192.0.2.1] said: 550 5.1.1 No such user (in reply to RCPT TO command))",
				pre + "postfix/smtp[6]: 0123456789: to=<c@x.test>, relay=none, delay=6.3, delays=0.04/0.01/6/0.19, dsn=4.4.1, status=undeliverable-but-not-cached (connect to mx.x.test[192.0.2.1]:25: Connection refused)",
			},
			want: []bouncescan.Event{
				ev(bouncescan.Event{Line: 1, QueueID: "0123456789", Recipient: "a@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 6.3,
					Status: bouncescan.StatusProbe, Stage: bouncescan.StageRcpt, ReplyCode: 250, EnhancedCode: "2.1.5", DSN: "2.1.5", Text: "Ok"}),
				ev(bouncescan.Event{Line: 2, QueueID: "0123456789", Recipient: "b@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 6.3,
					Status: bouncescan.StatusProbe, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.1.1", DSN: "5.1.1", Text: "No such user"}),
				ev(bouncescan.Event{Line: 3, QueueID: "0123456789", Recipient: "c@x.test", Process: "postfix/smtp", Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 6.3,
					Status: bouncescan.StatusProbe, Stage: bouncescan.StageConnect, DSN: "4.4.1", Text: "connect to mx.x.test[192.0.2.1]:25: Connection refused"}),
			},
		},
		{
			name: "not mine and unparsed",
			lines: []string{
				"Nov 22 03:14:15 mx1 dovecot: imap-login: Login: user=<a>",
				"",
				"garbage without a header",
				"Nov 22 03:14:15 mx1 postfix/smtp[6]: 0123456789: to=<a@x.test, relay=none, delay=0, dsn=5.0.0, status=bounced (x)",
				"Nov 22 03:14:15 mx1 postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=none, delay=0, dsn=5.0.0, status=frobbed (x)",
				"Nov 22 03:14:15 mx1 postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=none, delay=0, dsn=5.0.0",
				"Nov 99 03:14:15 mx1 postfix/smtp[6]: 0123456789: to=<a@x.test>, relay=none, delay=0, dsn=5.0.0, status=bounced (x)",
			},
			errs: []error{bouncescan.ErrNotMine, bouncescan.ErrNotMine, bouncescan.ErrNotMine, bouncescan.ErrUnparsed, bouncescan.ErrUnparsed, bouncescan.ErrUnparsed, bouncescan.ErrUnparsed},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.lines...)
			for i := range tt.want {
				tt.want[i].Offset = offsetOf(tt.lines, int(tt.want[i].Line))
			}
			if diff := cmp.Diff(parsekittest.FirstAttempt(tt.want), r.events, ignoreID, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for i, err := range r.errs {
				var want error
				if i < len(tt.errs) {
					want = tt.errs[i]
				}
				checkErr(t, i+1, err, want)
			}
		})
	}
}

// checkErr asserts that err is nil (want nil) or a *ParseError wrapping want.
func checkErr(t *testing.T, line int, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("line %d: unexpected error %v", line, err)
		}
		return
	}
	var pe *bouncescan.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("line %d: error %v is not a *ParseError (want %v)", line, err, want)
		return
	}
	if !errors.Is(err, want) {
		t.Errorf("line %d: error %v, want %v", line, err, want)
	}
	if pe.Line != int64(line) || pe.Source != testSource {
		t.Errorf("line %d: error position %v", line, pe.Pos)
	}
}

// parseDelay gives the float64 strconv gives, for every form Postfix
// writes and for the odd ones.
func TestParseDelay(t *testing.T) {
	for _, s := range []string{"0", "0.5", "0.1", "0.01", "12", "1234.56", "1.2", "0.33", "999999.99", "86400", "3.14159265358979",
		"1e3", "", ".", "5.", ".5", "1.2.3", "-1", "12345678901234567890", "0.0000000000000001"} {
		want, _ := strconv.ParseFloat(s, 64)
		if got := parseDelay([]byte(s)); got != want {
			t.Errorf("parseDelay(%q) = %v, want %v", s, got, want)
		}
	}
}

// scanFields reads the fields of the usual delivery lines; the odd ones
// it refuses (searchFields reads those) and never misreads.
func TestScanFields(t *testing.T) {
	f, ok := scanFields([]byte(", orig_to=<a@x>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host x said: 550 a, b, status=x)"))
	if !ok || string(f.origTo) != "<a@x>" || string(f.relay) != "mx.example.com[192.0.2.10]:25" || string(f.delay) != "1.2" || string(f.dsn) != "5.1.1" ||
		string(f.status) != "bounced (host x said: 550 a, b, status=x)" {
		t.Errorf("usual line: %v %q", ok, f)
	}
	// an address with ", " in it is read whole
	if f, ok := scanFields([]byte(", orig_to=<\"a, b\"@x>, relay=none, status=sent (x)")); !ok || string(f.origTo) != `<"a, b"@x>` || string(f.relay) != "none" {
		t.Errorf("quoted address: %v %q", ok, f)
	}
	for _, odd := range []string{", relay=none", "relay=x, status=sent", ", =x, status=sent", ", a b=x, status=sent", ", orig_to=<a, status=sent"} {
		if f, ok := scanFields([]byte(odd)); ok {
			t.Errorf("%q read as %q", odd, f)
		}
	}
}
