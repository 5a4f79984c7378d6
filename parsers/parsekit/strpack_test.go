package parsekit

import (
	"math/rand/v2"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestAddIDLikeEventID: the id a pack builds is EventID's.
func TestAddIDLikeEventID(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var k StrPack
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
		k.Reset()
		k.Add([]byte("before"))
		pre := IDPrefix(fp)
		sp := k.AddID(pre[:], off, idx)
		if got, want := string(k.buf[sp.from:sp.to]), EventID(fp, off, idx); got != want {
			t.Fatalf("AddID(%x, %d, %d) = %q, EventID %q", fp, off, idx, got, want)
		}
	}
}

// TestFill: each field gets its own piece, a piece made of several Adds
// (Len, Since) is whole, and the fields of spans never added keep what
// they had.
func TestFill(t *testing.T) {
	var k StrPack
	k.Reset()
	sp := EventSpans{QueueID: k.Add([]byte("7A8B9C")), Recipient: k.Add([]byte("a@x.test")), Sender: k.Add([]byte("s@y.test"))}
	from := k.Len()
	k.Add([]byte("full"))
	k.Add([]byte(": "))
	k.Add([]byte("No space left"))
	sp.Text = k.Since(from)
	sp.Enhanced = k.Add(nil)
	e := bouncescan.Event{RelayIP: "192.0.2.1", ID: "kept"}
	k.Fill(&e, &sp)
	if e.QueueID != "7A8B9C" || e.Recipient != "a@x.test" || e.Sender != "s@y.test" || e.Text != "full: No space left" ||
		e.EnhancedCode != "" || e.RelayIP != "192.0.2.1" || e.ID != "kept" || e.OrigRecipient != "" || e.NextQueueID != "" {
		t.Errorf("%+v", e)
	}
	// a buffer grown by a very long line is let go on Reset
	k.Add(make([]byte, 20<<10))
	k.Reset()
	if cap(k.buf) > 16<<10 || k.Len() != 0 {
		t.Errorf("after Reset: len %d cap %d", k.Len(), cap(k.buf))
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
		var k StrPack
		for b.Loop() {
			k.Reset()
			sp := EventSpans{QueueID: k.Add(parts[0]), Recipient: k.Add(parts[1]), RelayIP: k.Add(parts[2]), Enhanced: k.Add(parts[3]),
				Text: k.Add(parts[4]), ID: k.Add(parts[5])}
			k.Fill(&e, &sp)
		}
	})
}
