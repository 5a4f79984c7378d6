package exim

import (
	"errors"
	"fmt"
	"strings"
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

// ev is an event at line n.
func ev(n int64, clock string, e bouncescan.Event) bouncescan.Event {
	e.Time, e.MTA, e.Line = at(clock), Name, n
	if strings.Contains(e.Recipient, "@") && e.Domain == "" {
		e.Domain = strings.ToLower(e.Recipient[strings.LastIndexByte(e.Recipient, '@')+1:])
	}
	return e
}

const (
	qid    = "1tXyZa-000123-AB"
	arrive = "2026-11-22 03:00:00 " + qid + " <= alice@example.org H=app.example.org [192.0.2.5] P=esmtp S=2048 id=m1@example.org"
)

// l is a mainlog line of message qid.
func l(clock, rest string) string { return "2026-11-22 " + clock + " " + qid + " " + rest }

// msg adds what the arrival line gives.
func msg(e bouncescan.Event) bouncescan.Event {
	e.QueueID, e.Sender, e.MessageID, e.Size = qid, "alice@example.org", "m1@example.org", 2048
	return e
}

func TestDeliveries(t *testing.T) {
	run(t, []tcase{{
		name:  "=> with TLS fields, CHUNKING flag, confirmation and queue time; original spelling kept",
		lines: []string{arrive, l("03:00:02", `=> joe@example.com <Joe@Example.com> R=dnslookup T=remote_smtp H=mx1.example.com [192.0.2.10]:25 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN="CN=mx1.example.com" K C="250 2.0.0 OK 1795334402 x1si123 - gsmtp" QT=1m2.5s DT=1s`)},
		want: []bouncescan.Event{ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "Joe@Example.com", Domain: "example.com", Process: "remote_smtp", Relay: "mx1.example.com", RelayIP: "192.0.2.10", RelayPort: 25,
			Delay: 62.5, Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", Text: "OK 1795334402 x1si123 - gsmtp"}))},
	}, {
		name:  "-> another recipient over the same transaction, reused connection '*', F= sender on delivery",
		lines: []string{arrive, l("03:00:02", `-> b@example.net F=<bounces@example.org> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]* C="250 OK"`)},
		want: []bouncescan.Event{func() bouncescan.Event {
			// the sender on the delivery line (SRS, VERP) wins over the arrival's
			e := ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "b@example.net", Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20",
				Status: bouncescan.StatusSent, ReplyCode: 250, Text: "OK"}))
			e.Sender = "bounces@example.org"
			return e
		}()},
	}, {
		name: "local delivery: the first field is a local part, the address is in <>; 250 without a reply",
		lines: []string{arrive, l("03:00:02", `=> frank <frank@example.com> R=local_user T=local_delivery`),
			l("03:00:02", `=> /var/mail/gina <gina@example.com> R=file_router T=address_file`)},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "frank@example.com", Process: "local_delivery", Status: bouncescan.StatusSent, ReplyCode: 250})),
			ev(3, "03:00:02", msg(bouncescan.Event{Recipient: "gina@example.com", Process: "address_file", Status: bouncescan.StatusSent, ReplyCode: 250})),
		},
	}, {
		name:  "aliased: delivered address is the recipient, the original goes to OrigRecipient",
		lines: []string{arrive, l("03:00:02", `=> dave@example.net <sales@example.com> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20] C="250 2.0.0 Ok: queued as 4XYZ"`)},
		want: []bouncescan.Event{ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "dave@example.net", OrigRecipient: "sales@example.com", Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20",
			Status: bouncescan.StatusSent, ReplyCode: 250, EnhancedCode: "2.0.0", Text: "Ok: queued as 4XYZ"}))},
	}, {
		name: "*> suppressed delivery and :blackhole: are discarded",
		lines: []string{arrive, l("03:00:02", `*> grace@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.30] C="delivery bypassed by -N option"`),
			l("03:00:03", `=> :blackhole: <noreply@example.com> R=blackhole_router`)},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "grace@example.org", Process: "remote_smtp", Relay: "mx.example.org", RelayIP: "192.0.2.30", Status: bouncescan.StatusDiscarded, Text: "delivery bypassed by -N option"})),
			ev(3, "03:00:03", msg(bouncescan.Event{Recipient: "noreply@example.com", Process: "blackhole_router", Status: bouncescan.StatusDiscarded, Text: ":blackhole:"})),
		},
	}, {
		name:  "no arrival seen: nothing to join",
		lines: []string{l("03:00:02", `=> a@example.net R=r T=t H=mx.example.net [192.0.2.20] C="250 ok"`)},
		want: []bouncescan.Event{ev(1, "03:00:02", bouncescan.Event{QueueID: qid, Recipient: "a@example.net", Process: "t", Relay: "mx.example.net", RelayIP: "192.0.2.20",
			Status: bouncescan.StatusSent, ReplyCode: 250, Text: "ok"})},
	}, {
		name:  "bounce message: null sender, no Message-ID",
		lines: []string{"2026-11-22 03:00:00 1tXyZb-000124-CD <= <> R=1tXyZa-000123-AB U=Debian-exim P=local S=2212", `2026-11-22 03:00:01 1tXyZb-000124-CD => alice@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.5] C="250 ok"`},
		want: []bouncescan.Event{ev(2, "03:00:01", bouncescan.Event{QueueID: "1tXyZb-000124-CD", Size: 2212, Recipient: "alice@example.org", Process: "remote_smtp", Relay: "mx.example.org", RelayIP: "192.0.2.5",
			Status: bouncescan.StatusSent, ReplyCode: 250, Text: "ok"})},
	}})
}

