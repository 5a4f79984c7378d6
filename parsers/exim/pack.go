package exim

import (
	"strconv"

	"github.com/bouncescan/bouncescan"
)

// strpack gathers the varying strings of one event (recipients, relay
// IP, enhanced code, text, sender, event id) in one buffer, so that they
// cost one allocation together rather than one each: add each piece (a
// slice of the line), then fill the event, which converts the buffer to
// a string once and gives each field its part of it. The parts share
// that string's memory: what keeps one of them keeps the whole (a few
// hundred bytes at most; consumers copy what they keep, see aggregate).
// A deferral's text is not packed: the deferral memory may drop it to
// stay in its budget (parsekit.Deferrals), which frees nothing if the
// recipient it keeps shares the text's memory. The same technique as
// parsers/postfix's strpack.
type strpack struct {
	buf []byte
}

// span is a part of a strpack; ok is false for a part never added.
type span struct {
	from, to int
	ok       bool
}

// reset empties the pack for the next event (a buffer grown by one very
// long line is let go).
func (k *strpack) reset() {
	if cap(k.buf) > 16<<10 {
		k.buf = nil
	}
	k.buf = k.buf[:0]
}

// add appends b and returns its span.
func (k *strpack) add(b []byte) span {
	from := len(k.buf)
	k.buf = append(k.buf, b...)
	return span{from, len(k.buf), true}
}

// addID appends the event id parsekit.EventID gives for the file whose
// id prefix is prefix (see idPrefix), the line offset off and the event
// index idx.
func (k *strpack) addID(prefix []byte, off int64, idx int) span {
	from := len(k.buf)
	k.buf = append(k.buf, prefix...)
	k.buf = strconv.AppendInt(k.buf, off, 10)
	if idx > 0 {
		k.buf = append(k.buf, '-')
		k.buf = strconv.AppendInt(k.buf, int64(idx), 10)
	}
	return span{from, len(k.buf), true}
}

// idPrefix is the fixed part of the event ids of a file with fingerprint
// fp: its 16 hex digits and '-' (see parsekit.EventID).
func idPrefix(fp uint64) (b [17]byte) {
	const hexDigits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = hexDigits[fp&0xf]
		fp >>= 4
	}
	b[16] = '-'
	return b
}

// eventSpans are the parts of a pack that make the string fields of an
// event.
type eventSpans struct {
	qid, rcpt, orig, sender, ip, enh, text, id span
}

// fill sets the event fields of the spans that were added, from one
// string of the whole pack.
func (k *strpack) fill(e *bouncescan.Event, sp *eventSpans) {
	s := string(k.buf)
	set := func(dst *string, x span) {
		if x.ok {
			*dst = s[x.from:x.to]
		}
	}
	set(&e.QueueID, sp.qid)
	set(&e.Recipient, sp.rcpt)
	set(&e.OrigRecipient, sp.orig)
	set(&e.Sender, sp.sender)
	set(&e.RelayIP, sp.ip)
	set(&e.EnhancedCode, sp.enh)
	set(&e.Text, sp.text)
	set(&e.ID, sp.id)
}
