package exchange

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// traceStatus maps the Status of a message trace row (Get-MessageTrace,
// the admin center's export) to an outcome. ok is false for rows that are
// not outcomes (Expanded: a distribution group was expanded; Resolved:
// redirected to another address; None).
func traceStatus(b []byte) (st bouncescan.Status, ok, known bool) {
	switch {
	case eqFold(b, "DELIVERED"):
		return bouncescan.StatusSent, true, true
	case eqFold(b, "FAILED"):
		return bouncescan.StatusBounced, true, true
	case eqFold(b, "PENDING"):
		// "delivery is underway or was deferred and is being retried"
		return bouncescan.StatusDeferred, true, true
	case eqFold(b, "GETTINGSTATUS"):
		return bouncescan.StatusPending, true, true
	case eqFold(b, "FILTEREDASSPAM"), eqFold(b, "QUARANTINED"):
		// refused by the receiving system's filters: a rejection
		return bouncescan.StatusRejected, true, true
	case eqFold(b, "EXPANDED"), eqFold(b, "RESOLVED"), eqFold(b, "NONE"), len(b) == 0:
		return bouncescan.StatusUnknown, false, true
	}
	return bouncescan.StatusUnknown, false, false
}

// traceEvent maps the Event of a Get-MessageTraceDetail row (and the event
// names of a summary report's recipient_status) to an outcome.
func traceEvent(b []byte) (st bouncescan.Status, ok bool) {
	b = bytes.TrimSpace(b)
	switch {
	case eqFold(b, "DELIVER"), eqFold(b, "SEND"), eqFold(b, "SEND EXTERNAL"), eqFold(b, "DELIVERED"):
		return bouncescan.StatusSent, true
	case eqFold(b, "FAIL"), eqFold(b, "FAILED"):
		return bouncescan.StatusBounced, true
	case eqFold(b, "DEFER"), eqFold(b, "DEFERRED"):
		return bouncescan.StatusDeferred, true
	case eqFold(b, "DROP"):
		return bouncescan.StatusDiscarded, true
	case eqFold(b, "QUARANTINE"), eqFold(b, "QUARANTINED"), eqFold(b, "SPAM"), eqFold(b, "FILTEREDASSPAM"):
		return bouncescan.StatusRejected, true
	}
	return bouncescan.StatusUnknown, false
}

// traceCommon fills what every message trace export row has.
func (p *Parser) traceCommon(l *layout, f [][]byte, st bouncescan.Status) *bouncescan.Event {
	e := p.start()
	e.Status = st
	e.Recipient = string(parsekit.Unbracket(bytes.TrimSpace(l.get(f, colRecipient))))
	e.Sender = string(parsekit.Unbracket(bytes.TrimSpace(l.get(f, colSender))))
	e.MessageID = string(parsekit.Unbracket(bytes.TrimSpace(l.get(f, colMessageID))))
	e.QueueID = string(l.get(f, colTraceID))
	if e.QueueID == "" {
		e.QueueID = string(l.get(f, colNetworkID))
	}
	e.Size = atoi64(l.get(f, colBytes))
	if ip := bytes.TrimSpace(l.get(f, colToIP)); len(ip) > 0 {
		e.RelayIP = string(ip)
	}
	return e
}

// detailText fills the reply fields from a Detail text, when it holds a
// status ("550 5.1.10 …", "[{LED=…};…]"); other text is kept as it is.
func detailText(e *bouncescan.Event, b []byte) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return
	}
	o := parseStatus(b)
	if o.code > 0 || o.enhanced != "" || o.dsn != "" {
		setOutcome(e, &o)
		return
	}
	e.Text = string(b)
}

// trace reads a Get-MessageTrace / admin center export row: one recipient
// with a delivery Status.
func (p *Parser) trace(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	st, ok, known := traceStatus(bytes.TrimSpace(l.get(f, colStatus)))
	if !known {
		return p.unparsed("unknown message trace Status", line)
	}
	if !ok {
		return nil
	}
	e := p.traceCommon(l, f, st)
	if e.Recipient == "" {
		return p.unparsed("message trace row without RecipientAddress", line)
	}
	detailText(e, l.get(f, colDetail))
	refusal(e, l.get(f, colStatus))
	if st == bouncescan.StatusBounced && expiredStatus(l.get(f, colDetail), e.DSN) {
		e.Status = bouncescan.StatusExpired
	}
	if st == bouncescan.StatusSent && e.ReplyCode == 0 && e.Text == "" {
		e.ReplyCode = 250
	}
	p.emit(e, emit)
	return nil
}