func TestFailures(t *testing.T) {
	bounce := func(n int64, rcpt string, stage bouncescan.Stage, code int, enh, text string) bouncescan.Event {
		return ev(n, "03:00:02", msg(bouncescan.Event{Recipient: rcpt, Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20",
			Status: bouncescan.StatusBounced, Stage: stage, ReplyCode: code, EnhancedCode: enh, Text: text}))
	}
	run(t, []tcase{{
		name:  "RCPT TO with a multi-line reply joined by a literal \\n",
		lines: []string{arrive, l("03:00:02", `** a@example.net <A@example.net> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<A@example.net>: 550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp`)},
		want:  []bouncescan.Event{bounce(2, "A@example.net", bouncescan.StageRcpt, 550, "5.1.1", "The email account that you tried to reach does not exist. https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp")},
	}, {
		name:  "after end of data",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after end of data: 554 5.7.9 Message not accepted for policy reasons`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageEndOfData, 554, "5.7.9", "Message not accepted for policy reasons")},
	}, {
		name:  "after pipelined MAIL FROM with SIZE",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after pipelined MAIL FROM:<alice@example.org> SIZE=1411: 553 5.1.8 <alice@example.org>: Sender address rejected: Domain not found`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageMail, 553, "5.1.8", "<alice@example.org>: Sender address rejected: Domain not found")},
	}, {
		name:  "after initial connection (a 5xx greeting is a bounce in Exim)",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after initial connection: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageConnect, 554, "5.7.1", "Service unavailable; Client host [192.0.2.1] blocked")},
	}, {
		name:  "after HELO (Exim fell back from EHLO)",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after HELO mx1.example.org: 550 5.7.1 Client host rejected: cannot find your reverse hostname`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageHelo, 550, "5.7.1", "Client host rejected: cannot find your reverse hostname")},
	}, {
		name:  "after pipelined DATA",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after pipelined DATA: 503 5.5.1 Error: bad sequence of commands`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageData, 503, "5.5.1", "Error: bad sequence of commands")},
	}, {
		name:  "old Exim: host named again before the reply",
		lines: []string{arrive, l("03:00:02", `** a@example.net R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mailer after RCPT TO:<a@example.net>: host mx.example.net [192.0.2.20]: 550 5.1.1 unknown`)},
		want:  []bouncescan.Event{bounce(2, "a@example.net", bouncescan.StageRcpt, 550, "5.1.1", "unknown")},
	}, {
		name:  "LMTP error",
		lines: []string{arrive, l("03:00:02", `** nobody@example.com R=virtual_user T=dovecot_lmtp: LMTP error after RCPT TO:<nobody@example.com>: 550 5.1.1 <nobody@example.com> User doesn't exist`)},
		want: []bouncescan.Event{ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "nobody@example.com", Process: "dovecot_lmtp", Status: bouncescan.StatusBounced, Stage: bouncescan.StageRcpt,
			ReplyCode: 550, EnhancedCode: "5.1.1", Text: "<nobody@example.com> User doesn't exist"}))},
	}, {
		name: "routing and local failures: no code, local stage (both ':' spellings)",
		lines: []string{arrive, l("03:00:02", `** ghost@example.com: Unrouteable address`), l("03:00:02", `** userx@bad.example : Unrouteable address`),
			l("03:00:02", `** mallory@example.com R=local_user T=local_delivery: mailbox is full (MTA-imposed quota exceeded while writing to /var/mail/mallory)`)},
		want: []bouncescan.Event{
			ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "ghost@example.com", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "Unrouteable address"})),
			ev(3, "03:00:02", msg(bouncescan.Event{Recipient: "userx@bad.example", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "Unrouteable address"})),
			ev(4, "03:00:02", msg(bouncescan.Event{Recipient: "mallory@example.com", Process: "local_delivery", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal,
				Text: "mailbox is full (MTA-imposed quota exceeded while writing to /var/mail/mallory)"})),
		},
	}})
}

