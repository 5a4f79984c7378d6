package postfix

import (
	"testing"

	"github.com/bouncescan/bouncescan"
)

// What real logs do that the samples did not (issue 13).
func TestUnseenLayouts(t *testing.T) {
	pre := "Dec  9 10:18:28 mail "
	r := run(t,
		// anonymised logs: all-letter hex queue ids; a content filter on loopback
		pre+"postfix/qmgr[3399]: BABABABABA: from=<s@example.test>, size=503, nrcpt=1 (queue active)",
		pre+"postfix/smtp[20049]: BABABABABA: to=<d@dst.test>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.38, delays=0.23/0.02/0/0.13, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as CACACACACACA)",
		pre+"postfix/smtp[20055]: CACACACACACA: to=<d@dst.test>, relay=mx.dst.test[192.0.2.7]:25, delay=0.55, dsn=2.0.0, status=sent (250 2.0.0 OK  1607509104 z6si1138927wrp.107 - gsmtp)",
		// a SIEM export: no syslog header
		"postfix/smtp[123]: 4F1A2B3C4D: to=<bob@example.com>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.10] said: 550 5.1.1 User unknown (in reply to RCPT TO command))",
		// a to= line without status= is unparsed, never ignored
		pre+"postfix/smtp[6]: 0123456789: to=<a@x.test>, orig_to=<b@x.test>",
		// a loopback delivery whose reply is not a Postfix queue id is no hop
		pre+"postfix/smtp[7]: 0123456780: to=<c@x.test>, relay=127.0.0.1[127.0.0.1]:2525, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as SINK000001)",
	)
	if len(r.events) != 4 {
		t.Fatalf("%d events, want 4: %+v", len(r.events), r.events)
	}
	hop := r.events[0]
	if hop.QueueID != "BABABABABA" || !hop.Hop || hop.NextQueueID != "CACACACACACA" || hop.Sender != "s@example.test" {
		t.Errorf("hop: %+v", hop)
	}
	if e := r.events[1]; e.QueueID != "CACACACACACA" || e.Hop || e.NextQueueID != "" {
		t.Errorf("continuation: %+v", e)
	}
	if e := r.events[2]; e.Status != bouncescan.StatusBounced || e.QueueID != "4F1A2B3C4D" || e.EnhancedCode != "5.1.1" || e.Stage != bouncescan.StageRcpt || !e.Time.IsZero() {
		t.Errorf("header-less line: %+v", e)
	}
	if e := r.events[3]; e.Hop || e.NextQueueID != "" {
		t.Errorf("sink on loopback taken for a hop: %+v", e)
	}
	checkErr(t, 5, r.errs[4], bouncescan.ErrUnparsed)
	if got := Detect([][]byte{[]byte("postfix/smtp[123]: 4F1A2B3C4D: to=<bob@example.com>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to x: Connection refused)")}); got == 0 {
		t.Error("header-less Postfix lines are not detected")
	}
	for _, w := range []string{"warning", "statistics", "BADWORD", "ABC"} {
		if q, _ := queueID([]byte(w + ": x")); q != nil {
			t.Errorf("%q taken for a queue id", w)
		}
	}
}
