package postfix

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// TestAddIDLikeEventID: the id a pack builds is parsekit.EventID's.
func TestAddIDLikeEventID(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var k strpack
	for n := 0; n < 100000; n++ {
		fp, off, idx := rng.Uint64(), rng.Int64N(1<<40), rng.IntN(3)
		switch n {
		case 0:
			fp, off, idx = 0, 0, 0
		case 1:
			fp, off, idx = ^uint64(0), -1, 12
		}
		if n%3 == 0 {
			off = rng.Int64N(1000)
		}
		k.reset()
		k.add([]byte("before"))
		pre := idPrefix(fp)
		sp := k.addID(pre[:], off, idx)
		if got, want := string(k.buf[sp.from:sp.to]), parsekit.EventID(fp, off, idx); got != want {
			t.Fatalf("addID(%x, %d, %d) = %q, EventID %q", fp, off, idx, got, want)
		}
	}
}

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

// inside tells whether s lies in the memory of whole.
func inside(s, whole string) bool {
	if len(s) == 0 {
		return false
	}
	p, w := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(whole)))
	return p >= w && p+uintptr(len(s)) <= w+uintptr(len(whole))
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
			if !inside(s, whole) {
				t.Errorf("event %d: %s %q is not in the pack", i, name, s)
			}
		}
		if in := inside(e.Text, whole); in != (e.Status != bouncescan.StatusDeferred) {
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

// BenchmarkEventStrings compares the strings of a delivery event made
// one by one with the same strings from one pack.
func BenchmarkEventStrings(b *testing.B) {
	parts := [][]byte{[]byte("11A3B192EE"), []byte("b97df7ebee@icloud.com"), []byte("203.175.183.33"), []byte("2.0.0"),
		[]byte("Ok: queued as 64E403CBBB"), []byte("0123456789abcdef-1234567")}
	var e bouncescan.Event
	b.Run("separate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.QueueID, e.Recipient, e.RelayIP = string(parts[0]), string(parts[1]), string(parts[2])
			e.EnhancedCode, e.Text, e.ID = string(parts[3]), string(parts[4]), string(parts[5])
		}
	})
	b.Run("pack", func(b *testing.B) {
		b.ReportAllocs()
		var k strpack
		for b.Loop() {
			k.reset()
			sp := eventSpans{qid: k.add(parts[0]), rcpt: k.add(parts[1]), ip: k.add(parts[2]), enh: k.add(parts[3]),
				text: k.add(parts[4]), id: k.add(parts[5])}
			k.fill(&e, &sp)
		}
	})
}
