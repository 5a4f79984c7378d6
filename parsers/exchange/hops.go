package exchange

import (
	"bytes"
	"time"

	"github.com/bouncescan/bouncescan"
)

// hopWait is how long (log time) a SEND inside the organisation waits for
// the outcome that continues it before it counts as the outcome itself.
// Exchange hands a message to the mailbox transport within seconds; an
// hour covers queues and servers whose logs are a little out of step.
const hopWait = time.Hour

// heldSend is a SEND row held until the message's next outcome for the
// same recipient shows whether it was a hand-off.
type heldSend struct {
	ev bouncescan.Event
}

// internalSend reports whether a SEND row hands the message on inside the
// organisation: through the implicit "Intra-Organization SMTP Send
// Connector" (between Exchange servers and, since Exchange 2013, from the
// Transport service to the Mailbox Transport Delivery service), or to
// the same host (loopback or the sending server's own address).
func internalSend(connector, clientIP, serverIP []byte) bool {
	if containsFold(connector, "intra-organization") {
		return true
	}
	if len(serverIP) == 0 {
		return false
	}
	return bytes.Equal(serverIP, clientIP) || bytes.HasPrefix(serverIP, []byte("127.")) || bytes.Equal(serverIP, []byte("::1"))
}

// containsFold reports whether b contains the lower-case ASCII s, in any case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		j := 0
		for ; j < len(s); j++ {
			c := b[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != s[j] {
				break
			}
		}
		if j == len(s) {
			return true
		}
	}
	return false
}

// key returns the hand-off key of a message and recipient: Message-ID and
// address, case folded (each Exchange server gives the message its own
// internal id; the Message-ID header is what they share).
func (p *Parser) key(messageID, rcpt string) []byte {
	k := p.hopKey[:0]
	for _, s := range [...]string{messageID, "\x00", rcpt} {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			k = append(k, c)
		}
	}
	p.hopKey = k
	return k
}

// hold keeps an internal SEND until its continuation shows up, or
// emits it at once as a hop when that was read already (the mailbox
// server's log read before the transport's). e has its id already.
func (p *Parser) hold(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	if e.MessageID == "" {
		emit(e) // nothing links it to a continuation
		return
	}
	k := p.key(e.MessageID, e.Recipient)
	if p.seenOut.Peek(k) != nil {
		e.Hop = true
		emit(e)
		return
	}
	if p.hops.Len() == 0 {
		p.hopsCheck = p.now
	}
	h := p.hops.Put(k, p.now)
	if h.ev.ID != "" {
		p.release(h, true, emit) // an earlier internal SEND of the same: this one continues it
	}
	h.ev = *e
}

// continued is called for each outcome other than an internal SEND
// (with a Message-ID): a
// SEND held for the same message and recipient was a hand-off and is
// emitted as a hop before it.
func (p *Parser) continued(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	if e.MessageID == "" {
		return
	}
	p.expireHops()
	k := p.key(e.MessageID, e.Recipient)
	if h := p.hops.Peek(k); h != nil {
		p.release(h, true, emit)
		p.hops.Delete(k)
		return
	}
	p.seenOut.Put(k, p.now)
}

// expireHops lets the held SENDs nothing continued within hopWait go out
// as the outcomes they are, at most once per hopWait of log time (the
// table drops expired entries when a new one is put: a key no message
// has is put and deleted).
func (p *Parser) expireHops() {
	if p.hops.Len() == 0 || p.now.Sub(p.hopsCheck) < hopWait {
		return
	}
	p.hopsCheck = p.now
	p.hops.Put([]byte("\x00expire"), p.now)
	p.hops.Delete([]byte("\x00expire"))
}

// release emits a held SEND: as a hop, or as the outcome it is.
func (p *Parser) release(h *heldSend, hop bool, emit func(*bouncescan.Event)) {
	if h.ev.ID == "" || emit == nil {
		return
	}
	e := h.ev
	e.Hop = hop
	h.ev = bouncescan.Event{}
	emit(&e)
}
