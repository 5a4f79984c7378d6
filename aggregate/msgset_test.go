package aggregate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
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
	// as a scan adds: one hash an event, each from an event that waited
	// for the one before (here: the hash depends on the set's size), into
	// a set as large as a report's distinct recipients get
	big := make([]uint64, 1<<20)
	for i := range big {
		big[i] = rng.Uint64()
	}
	b.Run("add", func(b *testing.B) {
		for b.Loop() {
			var s hashSet
			for i := range 100_000 {
				s.add(big[(i+s.n)&(len(big)-1)])
			}
		}
	})
	b.Run("addLater", func(b *testing.B) {
		for b.Loop() {
			var s hashSet
			for i := range 100_000 {
				if len(s.slots) < lateFrom {
					s.add(big[(i+s.n)&(len(big)-1)])
				} else {
					s.addLater(big[(i+s.n)&(len(big)-1)])
				}
			}
			_ = s.len()
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

// lookupMessage gives what recent.lookup, then deferred.get, give.
func TestLookupMessage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	recent, deferred := msgWindow{gen: 500}, msgWindow{gen: 200}
	var seen []uint64
	for i := range 5000 {
		h := rng.Uint64()
		if i%3 == 0 && len(seen) > 0 {
			h = seen[rng.IntN(len(seen))]
		}
		seen = append(seen, h)
		f, at := lookupMessage(&recent, &deferred, h)
		wf, wat := recent.lookup(h)
		if wf == 0 {
			wf = deferred.get(h)
		}
		if f != wf || at != wat {
			t.Fatalf("event %d: lookupMessage %d at %d, want %d at %d", i, f, at, wf, wat)
		}
		flags := uint8(msgSeen)
		if i%4 == 0 {
			flags |= msgDeferred
			deferred.set(h, flags)
		}
		recent.set(h, flags)
	}
}

// BenchmarkLookupMessage: a message's look-up in windows of the default
// size, full, for hashes mostly not there (a message's first event), as
// the four look-ups one after the other and as lookupMessage. Each hash
// depends on the flags found before, as in a scan, where an event's
// look-up does not overlap the next one's.
func BenchmarkLookupMessage(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	recent, deferred := msgWindow{gen: 32768}, msgWindow{gen: 32768}
	for range 3 * 32768 {
		h := rng.Uint64()
		recent.set(h, msgSeen|msgDeferred)
		deferred.set(h, msgSeen|msgDeferred)
	}
	hs := make([]uint64, 1<<16)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	var sink uint8
	b.Run("apart", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			h := hs[(i+int(sink))&(len(hs)-1)]
			f, _ := recent.lookup(h)
			if f == 0 {
				f = deferred.get(h)
			}
			sink += f
		}
	})
	b.Run("together", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			f, _ := lookupMessage(&recent, &deferred, hs[(i+int(sink))&(len(hs)-1)])
			sink += f
		}
	})
	if sink == 255 {
		b.Log(sink)
	}
}

// addLater, flushed by len and each, holds what add holds, through
// growth, for the hash 0 and for hashes sharing their first slot.
func TestHashSetAddLater(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var now, later hashSet
	for i := range 300_000 {
		h := rng.Uint64()
		switch i % 50 {
		case 0:
			h = 0
		case 1:
			h = uint64(i/2) << 40
		case 2:
			h = uint64(rng.IntN(1000)) // repeats
		}
		now.add(h)
		later.addLater(h)
		if i%77_777 == 0 && later.len() != now.len() {
			t.Fatalf("after %d: len %d, want %d", i, later.len(), now.len())
		}
	}
	got, want := map[uint64]bool{}, map[uint64]bool{}
	later.each(func(h uint64) { got[h] = true })
	now.each(func(h uint64) { want[h] = true })
	if later.len() != now.len() || len(got) != len(want) || len(got) != later.len() {
		t.Fatalf("len %d, %d hashes; want %d", later.len(), len(got), now.len())
	}
	for h := range want {
		if !got[h] {
			t.Fatalf("hash %x missing", h)
		}
	}
}

// A Distinct large enough to queue its hashes counts, turns to the
// sketch, merges and writes itself as one that never queued: exact at
// exactMax, a sketch beyond, however the last hashes are still queued.
func TestDistinctQueuedLikeAtOnce(t *testing.T) {
	for _, n := range []int{lateFrom / 2, 60_000, 60_001, 60_003, 70_000} {
		atOnce := newDistinct(60_000, 12)
		queued := newDistinct(60_000, 12)
		for i := range n {
			h := mix64(uint64(i%(n-5) + 1))
			atOnce.set.add(h)
			if atOnce.set.len() > atOnce.exactMax {
				atOnce.toSketch()
				for j := i + 1; j < n; j++ {
					atOnce.addReg(mix64(uint64(j%(n-5) + 1)))
				}
				break
			}
		}
		for i := range n {
			queued.addHash(mix64(uint64(i%(n-5) + 1)))
		}
		a, err := json.Marshal(atOnce)
		if err != nil {
			t.Fatal(err)
		}
		q, err := json.Marshal(queued) // a copy, settled apart
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, q) {
			t.Fatalf("%d hashes: JSON differs (%d and %d bytes)", n, len(a), len(q))
		}
		if queued.Count() != atOnce.Count() || queued.Exact() != atOnce.Exact() || queued.Exact() != (n-5 <= 60_000) {
			t.Fatalf("%d hashes: count %d exact %v, want %d %v", n, queued.Count(), queued.Exact(), atOnce.Count(), atOnce.Exact())
		}
		var m Distinct
		m.exactMax, m.p = 60_000, 12
		q2 := newDistinct(60_000, 12)
		for i := range n {
			q2.addHash(mix64(uint64(i%(n-5) + 1)))
		}
		m.Merge(&q2)
		if m.Count() != atOnce.Count() || m.Exact() != atOnce.Exact() {
			t.Fatalf("%d hashes merged: count %d exact %v, want %d %v", n, m.Count(), m.Exact(), atOnce.Count(), atOnce.Exact())
		}
	}
}

