package exim

import (
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestACLRejections: every ACL and local_scan() rejection is an event with
// the stage of what it judged. The lines follow Exim's own formats
// (smtp_handle_acl_fail in smtp_in.c: host, TLS, F=<sender> for RCPT, DATA
// and MIME, "[temporarily ]rejected WHAT[: log message]"; receive.c for
// local_scan() and the non-SMTP ACL), not our samples.
func TestACLRejections(t *testing.T) {
	rej := func(n int64, clock string, e bouncescan.Event) bouncescan.Event {
		e.Status = bouncescan.StatusRejected
		return ev(n, clock, e)
	}
	const h = "H=mx.sender.example (helo.sender.example) [192.0.2.7]:41234 I=[198.51.100.2]:25 "
	run(t, []tcase{{
		name:  "MIME ACL",
		lines: []string{"2026-11-22 10:00:01 1tXyZa-000200-AB " + h + "F=<s@sender.example> rejected during MIME ACL checks: MIME ERROR: LONG BOUNDARY"},
		want: []bouncescan.Event{rej(1, "10:00:01", bouncescan.Event{QueueID: "1tXyZa-000200-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234,
			Stage: bouncescan.StageEndOfData, ReplyCode: 550, Text: "MIME ERROR: LONG BOUNDARY"})},
	}, {
		name:  "temporarily rejected by the MIME ACL",
		lines: []string{"2026-11-22 10:00:01 1tXyZa-000200-AB " + h + "F=<s@sender.example> temporarily rejected during MIME ACL checks: malware scanner unavailable"},
		want: []bouncescan.Event{rej(1, "10:00:01", bouncescan.Event{QueueID: "1tXyZa-000200-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234,
			Stage: bouncescan.StageEndOfData, ReplyCode: 451, Text: "malware scanner unavailable"})},
	}, {
		name:  "DKIM ACL, with a code in the message",
		lines: []string{"2026-11-22 10:00:02 " + h + "rejected DKIM : 550 5.7.20 No valid DKIM signature for sender.example"},
		want: []bouncescan.Event{rej(1, "10:00:02", bouncescan.Event{Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234,
			Stage: bouncescan.StageEndOfData, ReplyCode: 550, EnhancedCode: "5.7.20", Text: "No valid DKIM signature for sender.example"})},
	}, {
		name: "DATA (predata ACL), after DATA, after DATA PRDR, temporarily after DATA",
		lines: []string{
			"2026-11-22 10:00:03 " + h + "F=<s@sender.example> rejected DATA: too many recipients refused",
			"2026-11-22 10:00:04 1tXyZa-000201-AB " + h + "F=<s@sender.example> rejected after DATA: 554 5.7.1 Message classified as spam",
			"2026-11-22 10:00:05 1tXyZa-000202-AB " + h + "F=<s@sender.example> rejected after DATA PRDR: virus found",
			"2026-11-22 10:00:06 1tXyZa-000203-AB " + h + "X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no F=<> temporarily rejected after DATA"},
		want: []bouncescan.Event{
			rej(1, "10:00:03", bouncescan.Event{Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234, Stage: bouncescan.StageData, ReplyCode: 550, Text: "too many recipients refused"}),
			rej(2, "10:00:04", bouncescan.Event{QueueID: "1tXyZa-000201-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234, Stage: bouncescan.StageEndOfData, ReplyCode: 554, EnhancedCode: "5.7.1", Text: "Message classified as spam"}),
			rej(3, "10:00:05", bouncescan.Event{QueueID: "1tXyZa-000202-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234, Stage: bouncescan.StageEndOfData, ReplyCode: 550, Text: "virus found"}),
			rej(4, "10:00:06", bouncescan.Event{QueueID: "1tXyZa-000203-AB", Relay: "mx.sender.example", RelayIP: "192.0.2.7", RelayPort: 41234, Stage: bouncescan.StageEndOfData, ReplyCode: 451}),
		},
	}, {
		name: "local_scan(): over SMTP, temporarily, and for a local submission",
		lines: []string{
			"2026-11-22 10:00:07 1tXyZa-000204-AB F=<s@sender.example> H=mx.sender.example [192.0.2.7] rejected by local_scan(): Spam score too high",
			"2026-11-22 10:00:08 1tXyZa-000205-AB F=s@sender.example H=mx.sender.example [192.0.2.7] temporarily rejected by local_scan(): scanner busy",
			"2026-11-22 10:00:09 1tXyZa-000206-AB F=<www-data@host.example> U=www-data rejected by local_scan(): 550 5.7.1 outgoing spam"},
		want: []bouncescan.Event{
			rej(1, "10:00:07", bouncescan.Event{QueueID: "1tXyZa-000204-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", Stage: bouncescan.StageEndOfData, ReplyCode: 550, Text: "Spam score too high"}),
			rej(2, "10:00:08", bouncescan.Event{QueueID: "1tXyZa-000205-AB", Sender: "s@sender.example", Relay: "mx.sender.example", RelayIP: "192.0.2.7", Stage: bouncescan.StageEndOfData, ReplyCode: 451, Text: "scanner busy"}),
			rej(3, "10:00:09", bouncescan.Event{QueueID: "1tXyZa-000206-AB", Sender: "www-data@host.example", Stage: bouncescan.StageEndOfData, ReplyCode: 550, EnhancedCode: "5.7.1", Text: "outgoing spam"}),
		},
	}, {
		name:  "non-SMTP ACL: no reply code, end of data",
		lines: []string{"2026-11-22 10:00:10 1tXyZa-000207-AB F=<cron@host.example> rejected by non-SMTP ACL: local submissions blocked"},
		want:  []bouncescan.Event{rej(1, "10:00:10", bouncescan.Event{QueueID: "1tXyZa-000207-AB", Sender: "cron@host.example", Stage: bouncescan.StageEndOfData, Text: "local submissions blocked"})},
	}, {
		name: "session commands: STARTTLS, XCLIENT, WELLKNOWN, VRFY, EXPN, ETRN, ATRN",
		lines: []string{
			"2026-11-22 10:00:11 H=(client.example) [192.0.2.8] rejected STARTTLS ",
			"2026-11-22 10:00:12 H=(client.example) [192.0.2.8] rejected XCLIENT ADDR=203.0.113.5 NAME=spoof.example: XCLIENT not permitted from this host",
			"2026-11-22 10:00:13 H=(client.example) [192.0.2.8] rejected WELLKNOWN mta-sts.txt: not served here",
			"2026-11-22 10:00:14 H=(client.example) [192.0.2.8] rejected VRFY postmaster@example.com",
			"2026-11-22 10:00:15 H=(client.example) [192.0.2.8] rejected EXPN staff",
			"2026-11-22 10:00:16 H=(client.example) [192.0.2.8] rejected ETRN #example.com",
			"2026-11-22 10:00:17 H=(client.example) [192.0.2.8] U=unknown temporarily rejected ATRN example.net: 453 You have no mail"},
		want: []bouncescan.Event{
			rej(1, "10:00:11", bouncescan.Event{RelayIP: "192.0.2.8", Stage: bouncescan.StageStartTLS, ReplyCode: 550}),
			rej(2, "10:00:12", bouncescan.Event{RelayIP: "192.0.2.8", Stage: bouncescan.StageHelo, ReplyCode: 550, Text: "XCLIENT not permitted from this host"}),
			rej(3, "10:00:13", bouncescan.Event{RelayIP: "192.0.2.8", ReplyCode: 550, Text: "not served here"}),
			rej(4, "10:00:14", bouncescan.Event{RelayIP: "192.0.2.8", Recipient: "postmaster@example.com", ReplyCode: 252}),
			rej(5, "10:00:15", bouncescan.Event{RelayIP: "192.0.2.8", ReplyCode: 550}),
			rej(6, "10:00:16", bouncescan.Event{RelayIP: "192.0.2.8", ReplyCode: 458}),
			rej(7, "10:00:17", bouncescan.Event{RelayIP: "192.0.2.8", ReplyCode: 453, Text: "You have no mail"}),
		},
	}})
}

// TestRouterOutcomes: outcomes a router decided (":fail:", ":defer:",
// forced defer, filter and redirection errors) and pipe transport
// failures are events with a stage (local) and the router or transport
// that decided, and the text Exim logged, as its test suite shows them.
func TestRouterOutcomes(t *testing.T) {
	run(t, []tcase{{
		name: ":fail: and :defer: in an alias file, forced defer, filter and redirect errors",
		lines: []string{arrive,
			l("03:00:01", "** carol@example.com R=system_aliases : Address no longer here, see www.example.com/staff"),
			l("03:00:02", "== dave@example.com R=system_aliases defer (-1): forced defer"),
			l("03:00:03", "== erin@example.com R=userforward defer (-17): error in filter file: unknown filtering command \"fial\" near line 2"),
			l("03:00:04", "** frank@example.com R=r2 : forced failure"),
			l("03:00:05", "== grace@example.com R=alias defer (-17): error in redirect data: missing or malformed local part (expected word or \"<\") in \"bad address\"")},
		want: []bouncescan.Event{
			ev(2, "03:00:01", msg(bouncescan.Event{Recipient: "carol@example.com", Process: "system_aliases", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "Address no longer here, see www.example.com/staff"})),
			ev(3, "03:00:02", msg(bouncescan.Event{Recipient: "dave@example.com", Process: "system_aliases", Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: "forced defer"})),
			ev(4, "03:00:03", msg(bouncescan.Event{Recipient: "erin@example.com", Process: "userforward", Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: `error in filter file: unknown filtering command "fial" near line 2`})),
			ev(5, "03:00:04", msg(bouncescan.Event{Recipient: "frank@example.com", Process: "r2", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal, Text: "forced failure"})),
			ev(6, "03:00:05", msg(bouncescan.Event{Recipient: "grace@example.com", Process: "alias", Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal, Text: `error in redirect data: missing or malformed local part (expected word or "<") in "bad address"`})),
		},
	}, {
		name: "pipe transport: a failed command bounces, a temporary exit code defers",
		lines: []string{arrive,
			l("03:00:06", "** |/usr/local/bin/ticket <help@example.com> R=userforward T=address_pipe: Child process of address_pipe transport returned 69 (could mean service or program unavailable) from command: /usr/local/bin/ticket"),
			l("03:00:07", "== |/usr/local/bin/ticket <help@example.com> R=userforward T=address_pipe defer (0): Child process of address_pipe transport returned 75 (could mean temporary error) from command: /usr/local/bin/ticket")},
		want: []bouncescan.Event{
			ev(2, "03:00:06", msg(bouncescan.Event{Recipient: "help@example.com", Process: "address_pipe", Status: bouncescan.StatusBounced, Stage: bouncescan.StageLocal,
				Text: "Child process of address_pipe transport returned 69 (could mean service or program unavailable) from command: /usr/local/bin/ticket"})),
			ev(3, "03:00:07", msg(bouncescan.Event{Recipient: "help@example.com", Process: "address_pipe", Status: bouncescan.StatusDeferred, Stage: bouncescan.StageLocal,
				Text: "Child process of address_pipe transport returned 75 (could mean temporary error) from command: /usr/local/bin/ticket"})),
		},
	}})
}

// TestDetectRejectlogDump: a rejectlog whose head is mostly a header dump
// is still Exim's when its few stamped lines are rejections, with or
// without a message id (rejections after DATA start with U= or F=), and
// only the stamped lines are judged.
func TestDetectRejectlogDump(t *testing.T) {
	dump := func(first string, n int) [][]byte {
		lines := [][]byte{[]byte(first), []byte("Envelope-from: <CALLER@myhost.example>"), []byte("Envelope-to: <u3@example.com>"),
			[]byte("P Received: from CALLER (helo=test)"), []byte("\tby myhost.example with local-smtp (Exim 4.98)"), []byte("T To: <u5@example.net>,")}
		for i := 0; len(lines) < n; i++ {
			lines = append(lines, []byte("  <u"+strings.Repeat("1", i%5+1)+"@example.org>,"))
		}
		return lines
	}
	for _, first := range []string{
		"2026-11-22 09:44:33 1tXyZa-000123-AB U=CALLER F=<CALLER@myhost.example> rejected after DATA: malformed address",
		"2026-11-22 09:44:33 1tXyZa-000123-AB F=<CALLER@myhost.example> rejected by local_scan(): spam",
		"2026-11-22 09:44:33 1tXyZa-000123-AB H=(x) [192.0.2.1] F=<a@b.example> rejected during MIME ACL checks: bad MIME",
		"2026-11-22 09:44:33 U=CALLER F=<> rejected RCPT <notok@example.com>: Unrouteable address",
	} {
		if got := Detect(dump(first, 50)); got < 100 {
			t.Errorf("Detect(%q + 49 dump lines) = %d, want 100", first, got)
		}
	}
	// the header dump alone is no evidence
	if got := Detect(dump("Envelope-from: <a@b.example>", 50)); got != 0 {
		t.Errorf("Detect(dump only) = %d, want 0", got)
	}
	// a head of 50 dump lines and a rejection later: judged when the
	// caller hands more lines
	long := append(dump("  <u0@example.org>,", 120), []byte("2026-11-22 09:44:34 H=(x) [192.0.2.1] rejected EHLO or HELO x: bad"))
	if got := Detect(long); got < 100 {
		t.Errorf("Detect(120 dump lines + rejection) = %d, want 100", got)
	}
}
