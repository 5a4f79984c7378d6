package source

import "bytes"

// The identity of a log is a 64-bit FNV-1a hash of its beginning: every
// leading header line (a line that starts with '#', as the W3C/IIS-style
// headers of Exchange logs do, or a blank line), then the first other line
// (the first data line), each cut to its first IdentityLineBytes bytes and
// followed by "\n". It is known once the first data line is complete, and
// from then on it never changes however much the file grows; renaming,
// copying or compressing the file keeps it (it is computed on the
// uncompressed bytes); two logs whose first data lines differ — which, for
// syslog, holds a time stamp, a host and a pid — never share it, even
// when they begin with the same header block. An event id is this
// identity, the byte offset of the line and the index of the event within
// the line (parsekit.EventID).

// IdentityLineBytes is how much of each line counts for the identity.
const IdentityLineBytes = 4096

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// IdentityHash computes the identity of a log from its first lines, fed
// in order to Add. It allocates nothing.
type IdentityHash struct {
	h     uint64
	lines int
	done  bool
}

// Add feeds the next line (without its terminator) and reports whether the
// identity is now complete (the line was the first data line). Lines
// after that are ignored.
func (h *IdentityHash) Add(line []byte) bool {
	if h.done {
		return true
	}
	if h.lines == 0 {
		h.h = fnvOffset64
	}
	h.lines++
	if len(line) > IdentityLineBytes {
		line = line[:IdentityLineBytes]
	}
	for _, c := range line {
		h.h ^= uint64(c)
		h.h *= fnvPrime64
	}
	h.h ^= '\n'
	h.h *= fnvPrime64
	if !isHeaderLine(line) {
		h.done = true
	}
	return h.done
}

// Done reports whether the first data line has been seen.
func (h *IdentityHash) Done() bool { return h.done }

// Sum is the identity (of what was fed so far when not Done: a file that
// holds only header lines, or nothing, whose identity is not final). An
// empty input has identity 0.
func (h *IdentityHash) Sum() uint64 {
	if h.lines == 0 {
		return 0
	}
	return h.h
}

// Identity computes the identity of the lines given (the beginning of a
// log); ok is false when they hold no data line yet.
func Identity(lines [][]byte) (id uint64, ok bool) {
	var h IdentityHash
	for _, l := range lines {
		if h.Add(l) {
			break
		}
	}
	return h.Sum(), h.Done()
}

// isHeaderLine reports whether a line belongs to a header block: a
// '#' directive line or a blank one.
func isHeaderLine(line []byte) bool {
	for _, c := range line {
		switch c {
		case ' ', '\t', '\r':
			continue
		case '#':
			return true
		}
		return false
	}
	return true
}

// SamePrefix reports whether inputs a and b hold the same lines before
// uncompressed offset n (both read as Open reads them, compressed or
// not): whether b is a copy of what was read of a. Standard input cannot
// be read twice: it is never the same.
func SamePrefix(a, b Input, n int64, opts Options) (bool, error) {
	if a.Stdin || b.Stdin {
		return false, nil
	}
	ra, err := Open(a, opts)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	rb, err := Open(b, opts)
	if err != nil {
		return false, err
	}
	defer rb.Close()
	for covered := int64(0); covered < n; covered = ra.NextOffset() {
		oka, okb := ra.Next(), rb.Next()
		if !oka || !okb {
			if err := ra.Err(); err != nil {
				return false, err
			}
			return false, rb.Err() // one of them ends before n
		}
		if rb.Pos().Offset != ra.Pos().Offset || ra.NextOffset() != rb.NextOffset() || !bytes.Equal(ra.Line(), rb.Line()) {
			return false, nil
		}
	}
	return true, nil
}
