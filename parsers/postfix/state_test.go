package postfix

import (
	"slices"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/google/go-cmp/cmp"
)

// TestExpiry: "status=expired, returned to sender" expires every recipient
// still pending, each with its own last deferral, and none already sent or
// bounced.
func TestExpiry(t *testing.T) {
	lines := []string{
		"Nov 22 03:00:00 mx1 postfix/cleanup[2]: 7A8B9C0D1E: message-id=<exp@mx1.test>",
		"Nov 22 03:00:00 mx1 postfix/qmgr[1]: 7A8B9C0D1E: from=<s@mx1.test>, size=2048, nrcpt=4 (queue active)",
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.x.test[192.0.2.1] said: 450 4.7.1 Greylisted (in reply to RCPT TO command))",
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))",
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<c@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.x.test[192.0.2.1] said: 550 5.1.1 No such user (in reply to RCPT TO command))",
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<d@y.test>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.y.test[192.0.2.2]:25: Connection refused)",
		"Nov 22 04:00:00 mx1 postfix/qmgr[1]: 7A8B9C0D1E: from=<s@mx1.test>, size=2048, nrcpt=4 (queue active)",
		"Nov 22 04:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=3601, delays=3600/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
		"Nov 22 04:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=3601, delays=3600/0/0/1, dsn=4.7.1, status=deferred (host mx.x.test[192.0.2.1] said: 421-4.7.1 Still greylisted 421 4.7.1 come back later (in reply to DATA command))",
		"Nov 22 04:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<d@y.test>, relay=mx.y.test[192.0.2.2]:25, delay=3601, delays=3600/0/1/0, dsn=4.4.2, status=deferred (conversation with mx.y.test[192.0.2.2] timed out while receiving the initial server greeting)",
		"Nov 27 03:00:02 mx1 postfix/qmgr[1]: 7A8B9C0D1E: from=<s@mx1.test>, status=expired, returned to sender",
		"Nov 27 03:00:02 mx1 postfix/qmgr[1]: 7A8B9C0D1E: removed",
	}
	r := run(t, lines...)
	checkNoErrors(t, r)
	var got []bouncescan.Event
	for _, e := range r.events {
		if e.Status == bouncescan.StatusExpired {
			got = append(got, e)
		}
	}
	at := utc("2026-11-27T03:00:02Z")
	off := offsetOf(lines, 11)
	base := bouncescan.Event{Time: at, Host: "mx1", MTA: Name, Source: testSource, Line: 11, Offset: off,
		QueueID: "7A8B9C0D1E", MessageID: "exp@mx1.test", Sender: "s@mx1.test", Size: 2048, Process: "postfix/qmgr", Status: bouncescan.StatusExpired}
	base.Attempt = 3 // deferred twice, the expiry is the third
	a, d := base, base
	a.ID = parsekit.EventID(7, off, 0)
	a.Recipient, a.Domain = "a@x.test", "x.test"
	a.Relay, a.RelayIP, a.RelayPort = "mx.x.test", "192.0.2.1", 25
	a.Stage, a.ReplyCode, a.EnhancedCode, a.DSN, a.Text = bouncescan.StageData, 421, "4.7.1", "4.7.1", "Still greylisted come back later"
	d.ID = parsekit.EventID(7, off, 1)
	d.Recipient, d.Domain = "d@y.test", "y.test"
	d.Relay, d.RelayIP, d.RelayPort = "mx.y.test", "192.0.2.2", 25
	d.Stage, d.DSN, d.Text = bouncescan.StageConnect, "4.4.2", "conversation with mx.y.test[192.0.2.2] timed out while receiving the initial server greeting"
	if diff := cmp.Diff([]bouncescan.Event{a, d}, got); diff != "" {
		t.Errorf("expired events (-want +got):\n%s", diff)
	}
	// outcome lines 3, 4, 5, 6, 8, 9, 10 and the two expiries
	if n := len(r.events); n != 9 {
		t.Errorf("%d events, want 9", n)
	}
}

