package aggregate

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// msgSet gives what a map gives, through growth and reset, also for the
// hashes whose key bits are 0 and for hashes that differ in the flag bits
// only (those are one message: the flags are not part of the key), and
// 0–3, which share the key of 4.
func TestMsgSetLikeAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s msgSet
	want := map[uint64]uint8{}
	hashes := []uint64{0, 1, 2, 3, 4, 1 << 63}
	for range 200_000 {
		hashes = append(hashes, rng.Uint64())
	}
	for i, h := range hashes {
		f := uint8(1 + i%3)
		s.set(h, f)
		want[msgKey(h)] = f
		if i%7 == 0 { // look up one seen before, and one never seen
			old := hashes[rng.IntN(i+1)]
			if got := s.get(old); got != want[msgKey(old)] {
				t.Fatalf("get(%x) = %d, want %d", old, got, want[msgKey(old)])
			}
		}
	}
	if s.len() != len(want) {
		t.Fatalf("len %d, want %d", s.len(), len(want))
	}
	for k, f := range want {
		if got := s.get(k); got != f {
			t.Fatalf("get(%x) = %d, want %d", k, got, f)
		}
	}
	if got := s.get(0xdeadbeef00000000); got != 0 && want[msgKey(0xdeadbeef00000000)] == 0 {
		t.Fatalf("a hash never set has flags %d", got)
	}
	s.reset()
	if s.len() != 0 || s.get(hashes[10]) != 0 {
		t.Fatalf("after reset: len %d", s.len())
	}
}

func BenchmarkMsgSet(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	hs := make([]uint64, 500_000)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	b.ReportAllocs()
	for b.Loop() {
		var s msgSet
		for _, h := range hs {
			if s.get(h) == 0 {
				s.set(h, 1)
			}
		}
	}
}

// hashSet holds what a map of the same hashes holds, the hash 0 too.
func TestHashSetLikeAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s hashSet
	want := map[uint64]bool{}
	for i := range 100_000 {
		h := rng.Uint64()
		switch i % 10 {
		case 0:
			h = 0
		case 1:
			h = uint64(i) // small values, many sharing their top bits
		case 2:
			h = uint64(i/2) << 40 // the same probe start for many
		}
		s.add(h)
		want[h] = true
		if s.len() != len(want) {
			t.Fatalf("after %d adds: len %d, want %d", i+1, s.len(), len(want))
		}
	}
	got := map[uint64]bool{}
	s.each(func(h uint64) {
		if got[h] {
			t.Fatalf("%x given twice", h)
		}
		got[h] = true
	})
	if len(got) != len(want) {
		t.Fatalf("each gave %d hashes, want %d", len(got), len(want))
	}
	for h := range want {
		if !got[h] {
			t.Fatalf("%x missing", h)
		}
	}
}

func BenchmarkHashSet(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	hs := make([]uint64, 100_000)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	b.Run("hashSet", func(b *testing.B) {
		for b.Loop() {
			var s hashSet
			for _, h := range hs {
				s.add(h)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := map[uint64]struct{}{}
			for _, h := range hs {
				m[h] = struct{}{}
			}
		}
	})
}

// A window remembers a message while fewer than gen others were stored
// since its last event, and forgets it two generations later.
func TestMsgWindow(t *testing.T) {
	w := msgWindow{gen: 100}
	w.set(1<<40, msgSeen)
	turns := 0
	for i := range uint64(99) { // 99 others: still in the current generation
		if w.set((i+2)<<40, msgSeen) {
			turns++
		}
	}
	if w.get(1<<40) != msgSeen || turns != 0 {
		t.Fatalf("after 99 others: flags %d, %d turns", w.get(1<<40), turns)
	}
	for i := range uint64(100) { // the next generation: in the previous one
		if w.set((i+200)<<40, msgSeen) {
			turns++
		}
	}
	if w.get(1<<40) != msgSeen || turns != 1 {
		t.Fatalf("after 199 others: flags %d, %d turns", w.get(1<<40), turns)
	}
	w.set(1<<40, msgSeen|msgDelivered) // seen again: in the current one, with its new flags
	for i := range uint64(99) {
		w.set((i+400)<<40, msgSeen)
	}
	if w.get(1<<40) != msgSeen|msgDelivered {
		t.Fatalf("seen again, then 99 others: flags %d", w.get(1<<40))
	}
	for i := range uint64(300) {
		w.set((i+600)<<40, msgSeen)
	}
	if w.get(1<<40) != 0 {
		t.Fatal("remembered after 300 others")
	}
	if w.cur.len() > 100 || w.old.len() > 100 {
		t.Fatalf("generations of %d and %d messages, at most 100", w.cur.len(), w.old.len())
	}
}

// lower finds every ASCII capital, wherever it is in the 8-byte words.
func TestLower(t *testing.T) {
	for _, s := range []string{"", "a", "A", "abcdefgh", "abcdefgH", "Abcdefgh", "abcdefghijklmnoP", "abcdefgh@[]`{~", "@@@@@@@@Z", "ééééA", "é@ZZZZZZZZ", "xÉxxxxxxxxxx", "0123456789:;<=>?@[\\]^_`{|}~\x7f"} {
		want := s
		for i := 0; i < len(s); i++ {
			if s[i] >= 'A' && s[i] <= 'Z' {
				want = strings.ToLower(s)
				break
			}
		}
		if got := lower(s); got != want {
			t.Errorf("lower(%q) = %q, want %q", s, got, want)
		}
	}
	for c := range 256 { // each byte value at each place of a word
		for at := range 9 {
			b := []byte("abcdefghi")
			b[at] = byte(c)
			s := string(b)
			wantUpper := c >= 'A' && c <= 'Z'
			if got := lower(s) != s; got != wantUpper {
				t.Fatalf("lower(%q) changed it: %v", s, got)
			}
		}
	}
}
