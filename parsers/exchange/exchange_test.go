package exchange

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

const (
	trkHeader = "#Fields: " + tracking2013
	prHeader  = "#Fields: " + protocolFields
)

// trk builds a message tracking row of the 2013+ layout from name=value
// pairs (values are written as given: quote them yourself).
func trk(kv ...string) string {
	names := strings.Split(tracking2013, ",")
	vals := make([]string, len(names))
	for i := 0; i+1 < len(kv); i += 2 {
		found := false
		for j, n := range names {
			if n == kv[i] {
				vals[j] = kv[i+1]
				found = true
			}
		}
		if !found {
			panic("no field " + kv[i])
		}
	}
	return strings.Join(vals, ",")
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var ignorePos = cmpopts.IgnoreFields(bouncescan.Event{}, "ID", "Source", "Offset")

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

func TestTracking(t *testing.T) {
	recv := trk("date-time", "2026-11-22T03:00:00.000Z", "server-hostname", "EX01", "source", "SMTP", "event-id", "RECEIVE",
		"internal-message-id", "77", "message-id", "<m77@contoso.test>", "recipient-address", "a@example.com;b@example.net",
		"recipient-status", "To;Cc", "total-bytes", "5000", "sender-address", "alice@contoso.test")
	ev := func(line int64, tm, rcpt string, st bouncescan.Status) bouncescan.Event {
		return bouncescan.Event{Time: ts(tm), MTA: Name, Line: line, Recipient: rcpt, Domain: rcpt[strings.IndexByte(rcpt, '@')+1:], Status: st}
	}
	fail := ev(2, "2026-11-22T03:14:15.123Z", "ghost@contoso.test", bouncescan.StatusBounced)
	fail.Host, fail.Process, fail.QueueID, fail.MessageID, fail.Sender, fail.Size = "EX01", "ROUTING", "4002", "a2@contoso.test", "alice@contoso.test", 2048
	fail.ReplyCode, fail.EnhancedCode, fail.DSN = 550, "5.1.10", "5.1.10"
	fail.Text = "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"

	sendA := ev(3, "2026-11-22T03:00:02.000Z", "a@example.com", bouncescan.StatusSent)
	sendA.Host, sendA.Process, sendA.QueueID, sendA.MessageID, sendA.Sender, sendA.Size = "EX01.contoso.test", "SMTP", "77", "m77@contoso.test", "alice@contoso.test", 5000
	sendA.Relay, sendA.RelayIP = "mx.example.com", "192.0.2.1"
	sendA.ReplyCode, sendA.EnhancedCode, sendA.DSN, sendA.Text = 250, "2.1.5", "2.1.5", "Recipient OK"
	sendB := sendA
	sendB.Recipient, sendB.Domain = "b@example.net", "example.net"
	sendB.ReplyCode, sendB.EnhancedCode, sendB.DSN, sendB.Text = 250, "2.1.5", "2.1.5", "Ok, queued"

	defer1 := ev(3, "2026-11-22T03:05:00.000Z", "a@example.com", bouncescan.StatusDeferred)
	defer1.Host, defer1.Process, defer1.QueueID, defer1.MessageID, defer1.Sender, defer1.Size = "EX01", "SMTP", "77", "m77@contoso.test", "alice@contoso.test", 5000
	defer1.Relay, defer1.RelayIP = "mx.example.com", "192.0.2.1"
	defer1.ReplyCode, defer1.EnhancedCode, defer1.DSN, defer1.Text = 432, "4.3.2", "4.3.2", "STOREDRV.Deliver; mailbox database thread limit exceeded"
	exp := defer1
	exp.Line, exp.Time, exp.Status, exp.DSN = 4, ts("2026-11-24T03:05:00.000Z"), bouncescan.StatusExpired, "4.4.7"
	exp.Attempt = 2 // the attempt after the deferral

	run(t, []tcase{
		{name: "FAIL RESOLVER.ADR.RecipientNotFound", lines: []string{trkHeader,
			trk("date-time", "2026-11-22T03:14:15.123Z", "server-hostname", "EX01", "source", "ROUTING", "event-id", "FAIL",
				"internal-message-id", "4002", "message-id", "<a2@contoso.test>", "recipient-address", "ghost@contoso.test",
				"recipient-status", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
				"total-bytes", "2048", "sender-address", "alice@contoso.test", "message-subject", `"Lunch, today ""12:00"""`)},
			want: []bouncescan.Event{fail}},
		{name: "SEND pairs recipients with statuses, joins nothing missing", lines: []string{trkHeader, recv,
			trk("date-time", "2026-11-22T03:00:02.000Z", "client-hostname", "EX01.contoso.test", "server-hostname", "mx.example.com", "server-ip", "192.0.2.1",
				"source", "SMTP", "event-id", "SEND", "internal-message-id", "77", "recipient-address", "a@example.com;b@example.net",
				"recipient-status", `"250 2.1.5 Recipient OK;250 2.1.5 Ok, queued"`, "total-bytes", "5000")},
			want: []bouncescan.Event{sendA, sendB}},
		{name: "DEFER with LED then QUEUE.Expired carries the last deferral", lines: []string{trkHeader, recv,
			trk("date-time", "2026-11-22T03:05:00.000Z", "server-hostname", "EX01", "source", "SMTP", "event-id", "DEFER", "internal-message-id", "77",
				"recipient-address", "a@example.com",
				"recipient-status", "[{LED=432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded};{MSG=};{FQDN=mx.example.com};{IP=192.0.2.1};{LRT=11/22/2026 3:05:00 AM}]"),
			trk("date-time", "2026-11-24T03:05:00.000Z", "server-hostname", "EX01", "source", "SMTP", "event-id", "FAIL", "internal-message-id", "77",
				"recipient-address", "a@example.com", "recipient-status", "550 4.4.7 QUEUE.Expired; message expired")},
			want: []bouncescan.Event{defer1, exp}},
		{name: "context rows give no event", lines: []string{trkHeader, recv,
			trk("date-time", "2026-11-22T03:00:00.000Z", "source", "ROUTING", "event-id", "EXPAND", "internal-message-id", "77", "recipient-address", "x@contoso.test")}},
		{name: "corrupt #Fields line: duplicated list", lines: []string{
			"#Fields: date-time,client-ip,event-id,date-time,client-ip,event-id",
			"2026-11-22T03:00:00.000Z,1.2.3.4,FAIL",
		}, errs: []string{"corrupt #Fields line: duplicated field date-time", "row under a corrupt #Fields line"}},
		{name: "corrupt #Fields line: repeated #Fields", lines: []string{
			"#Fields: date-time,client-ip#Fields: date-time,client-ip",
		}, errs: []string{"corrupt #Fields line: repeated #Fields"}},
		{name: "bad event-id and bad time", lines: []string{trkHeader,
			trk("date-time", "2026-11-22T03:00:00.000Z", "event-id", "fail!", "recipient-address", "a@b.c"),
			trk("date-time", "2026-13-22T03:00:00.000Z", "event-id", "FAIL", "recipient-address", "a@b.c"),
		}, errs: []string{"bad event-id", "bad date-time"}},
	})
}

func TestTrackingFieldOrder(t *testing.T) {
	// a new #Fields line (concatenated files) replaces the order
	got, errs := parseLines(t,
		"#Fields: event-id,recipient-address,recipient-status,date-time,internal-message-id",
		`DEFER,x@example.com,"[{LED=421 4.4.2 Connection dropped, try later};{FQDN=mx.example.com};{IP=192.0.2.9}]",2026-11-22T03:00:00Z,9`,
		"#Fields: date-time,event-id,recipient-address,recipient-status",
		"2026-11-22T04:00:00Z,DROP,y@example.com,",
	)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := []bouncescan.Event{
		{Time: ts("2026-11-22T03:00:00Z"), MTA: Name, Line: 2, QueueID: "9", Recipient: "x@example.com", Domain: "example.com",
			Relay: "mx.example.com", RelayIP: "192.0.2.9", Status: bouncescan.StatusDeferred, ReplyCode: 421, EnhancedCode: "4.4.2", DSN: "4.4.2",
			Text: "Connection dropped, try later"},
		{Time: ts("2026-11-22T04:00:00Z"), MTA: Name, Line: 4, Recipient: "y@example.com", Domain: "example.com", Status: bouncescan.StatusDiscarded},
	}
	if diff := cmp.Diff(parsekittest.FirstAttempt(want), got, ignorePos); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestProtocol(t *testing.T) {
	const send = "2026-11-22T03:00:00.000Z,Outbound,08DE000000000001,"
	const recv = "2026-11-22T03:00:00.000Z,EX01\\Default EX01,08DE000000000002,"
	ep := "10.0.0.5:50000,192.0.2.25:25,"
	rp := "10.0.0.5:25,203.0.113.9:40000,"
	base := bouncescan.Event{Time: ts("2026-11-22T03:00:00Z"), MTA: Name, Process: "Outbound", Relay: "mx.example.com",
		RelayIP: "192.0.2.25", RelayPort: 25, Sender: "s@contoso.test", MessageID: "m1@contoso.test"}
	rcptRej := base
	rcptRej.Line, rcptRej.Recipient, rcptRej.Domain, rcptRej.Status, rcptRej.Stage = 13, "bad@example.com", "example.com", bouncescan.StatusBounced, bouncescan.StageRcpt
	rcptRej.ReplyCode, rcptRej.EnhancedCode, rcptRej.Text = 550, "5.1.1", "User unknown"
	eod := base
	eod.Line, eod.Recipient, eod.Domain, eod.Status, eod.Stage = 16, "ok@example.com", "example.com", bouncescan.StatusDeferred, bouncescan.StageEndOfData
	eod.ReplyCode, eod.EnhancedCode, eod.Text = 451, "4.7.1", "Try again later, please"
	sent := eod
	sent.Line, sent.Status, sent.Stage, sent.ReplyCode, sent.EnhancedCode, sent.Text = 16, bouncescan.StatusSent, bouncescan.StageUnknown, 250, "2.0.0", "Ok"

	rbase := bouncescan.Event{Time: ts("2026-11-22T03:00:00Z"), MTA: Name, Host: "EX01", Process: "Default EX01", RelayIP: "203.0.113.9", Status: bouncescan.StatusRejected}
	r1 := rbase
	r1.Line, r1.Sender, r1.Recipient, r1.Domain, r1.Stage = 8, "x@sender.example", "no@contoso.test", "contoso.test", bouncescan.StageRcpt
	r1.ReplyCode, r1.EnhancedCode, r1.Text = 550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
	auth := rbase
	auth.Line, auth.Stage, auth.ReplyCode, auth.EnhancedCode, auth.Text = 1, bouncescan.StageAuth, 535, "5.7.3", "Authentication unsuccessful"

	run(t, []tcase{
		{name: "send: rcpt reject, eod reject with multi-line reply", lines: []string{prHeader,
			send + "0," + ep + "+,,",
			send + "1," + ep + "<,220 mx.example.com ESMTP,",
			send + "2," + ep + ">,EHLO ex01.contoso.test,",
			send + "3," + ep + "<,250-mx.example.com,",
			send + "4," + ep + "<,250 PIPELINING,",
			send + "5," + ep + "*,,sending message with RecordId 1 and InternetMessageId <m1@contoso.test>",
			send + "6," + ep + ">,MAIL FROM:<s@contoso.test>,",
			send + "7," + ep + ">,RCPT TO:<ok@example.com>,",
			send + "8," + ep + ">,RCPT TO:<bad@example.com>,",
			send + "9," + ep + "<,250 2.1.0 Ok,",
			send + "10," + ep + "<,250 2.1.5 Ok,",
			send + "11," + ep + "<,550 5.1.1 User unknown,",
			send + "12," + ep + ">,BDAT 100 LAST,",
			send + "13," + ep + "<,\"451-4.7.1 Try again later,\"",
			send + "14," + ep + "<,451 4.7.1 please,",
			send + "15," + ep + "-,,Local",
		}, want: []bouncescan.Event{rcptRej, eod}},
		{name: "send: accepted after DATA", lines: []string{prHeader,
			send + "0," + ep + "+,,",
			send + "1," + ep + "<,220 mx.example.com ESMTP,",
			send + "2," + ep + "*,,sending message with RecordId 1 and InternetMessageId <m1@contoso.test>",
			send + "3," + ep + ">,MAIL FROM:<s@contoso.test>,",
			send + "4," + ep + ">,RCPT TO:<ok@example.com>,",
			send + "5," + ep + ">,DATA,",
			send + "6," + ep + "<,250 2.1.0 Ok,",
			send + "7," + ep + "<,250 2.1.5 Ok,",
			send + "8," + ep + "<,354 End data with <CR><LF>.<CR><LF>,",
			send + "9," + ep + ">,QUIT,", // not a reply: ignored while the data is out
			"", "", "", "",
			send + "10," + ep + "<,250 2.0.0 Ok,",
		}, want: []bouncescan.Event{sent}, errs: []string{"blank line", "blank line", "blank line", "blank line"}},
		{name: "send: failed to connect, no recipients known: a deferral without recipient", lines: []string{
			send + "0,," + "192.0.2.25:25,*,,attempting to connect",
			send + "1,," + `192.0.2.25:25,*,,"Failed to connect. Winsock error code: 10061, Win32 error code: 10061."`,
		}, want: []bouncescan.Event{{Time: ts("2026-11-22T03:00:00Z"), MTA: Name, Line: 2, Process: "Outbound", RelayIP: "192.0.2.25", RelayPort: 25,
			Status: bouncescan.StatusDeferred, Stage: bouncescan.StageConnect, Text: "Failed to connect. Winsock error code: 10061, Win32 error code: 10061."}}},
		{name: "receive: RCPT reject, headerless", lines: []string{
			recv + "0," + rp + "+,,",
			recv + "1," + rp + ">,220 EX01 ready,",
			recv + "2," + rp + "<,EHLO client.example,",
			recv + "3," + rp + ">,250 EX01 Hello,",
			recv + "4," + rp + "<,MAIL FROM:<x@sender.example>,",
			recv + "5," + rp + ">,250 2.1.0 Sender OK,",
			recv + "6," + rp + "<,RCPT TO:<no@contoso.test>,",
			recv + "7," + rp + ">,550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup,",
			recv + "8," + rp + ">,500 5.3.3 Unrecognized command,",
		}, want: []bouncescan.Event{r1}},
		{name: "receive: auth failure without its AUTH line", lines: []string{
			recv + "9," + rp + ">,535 5.7.3 Authentication unsuccessful,",
		}, want: []bouncescan.Event{auth}},
		{name: "bad rows", lines: []string{prHeader,
			"2026-11-22T03:00:00.000Z,X,,1,,,>,,",
			"2026-11-22T03:00:00.000Z,X,01,1,,,?,,",
			"2026-11-22T03:00:00.000Z,X,01,1,,,>,\"unterminated",
			"hello world",
		}, errs: []string{"protocol row without session-id or event", "unknown protocol event", "bad CSV quoting or too many fields", "not an Exchange CSV row"}},
	})
}

func TestTrace(t *testing.T) {
	hdr := `"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size","MessageId","MessageTraceId"`
	row := func(status string) string {
		return `"11/22/2026 1:05:00 PM","a@contoso.test","b@example.com","Hi, there","` + status + `","192.0.2.1","10.0.0.1","100","<m@x>","t1"`
	}
	e := bouncescan.Event{Time: ts("2026-11-22T13:05:00Z"), MTA: Name, QueueID: "t1", MessageID: "m@x", Sender: "a@contoso.test",
		Size: 100, Recipient: "b@example.com", Domain: "example.com", RelayIP: "192.0.2.1"}
	with := func(line int64, st bouncescan.Status, code int) bouncescan.Event {
		x := e
		x.Line, x.Status, x.ReplyCode = line, st, code
		return x
	}
	run(t, []tcase{
		{name: "statuses", lines: []string{"#TYPE Deserialized.Microsoft.Exchange.Management.FfoReporting.MessageTrace", hdr,
			row("Delivered"), row("Failed"), row("Pending"), row("Expanded"), row("FilteredAsSpam"), row("Quarantined"), row("Exploded")},
			want: []bouncescan.Event{with(3, bouncescan.StatusSent, 250), with(4, bouncescan.StatusBounced, 0), with(5, bouncescan.StatusDeferred, 0),
				withText(with(7, bouncescan.StatusRejected, 0), "message marked as spam by the receiving system (FilteredAsSpam)"),
				withText(with(8, bouncescan.StatusRejected, 0), "message quarantined: rejected by policy of the receiving system (Quarantined)")},
			errs: []string{"unknown message trace Status"}},
		{name: "extended report uses tracking names with underscores", lines: []string{
			"date_time_utc,event_id,recipient_address,recipient_status,sender_address,internal_message_id",
			`2026-11-22T13:05:00.1234567Z,FAIL,b@example.com,"550 5.1.1 User unknown",a@contoso.test,5`},
			want: []bouncescan.Event{{Time: ts("2026-11-22T13:05:00.1234567Z"), MTA: Name, Line: 2, QueueID: "5", Sender: "a@contoso.test",
				Recipient: "b@example.com", Domain: "example.com", Status: bouncescan.StatusBounced, ReplyCode: 550, EnhancedCode: "5.1.1", DSN: "5.1.1", Text: "User unknown"}}},
	})
}

func TestUTF16(t *testing.T) {
	// a UTF-16LE export split on the 0x0A byte: the next line starts with 0x00
	enc := func(s string) string {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	lines := []string{
		"\xff\xfe" + enc(`"Received","SenderAddress","RecipientAddress","Status"`+"\r") + "\x00",
		"\x00" + enc(`"2026-11-22T10:00:00Z","a@contoso.test","b@example.com","Delivered"`+"\r") + "\x00",
	}
	got, errs := parseLines(t, lines...)
	if len(errs) > 0 || len(got) != 1 || got[0].Recipient != "b@example.com" || got[0].Status != bouncescan.StatusSent {
		t.Fatalf("got %+v, %v", got, errs)
	}
}

func TestSplitCSV(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"a,b,c", []string{"a", "b", "c"}, true},
		{"a,,", []string{"a", "", ""}, true},
		{`"a, b",c`, []string{"a, b", "c"}, true},
		{`x,"say ""hi"", ok","y"`, []string{"x", `say "hi", ok`, "y"}, true},
		{`"""",""`, []string{`"`, ""}, true},
		{`"open`, nil, false},
	}
	for _, c := range cases {
		line := []byte(c.in)
		got, ok := splitCSV(line, nil, make([]byte, 0, len(line)))
		if ok != c.ok {
			t.Errorf("%q: ok %v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		var gs []string
		for _, f := range got {
			gs = append(gs, string(f))
		}
		if diff := cmp.Diff(c.want, gs); diff != "" {
			t.Errorf("%q (-want +got):\n%s", c.in, diff)
		}
	}
}

func TestSplitStatuses(t *testing.T) {
	cases := map[string][]string{
		"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup": {"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"},
		"250 2.1.5 Ok;250 2.1.5 Ok; 550 5.1.1 no":                                               {"250 2.1.5 Ok", "250 2.1.5 Ok", " 550 5.1.1 no"},
		"[{LED=a; 550 x};{FQDN=h}];[{LED=b}]":                                                   {"[{LED=a; 550 x};{FQDN=h}]", "[{LED=b}]"},
		"":                                                                                      {""},
	}
	for in, want := range cases {
		var got []string
		for _, b := range splitStatuses([]byte(in), nil) {
			got = append(got, string(b))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", in, diff)
		}
	}
}

func TestParseTime(t *testing.T) {
	cases := map[string]string{
		"2026-11-22T03:14:15.123Z":     "2026-11-22T03:14:15.123Z",
		"2026-11-22T03:14:15.1234567Z": "2026-11-22T03:14:15.1234567Z",
		"11/22/2026 3:14:15 AM":        "2026-11-22T03:14:15Z",
		"11/22/2026 12:14:15 AM":       "2026-11-22T00:14:15Z",
		"11/22/2026 12:14:15 PM":       "2026-11-22T12:14:15Z",
		"22/11/2026 15:14":             "2026-11-22T15:14:00Z",
		"11/22/2026":                   "2026-11-22T00:00:00Z",
	}
	for in, want := range cases {
		got, ok := parseTime([]byte(in), time.UTC)
		if !ok || !got.Equal(ts(want)) {
			t.Errorf("%q: got %v %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "2026-11-22", "13/13/2026 1:00", "11/22/26 3:14", "11/22/2026 3:14:15 XM", "2026-11-22T03:14:15Zjunk"} {
		if _, ok := parseTime([]byte(bad), time.UTC); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name  string
		lines []string
		min   int
		max   int
	}{
		{"header", []string{"#Software: Microsoft Exchange Server"}, 100, 100},
		{"fields", []string{trkHeader}, 95, 95},
		{"trace export", []string{`"Received","SenderAddress","RecipientAddress","Subject","Status"`}, 95, 95},
		{"headerless protocol", []string{"2022-07-20T21:12:06.270Z,EX\\Default EX,08DA4F7C11473A60,9,192.168.9.241:25,192.168.9.212:53722,>,535 5.7.3 Authentication unsuccessful,"}, 100, 100},
		{"postfix rfc3339", []string{"2023-03-14T00:00:31.185246+01:00 helga postfix/smtpd[1]: connect from x[1.2.3.4]"}, 0, 0},
		{"exim", []string{"2026-11-22 03:14:15 1jmFYj-00039V-QX => bob@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]"}, 0, 0},
		{"random csv", []string{"a,b,c", "1,2,3"}, 0, 0},
		{"empty", nil, 0, 0},
	}
	for _, c := range cases {
		var ls [][]byte
		for _, l := range c.lines {
			ls = append(ls, []byte(l))
		}
		if got := Detect(ls); got < c.min || got > c.max {
			t.Errorf("%s: %d, want %d..%d", c.name, got, c.min, c.max)
		}
	}
}

func TestExample(t *testing.T) {
	// the Example is a headerless 30-field tracking row
	got, errs := parseLines(t, Example)
	if len(errs) > 0 || len(got) != 1 || got[0].Status != bouncescan.StatusBounced || got[0].ReplyCode != 550 || got[0].Recipient != "bob@example.com" {
		t.Fatalf("Example: %+v %v", got, errs)
	}
	if Detect([][]byte{[]byte(Example)}) == 0 {
		t.Fatal("Example not detected")
	}
}

func withText(e bouncescan.Event, text string) bouncescan.Event { e.Text = text; return e }
