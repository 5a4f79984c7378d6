package aggregate

// hashSet is a set of 64-bit hashes: an open-addressing table of uint64
// with linear probing, kept at most 3/4 full (0 marks an empty slot; the
// hash 0 is kept apart). 8 bytes a slot, about 11 per hash, where a Go
// map[uint64]struct{} takes about 20, and an insert is a probe or two
// instead of a map assignment. Distinct counts exactly with it.
type hashSet struct {
	slots []uint64
	n     int  // hashes in slots (and zero), not counting queue
	zero  bool // the hash 0 is in the set
	queue []uint64
	touch uint64 // what flush read ahead (kept, so that the reads are not left out)
}

// queueLen is how many hashes addLater keeps before it puts them in.
const queueLen = 256

// lateFrom is the table size (slots) from which Distinct adds by addLater:
// 256 KiB, beyond what a processor's nearest caches keep of it among all
// else a scan touches.
const lateFrom = 1 << 15

// addLater puts h in the set, or in a queue of hashes to put in later, all
// at once (flush): a table of hundreds of thousands of slots (a report's
// distinct recipients) costs a cache miss a hash, and flush lets the
// misses of many hashes overlap. Alone (BenchmarkHashSet/addLater, where
// the table stays in the caches) it gains little; in a 1M-line scan,
// where parsing and classifying evict the table between events, perf
// counted 275 samples in hashSet.add before and 166 in add and flush
// after. It tells
// whether it put hashes in (n may have grown). len and each flush first,
// so the set holds what add would have made it hold.
func (s *hashSet) addLater(h uint64) bool {
	if s.queue == nil {
		s.queue = make([]uint64, 0, queueLen)
	}
	s.queue = append(s.queue, h)
	if len(s.queue) < queueLen {
		return false
	}
	s.flush()
	return true
}

// flush puts the queued hashes in: in runs of 16, whose first slots are
// read before any of them is put in, so that their misses overlap.
func (s *hashSet) flush() {
	q := s.queue
	s.queue = s.queue[:0]
	for len(q) > 0 {
		run := q[:min(16, len(q))]
		q = q[len(run):]
		if len(s.slots) > 0 {
			mask := uint64(len(s.slots) - 1)
			t := s.touch
			for _, h := range run {
				t += s.slots[h>>32&mask]
			}
			s.touch = t
		}
		for _, h := range run {
			s.add(h)
		}
	}
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
func (s *hashSet) len() int {
	if len(s.queue) > 0 {
		s.flush()
	}
	return s.n
}

// each calls f with every hash, in no order.
func (s *hashSet) each(f func(uint64)) {
	if len(s.queue) > 0 {
		s.flush()
	}
	if s.zero {
		f(0)
	}
	for _, h := range s.slots {
		if h != 0 {
			f(h)
		}
	}
}