func TestDeferrals(t *testing.T) {
	defer1 := func(n int64, clock string, e bouncescan.Event) bouncescan.Event {
		e.Status = bouncescan.StatusDeferred
		switch e.Process {
		case "":
			e.Process = "remote_smtp"
		case "-": // no transport named
			e.Process = ""
		}
		return ev(n, clock, msg(e))
	}
	run(t, []tcase{{
		name:  "RCPT 452 with the errno of an SMTP error",
		lines: []string{arrive, l("03:00:02", `== b@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<b@example.net>: 452 4.2.2 Mailbox full`)},
		want:  []bouncescan.Event{defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@example.net", Relay: "mx.example.net", RelayIP: "192.0.2.20", Stage: bouncescan.StageRcpt, ReplyCode: 452, EnhancedCode: "4.2.2", Text: "Mailbox full"})},
	}, {
		name:  "TLS fields before the message: the ':' ends the last one",
		lines: []string{arrive, l("03:00:02", `== b@example.net R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.20]:25 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no: SMTP error from remote mail server after pipelined RCPT TO:<b@example.net>: 451-4.7.1 Greylisted\n451 4.7.1 retry later`)},
		want: []bouncescan.Event{defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@example.net", Relay: "mx.example.net", RelayIP: "192.0.2.20", RelayPort: 25, Stage: bouncescan.StageRcpt,
			ReplyCode: 451, EnhancedCode: "4.7.1", Text: "Greylisted retry later"})},
	}, {
		name: "connection refused and timed out: connect; no host when none answered",
		lines: []string{arrive, l("03:00:02", `== b@down.example R=dnslookup T=remote_smtp defer (111): Connection refused`),
			l("03:00:03", `== b@down.example R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.down.example [192.0.2.40]: SMTP timeout after initial connection`)},
		want: []bouncescan.Event{
			defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@down.example", Stage: bouncescan.StageConnect, Text: "Connection refused"}),
			defer1(3, "03:00:03", bouncescan.Event{Recipient: "b@down.example", Relay: "mx.down.example", RelayIP: "192.0.2.40", Stage: bouncescan.StageConnect, Text: "SMTP timeout after initial connection: Connection timed out",
				Attempt: 2}),
		},
	}, {
		name: "timeout after end of data, dropped connection after RCPT",
		lines: []string{arrive, l("03:00:02", `== b@example.net R=to_sink T=sink_smtp defer (110): Connection timed out H=127.0.0.1 [127.0.0.1]: SMTP timeout after end of data (411 bytes written)`),
			l("03:00:03", `== c@example.net R=to_sink T=sink_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to pipelined RCPT TO:<c@example.net>`)},
		want: []bouncescan.Event{
			defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@example.net", Process: "sink_smtp", Relay: "127.0.0.1", RelayIP: "127.0.0.1", Stage: bouncescan.StageEndOfData, Text: "SMTP timeout after end of data (411 bytes written): Connection timed out"}),
			defer1(3, "03:00:03", bouncescan.Event{Recipient: "c@example.net", Process: "sink_smtp", Relay: "127.0.0.1", RelayIP: "127.0.0.1", Stage: bouncescan.StageRcpt, Text: "Remote host closed connection in response to pipelined RCPT TO:<c@example.net>"}),
		},
	}, {
		name: "EHLO refused, then HELO met a closed connection: the quoted EHLO reply",
		lines: []string{arrive, l("03:00:02", `== b@example.net R=to_sink T=sink_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to HELO mta.example.org (EHLO response was: 421 mx.example.net You talk too soon)`),
			l("03:00:03", `== c@example.net R=to_sink T=sink_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to HELO mta.example.org (EHLO response was: 450-4.7.1 slow down\n450 4.7.1 later)`),
			l("03:00:04", `== d@example.net R=to_sink T=sink_smtp defer (-18) H=127.0.0.1 [127.0.0.1]: Remote host closed connection in response to HELO mta.example.org (EHLO response was: nonsense)`)},
		want: []bouncescan.Event{
			defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@example.net", Process: "sink_smtp", Relay: "127.0.0.1", RelayIP: "127.0.0.1", Stage: bouncescan.StageHelo, ReplyCode: 421, Text: "mx.example.net You talk too soon"}),
			defer1(3, "03:00:03", bouncescan.Event{Recipient: "c@example.net", Process: "sink_smtp", Relay: "127.0.0.1", RelayIP: "127.0.0.1", Stage: bouncescan.StageHelo, ReplyCode: 450, EnhancedCode: "4.7.1", Text: "slow down later"}),
			defer1(4, "03:00:04", bouncescan.Event{Recipient: "d@example.net", Process: "sink_smtp", Relay: "127.0.0.1", RelayIP: "127.0.0.1", Stage: bouncescan.StageHelo, Text: "Remote host closed connection in response to HELO mta.example.org (EHLO response was: nonsense)"}),
		},
	}, {
		name: "retry time not reached (routing and transport): no stage",
		lines: []string{arrive, l("03:00:02", `== b@nodns.example routing defer (-51): retry time not reached`),
			l("03:00:03", `== c@example.net R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'example.net'`)},
		want: []bouncescan.Event{
			defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@nodns.example", Process: "-", Text: "retry time not reached"}),
			defer1(3, "03:00:03", bouncescan.Event{Recipient: "c@example.net", Text: "retry time not reached for any host for 'example.net'"}),
		},
	}, {
		name:  "TLS failure: starttls",
		lines: []string{arrive, l("03:00:02", `== b@tls.example R=dnslookup T=remote_smtp defer (-38) H=mx.tls.example [192.0.2.50]: TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed`)},
		want: []bouncescan.Event{defer1(2, "03:00:02", bouncescan.Event{Recipient: "b@tls.example", Relay: "mx.tls.example", RelayIP: "192.0.2.50", Stage: bouncescan.StageStartTLS,
			Text: "TLS session: (SSL_connect): error:0A000086:SSL routines::certificate verify failed"})},
	}, {
		name: "host-level line before the recipient's line gives no event",
		lines: []string{arrive, l("03:00:02", `H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after initial connection: 421 4.7.0 try later`),
			l("03:00:02", `H=mx.example.net [192.0.2.20] Connection refused`)},
	}})
}

