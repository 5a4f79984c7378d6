package exchange

import (
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// The rows below follow Microsoft's documented layouts (message tracking
// log fields, SMTP protocol log fields, message trace CSV columns), with
// the columns in another order than our defaults where a #Fields or
// header row says so: they are not copies of our samples.

// reordered is the 2013+ tracking field list in another order, as a
// #Fields line may give it.
const reordered = "event-id,date-time,source,connector-id,server-hostname,server-ip,client-hostname,client-ip,recipient-address,recipient-status,message-id,internal-message-id,sender-address,total-bytes,recipient-count,message-subject,directionality,source-context"

// row builds a row of the reordered layout from name=value pairs.
func row(kv ...string) string {
	names := strings.Split(reordered, ",")
	vals := make([]string, len(names))
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for j, n := range names {
			if n == kv[i] {
				vals[j], found = kv[i+1], true
			}
		}
		if !found {
			panic("no field " + kv[i])
		}
	}
	return strings.Join(vals, ",")
}

// TestIntraOrgHandOff: a SEND to another server of the organisation (or
// to the mailbox transport on the same one) continued by the DELIVER of
// the same message to the same recipient is one outcome: the SEND is a
// hop, whatever the order the two logs are read in; a SEND nothing
// continues is the outcome itself.
func TestIntraOrgHandOff(t *testing.T) {
	const mid = "<a1b2@contoso.test>"
	send := func(tm, rcpt, conn, srvIP string) string {
		return row("event-id", "SEND", "date-time", tm, "source", "SMTP", "connector-id", conn, "server-hostname", "EX02.contoso.test",
			"server-ip", srvIP, "client-hostname", "EX01.contoso.test", "client-ip", "10.0.0.5", "recipient-address", rcpt,
			"recipient-status", "250 2.1.5 Recipient OK", "message-id", mid, "internal-message-id", "4242", "sender-address", "alice@contoso.test",
			"total-bytes", "2048", "recipient-count", "1", "directionality", "Originating")
	}
	deliver := func(tm, rcpt string) string {
		return row("event-id", "DELIVER", "date-time", tm, "source", "STOREDRIVER", "server-hostname", "EX02.contoso.test",
			"recipient-address", rcpt, "message-id", mid, "internal-message-id", "77", "sender-address", "alice@contoso.test",
			"total-bytes", "2048", "recipient-count", "1", "directionality", "Incoming")
	}
	ev := func(line int64, tm, rcpt string, hop bool, send bool) bouncescan.Event {
		e := bouncescan.Event{Time: ts(tm), MTA: Name, Line: line, MessageID: "a1b2@contoso.test", Sender: "alice@contoso.test", Size: 2048,
			Recipient: rcpt, Domain: "contoso.test", Status: bouncescan.StatusSent, Hop: hop}
		if send {
			e.Host, e.Process, e.QueueID, e.Relay, e.RelayIP = "EX01.contoso.test", "SMTP", "4242", "EX02.contoso.test", "10.0.0.6"
			e.ReplyCode, e.EnhancedCode, e.DSN, e.Text = 250, "2.1.5", "2.1.5", "Recipient OK"
		} else {
			e.Host, e.Process, e.QueueID, e.ReplyCode = "EX02.contoso.test", "STOREDRIVER", "77", 250
		}
		return e
	}
	const intra = "Intra-Organization SMTP Send Connector"
	run(t, []tcase{{
		name:  "SEND then DELIVER: the SEND is a hop",
		lines: []string{"#Fields: " + reordered, send("2026-11-22T10:00:00.000Z", "bob@contoso.test", intra, "10.0.0.6"), deliver("2026-11-22T10:00:01.000Z", "bob@contoso.test")},
		want:  []bouncescan.Event{ev(2, "2026-11-22T10:00:00Z", "bob@contoso.test", true, true), ev(3, "2026-11-22T10:00:01Z", "bob@contoso.test", false, false)},
	}, {
		name:  "DELIVER read before the SEND (the mailbox server's log first)",
		lines: []string{"#Fields: " + reordered, deliver("2026-11-22T10:00:01.000Z", "BOB@contoso.test"), send("2026-11-22T10:00:00.000Z", "bob@contoso.test", intra, "10.0.0.6")},
		want: []bouncescan.Event{func() bouncescan.Event {
			e := ev(2, "2026-11-22T10:00:01Z", "BOB@contoso.test", false, false)
			return e
		}(), ev(3, "2026-11-22T10:00:00Z", "bob@contoso.test", true, true)},
	}, {
		name:  "SEND to the same server's mailbox transport (same address), two recipients, one delivered",
		lines: []string{"#Fields: " + reordered, send("2026-11-22T10:00:00.000Z", "bob@contoso.test;carol@contoso.test", "", "10.0.0.5"), deliver("2026-11-22T10:00:01.000Z", "carol@contoso.test")},
		want: func() []bouncescan.Event {
			b := ev(2, "2026-11-22T10:00:00Z", "bob@contoso.test", false, true)
			c := ev(2, "2026-11-22T10:00:00Z", "carol@contoso.test", true, true)
			b.RelayIP, c.RelayIP = "10.0.0.5", "10.0.0.5"
			b.Process, c.Process = "SMTP", "SMTP"
			// carol's hop comes out with her DELIVER, bob's SEND (not
			// continued in these logs) at the end
			return []bouncescan.Event{c, ev(3, "2026-11-22T10:00:01Z", "carol@contoso.test", false, false), b}
		}(),
	}, {
		name: "a SEND nothing continues within an hour goes out as the outcome when later rows come",
		lines: []string{"#Fields: " + reordered, send("2026-11-22T10:00:00.000Z", "ivy@contoso.test", intra, "10.0.0.6"),
			strings.Replace(deliver("2026-11-22T11:30:00.000Z", "jo@contoso.test"), "<a1b2@contoso.test>", "<other@contoso.test>", 1)},
		want: func() []bouncescan.Event {
			d := ev(3, "2026-11-22T11:30:00Z", "jo@contoso.test", false, false)
			d.MessageID = "other@contoso.test"
			return []bouncescan.Event{ev(2, "2026-11-22T10:00:00Z", "ivy@contoso.test", false, true), d}
		}(),
	}, {
		name:  "SEND to the Internet is the outcome, not held",
		lines: []string{"#Fields: " + reordered, send("2026-11-22T10:00:00.000Z", "dave@example.com", "Outbound to Internet", "192.0.2.25")},
		want: func() []bouncescan.Event {
			e := ev(2, "2026-11-22T10:00:00Z", "dave@example.com", false, true)
			e.RelayIP, e.Domain = "192.0.2.25", "example.com"
			return []bouncescan.Event{e}
		}(),
	}})
}

