package exchange

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// trackStatus maps a message tracking event-id to the outcome it records.
// ok is false for events that are context only (RECEIVE, SUBMIT, EXPAND,
// RESOLVE, REDIRECT, TRANSFER, DSN, NOTIFYMAPI, AGENTINFO, HA*, …).
func trackStatus(ev []byte) (bouncescan.Status, bool) {
	switch string(ev) {
	case "SEND", "DELIVER", "SENDEXTERNAL":
		// SENDEXTERNAL: Exchange Online's "Send external" event
		return bouncescan.StatusSent, true
	case "FAIL":
		return bouncescan.StatusBounced, true
	case "DEFER":
		return bouncescan.StatusDeferred, true
	case "SUBMITDEFER", "RESUBMITDEFER":
		// the hand-over from the Mailbox Transport Submission service to
		// the Transport service, or a Safety Net resubmission, was deferred
		return bouncescan.StatusDeferred, true
	case "SUBMITFAIL", "RESUBMITFAIL", "MODERATORREJECT":
		// the submission or resubmission failed; a moderator rejected the
		// message (it is not delivered to the moderated recipient)
		return bouncescan.StatusBounced, true
	case "MODERATIONEXPIRE":
		// no moderator approved or rejected the message in time
		return bouncescan.StatusExpired, true
	case "DROP", "BADMAIL", "SUBMITDROP":
		// DROP: dropped without a DSN; BADMAIL: a pickup/replay message
		// that could neither be delivered nor returned
		return bouncescan.StatusDiscarded, true
	case "POISONMESSAGE":
		// put in (or taken out of) the poison message queue
		return bouncescan.StatusHeld, true
	}
	return bouncescan.StatusUnknown, false
}