func TestExpiry(t *testing.T) {
	deferral := l("03:00:02", `== b@example.net <B@example.net> R=dnslookup T=remote_smtp defer (-44) H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<B@example.net>: 452 4.2.2 Mailbox full`)
	deferred := ev(2, "03:00:02", msg(bouncescan.Event{Recipient: "B@example.net", Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20",
		Status: bouncescan.StatusDeferred, Stage: bouncescan.StageRcpt, ReplyCode: 452, EnhancedCode: "4.2.2", Text: "Mailbox full"}))
	expired := func(n int64, clock string, attempt int) bouncescan.Event {
		return ev(n, clock, msg(bouncescan.Event{Recipient: "B@example.net", Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20",
			Status: bouncescan.StatusExpired, Stage: bouncescan.StageRcpt, ReplyCode: 452, EnhancedCode: "4.2.2", Text: "Mailbox full", Attempt: attempt}))
	}
	run(t, []tcase{{
		name: "retry timeout exceeded carries the last informative deferral",
		lines: []string{arrive, deferral,
			l("03:30:00", `== b@example.net <B@example.net> R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host for 'example.net'`),
			l("04:00:00", `** B@example.net: retry timeout exceeded`)},
		want: []bouncescan.Event{deferred,
			ev(3, "03:30:00", msg(bouncescan.Event{Recipient: "B@example.net", Process: "remote_smtp", Status: bouncescan.StatusDeferred, Text: "retry time not reached for any host for 'example.net'", Attempt: 2})),
			expired(4, "04:00:00", 3)},
	}, {
		name:  "all hosts have been failing for a long time",
		lines: []string{arrive, deferral, l("04:00:00", `** b@example.net <B@example.net>: all hosts for 'example.net' have been failing for a long time (and retry time not reached)`)},
		want:  []bouncescan.Event{deferred, expired(3, "04:00:00", 2)},
	}, {
		name:  "retry time not reached after a long failure period",
		lines: []string{arrive, deferral, l("04:00:00", `** b@example.net <B@example.net> R=dnslookup T=remote_smtp: retry time not reached for any host after a long failure period`)},
		want:  []bouncescan.Event{deferred, expired(3, "04:00:00", 2)},
	}, {
		name:  "expiry without a remembered deferral keeps its own words",
		lines: []string{arrive, l("04:00:00", `** c@example.net: retry timeout exceeded`)},
		want:  []bouncescan.Event{ev(2, "04:00:00", msg(bouncescan.Event{Recipient: "c@example.net", Status: bouncescan.StatusExpired, Text: "retry timeout exceeded"}))},
	}, {
		name: "a delivery after a deferral clears it: a later expiry of another message id does not find it",
		lines: []string{arrive, deferral,
			l("03:10:00", `=> b@example.net <B@example.net> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20] C="250 ok"`),
			l("04:00:00", `** B@example.net: retry timeout exceeded`)},
		want: []bouncescan.Event{deferred,
			ev(3, "03:10:00", msg(bouncescan.Event{Recipient: "B@example.net", Process: "remote_smtp", Relay: "mx.example.net", RelayIP: "192.0.2.20", Status: bouncescan.StatusSent, ReplyCode: 250, Text: "ok", Attempt: 2})),
			ev(4, "04:00:00", msg(bouncescan.Event{Recipient: "B@example.net", Status: bouncescan.StatusExpired, Text: "retry timeout exceeded"}))},
	}})
}

func TestCompletedFreesState(t *testing.T) {
	p := New(parsekit.Options{Year: 2026, Location: time.UTC})
	out := parseReader(t, p, "t", strings.NewReader(strings.Join([]string{arrive,
		l("03:00:02", `== b@example.net R=dnslookup T=remote_smtp defer (111): Connection refused`),
		"2026-11-22 03:00:03 1tXyZb-000124-CD <= bob@example.net U=bob P=local S=10",
	}, "\n")))
	if s := p.Stats(); s.Messages != 2 || len(out.Events) != 1 {
		t.Fatalf("before Completed: %+v, %d events", s, len(out.Events))
	}
	out = parseReader(t, p, "t", strings.NewReader(l("03:00:04", "Completed")+"\n"))
	if s := p.Stats(); s.Messages != 1 {
		t.Errorf("after Completed: %+v, want 1 message held", s)
	}
	p.Flush(func(*bouncescan.Event) {})
	if s := p.Stats(); s.Messages != 0 {
		t.Errorf("after Flush: %+v", s)
	}
}