// TestExpiryStatuses: QUEUE.Expired and Exchange Online's 5.4.300 are
// expiries wherever they appear.
func TestExpiryStatuses(t *testing.T) {
	fail := func(status string) string {
		return row("event-id", "FAIL", "date-time", "2026-11-22T12:00:00.000Z", "source", "SMTP", "server-hostname", "EX01", "recipient-address", "erin@example.net",
			"recipient-status", status, "message-id", "<x9@contoso.test>", "internal-message-id", "9", "sender-address", "alice@contoso.test")
	}
	base := bouncescan.Event{Time: ts("2026-11-22T12:00:00Z"), MTA: Name, Host: "EX01", Process: "SMTP", QueueID: "9", MessageID: "x9@contoso.test",
		Sender: "alice@contoso.test", Recipient: "erin@example.net", Domain: "example.net", Status: bouncescan.StatusExpired}
	e1, e2 := base, base
	e1.Line, e1.ReplyCode, e1.EnhancedCode, e1.DSN, e1.Text = 2, 550, "4.4.7", "4.4.7", "QUEUE.Expired; message expired"
	e2.Line, e2.ReplyCode, e2.EnhancedCode, e2.DSN, e2.Text = 3, 550, "5.4.300", "5.4.300", "Message expired"
	run(t, []tcase{{
		name:  "tracking FAIL rows",
		lines: []string{"#Fields: " + reordered, fail(`"550 4.4.7 QUEUE.Expired; message expired"`), fail("550 5.4.300 Message expired")},
		want:  []bouncescan.Event{e1, e2},
	}, {
		name: "message trace detail: Fail with 5.4.300",
		lines: []string{`"Date","Event","Action","Detail","RecipientAddress","SenderAddress","MessageId","MessageTraceId"`,
			`"2026-11-22T12:00:00.0000000Z","Fail","","550 5.4.300 Message expired","erin@example.net","alice@contoso.test","<x9@contoso.test>","c0ffee00-0000-4000-8000-000000000001"`},
		want: []bouncescan.Event{{Time: ts("2026-11-22T12:00:00Z"), MTA: Name, Line: 2, QueueID: "c0ffee00-0000-4000-8000-000000000001", MessageID: "x9@contoso.test",
			Sender: "alice@contoso.test", Recipient: "erin@example.net", Domain: "example.net", Status: bouncescan.StatusExpired,
			ReplyCode: 550, EnhancedCode: "5.4.300", DSN: "5.4.300", Text: "Message expired"}},
	}})
}

