package sendmail

import (
	"fmt"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

type tcase struct {
	name  string
	lines []string
	want  []bouncescan.Event
	errs  []string // reasons of the ParseErrors, in order
}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := parseLines(t, c.lines...)
			parsekittest.CheckCase(t, c.want, got, c.errs, errs)
		})
	}
}

// at is 2026-11-22 at the given clock, UTC.
func at(clock string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", "2026-11-22 "+clock)
	if err != nil {
		panic(err)
	}
	return t
}

// ev is an event of host mx1, program sm-mta, at line n.
func ev(n int64, clock string, e bouncescan.Event) bouncescan.Event {
	e.Time, e.Host, e.MTA, e.Line = at(clock), "mx1", Name, n
	if e.Process == "" {
		e.Process = "sm-mta"
	}
	return e
}

const (
	fromLine = "Nov 22 03:00:00 mx1 sm-mta[100]: 5AM30001000100: from=<alice@example.com>, size=2048, class=0, nrcpts=2, msgid=<m1@example.com>, proto=ESMTP, daemon=MTA, relay=app.example.com [192.0.2.5]"
	qid      = "5AM30001000100"
)

// msg is the envelope the from= line gives.
func msg(e bouncescan.Event) bouncescan.Event {
	e.QueueID, e.Sender, e.MessageID, e.Size = qid, "alice@example.com", "m1@example.com", 2048
	if e.Recipient != "" && e.Domain == "" {
		e.Domain = domainOf(e.Recipient)
	}
	return e
}

func domainOf(a string) string {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return a[i+1:]
		}
	}
	return ""
}

func to(clock, rest string) string {
	return "Nov 22 " + clock + " mx1 sm-mta[101]: " + qid + ": to=" + rest
}

