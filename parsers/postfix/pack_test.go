package postfix

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestStatusOf: the switch gives what the probe test and
// bouncescan.ParseStatus give.
func TestStatusOf(t *testing.T) {
	for _, w := range []string{"sent", "deferred", "bounced", "expired", "deliverable", "undeliverable", "undeliverable-but-not-cached",
		"delivered", "relayed", "deferral", "reject", "rejected", "unknown", "probe", "", "Sent", "sent ", "bogus", "SOFTBOUNCE", "softbounce"} {
		want, wantOK := bouncescan.StatusProbe, true
		switch {
		case w == "SOFTBOUNCE":
			// soft_bounce = yes: the message stays queued
			want = bouncescan.StatusDeferred
		case !isProbe([]byte(w)):
			want, wantOK = bouncescan.ParseStatus(w)
		}
		if got, ok := statusOf([]byte(w)); got != want || ok != wantOK {
			t.Errorf("statusOf(%q) = %v %v, want %v %v", w, got, ok, want, wantOK)
		}
	}
}

// TestPackSharing: a delivery event's strings share one allocation, but
// for a deferral's text, which the deferral memory may drop on its own.
func TestPackSharing(t *testing.T) {
	sent := "Nov 22 03:00:01 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<a@x.test>, orig_to=<o@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1B2C3D4E5F)"
	deferred := "Nov 22 03:00:02 mx1 postfix/smtp[3]: 7A8B9C0D1E: to=<b@x.test>, relay=mx.x.test[192.0.2.1]:25, delay=1, dsn=4.2.2, status=deferred (host mx.x.test[192.0.2.1] said: 452 4.2.2 full (in reply to RCPT TO command))"
	r := run(t, sent, deferred)
	checkNoErrors(t, r)
	if len(r.events) != 2 {
		t.Fatalf("%d events", len(r.events))
	}
	for i, e := range r.events {
		// the pack runs from the queue id to the event id
		start := unsafe.Pointer(unsafe.StringData(e.QueueID))
		end := unsafe.Add(unsafe.Pointer(unsafe.StringData(e.ID)), len(e.ID))
		whole := unsafe.String((*byte)(start), uintptr(end)-uintptr(start))
		if uintptr(end) < uintptr(start) || uintptr(end)-uintptr(start) > 512 {
			t.Fatalf("event %d: queue id and id are not in one pack", i)
		}
		for name, s := range map[string]string{"Recipient": e.Recipient, "RelayIP": e.RelayIP, "EnhancedCode": e.EnhancedCode, "Domain": e.Domain} {
			if !parsekittest.Inside(s, whole) {
				t.Errorf("event %d: %s %q is not in the pack", i, name, s)
			}
		}
		if in := parsekittest.Inside(e.Text, whole); in != (e.Status != bouncescan.StatusDeferred) {
			t.Errorf("event %d (%v): text in the pack: %v", i, e.Status, in)
		}
		if !strings.HasPrefix(whole, e.QueueID) || !strings.HasSuffix(whole, e.ID) {
			t.Errorf("event %d: pack %q", i, whole)
		}
	}
	if r.events[0].OrigRecipient != "o@x.test" || r.events[0].Text != "Ok: queued as 1B2C3D4E5F" || r.events[1].Text != "full" {
		t.Errorf("events %+v", r.events)
	}
}