func TestRejects(t *testing.T) {
	rej := func(n int64, clock string, e bouncescan.Event) bouncescan.Event {
		e.Status = bouncescan.StatusRejected
		return ev(n, clock, e)
	}
	run(t, []tcase{{
		name: "rejected RCPT: ACL text without a code is a 550, with a code it is kept",
		lines: []string{
			"2026-11-22 03:00:00 H=(client.test) [192.0.2.7] F=<a@example.org> rejected RCPT <victim@elsewhere.example>: relay not permitted",
			"2026-11-22 03:00:01 H=(client.test) [192.0.2.7] F=<a@example.org> rejected RCPT <blocked@example.com>: 550 5.2.1 Mailbox disabled, not accepting messages"},
		want: []bouncescan.Event{
			rej(1, "03:00:00", bouncescan.Event{Sender: "a@example.org", Recipient: "victim@elsewhere.example", RelayIP: "192.0.2.7", Stage: bouncescan.StageRcpt, ReplyCode: 550, Text: "relay not permitted"}),
			rej(2, "03:00:01", bouncescan.Event{Sender: "a@example.org", Recipient: "blocked@example.com", RelayIP: "192.0.2.7", Stage: bouncescan.StageRcpt, ReplyCode: 550, EnhancedCode: "5.2.1", Text: "Mailbox disabled, not accepting messages"}),
		},
	}, {
		name: "temporarily rejected RCPT is a 451; host name, port, TLS fields, quoted text",
		lines: []string{
			`2026-11-22 03:00:00 H=mail.example.biz [203.0.113.10]:40000 I=[192.0.2.1]:25 X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256 CV=no F=<promo@example.biz> temporarily rejected RCPT <b@example.com>: "greylisted, come back later"`},
		want: []bouncescan.Event{rej(1, "03:00:00", bouncescan.Event{Sender: "promo@example.biz", Recipient: "b@example.com", Relay: "mail.example.biz", RelayIP: "203.0.113.10", RelayPort: 40000,
			Stage: bouncescan.StageRcpt, ReplyCode: 451, Text: "greylisted, come back later"})},
	}, {
		name: "sender verify: the 'fail for' line is no event, the rejection is",
		lines: []string{
			"2026-11-22 03:00:00 H=mail.example.biz [203.0.113.10] sender verify fail for <promo@example.biz>: Unrouteable address",
			"2026-11-22 03:00:00 H=mail.example.biz [203.0.113.10] F=<promo@example.biz> rejected RCPT <info@example.com>: Sender verify failed"},
		want: []bouncescan.Event{rej(2, "03:00:00", bouncescan.Event{Sender: "promo@example.biz", Recipient: "info@example.com", Relay: "mail.example.biz", RelayIP: "203.0.113.10",
			Stage: bouncescan.StageRcpt, ReplyCode: 550, Text: "Sender verify failed"})},
	}, {
		name:  "old Exim: bare addresses, [pid]",
		lines: []string{"2013-06-10 18:33:32 [10099] H=(helo.example) [198.51.100.4]:3755 I=[192.0.2.1]:25 F=x@example.org rejected RCPT dir@example.net: relay not permitted"},
		want: []bouncescan.Event{{Time: time.Date(2013, 6, 10, 18, 33, 32, 0, time.UTC), MTA: Name, Line: 1, Status: bouncescan.StatusRejected, Sender: "x@example.org", Recipient: "dir@example.net", Domain: "example.net",
			RelayIP: "198.51.100.4", RelayPort: 3755, Stage: bouncescan.StageRcpt, ReplyCode: 550, Text: "relay not permitted"}},
	}, {
		name: "MAIL, EHLO, connection, AUTH",
		lines: []string{
			"2026-11-22 03:00:00 H=(client) [192.0.2.7] rejected MAIL <a@example.org>: 550 5.7.1 sender blocked",
			"2026-11-22 03:00:01 rejected MAIL FROM:<a@sender.test> H=(client.test) [192.0.2.7]: message too big: size=99000000 max=10485760",
			"2026-11-22 03:00:02 unqualified sender rejected: <nofqdn> H=(client.test) [192.0.2.7]",
			"2026-11-22 03:00:03 unqualified recipient rejected: <root> H=(client.test) [192.0.2.7]",
			"2026-11-22 03:00:04 rejected EHLO from [192.0.2.7]: syntactically invalid argument(s): bad_helo!",
			"2026-11-22 03:00:05 H=(spam) [192.0.2.8] rejected EHLO or HELO spam: HELO must be a fully qualified domain name",
			`2026-11-22 03:00:06 H=[192.0.2.9]:61000 rejected connection in "connect" ACL: listed at zen.spamhaus.org`,
			`2026-11-22 03:00:07 H=(x) [192.0.2.10] temporarily rejected connection in "connect" ACL`,
			"2026-11-22 03:00:08 H=(x) [192.0.2.11] rejected AUTH plain: STARTTLS required before AUTH",
			"2026-11-22 03:00:09 rejected MAIL from [192.0.2.12]: no HELO/EHLO given"},
		want: []bouncescan.Event{
			rej(1, "03:00:00", bouncescan.Event{Sender: "a@example.org", RelayIP: "192.0.2.7", Stage: bouncescan.StageMail, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "sender blocked"}),
			rej(2, "03:00:01", bouncescan.Event{Sender: "a@sender.test", RelayIP: "192.0.2.7", Stage: bouncescan.StageMail, ReplyCode: 552, Text: "message too big: size=99000000 max=10485760"}),
			rej(3, "03:00:02", bouncescan.Event{Sender: "nofqdn", RelayIP: "192.0.2.7", Stage: bouncescan.StageMail, ReplyCode: 501, Text: "unqualified sender rejected"}),
			rej(4, "03:00:03", bouncescan.Event{Recipient: "root", RelayIP: "192.0.2.7", Stage: bouncescan.StageRcpt, ReplyCode: 501, Text: "unqualified recipient rejected"}),
			rej(5, "03:00:04", bouncescan.Event{RelayIP: "192.0.2.7", Stage: bouncescan.StageHelo, ReplyCode: 501, Text: "syntactically invalid argument(s): bad_helo!"}),
			rej(6, "03:00:05", bouncescan.Event{RelayIP: "192.0.2.8", Stage: bouncescan.StageHelo, ReplyCode: 550, Text: "HELO must be a fully qualified domain name"}),
			rej(7, "03:00:06", bouncescan.Event{RelayIP: "192.0.2.9", RelayPort: 61000, Stage: bouncescan.StageConnect, ReplyCode: 550, Text: "listed at zen.spamhaus.org"}),
			rej(8, "03:00:07", bouncescan.Event{RelayIP: "192.0.2.10", Stage: bouncescan.StageConnect, ReplyCode: 451}),
			rej(9, "03:00:08", bouncescan.Event{RelayIP: "192.0.2.11", Stage: bouncescan.StageAuth, ReplyCode: 503, Text: "STARTTLS required before AUTH"}),
			rej(10, "03:00:09", bouncescan.Event{RelayIP: "192.0.2.12", Stage: bouncescan.StageMail, ReplyCode: 503, Text: "no HELO/EHLO given"}),
		},
	}, {
		name: "after DATA with a message id joins the arrival; non-SMTP ACL has no code, its stage is end of data",
		lines: []string{arrive,
			l("03:00:01", "H=app.example.org [192.0.2.5] F=<alice@example.org> rejected after DATA: Your message scored 12.5 SpamAssassin points"),
			"2026-11-22 03:00:02 1tXyZc-000125-EF F=<userx@example.org> rejected by non-SMTP ACL: don't like sender userx@example.org"},
		want: []bouncescan.Event{
			rej(2, "03:00:01", msg(bouncescan.Event{Relay: "app.example.org", RelayIP: "192.0.2.5", Stage: bouncescan.StageEndOfData, ReplyCode: 550, Text: "Your message scored 12.5 SpamAssassin points"})),
			rej(3, "03:00:02", bouncescan.Event{QueueID: "1tXyZc-000125-EF", Sender: "userx@example.org", Stage: bouncescan.StageEndOfData, Text: "don't like sender userx@example.org"}),
		},
	}, {
		name: "pre-greeting traffic and host_reject_connection",
		lines: []string{
			`2026-11-22 03:00:00 SMTP protocol synchronization error (input sent without waiting for greeting): rejected connection from H=[203.0.113.13]:50000 I=[192.0.2.1]:25 input="EHLO x\r\n"`,
			"2026-11-22 03:00:01 refused connection from [203.0.113.14] (host_reject_connection)"},
		want: []bouncescan.Event{
			rej(1, "03:00:00", bouncescan.Event{RelayIP: "203.0.113.13", RelayPort: 50000, Stage: bouncescan.StageConnect, ReplyCode: 554, Text: "SMTP protocol synchronization error (input sent without waiting for greeting)"}),
			rej(2, "03:00:01", bouncescan.Event{RelayIP: "203.0.113.14", Stage: bouncescan.StageConnect, ReplyCode: 554, Text: "host_reject_connection"}),
		},
	}, {
		name: "chatter gives no event",
		lines: []string{
			"2026-11-22 03:00:00 dovecot_login authenticator failed for (User) [203.0.113.14]:50111: 535 Incorrect authentication data (set_id=admin)",
			"2026-11-22 03:00:00 SMTP connection from [203.0.113.16]:50222 (TCP/IP connection count = 3)",
			`2026-11-22 03:00:00 SMTP protocol synchronization error (next input sent too soon: pipelining was not advertised): rejected "RSET" H=ba.example [192.0.2.77]:58302`,
			"2026-11-22 03:00:00 too many recipients: excess temporarily rejected: sender=<x@y> U=CALLER",
			"2026-11-22 03:00:00 Start queue run: pid=6000",
			"2026-11-22 03:00:00 exim 4.96 daemon started: pid=8346, no queue runs, listening for SMTP on [127.0.0.1]:25",
			"2026-11-22 03:00:00 Warning: purging the environment.",
			l("03:00:00", "Frozen (delivery error message)"),
		},
	}})
}