// refusal gives a message trace row that Exchange Online's filters
// refused (FilteredAsSpam, Quarantined and their detail events) the
// reason in words when the row has no text of its own: what Microsoft's
// documentation says the status means, the status name after it.
func refusal(e *bouncescan.Event, status []byte) {
	if e.Text != "" {
		return
	}
	status = bytes.TrimSpace(status)
	switch {
	case eqFold(status, "FILTEREDASSPAM"), eqFold(status, "SPAM"):
		e.Text = "message marked as spam by the receiving system (" + string(status) + ")"
	case eqFold(status, "QUARANTINED"), eqFold(status, "QUARANTINE"):
		e.Text = "message quarantined: rejected by policy of the receiving system (" + string(status) + ")"
	}
}

// detail reads a Get-MessageTraceDetail export row: one event of one
// recipient, with the Detail text.
func (p *Parser) detail(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	st, ok := traceEvent(l.get(f, colEvent))
	if !ok {
		return nil
	}
	// the usual export (Date, MessageId, MessageTraceId, Event, Action,
	// Detail, Data) has no RecipientAddress: the event has no recipient
	e := p.traceCommon(l, f, st)
	detailText(e, l.get(f, colDetail))
	refusal(e, l.get(f, colEvent))
	if st == bouncescan.StatusBounced && expiredStatus(l.get(f, colDetail), e.DSN) {
		e.Status = bouncescan.StatusExpired
	}
	if st == bouncescan.StatusSent {
		e.Stage = bouncescan.StageUnknown
		if e.ReplyCode == 0 && e.EnhancedCode == "" {
			e.ReplyCode = 250
		}
		if e.Relay == "" {
			if host, ip := sentTo(l.get(f, colDetail)); len(host) > 0 {
				e.Relay = string(host)
				if e.RelayIP == "" {
					e.RelayIP = string(ip)
				}
			}
		}
	}
	p.emit(e, emit)
	return nil
}

// sentTo reads the destination of a "Send external" detail: "Message
// sent to mx.example.com at 203.0.113.25 using TLS1.2 …" (the admin
// center writes the host and address in **bold**).
func sentTo(b []byte) (host, ip []byte) {
	_, rest, ok := bytes.Cut(b, []byte("sent to "))
	if !ok {
		return nil, nil
	}
	host, rest, _ = bytes.Cut(rest, []byte(" "))
	host = bytes.TrimRight(bytes.Trim(host, "*"), ".,")
	if r, ok := bytes.CutPrefix(rest, []byte("at ")); ok {
		ip, _, _ = bytes.Cut(r, []byte(" "))
		ip = bytes.TrimRight(bytes.Trim(ip, "*"), ".,")
	}
	if bytes.IndexByte(host, '.') < 0 {
		return nil, nil
	}
	return host, ip
}

// summary reads a row of the admin center's message trace summary report,
// whose recipient_status holds "addr##Receive, Deliver;addr2##Receive,
// Fail": the last event of each recipient is its outcome so far.
func (p *Parser) summary(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	rs := l.get(f, colRecipientStatus)
	if len(bytes.TrimSpace(rs)) == 0 {
		return p.unparsed("summary row without recipient_status", line)
	}
	for len(rs) > 0 {
		item := rs
		if i := bytes.IndexByte(rs, ';'); i >= 0 {
			item, rs = rs[:i], rs[i+1:]
		} else {
			rs = nil
		}
		addr, events, found := bytes.Cut(item, []byte("##"))
		addr = parsekit.Unbracket(bytes.TrimSpace(addr))
		if !found || len(addr) == 0 {
			continue
		}
		last := events
		if i := bytes.LastIndexByte(events, ','); i >= 0 {
			last = events[i+1:]
		}
		last = bytes.TrimSpace(last)
		st, ok := traceEvent(last)
		if !ok {
			if eqFold(last, "RECEIVE") || eqFold(last, "SUBMIT") {
				st, ok = bouncescan.StatusPending, true
			} else {
				continue
			}
		}
		e := p.traceCommon(l, f, st)
		e.Recipient = string(addr)
		if st == bouncescan.StatusSent {
			e.ReplyCode = 250
		}
		p.emit(e, emit)
	}
	return nil
}