// TestExpiredPerRecipient: older Postfix logs "status=expired" on the
// recipient's own line; it carries the last deferral when it has no reply.
func TestExpiredPerRecipient(t *testing.T) {
	lines := []string{
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.1, status=deferred (host mx.x.test[192.0.2.1] said: 450 4.7.1 Greylisted (in reply to RCPT TO command))",
		"Nov 27 03:00:02 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=none, delay=432001, delays=432000/0/0/1, dsn=4.7.1, status=expired (message expired)",
	}
	r := run(t, lines...)
	checkNoErrors(t, r)
	if len(r.events) != 2 {
		t.Fatalf("%d events, want 2", len(r.events))
	}
	e := r.events[1]
	want := bouncescan.Event{Time: utc("2026-11-27T03:00:02Z"), Host: "mx1", MTA: Name, Source: testSource, Line: 2, Offset: offsetOf(lines, 2),
		QueueID: "7A8B9C0D1E", Recipient: "a@x.test", Domain: "x.test", Process: "postfix/smtp",
		Relay: "mx.x.test", RelayIP: "192.0.2.1", RelayPort: 25, Delay: 432001,
		Status: bouncescan.StatusExpired, Stage: bouncescan.StageRcpt, ReplyCode: 450, EnhancedCode: "4.7.1", DSN: "4.7.1", Text: "Greylisted",
		Attempt: 2}
	if diff := cmp.Diff(want, e, ignoreID); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEviction: with MaxMessages 2 the least recently used message's state
// is dropped (counted in Stats().Evicted) and its outcome is not joined.
func TestEviction(t *testing.T) {
	p := New(parsekit.Options{Year: 2026, Location: time.UTC, MaxMessages: 2})
	r := feed(p, parsekit.File{Name: testSource, Fingerprint: 7},
		"Nov 22 03:00:00 mx1 postfix/qmgr[1]: 1111111111: from=<one@mx1.test>, size=1, nrcpt=1 (queue active)",
		"Nov 22 03:00:01 mx1 postfix/qmgr[1]: 2222222222: from=<two@mx1.test>, size=2, nrcpt=1 (queue active)",
		"Nov 22 03:00:02 mx1 postfix/qmgr[1]: 3333333333: from=<three@mx1.test>, size=3, nrcpt=1 (queue active)",
		"Nov 22 03:00:03 mx1 postfix/smtp[3]: 1111111111: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)",
		"Nov 22 03:00:03 mx1 postfix/smtp[3]: 3333333333: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)",
	)
	checkNoErrors(t, r)
	if len(r.events) != 2 {
		t.Fatalf("%d events, want 2", len(r.events))
	}
	if s := r.events[0].Sender; s != "" {
		t.Errorf("evicted message joined sender %q", s)
	}
	if s := r.events[1].Sender; s != "three@mx1.test" {
		t.Errorf("kept message sender %q", s)
	}
	if st := p.Stats(); st.Evicted != 1 || st.Expired != 0 {
		t.Errorf("stats %+v, want 1 evicted", st)
	}
}

// TestTTL: state not touched for TTL of log time expires.
func TestTTL(t *testing.T) {
	p := New(parsekit.Options{Year: 2026, Location: time.UTC, TTL: time.Hour})
	r := feed(p, parsekit.File{Name: testSource, Fingerprint: 7},
		"Nov 22 03:00:00 mx1 postfix/qmgr[1]: 1111111111: from=<one@mx1.test>, size=1, nrcpt=1 (queue active)",
		"Nov 22 03:30:00 mx1 postfix/qmgr[1]: 2222222222: from=<two@mx1.test>, size=2, nrcpt=1 (queue active)",
		"Nov 22 04:10:00 mx1 postfix/qmgr[1]: 3333333333: from=<three@mx1.test>, size=3, nrcpt=1 (queue active)",
		"Nov 22 04:10:01 mx1 postfix/smtp[3]: 1111111111: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)",
		"Nov 22 04:10:01 mx1 postfix/smtp[3]: 2222222222: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)",
	)
	checkNoErrors(t, r)
	if len(r.events) != 2 {
		t.Fatalf("%d events, want 2", len(r.events))
	}
	if s := r.events[0].Sender; s != "" {
		t.Errorf("expired state joined sender %q", s)
	}
	if s := r.events[1].Sender; s != "two@mx1.test" {
		t.Errorf("live state sender %q", s)
	}
	if st := p.Stats(); st.Expired != 1 || st.Evicted != 0 {
		t.Errorf("stats %+v, want 1 expired", st)
	}
}

// TestIDs: the same line at the same offset of the same content gives the
// same id; another fingerprint or offset another; events of one line get
// distinct ids.
func TestIDs(t *testing.T) {
	line := "Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=none, delay=1, dsn=2.0.0, status=sent (250 OK)"
	id := func(fp uint64, prefix ...string) string {
		r := feed(New(testOpts), parsekit.File{Name: "other-name.log", Fingerprint: fp}, append(prefix, line)...)
		if len(r.events) != 1 {
			t.Fatalf("%d events", len(r.events))
		}
		return r.events[0].ID
	}
	a, b := id(42), id(42)
	if a != b {
		t.Errorf("same content, ids %q and %q", a, b)
	}
	if a != parsekit.EventID(42, 0, 0) {
		t.Errorf("id %q, want EventID(42, 0, 0) = %q", a, parsekit.EventID(42, 0, 0))
	}
	if c := id(43); c == a {
		t.Errorf("other fingerprint, same id %q", c)
	}
	if c := id(42, "Nov 22 03:00:00 mx1 postfix/anvil[9]: statistics: max connection rate 1/60s"); c == a {
		t.Errorf("other offset, same id %q", c)
	}

	// two expired recipients on one qmgr line
	r := run(t,
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to x.test[192.0.2.1]:25: Connection refused)",
		"Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<b@x.test>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to x.test[192.0.2.1]:25: Connection refused)",
		"Nov 27 03:00:02 mx1 postfix/qmgr[1]: 7A8B9C0D1E: from=<s@mx1.test>, status=expired, returned to sender",
	)
	seen := map[string]bool{}
	for _, e := range r.events {
		if seen[e.ID] {
			t.Errorf("duplicate id %q", e.ID)
		}
		seen[e.ID] = true
	}
	if len(seen) != 4 {
		t.Errorf("%d distinct ids, want 4", len(seen))
	}
}