func TestHeaders(t *testing.T) {
	body := `rejected RCPT <b@example.com>: relay not permitted`
	want := func(n int64, tm time.Time, host string) bouncescan.Event {
		return bouncescan.Event{Time: tm, Host: host, MTA: Name, Line: n, Status: bouncescan.StatusRejected, Recipient: "b@example.com", Domain: "example.com",
			Stage: bouncescan.StageRcpt, ReplyCode: 550, Text: "relay not permitted"}
	}
	run(t, []tcase{{
		name: "stamp variants and syslog wrappers",
		lines: []string{
			"2026-11-22 03:14:15 " + body,
			"2026-11-22 03:14:15.123 " + body,
			"2026-11-22 03:14:15.123 +0100 [1234] " + body,
			"2026-11-22 03:14:15 -0500 " + body,
			"Nov 22 03:14:15 mx2 exim[5001]: " + body,
			"2026-11-22T03:14:15.5+00:00 mx2 exim4[5001]: " + body,
			"mx2 exim[5001]: 2026-11-22 03:14:15 " + body,
			"2026-11-22 03:14:15 mx2 exim[5001]: " + body,
			"2026-11-22 03:14:15 info exim[8003]: [8003] " + body,
		},
		want: []bouncescan.Event{
			want(1, at("03:14:15"), ""),
			want(2, at("03:14:15").Add(123*time.Millisecond), ""),
			want(3, at("02:14:15").Add(123*time.Millisecond), ""),
			want(4, at("08:14:15"), ""),
			want(5, at("03:14:15"), "mx2"),
			want(6, at("03:14:15").Add(500*time.Millisecond), "mx2"),
			want(7, at("03:14:15"), "mx2"),
			want(8, at("03:14:15"), "mx2"),
			want(9, at("03:14:15"), "info"),
		},
	}, {
		name: "message ids before and since 4.97, and the test suite's",
		lines: []string{
			`2026-11-22 03:14:15 1tXyZa-000123-AB => a@example.net R=r T=t`,
			`2026-11-22 03:14:15 1tXyZa-00000000DYo-2Stj => a@example.net R=r T=t`,
			`2026-11-22 03:14:15 10HmaX-000000005vi-0000 => a@example.net R=r T=t`,
		},
		want: []bouncescan.Event{
			{Time: at("03:14:15"), MTA: Name, Line: 1, QueueID: "1tXyZa-000123-AB", Recipient: "a@example.net", Domain: "example.net", Process: "t", Status: bouncescan.StatusSent, ReplyCode: 250},
			{Time: at("03:14:15"), MTA: Name, Line: 2, QueueID: "1tXyZa-00000000DYo-2Stj", Recipient: "a@example.net", Domain: "example.net", Process: "t", Status: bouncescan.StatusSent, ReplyCode: 250},
			{Time: at("03:14:15"), MTA: Name, Line: 3, QueueID: "10HmaX-000000005vi-0000", Recipient: "a@example.net", Domain: "example.net", Process: "t", Status: bouncescan.StatusSent, ReplyCode: 250},
		},
	}, {
		name: "not Exim's: rejectlog header dumps, continuations, other programs, harness separators",
		lines: []string{
			"Envelope-from: <a@sender.test>",
			"Envelope-to: <postmaster@example.com>",
			"P Received: from [127.0.0.1] (helo=client.test)",
			"\tby mta.example.com with esmtp (Exim 4.96)",
			"I Message-ID: <probe@client.test>",
			"F From: <a@sender.test>",
			"  Subject: probe",
			" Suggested action: use keep_environment.",
			"Nov 22 03:14:15 mx1 postfix/smtp[1]: 4F1A2B3C4D: to=<a@example.net>, status=sent (250 ok)",
			"2026-11-22T03:14:15+00:00 mx1 postfix/smtp[1]: 4F1A2B3C4D: to=<a@example.net>, status=sent (250 ok)",
			"******** SERVER ********",
			"",
		},
		errs: []string{"not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line",
			"not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line", "not an Exim log line"},
	}, {
		name: "unparsed: a broken stamp, a flag without address or sender",
		lines: []string{
			"2026-11-22 25:14:15 1tXyZa-000123-AB => a@example.net",
			"2026-11-22 03:14:15 1tXyZa-000123-AB **  R=r",
			"2026-11-22 03:14:15 1tXyZa-000123-AB <=  U=x",
		},
		errs: []string{"bad timestamp", "delivery line without address", "arrival without sender"},
	}})
	// every ParseError wraps the right sentinel
	_, errs := parseLines(t, "Envelope-from: <a@b>", "2026-11-22 25:14:15 x")
	if len(errs) != 2 || !errors.Is(errs[0], bouncescan.ErrNotMine) || !errors.Is(errs[1], bouncescan.ErrUnparsed) {
		t.Errorf("sentinels: %v", errs)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		min   int // 0: must be 0
	}{
		{"mainlog", []string{"2026-11-22 03:14:15 exim 4.96 daemon started: pid=1", "2026-11-22 03:14:15 1tXyZa-000123-AB <= a@example.org U=a P=local S=1"}, 100},
		{"rejectlog with dump", []string{"2026-11-22 03:14:15 1tXyZa-000123-AB H=(x) [192.0.2.1] F=<a@b> rejected after DATA: spam", "Envelope-from: <a@b>", "P Received: from x", "\tby y"}, 100},
		{"syslog", []string{"Nov 22 03:14:15 mx1 exim[1]: 1tXyZa-000123-AB => a@example.net R=r T=t", "Nov 22 03:14:15 mx1 dovecot: imap-login: Login"}, 75},
		{"auth failures only", []string{"2022-06-29 16:04:19 dovecot_login authenticator failed for ([192.0.2.5]) [192.0.2.4]:55379: 535 Incorrect authentication data (set_id=x)"}, 100},
		{"postfix", []string{"Nov 22 03:14:15 mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=none, delay=1, dsn=5.4.4, status=bounced (Host not found)"}, 0},
		{"domino with ISO dates", []string{"2016-11-07 22:21:20   smtp: postmaster [192.0.2.1] authentication failure using internet password"}, 0},
		{"exchange csv", []string{"2026-11-22T03:14:15.123Z,MX1,08D1,1,192.0.2.1:25,192.0.2.2:1234,+,,"}, 0},
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
		line := fmt.Sprintf("2026-11-22 03:00:0%d 1tXyZ%d-000123-AB <= a@example.org U=a P=local S=1 id=m%d@example.org", i, i, i)
		if err := p.Parse([]byte(line), bouncescan.Pos{Source: "t", Line: int64(i + 1)}, func(*bouncescan.Event) {}); err != nil {
			t.Fatal(err)
		}
	}
	if s := p.Stats(); s.Messages != 2 || s.Evicted != 3 {
		t.Errorf("stats = %+v, want 2 held, 3 evicted", s)
	}
	// pending recipients per message are capped too
	q := New(testOpts())
	q.Begin(parsekit.File{Name: "t", Fingerprint: 1})
	for i := 0; i < 1000+5; i++ { // parsekit.Options.MaxDeferrals defaults to 1000
		line := fmt.Sprintf("2026-11-22 03:00:00 1tXyZa-000123-AB == r%d@example.net R=r T=t defer (111): Connection refused", i)
		_ = q.Parse([]byte(line), bouncescan.Pos{Source: "t", Line: int64(i + 1)}, func(*bouncescan.Event) {})
	}
	if s := q.Stats(); s.Evicted != 5 || s.DeferralsDropped != 5 {
		t.Errorf("stats = %+v, want 5 dropped pending recipients", s)
	}
	p.Flush(func(*bouncescan.Event) {})
	if s := p.Stats(); s.Messages != 0 {
		t.Errorf("after Flush: %+v", s)
	}
}