// A deferred recipient of a message the windows forgot (more deferred
// messages between than Limits.Messages) is still found at its final
// outcome, through pendMsgs, and pending empties and fills again.
func TestPendingOfForgottenMessage(t *testing.T) {
	r := New(Limits{Messages: 8})
	add := func(q, rcpt string, st bouncescan.Status, attempt int) {
		e := &bouncescan.Event{MTA: "postfix", Host: "mx", QueueID: q, Recipient: rcpt, Domain: "x.test", Status: st, Attempt: attempt}
		r.Add(e)
	}
	for round := range 3 {
		add("A", "a@x.test", bouncescan.StatusDeferred, 1)
		for i := range 100 { // deferred, then sent: the windows forget A, pending empties of them
			q := fmt.Sprintf("B%d-%d", round, i)
			add(q, "b@x.test", bouncescan.StatusDeferred, 1)
			add(q, "b@x.test", bouncescan.StatusSent, 2)
		}
		for i := range 50_000 { // new messages, none pending
			add(fmt.Sprintf("C%d-%d", round, i), "c@x.test", bouncescan.StatusSent, 1)
		}
		if r.recent.get(r.msgHash("mx", "A")) != 0 || len(r.pending) != 1 {
			t.Fatalf("round %d: A remembered (%d) or %d pending, want forgotten and 1", round, r.recent.get(r.msgHash("mx", "A")), len(r.pending))
		}
		add("A", "a@x.test", bouncescan.StatusSent, 2)
		if len(r.pending) != 0 {
			t.Fatalf("round %d: %d pending after A's delivery", round, len(r.pending))
		}
	}
	r.Finish()
	if p, after := r.Totals.Retry.Pending, r.Totals.Retry.AfterDeferrals; p != 0 || after != 303 {
		t.Errorf("pending %d, delivered after deferrals %d; want 0 and 303", p, after)
	}
}

// msgCounts says "none" only of messages with no recipient counted, and
// a bucket that reached 255 says "may be" for good.
func TestMsgCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var m msgCounts
	if m.may(42) {
		t.Fatal("an empty filter has 42")
	}
	want := map[uint64]int{} // recipients by bucket
	var hs []uint64
	for range 5000 {
		h := rng.Uint64()
		for range 1 + rng.IntN(3) {
			m.add(h)
			want[h%msgCountsLen]++
			hs = append(hs, h)
		}
	}
	rng.Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
	for _, h := range hs[:len(hs)/2] {
		m.remove(h)
		want[h%msgCountsLen]--
	}
	for _, h := range hs {
		if m.may(h) != (want[h%msgCountsLen] > 0) {
			t.Fatalf("%x: may %v, %d recipients in its bucket", h, m.may(h), want[h%msgCountsLen])
		}
	}
	for range 300 {
		m.add(7)
	}
	for range 300 {
		m.remove(7)
	}
	if !m.may(7) {
		t.Error("a bucket that reached 255 went back to none")
	}
	m.reset()
	for _, h := range hs {
		if m.may(h) {
			t.Fatalf("%x counted after reset", h)
		}
	}
}

// BenchmarkPendingFilter: a final outcome's look-up in pending for a
// message not remembered (its first event), 3000 recipients pending: the
// map alone, and msgCounts before it.
func BenchmarkPendingFilter(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	pending := map[uint64][]*Outcomes{}
	var counts msgCounts
	for range 3000 {
		h := rng.Uint64()
		pending[h*0x9e3779b97f4a7c15] = make([]*Outcomes, 3)
		counts.add(h)
	}
	hs := make([]uint64, 1<<16)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	found := 0
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			h := hs[(i+found)&(len(hs)-1)]
			if _, ok := pending[h*0x9e3779b97f4a7c15]; ok {
				found++
			}
		}
	})
	b.Run("counts", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			h := hs[(i+found)&(len(hs)-1)]
			if !counts.may(h) {
				continue
			}
			if _, ok := pending[h*0x9e3779b97f4a7c15]; ok {
				found++
			}
		}
	})
}

