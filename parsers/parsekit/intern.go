package parsekit

// Interner returns strings for byte slices that repeat a lot in a mail log
// (relay hosts and IPs, transports, process names, dsn codes), allocating
// only on a miss. It is a direct-mapped cache of 512 entries, so it stays
// bounded; slices longer than 64 bytes are not cached. The zero value is
// ready to use; it is not safe for concurrent use.
type Interner struct {
	slots [512]string
}

// Get returns string(b), reusing the cached copy when there is one.
func (in *Interner) Get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 64 {
		return string(b)
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	s := &in.slots[h%uint32(len(in.slots))]
	if *s != string(b) {
		*s = string(b)
	}
	return *s
}