// TestTTL: state not touched for TTL of log time expires.
func TestTTL(t *testing.T) {
	o := testOpts()
	o.TTL = time.Hour
	p := New(o)
	out := parseReader(t, p, "t", strings.NewReader(strings.Join([]string{
		arrive,
		"2026-11-22 05:00:00 1tXyZb-000124-CD <= b@example.org U=b P=local S=1",
		l("05:00:01", `=> a@example.net R=r T=t`),
	}, "\n")+"\n"))
	if len(out.Events) != 1 || out.Events[0].Sender != "" {
		t.Errorf("expired state joined: %+v", out.Events)
	}
	if s := p.Stats(); s.Expired != 1 {
		t.Errorf("stats %+v, want 1 expired", s)
	}
}

// TestIDs: ids are stable for the same content and offset, distinct per
// event.
func TestIDs(t *testing.T) {
	line := l("03:00:02", `=> a@example.net R=r T=t`)
	id := func(fp uint64, prefix ...string) string {
		p := New(testOpts())
		var got []bouncescan.Event
		p.Begin(parsekit.File{Name: "x", Fingerprint: fp})
		var off int64
		for i, s := range append(prefix, line) {
			_ = p.Parse([]byte(s), bouncescan.Pos{Source: "x", Line: int64(i + 1), Offset: off}, func(e *bouncescan.Event) { got = append(got, *e) })
			off += int64(len(s)) + 1
		}
		if len(got) != 1 {
			t.Fatalf("%d events", len(got))
		}
		return got[0].ID
	}
	a := id(42)
	if a != id(42) || a != parsekit.EventID(42, 0, 0) {
		t.Errorf("id %q not stable or not EventID(42, 0, 0)", a)
	}
	if id(43) == a || id(42, "2026-11-22 03:00:00 Start queue run: pid=1") == a {
		t.Error("other fingerprint or offset, same id")
	}
	events, _ := parseLines(t, arrive, l("03:00:02", `=> a@example.net R=r T=t`), l("03:00:02", `=> b@example.net R=r T=t`))
	if len(events) != 2 || events[0].ID == events[1].ID {
		t.Errorf("ids not distinct: %+v", events)
	}
}

