package postfix

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// fuzzSeeds are lines of every kind the table tests use, plus oddities.
var fuzzSeeds = []string{
	Example,
	"Nov  2 03:14:15 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.0, status=deferred (host mx.x.test[192.0.2.1] refused to talk to me: 421 4.7.0 go away)",
	"2026-11-22T03:14:15.123456+01:00 mx1 postfix-out/smtp[1]: 4XvR1f0Bs2z1xyz: to=<a@x.test>, orig_to=<b@y.test>, relay=none, delay=30, dsn=4.4.1, status=deferred (connect to mx.x.test[192.0.2.1]:25: Connection refused)",
	"2026-11-22T03:14:15+0100 mx1 postfix/local[5]: 1A2B3C4D5E: to=<ghost@mx1.test>, relay=local, delay=0, dsn=5.1.1, status=bounced (unknown user: \"ghost\")",
	`{"__REALTIME_TIMESTAMP":"1795317255123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"4242","MESSAGE":"1A2B3C4D5E: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)"}`,
	`{"__REALTIME_TIMESTAMP":"1795317255123456","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/qmgr","MESSAGE":[49,65,50,66,51,67,52,68,53,69,58,32,114,101,109,111,118,101,100]}`,
	"Nov 22 03:14:15 mx1 postfix/qmgr[5]: 1A2B3C4D5E: from=<s@mx1.test>, size=1234, nrcpt=2 (queue active)",
	"Nov 27 03:00:02 mx1 postfix/qmgr[1]: 1A2B3C4D5E: from=<s@mx1.test>, status=expired, returned to sender",
	"Nov 22 03:14:15 mx1 postfix/cleanup[4]: 1A2B3C4D5E: message-id=<m1@mx1.test>",
	"Nov 22 03:14:15 mx1 postfix/cleanup[78]: 3E8F1C0A1B: milter-reject: END-OF-MESSAGE from mail.sender.test[198.51.100.8]: 5.7.1 Spam; from=<s@sender.test> to=<c@mx1.test> proto=ESMTP helo=<h>",
	"Nov 22 03:14:15 mx1 postfix/cleanup[78]: 9F8E7D6C5B: reject: header Subject: win from h[198.51.100.8]; from=<s@sender.test> to=<d@mx1.test> proto=ESMTP helo=<h>: 5.7.1 No",
	"Nov 22 03:14:15 mx1 postfix/submission/smtpd[77]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 554 5.7.1 <c@far.test>: Relay access denied; from=<s@here.test> to=<c@far.test> proto=ESMTP helo=<pc>",
	"Nov 22 03:14:15 mx1 postfix/smtpd[77]: NOQUEUE: reject_warning: RCPT from unknown[198.51.100.7]: 450 4.7.1 <pc>: Helo command rejected; from=<s@here.test> to=<c@mx1.test>",
	"Nov 22 03:14:15 mx1 postfix/postscreen[88]: NOQUEUE: reject: RCPT from [203.0.113.5]:51234: 550 5.7.1 Service unavailable; from=<x@spam.test>, to=<c@mx1.test>, proto=ESMTP, helo=<spam.test>",
	"Nov 22 03:14:15 mx1 postfix/smtpd[77]: NOQUEUE: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject; from=<s@sender.test> to=<c@mx1.test> proto=ESMTP helo=<h>",
	"Nov 22 03:14:15 mx1 postfix/smtpd[77]: NOQUEUE: reject: RCPT from x[1.2.3.4]:",
	"Nov 22 03:14:15 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<",
	"Nov 22 03:14:15 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, status=",
	"Nov 22 03:14:15 mx1 postfix/smtp[1]: 1A2B3C4D5E: to=<a@x.test>, relay=h[, status=bounced (host h[ said: 5",
	"<22>Dec 31 23:59:59 mx1 postfix/bounce[7]: 1A2B3C4D5E: sender non-delivery notification: 6C7D8E9F0A",
	"Nov 22 03:14:15 mx1 dovecot: imap-login: Login",
	"",
	"{",
}

// FuzzParse feeds arbitrary text, line by line, to one parser: it must not
// panic, and every error must be a *ParseError.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	if fh, err := os.Open("../../samples/postfix/mail.log"); err == nil {
		sc := bufio.NewScanner(fh)
		var group []byte
		for i := 0; sc.Scan(); i++ {
			f.Add(append([]byte(nil), sc.Bytes()...))
			// and runs of 8 consecutive lines, for the state
			group = append(append(group, sc.Bytes()...), '\n')
			if i%8 == 7 {
				f.Add(group)
				group = nil
			}
		}
		fh.Close()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := New(parsekit.Options{Year: 2026, Location: time.UTC, MaxMessages: 4, TTL: time.Hour})
		p.Begin(parsekit.File{Name: "fuzz", Fingerprint: 9})
		emit := func(e *bouncescan.Event) {
			if e.MTA != Name || e.ID == "" {
				t.Errorf("bad event %+v", e)
			}
		}
		var off int64
		for n, line := range bytes.Split(data, []byte("\n")) {
			err := p.Parse(line, bouncescan.Pos{Source: "fuzz", Line: int64(n + 1), Offset: off}, emit)
			if err != nil {
				var pe *bouncescan.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("error %v (%T) is not a *ParseError", err, err)
				}
				if !errors.Is(err, bouncescan.ErrUnparsed) && !errors.Is(err, bouncescan.ErrNotMine) && !errors.Is(err, bouncescan.ErrNotice) {
					t.Fatalf("error %v wraps none of ErrUnparsed, ErrNotMine, ErrNotice", err)
				}
			}
			off += int64(len(line)) + 1
		}
		p.Flush(emit)
		_ = p.Stats()
	})
}
