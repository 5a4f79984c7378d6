package aggregate

// msgSet remembers messages by a 64-bit hash of host and queue id, with
// three flag bits each (seen, delivered, deferred). It is an
// open-addressing table of uint64 (hash with the flags in its three low
// bits; 0 is an empty slot) with linear probing, kept at most 3/4 full:
// 8 bytes a slot, about 11 per message, where a Go map of uint64 to uint8
// takes about 50. Dropping the three low bits of the hash leaves 61: two
// of the 130 000 messages a report remembers at most share them with odds
// of about 1 in 270 million.
type msgSet struct {
	slots []uint64
	n     int
}

const msgFlags = 7 // the low bits that hold the flags

// get returns the flags of h (0 when not there).
func (s *msgSet) get(h uint64) uint8 {
	_, f := s.find(h)
	return f
}

// find returns the slot of h and its flags (-1 and 0 when not there).
func (s *msgSet) find(h uint64) (int, uint8) {
	if len(s.slots) == 0 {
		return -1, 0
	}
	key := msgKey(h)
	mask := uint64(len(s.slots) - 1)
	for i := key >> 32 & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			return -1, 0
		}
		if v&^msgFlags == key {
			return int(i), uint8(v & msgFlags)
		}
	}
}

// head is where a probe for key starts: the slot and what it holds (0
// and 0 in an empty table). Reading it apart from the probe lets a caller
// read the heads of several tables before it looks at any of them, so that
// their cache misses overlap (see lookupMessage).
func (s *msgSet) head(key uint64) (uint64, uint64) {
	if len(s.slots) == 0 {
		return 0, 0
	}
	i := key >> 32 & uint64(len(s.slots)-1)
	return i, s.slots[i]
}

// findFrom is find for key (msgKey's) from the slot i that holds v (head).
func (s *msgSet) findFrom(key, i, v uint64) (int, uint8) {
	mask := uint64(len(s.slots) - 1)
	for v != 0 {
		if v&^msgFlags == key {
			return int(i), uint8(v & msgFlags)
		}
		i = (i + 1) & mask
		v = s.slots[i]
	}
	return -1, 0
}

// set stores flags (not 0) for h.
func (s *msgSet) set(h uint64, flags uint8) { s.setMax(h, flags, -1) }

// setMax stores flags (not 0) for h, unless h is not there and the set
// holds max messages already (max < 0: no bound); it tells whether it
// stored them.
func (s *msgSet) setMax(h uint64, flags uint8, max int) bool {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	key := msgKey(h)
	mask := uint64(len(s.slots) - 1)
	for i := key >> 32 & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			if s.n == max {
				return false
			}
			s.slots[i] = key | uint64(flags)
			s.n++
			return true
		}
		if v&^msgFlags == key {
			s.slots[i] = key | uint64(flags)
			return true
		}
	}
}

// msgKey is the key bits of h; 0 marks an empty slot, so the hashes with
// no key bits share the key of 8 with it (1 in 2^61).
func msgKey(h uint64) uint64 {
	if key := h &^ msgFlags; key != 0 {
		return key
	}
	return msgFlags + 1
}

func (s *msgSet) grow() {
	old := s.slots
	size := 2 * len(old)
	if size == 0 {
		size = 1024
	}
	s.slots, s.n = make([]uint64, size), 0
	for _, v := range old {
		if v != 0 {
			s.set(v&^msgFlags, uint8(v&msgFlags))
		}
	}
}

// len is the number of messages held.
func (s *msgSet) len() int { return s.n }

// reset forgets every message, keeping the memory.
func (s *msgSet) reset() {
	clear(s.slots)
	s.n = 0
}

// msgWindow remembers the messages seen last, in two generations of at
// most gen messages each: a message goes into the current one (again) at
// each of its events; when the current one is full, the previous one is
// forgotten and the current one becomes the previous. So a message is
// remembered while fewer than gen other messages were stored since its
// last event (at least; up to 2·gen), and the memory stays that of two
// tables of gen messages: 2·gen·16 bytes for a gen of a power of two.
type msgWindow struct {
	cur, old msgSet
	gen      int
}