func TestDeliveries(t *testing.T) {
	run(t, []tcase{{
		name: "sent, joined with from=, relay with trailing dot",
		lines: []string{fromLine,
			to("03:00:02", "<bob@example.net>, delay=00:00:02, xdelay=00:00:01, mailer=esmtp, pri=122048, relay=mx.example.net. [198.51.100.25], dsn=2.0.0, stat=Sent (Ok: queued as 4dK2Lq)")},
		want: []bouncescan.Event{ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "bob@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25",
			Delay: 2, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "Ok: queued as 4dK2Lq"}))},
	}, {
		name: "several recipients on one line, [more] continuation, address literal relay",
		lines: []string{fromLine,
			to("03:00:02", "<a@example.net>,<B@Example.NET>, [more], delay=1+00:00:02, xdelay=00:00:01, mailer=esmtp, pri=1, relay=[198.51.100.9] [198.51.100.9], dsn=2.0.0, stat=Sent (ok:  Message 40279894 accepted)"),
			to("03:00:02", "<c@example.org>, delay=1+00:00:02, xdelay=00:00:01, mailer=esmtp, pri=1, relay=[198.51.100.9] [198.51.100.9], dsn=2.0.0, stat=Sent (ok:  Message 40279894 accepted)")},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "a@example.net", Relay: "198.51.100.9", RelayIP: "198.51.100.9", Delay: 86402, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "ok:  Message 40279894 accepted"})),
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "B@Example.NET", Domain: "example.net", Relay: "198.51.100.9", RelayIP: "198.51.100.9", Delay: 86402, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "ok:  Message 40279894 accepted"})),
			ev(3, "03:00:02", msg(bouncescan.Event{Recipient: "c@example.org", Relay: "198.51.100.9", RelayIP: "198.51.100.9", Delay: 86402, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "ok:  Message 40279894 accepted"})),
		},
	}, {
		name: "local submission: bare addresses, ctladdr with uid/gid, relay mailer",
		lines: []string{
			"Nov 22 03:00:00 mx1 sendmail[809]: j061bW9V000809: from=maddingue, size=2039, class=0, nrcpts=1, msgid=<200501060137.j061bW9V000809@jupiter.example.com>, relay=localhost",
			"Nov 22 03:00:01 mx1 sendmail[809]: j061bW9V000809: to=cpan@example.org,root, ctladdr=maddingue (501/20), delay=00:00:01, xdelay=00:00:00, mailer=relay, pri=30151, relay=localhost [127.0.0.1], dsn=2.0.0, stat=Sent (j061bXn5000812 Message accepted for delivery)"},
		want: []bouncescan.Event{
			ev(2, "03:00:01", bouncescan.Event{Process: "sendmail", QueueID: "j061bW9V000809", Sender: "maddingue", MessageID: "200501060137.j061bW9V000809@jupiter.example.com", Size: 2039,
				Recipient: "cpan@example.org", Domain: "example.org", Relay: "localhost", RelayIP: "127.0.0.1", Delay: 1, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "j061bXn5000812 Message accepted for delivery"}),
			ev(2, "03:00:01", bouncescan.Event{Process: "sendmail", QueueID: "j061bW9V000809", Sender: "maddingue", MessageID: "200501060137.j061bW9V000809@jupiter.example.com", Size: 2039,
				Recipient: "root", Relay: "localhost", RelayIP: "127.0.0.1", Delay: 1, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "j061bXn5000812 Message accepted for delivery"}),
		},
	}, {
		name:  "deferred with the remote reply in stat=",
		lines: []string{fromLine, to("03:00:15", "<d@example.org>, delay=00:00:15, xdelay=00:00:15, mailer=esmtp, pri=34527, relay=mail.example.org. [203.0.113.40], dsn=4.3.5, stat=Deferred: 451 4.3.5 Server configuration problem")},
		want: []bouncescan.Event{ev(2, "03:00:15", msg(bouncescan.Event{Recipient: "d@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 15,
			Status: bouncescan.StatusDeferred, ReplyCode: 451, EnhancedCode: "4.3.5", DSN: "4.3.5", Text: "Server configuration problem"}))},
	}, {
		name: "deferred: connection refused / timed out are connect, no code; reset during a phase gives the phase",
		lines: []string{fromLine,
			to("03:00:15", "<d@example.org>, delay=00:00:15, xdelay=00:00:15, mailer=esmtp, pri=1, relay=mx2.example.org., dsn=4.0.0, stat=Deferred: Connection refused by mx2.example.org."),
			to("03:00:45", "<e@example.org>, delay=00:00:45, xdelay=00:00:30, mailer=esmtp, pri=1, relay=mx2.example.org., dsn=4.0.0, stat=Deferred: Connection timed out with mx2.example.org."),
			to("03:00:46", "<f@example.org>, delay=00:00:46, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx2.example.org. [203.0.113.41], dsn=4.0.0, stat=Deferred: Connection reset by mx2.example.org. during client RCPT"),
			to("03:00:47", "<g@example.org>, delay=00:00:47, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx2.example.org. [203.0.113.41], dsn=4.0.0, stat=Deferred")},
		want: []bouncescan.Event{
			ev(2, "03:00:15", msg(bouncescan.Event{Recipient: "d@example.org", Relay: "mx2.example.org", Delay: 15, Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, DSN: "4.0.0", Text: "Connection refused by mx2.example.org."})),
			ev(3, "03:00:45", msg(bouncescan.Event{Recipient: "e@example.org", Relay: "mx2.example.org", Delay: 45, Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, DSN: "4.0.0", Text: "Connection timed out with mx2.example.org."})),
			ev(4, "03:00:46", msg(bouncescan.Event{Recipient: "f@example.org", Relay: "mx2.example.org", RelayIP: "203.0.113.41", Delay: 46, Status: bouncescan.StatusDeferred, Stage: bouncescan.StageRcpt, DSN: "4.0.0", Text: "Connection reset by mx2.example.org. during client RCPT"})),
			ev(5, "03:00:47", msg(bouncescan.Event{Recipient: "g@example.org", Relay: "mx2.example.org", RelayIP: "203.0.113.41", Delay: 47, Status: bouncescan.StatusDeferred, DSN: "4.0.0"})),
		},
	}, {
		name: "bounced: Sendmail's own reasons carry no code, dsn= in DSN; stat= with a reply gives codes",
		lines: []string{fromLine,
			to("03:00:02", "<nobody@example.net>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], dsn=5.1.1, stat=User unknown"),
			to("03:00:03", "<x@example.info>, delay=00:00:03, xdelay=00:00:00, mailer=esmtp, pri=1, relay=example.info, dsn=5.1.2, stat=Host unknown (Name server: example.info: host not found)"),
			to("03:00:04", "<y@example.net>, delay=00:00:04, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], dsn=5.0.0, stat=Service unavailable"),
			to("03:00:05", "<z@example.net>, delay=00:00:05, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], dsn=5.6.0, stat=Data format error"),
			to("03:00:06", "<w@example.net>, delay=00:00:06, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], dsn=5.7.1, stat=550 5.7.1 Message refused by policy")},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "nobody@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 2, Status: bouncescan.StatusBounced, DSN: "5.1.1", Text: "User unknown"})),
			ev(3, "03:00:03", msg(bouncescan.Event{Recipient: "x@example.info", Relay: "example.info", Delay: 3, Status: bouncescan.StatusBounced, DSN: "5.1.2", Text: "Host unknown (Name server: example.info: host not found)"})),
			ev(4, "03:00:04", msg(bouncescan.Event{Recipient: "y@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 4, Status: bouncescan.StatusBounced, DSN: "5.0.0", Text: "Service unavailable"})),
			ev(5, "03:00:05", msg(bouncescan.Event{Recipient: "z@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 5, Status: bouncescan.StatusBounced, DSN: "5.6.0", Text: "Data format error"})),
			ev(6, "03:00:06", msg(bouncescan.Event{Recipient: "w@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 6, Status: bouncescan.StatusBounced, ReplyCode: 550, EnhancedCode: "5.7.1", DSN: "5.7.1", Text: "Message refused by policy"})),
		},
	}, {
		name: "reply= (8.15+) gives the remote reply; naming the recipient means RCPT",
		lines: []string{fromLine,
			to("03:00:02", "<ghost@example.org>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mail.example.org. [203.0.113.40], dsn=5.1.1, reply=550 5.1.1 <Ghost@example.org>... User unknown, stat=User unknown"),
			to("03:00:03", "<big@example.org>, delay=00:00:03, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mail.example.org. [203.0.113.40], dsn=5.2.2, reply=552 5.2.2 Mailbox full, quota exceeded, stat=Service unavailable")},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "ghost@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 2, Status: bouncescan.StatusBounced, Stage: bouncescan.StageRcpt,
				ReplyCode: 550, EnhancedCode: "5.1.1", DSN: "5.1.1", Text: "<Ghost@example.org>... User unknown"})),
			ev(3, "03:00:03", msg(bouncescan.Event{Recipient: "big@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 3, Status: bouncescan.StatusBounced,
				ReplyCode: 552, EnhancedCode: "5.2.2", DSN: "5.2.2", Text: "Mailbox full, quota exceeded"})),
		},
	}, {
		name: "local mailer failure is local; queued gives nothing; quarantined is held",
		lines: []string{fromLine,
			to("03:00:02", "<postmaster@example.com>, delay=00:00:00, xdelay=00:00:00, mailer=local, pri=1, dsn=5.2.2, stat=Service unavailable"),
			to("03:00:03", "<later@example.com>, delay=00:00:00, mailer=esmtp, pri=1, stat=queued"),
			to("03:00:04", "<q@example.com>, delay=00:00:00, pri=1, quarantine=held by policy, stat=quarantined")},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "postmaster@example.com", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, DSN: "5.2.2", Text: "Service unavailable"})),
			ev(4, "03:00:04", msg(bouncescan.Event{Recipient: "q@example.com", Status: bouncescan.StatusHeld, Text: "quarantined"})),
		},
	}, {
		name:  "IPv6 relay, may be forged",
		lines: []string{fromLine, to("03:00:02", "<v6@example.net>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx6.example.net. [IPv6:2001:db8::25] (may be forged), dsn=2.0.0, stat=Sent (OK)")},
		want:  []bouncescan.Event{ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "v6@example.net", Relay: "mx6.example.net", RelayIP: "2001:db8::25", Delay: 2, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "OK"}))},
	}})
}

