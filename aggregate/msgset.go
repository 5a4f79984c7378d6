package aggregate

// msgSet remembers the messages a report has counted, by a 64-bit hash
// of host and queue id, with two flag bits each (seen, delivered). It is
// an open-addressing table of uint64 (hash with the flags in its two low
// bits; 0 is an empty slot) with linear probing, kept at most 3/4 full:
// 8 bytes a slot, about 11 per message, where a Go map of uint64 to uint8
// takes about 50. Dropping the two low bits of the hash leaves 62: two
// of 500 000 messages share them with odds of about 1 in 40 million.
type msgSet struct {
	slots []uint64
	n     int
}

const msgFlags = 3 // the low bits that hold the flags

// get returns the flags of h (0 when not there).
func (s *msgSet) get(h uint64) uint8 {
	if len(s.slots) == 0 {
		return 0
	}
	key := msgKey(h)
	mask := uint64(len(s.slots) - 1)
	for i := key >> 32 & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			return 0
		}
		if v&^msgFlags == key {
			return uint8(v & msgFlags)
		}
	}
}

// set stores flags (not 0) for h.
func (s *msgSet) set(h uint64, flags uint8) {
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	key := msgKey(h)
	mask := uint64(len(s.slots) - 1)
	for i := key >> 32 & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			s.slots[i] = key | uint64(flags)
			s.n++
			return
		}
		if v&^msgFlags == key {
			s.slots[i] = key | uint64(flags)
			return
		}
	}
}

// msgKey is the key bits of h; 0 marks an empty slot, so the hashes with
// no key bits share the key of 4 with it (1 in 2^62).
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
