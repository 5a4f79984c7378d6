package aggregate

// keyCache remembers, for the names a breakdown meets at every event
// (recipient domains, providers, reasons, MTAs: tens of them, a few of
// which recur event after event), what a map gave for them lately: 64
// slots, one chosen for a name by a multiplicative hash of its length and
// its first and last eight bytes (keySlot), each holding a name and its
// value. A name found there costs that hash and one string comparison
// instead of a map look-up, which hashes the whole name and probes
// (BenchmarkKeyCache). A nil value is no entry. The names stored must be
// the caller's own (not an event's, which is reused), and the value of a
// name must not change while it is stored.
type keyCache[T any] struct {
	names [keySlots]string
	vals  [keySlots]*T
}

const keySlots = 64

// keySlot picks the slot of a name.
func keySlot(name string) int {
	n := len(name)
	var first, last uint64
	if n >= 8 {
		first, last = load8(name, 0), load8(name, n-8)
	} else {
		for i := 0; i < n; i++ {
			first = first<<8 | uint64(name[i])
		}
		last = first
	}
	h := (first ^ last*0x9e3779b97f4a7c15 ^ uint64(n)) * 0xbf58476d1ce4e5b9
	return int(h >> 58) // 6 bits: keySlots
}

// load8 is the 8 bytes of s from i, little-endian.
func load8(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// get returns the value stored for name, or nil.
func (c *keyCache[T]) get(name string) *T {
	i := keySlot(name)
	if v := c.vals[i]; v != nil && c.names[i] == name {
		return v
	}
	return nil
}

// put stores v for name (a string of the caller's own).
func (c *keyCache[T]) put(name string, v *T) {
	i := keySlot(name)
	c.names[i], c.vals[i] = name, v
}