func TestExpiry(t *testing.T) {
	deferA := to("03:00:15", "<a@example.org>, delay=00:00:15, xdelay=00:00:15, mailer=esmtp, pri=1, relay=mail.example.org. [203.0.113.40], dsn=4.2.2, stat=Deferred: 452 4.2.2 <a@example.org>: Mailbox full")
	deferB := to("03:00:45", "<b@example.net>, delay=00:00:45, xdelay=00:00:30, mailer=esmtp, pri=1, relay=mx.example.net., dsn=4.0.0, stat=Deferred: Connection timed out with mx.example.net.")
	wantA := msg(bouncescan.Event{Recipient: "a@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 15, Status: bouncescan.StatusDeferred, Stage: bouncescan.StageRcpt,
		ReplyCode: 452, EnhancedCode: "4.2.2", DSN: "4.2.2", Text: "<a@example.org>: Mailbox full"})
	wantB := msg(bouncescan.Event{Recipient: "b@example.net", Relay: "mx.example.net", Delay: 45, Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, DSN: "4.0.0", Text: "Connection timed out with mx.example.net."})
	expired := func(e bouncescan.Event) bouncescan.Event {
		e.Status, e.DSN = bouncescan.StatusExpired, "4.4.7"
		e.Attempt = 2 // after one deferral
		return e
	}
	run(t, []tcase{{
		name:  "DSN: Cannot send message expires every pending recipient with its last deferral",
		lines: []string{fromLine, deferA, deferB, "Nov 22 04:00:00 mx1 sm-mta[300]: " + qid + ": 5AM40000000300: DSN: Cannot send message for 5 days"},
		want: []bouncescan.Event{ev(2, "03:00:15", wantA), ev(3, "03:00:45", wantB),
			ev(4, "04:00:00", expired(wantA)), ev(4, "04:00:00", expired(wantB))},
	}, {
		name: "a recipient delivered in between does not expire; a bare Deferred carries the notice's text",
		lines: []string{fromLine, deferA,
			to("03:10:00", "<a@example.org>, delay=00:10:00, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mail.example.org. [203.0.113.40], dsn=2.0.0, stat=Sent (ok)"),
			to("03:20:00", "<c@example.net>, delay=00:20:00, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], stat=Deferred"),
			"Nov 22 04:00:00 mx1 sm-mta[300]: " + qid + ": 5AM40000000300: return to sender: Cannot send message for 5 days"},
		want: []bouncescan.Event{ev(2, "03:00:15", wantA),
			ev(3, "03:10:00", msg(bouncescan.Event{Recipient: "a@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 600, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0", Text: "ok", Attempt: 2})),
			ev(4, "03:20:00", msg(bouncescan.Event{Recipient: "c@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 1200, Status: bouncescan.StatusDeferred})),
			ev(5, "04:00:00", msg(bouncescan.Event{Recipient: "c@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 1200, Status: bouncescan.StatusExpired, DSN: "4.4.7", Text: "Cannot send message for 5 days", Attempt: 2})),
		},
	}, {
		name: "dsn=4.4.7 on the last attempt is the expiry; the DSN line after it adds nothing",
		lines: []string{fromLine, deferA,
			to("04:00:00", "<a@example.org>, delay=5+01:00:00, xdelay=00:00:01, mailer=esmtp, pri=1, relay=mail.example.org. [203.0.113.40], dsn=4.4.7, stat=Deferred: 452 4.2.2 <a@example.org>: Mailbox full"),
			"Nov 22 04:00:00 mx1 sm-mta[300]: " + qid + ": 5AM40000000300: DSN: Cannot send message for 5 days"},
		want: []bouncescan.Event{ev(2, "03:00:15", wantA),
			ev(3, "04:00:00", msg(bouncescan.Event{Recipient: "a@example.org", Relay: "mail.example.org", RelayIP: "203.0.113.40", Delay: 435600, Status: bouncescan.StatusExpired, Stage: bouncescan.StageRcpt,
				ReplyCode: 452, EnhancedCode: "4.2.2", DSN: "4.4.7", Text: "<a@example.org>: Mailbox full", Attempt: 2})),
		},
	}, {
		name: "stat=Deferred with dsn=4.4.7 and no text carries the last deferral",
		lines: []string{fromLine, deferB,
			to("04:00:00", "<b@example.net>, delay=5+01:00:00, xdelay=00:00:00, mailer=esmtp, pri=1, relay=mx.example.net., dsn=4.4.7, stat=Deferred")},
		want: []bouncescan.Event{ev(2, "03:00:45", wantB),
			ev(3, "04:00:00", msg(bouncescan.Event{Recipient: "b@example.net", Relay: "mx.example.net", Delay: 435600, Status: bouncescan.StatusExpired, Stage: bouncescan.StageConnect, DSN: "4.4.7", Text: "Connection timed out with mx.example.net.", Attempt: 2})),
		},
	}, {
		name: "DSN notices of bounces and delay warnings give no event; the bounce's own delivery does",
		lines: []string{fromLine,
			to("03:00:02", "<nobody@example.net>, delay=00:00:02, xdelay=00:00:02, mailer=esmtp, pri=1, relay=mx.example.net. [198.51.100.25], dsn=5.1.1, stat=User unknown"),
			"Nov 22 03:00:02 mx1 sm-mta[101]: " + qid + ": 5AM30002000101: DSN: User unknown",
			"Nov 22 03:00:03 mx1 sm-mta[101]: " + qid + ": 5AM30002000102: sender notify: Warning: could not send message for past 4 hours",
			"Nov 22 03:00:03 mx1 sm-mta[101]: 5AM30002000101: to=<alice@example.com>, delay=00:00:01, xdelay=00:00:00, mailer=local, pri=1, dsn=2.0.0, stat=Sent"},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "nobody@example.net", Relay: "mx.example.net", RelayIP: "198.51.100.25", Delay: 2, Status: bouncescan.StatusBounced, DSN: "5.1.1", Text: "User unknown"})),
			ev(5, "03:00:03", bouncescan.Event{QueueID: "5AM30002000101", Recipient: "alice@example.com", Domain: "example.com", Delay: 1, Status: bouncescan.StatusSent, ReplyCode: 250, DSN: "2.0.0"}),
		},
	}})
}

func TestRejects(t *testing.T) {
	run(t, []tcase{{
		name: "check_rcpt, check_mail, check_relay (no queue id)",
		lines: []string{
			"Nov 22 06:00:09 mx1 sm-mta[4002]: 5AM609Jw004002: ruleset=check_rcpt, arg1=<friend@example.net>, relay=spam.example.net [198.51.100.200] (may be forged), reject=550 5.7.1 <friend@example.net>... Relaying denied. Proper authentication required.",
			"Nov 22 06:01:30 mx1 sm-mta[4010]: 5AM61Tc1004010: ruleset=check_mail, arg1=<info@nonexistent.example>, relay=[203.0.113.99], reject=553 5.1.8 <info@nonexistent.example>... Domain of sender address info@nonexistent.example does not exist",
			"Nov 22 06:02:41 mx1 sm-mta[4020]: ruleset=check_relay, arg1=dyn-7.example.net, arg2=198.51.100.7, relay=dyn-7.example.net [198.51.100.7], reject=421 4.3.2 Connection rate limit exceeded.",
			"Nov 22 06:02:42 mx1 sm-mta[4021]: NOQUEUE: ruleset=check_relay, arg1=[198.51.100.8], arg2=198.51.100.8, relay=[198.51.100.8], reject=554 5.7.1 Rejected 198.51.100.8 found in dnsbl.example.org"},
		want: []bouncescan.Event{
			ev(1, "06:00:09", bouncescan.Event{QueueID: "5AM609Jw004002", Recipient: "friend@example.net", Domain: "example.net", RelayIP: "198.51.100.200", Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt,
				ReplyCode: 550, EnhancedCode: "5.7.1", Text: "<friend@example.net>... Relaying denied. Proper authentication required."}),
			ev(2, "06:01:30", bouncescan.Event{QueueID: "5AM61Tc1004010", Sender: "info@nonexistent.example", RelayIP: "203.0.113.99", Status: bouncescan.StatusRejected, Stage: bouncescan.StageMail,
				ReplyCode: 553, EnhancedCode: "5.1.8", Text: "<info@nonexistent.example>... Domain of sender address info@nonexistent.example does not exist"}),
			ev(3, "06:02:41", bouncescan.Event{RelayIP: "198.51.100.7", Status: bouncescan.StatusRejected, Stage: bouncescan.StageConnect, ReplyCode: 421, EnhancedCode: "4.3.2", Text: "Connection rate limit exceeded."}),
			ev(4, "06:02:42", bouncescan.Event{RelayIP: "198.51.100.8", Status: bouncescan.StatusRejected, Stage: bouncescan.StageConnect, ReplyCode: 554, EnhancedCode: "5.7.1", Text: "Rejected 198.51.100.8 found in dnsbl.example.org"}),
		},
	}, {
		name: "rulesets that refuse no client command give nothing",
		lines: []string{
			"Nov 22 06:00:09 mx1 sm-mta[4002]: 5AM609Jw004002: ruleset=tls_server, arg1=SOFTWARE, relay=mx.example.net, reject=403 4.7.0 TLS handshake failed.",
			"Nov 22 06:00:09 mx1 sm-mta[4002]: 5AM609Jw004002: ruleset=check_rcpt, arg1=<a@example.com>, relay=[198.51.100.1], quarantine=suspicious"},
	}, {
		name: "refused RCPT without a ruleset, before from=; the same form after from= is an echo",
		lines: []string{
			"Nov 22 06:03:12 mx1 sm-mta[4031]: 5AM63BJa004031: <nosuchuser@example.com>... User unknown",
			"Nov 22 06:03:12 mx1 sm-mta[4031]: 5AM63BJa004031: <bad sender>... Domain name required for sender address bad sender",
			"Nov 22 06:03:12 mx1 sm-mta[4031]: 5AM63BJa004031: from=<list@example.org>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA-v4, relay=lists.example.org [203.0.113.50]",
			fromLine,
			"Nov 22 03:00:02 mx1 sm-mta[101]: " + qid + ": <nobody@example.net>... User unknown"},
		want: []bouncescan.Event{
			ev(1, "06:03:12", bouncescan.Event{QueueID: "5AM63BJa004031", Recipient: "nosuchuser@example.com", Domain: "example.com", Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, Text: "User unknown"}),
			ev(2, "06:03:12", bouncescan.Event{QueueID: "5AM63BJa004031", Sender: "bad sender", Status: bouncescan.StatusRejected, Stage: bouncescan.StageMail, Text: "Domain name required for sender address bad sender"}),
		},
	}, {
		name: "pre-greeting traffic",
		lines: []string{"Nov 22 06:04:00 mx1 sm-mta[4040]: 5AM63xHm004040: rejecting commands from [198.51.100.66] due to pre-greeting traffic after 1 seconds",
			"Nov 22 06:04:01 mx1 sm-mta[4041]: 5AM63xHm004041: host.example.net [198.51.100.67] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
			"Nov 22 06:04:02 mx1 sm-mta[4042]: 5AM63xHm004042: [198.51.100.68]: EXPN root [rejected]"},
		want: []bouncescan.Event{ev(1, "06:04:00", bouncescan.Event{QueueID: "5AM63xHm004040", RelayIP: "198.51.100.66", Status: bouncescan.StatusRejected, Stage: bouncescan.StageConnect, Text: "pre-greeting traffic after 1 seconds"})},
	}, {
		name: "milter rejects: stage from the milter message; the to= repeating an after-data reject is not counted again",
		lines: []string{
			"Nov 22 06:05:00 mx1 sm-mta[4050]: 5AM65G0b004050: Milter: connect: host=bad.example.net, addr=198.51.100.70, rejecting commands",
			"Nov 22 06:05:01 mx1 sm-mta[4051]: 5AM65G0b004051: Milter: helo=bad.example.net, reject=550 5.7.1 Go away",
			"Nov 22 06:05:02 mx1 sm-mta[4052]: 5AM65G0b004052: Milter: from=<spam@example.net>, reject=550 5.7.1 Sender blocked",
			"Nov 22 06:05:03 mx1 sm-mta[4053]: 5AM65G0b004053: Milter: to=<abuse@example.com>, reject=550 5.7.1 Recipient blocked by policy",
			"Nov 22 06:05:04 mx1 sm-mta[4054]: 5AM65G0b004054: Milter: cmd=data, reject=451 4.3.2 Please try again later",
			"Nov 22 06:06:20 mx1 sm-mta[4060]: 5AM66JpE004060: from=<offers@example.net>, size=18230, class=0, nrcpts=1, msgid=<x1@example.net>, proto=ESMTP, daemon=MTA-v4, relay=bulk.example.net [198.51.100.90]",
			"Nov 22 06:06:21 mx1 sm-mta[4060]: 5AM66JpE004060: Milter: data, reject=554 5.7.1 virus Eicar-Test-Signature detected",
			"Nov 22 06:06:21 mx1 sm-mta[4060]: 5AM66JpE004060: to=<sales@example.com>, delay=00:00:01, pri=48230, stat=virus Eicar-Test-Signature detected",
			"Nov 22 06:06:22 mx1 sm-mta[4061]: 5AM66JpE004061: Milter: data, discard",
			"Nov 22 06:06:23 mx1 sm-mta[4062]: 5AM66JpE004062: Milter: no active filter",
			"Nov 22 06:06:23 mx1 sm-mta[4062]: 5AM66JpE004062: milter=clamav, action=rcpt, reject=550 5.7.1 blocked"},
		want: []bouncescan.Event{
			ev(1, "06:05:00", bouncescan.Event{QueueID: "5AM65G0b004050", RelayIP: "198.51.100.70", Status: bouncescan.StatusRejected, Stage: bouncescan.StageConnect}),
			ev(2, "06:05:01", bouncescan.Event{QueueID: "5AM65G0b004051", Status: bouncescan.StatusRejected, Stage: bouncescan.StageHelo, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "Go away"}),
			ev(3, "06:05:02", bouncescan.Event{QueueID: "5AM65G0b004052", Sender: "spam@example.net", Status: bouncescan.StatusRejected, Stage: bouncescan.StageMail, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "Sender blocked"}),
			ev(4, "06:05:03", bouncescan.Event{QueueID: "5AM65G0b004053", Recipient: "abuse@example.com", Domain: "example.com", Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "Recipient blocked by policy"}),
			ev(5, "06:05:04", bouncescan.Event{QueueID: "5AM65G0b004054", Status: bouncescan.StatusRejected, Stage: bouncescan.StageData, ReplyCode: 451, EnhancedCode: "4.3.2", Text: "Please try again later"}),
			ev(7, "06:06:21", bouncescan.Event{QueueID: "5AM66JpE004060", Sender: "offers@example.net", MessageID: "x1@example.net", Size: 18230, Status: bouncescan.StatusRejected, Stage: bouncescan.StageEndOfData,
				ReplyCode: 554, EnhancedCode: "5.7.1", Text: "virus Eicar-Test-Signature detected"}),
			ev(9, "06:06:22", bouncescan.Event{QueueID: "5AM66JpE004061", Status: bouncescan.StatusDiscarded, Stage: bouncescan.StageEndOfData}),
		},
	}})
}

func TestHeaders(t *testing.T) {
	sent := func(n int64, e bouncescan.Event) bouncescan.Event {
		e.MTA, e.Line, e.QueueID, e.Recipient, e.Domain = Name, n, "55HIbcGI002794", "u@example.com", "example.com"
		e.Status, e.ReplyCode, e.DSN, e.Delay = bouncescan.StatusSent, 250, "2.0.0", 1
		return e
	}
	body := "55HIbcGI002794: to=<u@example.com>, delay=00:00:01, xdelay=00:00:01, mailer=local, pri=1, dsn=2.0.0, stat=Sent"
	run(t, []tcase{{
		name: "facility token, RFC 3339, message-only, other programs, bad lines",
		lines: []string{
			"Jun 17 14:37:39 <mail.info> robin sm-mta[2794]: " + body,
			"2026-06-17T14:37:40.250+02:00 robin sm-msp-queue[2795]: " + body,
			"sm-mta[2796]: " + body,
			"Jun 17 14:37:41 robin postfix/smtp[2797]: 4F1A2B3C4D: to=<u@example.com>, relay=none, delay=1, dsn=5.4.4, status=bounced (Host not found)",
			"Jun 17 14:37:41 robin postfix/sendmail[2798]: fatal: usage error",
			"garbage sendmail[12] line",
			"",
			"Jun 17 14:37:42 robin sm-mta[2799]: 55HIbcGI002794: to=<u@example.com>",
			"Jun 17 14:37:43 robin sm-mta[2799]: to=<u@example.com>, delay=00:00:01, stat=Sent",
		},
		want: []bouncescan.Event{
			sent(1, bouncescan.Event{Time: time.Date(2026, 6, 17, 14, 37, 39, 0, time.UTC), Host: "robin", Process: "sm-mta"}),
			sent(2, bouncescan.Event{Time: time.Date(2026, 6, 17, 12, 37, 40, 250e6, time.UTC), Host: "robin", Process: "sm-msp-queue"}),
			sent(3, bouncescan.Event{Process: "sm-mta"}),
		},
		errs: []string{"not a sendmail program", "not a sendmail program", "bad syslog header", "not a syslog line", "to= without stat=", "to= without queue id"},
	}})
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		min   int // 0: must be 0
	}{
		{"sendmail", []string{"Nov 22 03:00:00 mx1 sm-mta[1]: starting daemon (8.17.1): SMTP+queueing@00:30:00", "Nov 22 03:00:00 mx1 dovecot: imap-login: Login"}, 51},
		{"facility token", []string{"Jun 17 14:37:39 <mail.notice> robin sm-mta[2794]: 55HIbcGI002794: <baduser@example.com>... User unknown"}, 100},
		{"postfix", []string{"Nov 22 03:14:15 mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=none, delay=1, dsn=5.4.4, status=bounced (Host not found)",
			"Nov 22 03:14:15 mx1 postfix/sendmail[4243]: fatal: usage"}, 0},
		{"exim", []string{"2026-11-22 03:14:15 1jmFYj-00039V-QX => bob@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.10]"}, 0},
		{"empty", nil, 0},
	}
	for _, c := range cases {
		var lines [][]byte
		for _, l := range c.lines {
			lines = append(lines, []byte(l))
		}
		got := Detect(lines)
		if c.min == 0 && got != 0 || c.min > 0 && got < c.min {
			t.Errorf("%s: Detect = %d, want min %d (0: exactly 0)", c.name, got, c.min)
		}
	}
}

func TestStateBounded(t *testing.T) {
	o := testOpts()
	o.MaxMessages = 2
	p := New(o)
	p.Begin(parsekit.File{Name: "t", Fingerprint: 1})
	for i := 0; i < 5; i++ {
		line := fmt.Sprintf("Nov 22 03:00:0%d mx1 sm-mta[1]: 5AM3000%d000100: from=<a@example.com>, size=1, class=0, nrcpts=1, msgid=<m%d@example.com>, proto=ESMTP, daemon=MTA, relay=localhost", i, i, i)
		if err := p.Parse([]byte(line), bouncescan.Pos{Source: "t", Line: int64(i + 1)}, func(*bouncescan.Event) {}); err != nil {
			t.Fatal(err)
		}
	}
	if s := p.Stats(); s.Messages != 2 || s.Evicted != 3 {
		t.Errorf("stats = %+v, want 2 held, 3 evicted", s)
	}
	p.Flush(func(*bouncescan.Event) {})
	if s := p.Stats(); s.Messages != 0 {
		t.Errorf("after Flush: %+v", s)
	}
}