// TestNoAlias: event strings must not alias the line buffer.
func TestNoAlias(t *testing.T) {
	p := New(testOpts)
	p.Begin(parsekit.File{Fingerprint: 1})
	var got []bouncescan.Event
	emit := func(e *bouncescan.Event) { got = append(got, *e) }
	buf := []byte("Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, orig_to=<o@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, dsn=5.1.1, status=bounced (host mx.x.test[192.0.2.1] said: 550 5.1.1 gone (in reply to RCPT TO command))")
	if err := p.Parse(buf, bouncescan.Pos{Source: "x", Line: 1}, emit); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'Z'
	}
	e := got[0]
	if e.Recipient != "a@x.test" || e.OrigRecipient != "o@x.test" || e.Text != "gone" || e.Host != "mx1" ||
		e.Process != "postfix/smtp" || e.QueueID != "7A8B9C0D1E" || e.Relay != "mx.x.test" || e.RelayIP != "192.0.2.1" || e.DSN != "5.1.1" {
		t.Errorf("event changed with the buffer: %+v", got[0])
	}
}

// TestLogJoinedOutOfOrder: a log read after a later stretch of itself (the
// same lines twice, its time going back four hours in one file) is parsed
// the second time as the first: the state the first copy left open (a
// message still deferred at its end) is dropped at the step back
// (Stats.Rewound), so the second copy's deferrals count their attempts
// from 1 again instead of going on from the first copy's, and the state
// held stays that of one copy.
func TestLogJoinedOutOfOrder(t *testing.T) {
	lines := []string{
		"Nov 22 00:00:00 mx1 postfix/cleanup[2]: 5B6C7D8E9F: message-id=<open@mx1.test>",
		"Nov 22 00:00:00 mx1 postfix/qmgr[1]: 5B6C7D8E9F: from=<s@mx1.test>, size=900, nrcpt=1 (queue active)",
		"Nov 22 00:00:01 mx1 postfix/smtp[3]: 5B6C7D8E9F: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))",
		"Nov 22 04:00:00 mx1 postfix/qmgr[1]: 5B6C7D8E9F: from=<s@mx1.test>, size=900, nrcpt=1 (queue active)",
		"Nov 22 04:00:01 mx1 postfix/smtp[3]: 5B6C7D8E9F: to=<a@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=14401, delays=14400/0/0/1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))",
	}
	one := feed(New(testOpts), parsekit.File{Name: testSource, Fingerprint: 7}, lines...)
	twice := New(testOpts)
	p := twice
	p.Begin(parsekit.File{Name: testSource, Fingerprint: 7})
	var got []bouncescan.Event
	var off int64
	for _, l := range append(slices.Clone(lines), lines...) {
		if err := p.Parse([]byte(l), bouncescan.Pos{Source: testSource, Offset: off}, func(e *bouncescan.Event) { got = append(got, *e) }); err != nil {
			t.Fatal(err)
		}
		off += int64(len(l)) + 1
	}
	if s := p.Stats(); s.Rewound != 1 || s.Messages != 1 {
		t.Errorf("Rewound %d, holding %d messages; want 1 and 1 (the second copy's)", s.Rewound, s.Messages)
	}
	if len(got) != 2*len(one.events) {
		t.Fatalf("%d events, want %d", len(got), 2*len(one.events))
	}
	attempts := func(evs []bouncescan.Event) (a []int) {
		for _, e := range evs {
			a = append(a, e.Attempt)
		}
		return a
	}
	if first, second := attempts(got[:len(one.events)]), attempts(got[len(one.events):]); !slices.Equal(first, second) || !slices.Equal(first, []int{1, 2}) {
		t.Errorf("attempts of the first copy %v, of the second %v, want [1 2] both", first, second)
	}
	for _, e := range got {
		if e.Sender != "s@mx1.test" || e.MessageID != "open@mx1.test" {
			t.Errorf("line %d: sender %q message-id %q", e.Line, e.Sender, e.MessageID)
		}
	}
}
