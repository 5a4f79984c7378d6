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
// any is looked at, so the four misses cost about one
// (BenchmarkLookupMessage).
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

// msgBits says of a message hash whether it may have been added since
// the last clear: a bit per hash modulo msgBitsLen, 32 KiB. Report keeps
// the messages with a recipient in pending in one, so that the first
// event of a message, which is not remembered (Volume.add says 0) and
// almost never has a recipient pending, needs no look-up in pending: on
// the 1M-line benchmark log that was 112 000 look-ups of a map
// (BenchmarkPendingFilter).
type msgBits struct {
	bits []uint64
	n    int // bits set since the last clear (at most)
}

const msgBitsLen = 1 << 18

// add marks h.
func (m *msgBits) add(h uint64) {
	if m.bits == nil {
		m.bits = make([]uint64, msgBitsLen/64)
	}
	w, b := h%msgBitsLen/64, uint64(1)<<(h%64)
	if m.bits[w]&b == 0 {
		m.bits[w] |= b
		m.n++
	}
}

// may tells whether h may have been added (false: it was not).
func (m *msgBits) may(h uint64) bool {
	return m.bits != nil && m.bits[h%msgBitsLen/64]&(1<<(h%64)) != 0
}

// clearDense forgets every hash when more than 1 bit in 16 is set (call it
// only when none of those marked needs its mark): the bits then say "not
// there" for most hashes again, and clearing 32 KiB happens at most once
// a 16 384 hashes added.
func (m *msgBits) clearDense() {
	if m.n > msgBitsLen/16 {
		clear(m.bits)
		m.n = 0
	}
}