// TestTraceV2Statuses: Get-MessageTraceV2's columns (any order) and the
// meaning Microsoft documents for each Status.
func TestTraceV2Statuses(t *testing.T) {
	const hdr = `"RecipientAddress","Status","Received","SenderAddress","Subject","ToIP","FromIP","Size","MessageId","MessageTraceId"`
	r := func(status string) string {
		return `"frank@example.org","` + status + `","2026-11-22T14:00:00.0000000Z","alice@contoso.test","Quarterly report","198.51.100.7","10.0.0.5","4096","<q1@contoso.test>","c0ffee00-0000-4000-8000-000000000002"`
	}
	e := func(line int64, st bouncescan.Status, code int, text string) bouncescan.Event {
		return bouncescan.Event{Time: ts("2026-11-22T14:00:00Z"), MTA: Name, Line: line, QueueID: "c0ffee00-0000-4000-8000-000000000002", MessageID: "q1@contoso.test",
			Sender: "alice@contoso.test", Recipient: "frank@example.org", Domain: "example.org", RelayIP: "198.51.100.7", Size: 4096, Status: st, ReplyCode: code, Text: text}
	}
	run(t, []tcase{{
		name:  "Delivered, Pending, FilteredAsSpam, Quarantined, Failed, GettingStatus, Expanded",
		lines: []string{hdr, r("Delivered"), r("Pending"), r("FilteredAsSpam"), r("Quarantined"), r("Failed"), r("GettingStatus"), r("Expanded")},
		want: []bouncescan.Event{
			e(2, bouncescan.StatusSent, 250, ""),
			e(3, bouncescan.StatusDeferred, 0, ""),
			e(4, bouncescan.StatusRejected, 0, "message marked as spam by the receiving system (FilteredAsSpam)"),
			e(5, bouncescan.StatusRejected, 0, "message quarantined: rejected by policy of the receiving system (Quarantined)"),
			e(6, bouncescan.StatusBounced, 0, ""),
			e(7, bouncescan.StatusPending, 0, ""),
		},
	}})
}