// TestNoAlias: event strings must not alias the line buffer.
func TestNoAlias(t *testing.T) {
	p := New(testOpts())
	p.Begin(parsekit.File{Fingerprint: 1})
	var got []bouncescan.Event
	emit := func(e *bouncescan.Event) { got = append(got, *e) }
	for _, s := range []string{arrive, "Nov 22 03:00:02 mx1 exim[2]: " + qid + ` ** a@example.net <A@example.net> R=dnslookup T=remote_smtp H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after RCPT TO:<A@example.net>: 550 5.1.1 gone`} {
		buf := []byte(s)
		if err := p.Parse(buf, bouncescan.Pos{Source: "x", Line: 1}, emit); err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'Z'
		}
	}
	e := got[0]
	if e.Recipient != "A@example.net" || e.Text != "gone" || e.Host != "mx1" || e.Process != "remote_smtp" || e.QueueID != qid ||
		e.Relay != "mx.example.net" || e.RelayIP != "192.0.2.20" || e.Sender != "alice@example.org" || e.MessageID != "m1@example.org" {
		t.Errorf("event changed with the buffer: %+v", e)
	}
}

// TestNoiseAllocs pins that lines giving no event allocate nothing.
func TestNoiseAllocs(t *testing.T) {
	lines := []string{
		"2026-11-22 03:00:00 SMTP connection from [203.0.113.16]:50222 (TCP/IP connection count = 3)",
		"2026-11-22 03:00:00 Start queue run: pid=6000",
		l("03:00:00", `H=mx.example.net [192.0.2.20]: SMTP error from remote mail server after initial connection: 421 4.7.0 try later`),
		l("03:00:00", "Completed"),
		"2026-11-22 03:00:00 dovecot_login authenticator failed for (User) [203.0.113.14]:50111: 535 Incorrect authentication data (set_id=admin)",
		"Envelope-from: <a@sender.test>",
		"Nov 22 03:00:00 mx1 exim[1]: SMTP connection from [203.0.113.16]:50222 (TCP/IP connection count = 3)",
	}
	p := New(testOpts())
	p.Begin(parsekit.File{Name: "t", Fingerprint: 1})
	emit := func(*bouncescan.Event) {}
	for _, s := range lines {
		b := []byte(s)
		err := p.Parse(b, bouncescan.Pos{Source: "t", Line: 1}, emit)
		if err != nil {
			continue // ParseErrors allocate by design (counted, rare in a mail log)
		}
		if n := testing.AllocsPerRun(100, func() { _ = p.Parse(b, bouncescan.Pos{Source: "t", Line: 1}, emit) }); n != 0 {
			t.Errorf("%.1f allocs for %q", n, s)
		}
	}
}