// get returns the flags of h (0 when not remembered).
func (w *msgWindow) get(h uint64) uint8 {
	f, _ := w.lookup(h)
	return f
}

// lookup returns the flags of h (0 when not remembered) and, when h is
// in the current generation, its slot there for update (else -1).
func (w *msgWindow) lookup(h uint64) (uint8, int) {
	if i, f := w.cur.find(h); i >= 0 {
		return f, i
	}
	return w.old.get(h), -1
}

// update stores new flags (not 0) for h, at the slot lookup gave for it,
// with no change to the window since.
func (w *msgWindow) update(at int, h uint64, flags uint8) {
	w.cur.slots[at] = msgKey(h) | uint64(flags)
}

// set stores flags (not 0) for h in the current generation; it tells
// whether that forgot the previous one.
func (w *msgWindow) set(h uint64, flags uint8) bool {
	if w.cur.setMax(h, flags, w.gen) {
		return false
	}
	w.cur, w.old = w.old, w.cur
	w.cur.reset()
	w.cur.set(h, flags)
	return true
}

// lookupMessage is recent.lookup(h) and, when recent does not remember h,
// deferred.get(h): the flags of h and its slot in recent's current
// generation (else -1). A message's first event finds it in none of the
// four tables, each of which may be beyond the processor's caches (512 KiB
// at the default Limits.Messages): the first slot of each is read before
// any is looked at, so that the four misses overlap
// (BenchmarkLookupMessage: about 110 -> 60 ns a first event, noisy).
func lookupMessage(recent, deferred *msgWindow, h uint64) (uint8, int) {
	key := msgKey(h)
	i1, v1 := recent.cur.head(key)
	i2, v2 := recent.old.head(key)
	i3, v3 := deferred.cur.head(key)
	i4, v4 := deferred.old.head(key)
	if at, f := recent.cur.findFrom(key, i1, v1); at >= 0 {
		return f, at
	}
	if _, f := recent.old.findFrom(key, i2, v2); f != 0 {
		return f, -1
	}
	if _, f := deferred.cur.findFrom(key, i3, v3); f != 0 {
		return f, -1
	}
	_, f := deferred.old.findFrom(key, i4, v4)
	return f, -1
}

// msgCounts counts, by message hash modulo msgCountsLen, the recipients
// a Report holds in pending: a bucket at 0 says that no message of the
// bucket has one. The first event of a message, which is not remembered
// (Volume.add says 0) and almost never has a recipient pending, then needs
// no look-up in pending: on the 1M-line benchmark log that was 112 000
// look-ups of a map (BenchmarkPendingFilter). A count that reaches 255
// stays there (a bucket that always says "may be"), so the buckets never
// wrap; 32 KiB of them hold a few thousand pending messages at once with
// few false "may be"s, and, unlike bits, they empty as recipients leave
// pending.
type msgCounts struct {
	c []uint8
}

const msgCountsLen = 1 << 15

// add counts one recipient of the message h.
func (m *msgCounts) add(h uint64) {
	if m.c == nil {
		m.c = make([]uint8, msgCountsLen)
	}
	if c := &m.c[h%msgCountsLen]; *c < 255 {
		*c++
	}
}

// remove uncounts one recipient of h (one that add counted).
func (m *msgCounts) remove(h uint64) {
	if c := &m.c[h%msgCountsLen]; *c > 0 && *c < 255 {
		*c--
	}
}

// may tells whether the message h may have a recipient counted (false:
// it has none).
func (m *msgCounts) may(h uint64) bool {
	return m.c != nil && m.c[h%msgCountsLen] != 0
}

// reset uncounts every recipient.
func (m *msgCounts) reset() { clear(m.c) }
