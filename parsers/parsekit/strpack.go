package parsekit

import (
	"strconv"

	"github.com/bouncescan/bouncescan"
)

// StrPack gathers the varying strings of one event in one buffer, so that
// they cost one allocation together rather than one each: Add each piece
// (a slice of the line), then Fill the event, which converts the buffer to
// a string once and gives each field its part of it. The parts share that
// string's memory: what keeps one of them keeps the whole (a few hundred
// bytes at most; consumers copy what they keep, see aggregate). A
// deferral's text is best not packed: the deferral memory may drop it to
// stay in its budget (Deferrals), which frees nothing while the recipient
// it keeps shares the text's memory. The Postfix and Exim parsers use it.
type StrPack struct {
	buf []byte
}

// Span is a part of a StrPack; the zero Span is a part never added.
type Span struct {
	from, to int
	ok       bool
}

// Reset empties the pack for the next event (a buffer grown by one very
// long line is let go).
func (k *StrPack) Reset() {
	if cap(k.buf) > 16<<10 {
		k.buf = nil
	}
	k.buf = k.buf[:0]
}

// Add appends b and returns its span.
func (k *StrPack) Add(b []byte) Span {
	from := len(k.buf)
	k.buf = append(k.buf, b...)
	return Span{from, len(k.buf), true}
}

// Len is the length of what the pack holds: with Since, a span of several
// pieces added one after another.
func (k *StrPack) Len() int { return len(k.buf) }

// Since is the span from offset from (an earlier Len) to the end.
func (k *StrPack) Since(from int) Span { return Span{from, len(k.buf), true} }

// AddID appends the event id EventID gives for the file whose id prefix
// is prefix (see IDPrefix), the line offset off and the event index idx.
func (k *StrPack) AddID(prefix []byte, off int64, idx int) Span {
	from := len(k.buf)
	k.buf = append(k.buf, prefix...)
	k.buf = strconv.AppendInt(k.buf, off, 10)
	if idx > 0 {
		k.buf = append(k.buf, '-')
		k.buf = strconv.AppendInt(k.buf, int64(idx), 10)
	}
	return Span{from, len(k.buf), true}
}

// IDPrefix is the fixed part of the event ids of a file with fingerprint
// fp: its 16 hex digits and '-' (see EventID).
func IDPrefix(fp uint64) (b [17]byte) {
	const hexDigits = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b[i] = hexDigits[fp&0xf]
		fp >>= 4
	}
	b[16] = '-'
	return b
}

// EventSpans are the parts of a pack that make the string fields of an
// event.
type EventSpans struct {
	QueueID, Recipient, Orig, Sender, RelayIP, Enhanced, Text, Next, ID Span
}

// Fill sets the event fields of the spans that were added, from one
// string of the whole pack; the fields of spans never added are left as
// they are.
func (k *StrPack) Fill(e *bouncescan.Event, sp *EventSpans) {
	s := string(k.buf)
	set := func(dst *string, x Span) {
		if x.ok {
			*dst = s[x.from:x.to]
		}
	}
	set(&e.QueueID, sp.QueueID)
	set(&e.Recipient, sp.Recipient)
	set(&e.OrigRecipient, sp.Orig)
	set(&e.Sender, sp.Sender)
	set(&e.RelayIP, sp.RelayIP)
	set(&e.EnhancedCode, sp.Enhanced)
	set(&e.Text, sp.Text)
	set(&e.NextQueueID, sp.Next)
	set(&e.ID, sp.ID)
}
