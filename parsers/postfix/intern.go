package postfix

// interner returns strings for byte slices that repeat a lot in a mail log
// (relay host and IP, dsn, process, host), allocating only on a miss: a
// direct-mapped cache of 512 entries, so it stays bounded.
type interner struct {
	slots [512]string
}

// get returns string(b), reusing a cached copy when it is one.
func (in *interner) get(b []byte) string {
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
	if *s == string(b) {
		return *s
	}
	*s = string(b)
	return *s
}