// TestSendSessionFailures: on a Send connector the stage is the command
// the reply answered; a refused greeting or a connection that failed
// defers the session's message (no recipient is known before RCPT TO);
// a refused EHLO counts only when HELO does not save the session.
func TestSendSessionFailures(t *testing.T) {
	const s = "2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A1,"
	ep := "10.0.0.5:50001,203.0.113.25:25,"
	ev := func(line int64, st bouncescan.Status, stage bouncescan.Stage, code int, enh, text string) bouncescan.Event {
		return bouncescan.Event{Time: ts("2026-11-22T15:00:00Z"), MTA: Name, Line: line, Process: "To Internet", RelayIP: "203.0.113.25", RelayPort: 25,
			Status: st, Stage: stage, ReplyCode: code, EnhancedCode: enh, Text: text}
	}
	run(t, []tcase{{
		name: "421 greeting",
		lines: []string{prHeader, s + "0," + ep + "+,,", s + "1," + ep + "<,421 4.3.2 Service not available; closing transmission channel,",
			s + "2," + ep + "-,,Remote"},
		want: []bouncescan.Event{ev(3, bouncescan.StatusDeferred, bouncescan.StageConnect, 421, "4.3.2", "Service not available; closing transmission channel")},
	}, {
		name:  "554 banner",
		lines: []string{prHeader, s + "0," + ep + "+,,", s + "1," + ep + "<,554 mx.example.com ESMTP not accepting messages,", s + "2," + ep + "-,,Remote"},
		want:  []bouncescan.Event{ev(3, bouncescan.StatusDeferred, bouncescan.StageConnect, 554, "", "mx.example.com ESMTP not accepting messages")},
	}, {
		name: "Winsock error, without a '+' row",
		lines: []string{prHeader,
			s + "0," + ep + `*,,"Failed to connect. Winsock error code: 10060, Win32 error code: 10060, Destination domain: example.com, Error Message: A connection attempt failed because the connected party did not properly respond after a period of time."`},
		want: []bouncescan.Event{ev(2, bouncescan.StatusDeferred, bouncescan.StageConnect, 0, "",
			"Failed to connect. Winsock error code: 10060, Win32 error code: 10060, Destination domain: example.com, Error Message: A connection attempt failed because the connected party did not properly respond after a period of time.")},
	}, {
		name: "EHLO refused for good",
		lines: []string{prHeader, s + "0," + ep + "+,,", s + "1," + ep + "<,220 mx.example.com ESMTP,", s + "2," + ep + ">,EHLO ex01.contoso.test,",
			s + "3," + ep + "<,554 5.7.1 Your host is not welcome here,", s + "4," + ep + ">,QUIT,", s + "5," + ep + "<,221 2.0.0 Bye,", s + "6," + ep + "-,,Local"},
		want: []bouncescan.Event{func() bouncescan.Event {
			e := ev(8, bouncescan.StatusBounced, bouncescan.StageHelo, 554, "5.7.1", "Your host is not welcome here")
			e.Relay = "mx.example.com"
			return e
		}()},
	}, {
		name: "EHLO refused, HELO accepted, message delivered: one outcome",
		lines: []string{prHeader, s + "0," + ep + "+,,", s + "1," + ep + "<,220 mx.example.com ESMTP,", s + "2," + ep + ">,EHLO ex01.contoso.test,",
			s + "3," + ep + "<,500 5.5.1 Command unrecognized,", s + "4," + ep + ">,HELO ex01.contoso.test,", s + "5," + ep + "<,250 mx.example.com,",
			s + "6," + ep + ">,MAIL FROM:<alice@contoso.test>,", s + "7," + ep + "<,250 2.1.0 Ok,", s + "8," + ep + ">,RCPT TO:<gina@example.com>,",
			s + "9," + ep + "<,250 2.1.5 Ok,", s + "10," + ep + ">,DATA,", s + "11," + ep + "<,354 End data with <CR><LF>.<CR><LF>,",
			s + "12," + ep + "<,250 2.0.0 Ok: queued as 4F1A,", s + "13," + ep + "-,,Local"},
		want: []bouncescan.Event{func() bouncescan.Event {
			e := ev(14, bouncescan.StatusSent, bouncescan.StageUnknown, 250, "2.0.0", "Ok: queued as 4F1A")
			e.Relay, e.Sender, e.Recipient, e.Domain = "mx.example.com", "alice@contoso.test", "gina@example.com", "example.com"
			return e
		}()},
	}, {
		name: "MAIL refused without pipelining; BDAT LAST refused is end of data",
		lines: []string{prHeader, s + "0," + ep + "+,,", s + "1," + ep + "<,220 mx.example.com ESMTP,",
			s + "2," + ep + ">,MAIL FROM:<alice@contoso.test>,", s + "3," + ep + "<,550 5.7.1 Sender rejected by policy,", s + "4," + ep + "-,,Local",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,0," + ep + "+,,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,1," + ep + "<,220 mx.example.com ESMTP,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,2," + ep + ">,MAIL FROM:<alice@contoso.test>,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,3," + ep + ">,RCPT TO:<hank@example.com>,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,4," + ep + "<,250 2.1.0 Ok,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,5," + ep + "<,250 2.1.5 Ok,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,6," + ep + ">,BDAT 4096 LAST,",
			"2026-11-22T15:00:00.000Z,To Internet,08DE0000000000A2,7," + ep + "<,550 5.7.350 Remote server returned message detected as spam,"},
		want: []bouncescan.Event{func() bouncescan.Event {
			e := ev(6, bouncescan.StatusBounced, bouncescan.StageMail, 550, "5.7.1", "Sender rejected by policy")
			e.Relay, e.Sender = "mx.example.com", "alice@contoso.test"
			return e
		}(), func() bouncescan.Event {
			e := ev(14, bouncescan.StatusBounced, bouncescan.StageEndOfData, 550, "5.7.350", "Remote server returned message detected as spam")
			e.Relay, e.Sender, e.Recipient, e.Domain = "mx.example.com", "alice@contoso.test", "hank@example.com", "example.com"
			return e
		}()},
	}})
}