// tracking reads one message tracking row.
func (p *Parser) tracking(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	evID := p.upperEventID(bytes.TrimSpace(l.get(f, colEventID)))
	if !isEventID(evID) {
		return p.unparsed("bad event-id", line)
	}
	key := l.get(f, colInternalID)
	if len(key) == 0 {
		key = l.get(f, colNetworkID)
	}
	p.trackingAt(emit)
	status, outcome := trackStatus(evID)
	// return-path is never empty but may be the null reverse-path "<>":
	// no sender, as the agent log's P1FromAddress and the other parsers
	sender := parsekit.Unbracket(bytes.TrimSpace(l.get(f, colSender)))
	if len(sender) == 0 {
		sender = parsekit.Unbracket(bytes.TrimSpace(l.get(f, colReturnPath)))
	}
	msgID := parsekit.Unbracket(bytes.TrimSpace(l.get(f, colMessageID)))
	size := atoi64(l.get(f, colBytes))
	if !outcome {
		// context: remember sender, message-id and size for the rows that
		// lack them (and for expiries)
		if len(key) > 0 && (len(sender) > 0 || len(msgID) > 0) {
			m := p.msgs.Put(key, p.now)
			if len(sender) > 0 && m.sender != string(sender) {
				m.sender = string(sender)
			}
			if len(msgID) > 0 && m.messageID != string(msgID) {
				m.messageID = string(msgID)
			}
			if size > 0 {
				m.size = size
			}
		}
		return nil
	}
	var m *message
	if len(key) > 0 {
		m = p.msgs.Get(key, p.now)
	}
	rcpts := l.get(f, colRecipient)
	if len(bytes.TrimSpace(rcpts)) == 0 {
		return p.unparsed("outcome without recipient-address", line)
	}
	if bytes.HasPrefix(bytes.TrimSpace(rcpts), []byte("System.")) {
		// Get-MessageTrackingLog | Export-Csv writes the type name of the
		// Recipients and RecipientStatus arrays
		return p.unparsed("Recipients exported as "+string(bytes.TrimSpace(rcpts))+
			": export them joined, Select-Object @{n='Recipients';e={$_.Recipients -join ';'}}, @{n='RecipientStatus';e={$_.RecipientStatus -join ';'}}", line)
	}
	p.rcpts = splitList(rcpts, p.rcpts[:0])
	p.stats = splitStatuses(l.get(f, colRecipientStatus), p.stats[:0])

	source := l.get(f, colSource)
	send := bytes.Equal(evID, []byte("SEND")) || bytes.Equal(evID, []byte("SENDEXTERNAL"))
	internal := send && internalSend(l.get(f, colConnector), l.get(f, colClientIP), l.get(f, colServerIP))
	host := l.get(f, colServerHost)
	if send {
		host = l.get(f, colClientHost)
	}
	var deferIP, deferMID, deferFrom string
	for i, r := range p.rcpts {
		var st []byte
		switch {
		case i < len(p.stats):
			st = p.stats[i]
		case len(p.stats) == 1:
			st = p.stats[0]
		}
		e := p.start()
		e.Host = p.str(0, host)
		e.Process = p.str(1, source)
		e.QueueID = string(key)
		e.Recipient = string(r)
		e.Status = status
		if len(msgID) > 0 {
			e.MessageID = string(msgID)
		}
		if len(sender) > 0 {
			e.Sender = string(sender)
		}
		e.Size = size
		if m != nil {
			if e.Sender == "" {
				e.Sender = m.sender
			}
			if e.MessageID == "" {
				e.MessageID = m.messageID
			}
			if e.Size == 0 {
				e.Size = m.size
			}
		}
		if send {
			e.Relay = string(l.get(f, colServerHost))
			e.RelayIP = string(l.get(f, colServerIP))
		}
		o := parseStatus(st)
		setOutcome(e, &o)
		if !send && e.RelayIP == "" && bytes.EqualFold(source, []byte("SMTP")) {
			// a FAIL or DEFER of the SMTP send component names the
			// destination server it tried (the last error's FQDN and IP
			// win when the status has them)
			if ip := bytes.TrimSpace(l.get(f, colServerIP)); len(ip) > 0 {
				e.RelayIP = string(ip)
				if e.Relay == "" {
					e.Relay = string(bytes.TrimSpace(l.get(f, colServerHost)))
				}
			}
		}
		switch status {
		case bouncescan.StatusSent:
			e.Stage = bouncescan.StageUnknown
			if e.ReplyCode == 0 && e.EnhancedCode == "" && e.Text == "" {
				e.ReplyCode = 250
			}
		case bouncescan.StatusDeferred:
			if m == nil && len(key) > 0 {
				m = p.msgs.Put(key, p.now)
			}
			if m != nil {
				p.defs.Defer(&m.pending, e)
			}
		case bouncescan.StatusBounced:
			if o.expired {
				e.Status = bouncescan.StatusExpired
			}
		}
		if status != bouncescan.StatusDeferred {
			var pend *parsekit.Pending
			if m != nil {
				pend = &m.pending
			}
			pd, ok := p.defs.Outcome(pend, e)
			if ok && e.Status == bouncescan.StatusExpired && len(o.fqdn) == 0 && !hasLED(st) {
				// no last error on the row: report the last deferral
				e.ReplyCode, e.EnhancedCode, e.Text, e.Stage = pd.Code, pd.Enhanced, pd.Text, pd.Stage
				if e.Relay == "" {
					e.Relay, e.RelayIP = pd.Relay, pd.RelayIP
				}
			}
		}
		if internal && e.Status == bouncescan.StatusSent {
			// a hand-off inside the organisation: one outcome with the
			// DELIVER (or FAIL, or SEND out) that continues it
			p.finish(e)
			p.hold(e, emit)
			continue
		}
		p.continued(e, emit)
		p.emit(e, emit)
		if i == 0 && status == bouncescan.StatusDeferred {
			deferIP, deferMID, deferFrom = e.RelayIP, e.MessageID, e.Sender
		}
	}
	if status == bouncescan.StatusDeferred && (len(source) == 0 || bytes.EqualFold(source, []byte("SMTP"))) {
		// a Send session that failed before RCPT TO may be waiting for
		// these recipients (join.go)
		if ip := l.get(f, colServerIP); len(ip) > 0 {
			deferIP = string(ip)
		}
		p.deferRow(deferIP, connName(l.get(f, colConnector)), p.rcpts, deferMID, deferFrom, emit)
	}
	return nil
}

// upperEventID returns an event-id in upper case without spaces (exports
// and cmdlet output may write "Deliver" or "Send external"; the logs
// write "DELIVER"), in p's buffer when it has to change.
func (p *Parser) upperEventID(b []byte) []byte {
	change := false
	for _, c := range b {
		if c >= 'a' && c <= 'z' || c == ' ' {
			change = true
			break
		}
	}
	if !change {
		return b
	}
	p.evBuf = p.evBuf[:0]
	for _, c := range b {
		switch {
		case c == ' ':
		case c >= 'a' && c <= 'z':
			p.evBuf = append(p.evBuf, c-'a'+'A')
		default:
			p.evBuf = append(p.evBuf, c)
		}
	}
	return p.evBuf
}

func hasLED(b []byte) bool { return bytes.Contains(b, []byte("{LED=")) }

// splitList splits a ';'-separated address list, dropping empty items and
// angle brackets.
func splitList(b []byte, dst [][]byte) [][]byte {
	for len(b) > 0 {
		i := bytes.IndexByte(b, ';')
		item := b
		if i >= 0 {
			item, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		item = parsekit.Unbracket(bytes.TrimSpace(item))
		if len(item) > 0 {
			dst = append(dst, item)
		}
	}
	return dst
}
