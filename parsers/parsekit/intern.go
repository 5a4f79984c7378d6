package parsekit

import (
	"encoding/binary"
	"math/bits"
)

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
	s := &in.slots[internHash(b)%uint32(len(in.slots))]
	if *s != string(b) {
		*s = string(b)
	}
	return *s
}

// internHash picks a slot from the length and the first and last eight
// bytes (a multiply-xorshift mix): a few operations, where a byte-by-byte
// hash cost about a nanosecond a byte. Slices that share all of these
// share a slot and take turns in it; Get compares the whole string, so a
// shared slot costs a copy, never a wrong string.
func internHash(b []byte) uint32 {
	n := len(b)
	var x uint64
	if n >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 31)
	} else {
		for i, c := range b {
			x |= uint64(c) << (8 * i)
		}
	}
	x ^= uint64(n) * 0x9e3779b97f4a7c15
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return uint32(x ^ x>>29)
}
