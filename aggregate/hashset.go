package aggregate

// hashSet is a set of 64-bit hashes: an open-addressing table of uint64
// with linear probing, kept at most 3/4 full (0 marks an empty slot; the
// hash 0 is kept apart). 8 bytes a slot, about 11 per hash, where a Go
// map[uint64]struct{} takes about 20, and an insert is a probe or two
// instead of a map assignment. Distinct counts exactly with it.
type hashSet struct {
	slots []uint64
	n     int
	zero  bool // the hash 0 is in the set
}

// add puts h in the set.
func (s *hashSet) add(h uint64) {
	if h == 0 {
		if !s.zero {
			s.zero = true
			s.n++
		}
		return
	}
	if (s.n+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := h >> 32 & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = h
			s.n++
			return
		case h:
			return
		}
	}
}

func (s *hashSet) grow() {
	old := s.slots
	size := 2 * len(old)
	if size == 0 {
		size = 8
	}
	s.slots = make([]uint64, size)
	mask := uint64(size - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h >> 32 & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = h
	}
}

// len is the number of hashes in the set.
func (s *hashSet) len() int { return s.n }

// each calls f with every hash, in no order.
func (s *hashSet) each(f func(uint64)) {
	if s.zero {
		f(0)
	}
	for _, h := range s.slots {
		if h != 0 {
			f(h)
		}
	}
}