// topTable finds what it was given, also among names of one hash, and
// nothing else.
func TestTopTable(t *testing.T) {
	var tab topTable
	want := map[string]*Tally{}
	for i := range 5000 {
		name := fmt.Sprintf("u%d@x.test", i)
		h := hash64(name)
		if i%10 == 0 {
			h = 99 // many names of one hash
		}
		x := &Tally{Name: name}
		tab.put(x, h)
		want[name] = x
	}
	for name, x := range want {
		h := hash64(name)
		if tab.get(name, h) != x && tab.get(name, 99) != x {
			t.Fatalf("%s not found", name)
		}
	}
	if tab.get("nobody@x.test", hash64("nobody@x.test")) != nil || tab.get("nobody@x.test", 99) != nil || tab.n != 5000 {
		t.Fatalf("found a name never put, or n %d", tab.n)
	}
}

// BenchmarkTopTable: a look-up of one of 10 000 names (a full top list),
// each waiting for the one before: by a Go map of hashes, and by
// topTable.
func BenchmarkTopTable(b *testing.B) {
	var tab topTable
	m := map[uint64]*Tally{}
	var names []string
	for i := range 10_000 {
		name := fmt.Sprintf("sender%d@example.test", i)
		x := &Tally{Name: name}
		tab.put(x, hash64(name))
		m[hash64(name)] = x
		names = append(names, name)
	}
	hs := make([]uint64, len(names))
	for i, n := range names {
		hs[i] = hash64(n)
	}
	var k int64
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			j := (i*7919 + int(k&1)) % len(names)
			if x := m[hs[j]]; x != nil && x.Name == names[j] {
				x.Count++
				k += x.Count
			}
		}
	})
	b.Run("topTable", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			j := (i*7919 + int(k&1)) % len(names)
			if x := tab.get(names[j], hs[j]); x != nil {
				x.Count++
				k += x.Count
			}
		}
	})
}

// Rejects.client gives the string the concatenation gave, for clients
// seen before and new ones, with and without a name, beyond the limit.
func TestRejectsClient(t *testing.T) {
	r := New(Limits{Top: 3})
	var j Rejects
	cases := [][2]string{{"mx.example", "192.0.2.1"}, {"", "192.0.2.2"}, {" \u2003spaced", "::1"}, {"unknown", "192.0.2.9"}, {"mx.example", "192.0.2.1"}, {"\t", "x"}}
	for range 2 {
		for _, c := range cases {
			want := strings.TrimSpace(c[0] + " [" + c[1] + "]")
			if got := j.client(r, c[0], c[1]); got != want {
				t.Errorf("client(%q, %q) = %q, want %q", c[0], c[1], got, want)
			}
		}
	}
	if len(j.clients) != 3 {
		t.Errorf("%d clients kept, want the limit, 3", len(j.clients))
	}
	allocs := testing.AllocsPerRun(100, func() { j.client(r, "mx.example", "192.0.2.1") })
	if allocs != 0 {
		t.Errorf("a client seen before cost %v allocations", allocs)
	}
}

// keyCache gives a stored value for its name only, the empty name too,
// and forgets a name whose slot another took.
func TestKeyCache(t *testing.T) {
	var c keyCache[int]
	vals := map[string]*int{}
	names := []string{"", "gmail.com", "yahoo.com", "outlook.com", "x", "gmail.co", "customer-a.example", "mail.ru"}
	for i, n := range names {
		v := i
		vals[n] = &v
	}
	for _, n := range names {
		if c.get(n) != nil {
			t.Fatalf("%q found before put", n)
		}
		c.put(n, vals[n])
	}
	for _, n := range names {
		got := c.get(n)
		if got != nil && got != vals[n] {
			t.Fatalf("%q gave the value of another name", n)
		}
		if got == nil && c.names[keySlot(n)] == n {
			t.Fatalf("%q stored, not found", n)
		}
	}
	if c.get("hotmail.com") != nil && c.names[keySlot("hotmail.com")] != "hotmail.com" {
		t.Fatal("a name never put was found")
	}
}

// BenchmarkKeyCache: the row of one of the 21 recipient domains of the
// 1M-line log, the first ones more often, by the map, and by keyCache
// before it.
func BenchmarkKeyCache(b *testing.B) {
	m := map[string]*Row{}
	var doms []string
	for i, d := range []string{"gmail.com", "ourhost.example", "lists.ourhost.example", "customer-a.example", "outlook.com", "yahoo.com", "corp-mail.net", "example.org", "hotmail.com", "icloud.com", "gmx.de", "contoso-corp.com", "shop-news.de", "smallbiz.co.uk", "yandex.ru", "uni-example.edu", "web.de", "mail.ru", "googlemail.com", "aol.com", "cheap-deals.example"} {
		m[d] = &Row{Key: []string{d}}
		for range 21 / (i + 1) { // the first ones more often, as in a log
			doms = append(doms, strings.Clone(d))
		}
	}
	var c keyCache[Row]
	var k int
	b.Run("map", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			k += len(m[doms[(i*7+k&1)%len(doms)]].Key)
		}
	})
	b.Run("keyCache", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			d := doms[(i*7+k&1)%len(doms)]
			row := c.get(d)
			if row == nil {
				row = m[d]
				c.put(row.Key[0], row)
			}
			k += len(row.Key)
		}
	})
}
