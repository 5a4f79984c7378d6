package exim

import (
	"encoding/binary"
	"hash/maphash"
)

// Exim writes each rejection to the mainlog and, with the same timestamp
// and text, to the rejectlog. A run that reads both (Debian's
// /var/log/exim4/ holds mainlog and rejectlog side by side) would count
// every rejection twice. The parser remembers the rejection lines it has
// emitted, by a 64-bit hash of the line, and drops a rejection whose line
// was already seen in another input file of the run. Whichever file comes
// first keeps the event; the same line twice in one file stays two events
// (two clients refused in the same second with the same words).

// seenLine is what the parser remembers of one rejection line.
type seenLine struct {
	file    uint64 // the input that had the line first (hash of its name)
	n       uint32 // how many times that input had it
	other   uint64 // the later input whose copies are being matched
	matched uint32 // copies of that later input matched so far
}

// rejectKey hashes what makes a rejection line the same in the mainlog and
// the rejectlog: its time, its syslog host (if any) and the text after the
// timestamp, [pid] included. The hash goes into p.keyBuf, so that looking
// it up allocates nothing.
func (p *Parser) rejectKey() []byte {
	h := &p.hash
	h.Reset()
	var b [9]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(p.lineTime.UnixNano()))
	b[8] = byte(len(p.lineHost))
	h.Write(b[:])
	h.Write(p.lineHost)
	h.Write(p.lineText)
	binary.LittleEndian.PutUint64(p.keyBuf[:], h.Sum64())
	return p.keyBuf[:]
}

// duplicate reports whether the current line is a rejection already
// emitted from another input file, and remembers it otherwise. It counts
// the duplicates it finds. A line without a time (message-only syslog)
// is never a duplicate: the same words at different times would collide.
func (p *Parser) duplicate() bool {
	if p.lineTime.IsZero() {
		return false
	}
	s := p.seen.Put(p.rejectKey(), p.lineTime)
	switch {
	case s.n == 0: // first sight
		s.file, s.n = p.fileKey, 1
		return false
	case s.file == p.fileKey: // again in the same file: another rejection
		s.n++
		return false
	}
	if s.other != p.fileKey {
		s.other, s.matched = p.fileKey, 0
	}
	if s.matched < s.n {
		s.matched++
		p.dups++
		return true
	}
	// more copies here than in the first file: these are rejections of
	// their own
	return false
}

// fileKey identifies an input by its name, so that lines of one file stay
// together even if the caller switches between files (as a follower of
// several files does).
func fileKey(seed maphash.Seed, name string) uint64 {
	return maphash.String(seed, name)
}
