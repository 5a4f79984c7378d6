package exim

import (
	"bytes"
	"strings"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// arrival reads "<= sender [H=…] [U=…] P=proto S=size [id=message-id] …",
// the message's arrival, and remembers sender, size and Message-ID.
func (p *Parser) arrival(qid, rest, line []byte) error {
	sp := bytes.IndexByte(rest, ' ')
	sender := rest
	if sp >= 0 {
		sender = rest[:sp]
	}
	if len(sender) == 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "arrival without sender", line)
	}
	sender = parsekit.Unbracket(sender)
	m := p.msgs.Put(qid, p.lineTime)
	size, msgID, hasSize, hasMsgID := arrivalFields(rest)
	if hasSize {
		if n, ok := parsekit.Atoi(size); ok {
			m.size = int64(n)
		}
	}
	if hasMsgID {
		msgID = parsekit.Unbracket(msgID)
	}
	m.setStrings(qid, sender, msgID, hasMsgID)
	return nil
}

// arrivalFields returns the values of the first " S=" and the first
// " id=" in b (each up to the next space), as bytes.Index(b, " S=") and
// bytes.Index(b, " id=") find them, in one walk over the spaces of the
// line (two searches for a pattern that starts with a space stop at
// every space twice).
func arrivalFields(b []byte) (size, msgID []byte, hasSize, hasMsgID bool) {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], ' ')
		if j < 0 {
			break
		}
		i += j + 1
		w := b[i:]
		switch {
		case !hasSize && len(w) >= 2 && w[0] == 'S' && w[1] == '=':
			size, hasSize = word(w[2:]), true
		case !hasMsgID && len(w) >= 3 && w[0] == 'i' && w[1] == 'd' && w[2] == '=':
			msgID, hasMsgID = word(w[3:]), true
		default:
			continue
		}
		if hasSize && hasMsgID {
			break
		}
	}
	return size, msgID, hasSize, hasMsgID
}

// word is b up to its first space.
func word(b []byte) []byte {
	if j := bytes.IndexByte(b, ' '); j >= 0 {
		return b[:j]
	}
	return b
}

// setStrings sets what an arrival line tells of the message: its id (if
// not known yet), its sender, and its Message-ID (if hasMsgID). The
// strings that change share one allocation; those that stay are kept.
func (m *message) setStrings(qid, sender, msgID []byte, hasMsgID bool) {
	newID := m.id == ""
	newSender := !m.hasSender || m.sender != string(sender)
	newMsgID := hasMsgID && m.messageID != string(msgID)
	if !newID && !newSender && !newMsgID {
		return
	}
	var n int
	if newID {
		n += len(qid)
	}
	if newSender {
		n += len(sender)
	}
	if newMsgID {
		n += len(msgID)
	}
	var sb strings.Builder // one allocation: String does not copy
	sb.Grow(n)
	if newID {
		sb.Write(qid)
	}
	if newSender {
		sb.Write(sender)
	}
	if newMsgID {
		sb.Write(msgID)
	}
	s := sb.String()
	if newID {
		m.id, s = s[:len(qid)], s[len(qid):]
	}
	if newSender {
		m.sender, s = s[:len(sender)], s[len(sender):]
		m.hasSender = true
	}
	if newMsgID {
		m.messageID = s
	}
}

// delivery reads the lines of one recipient's delivery attempt:
//
//	ID => addr [<orig>] [F=<s>] R=router T=transport [H=host [ip]:port] [X=… CV=… DN="…"] [K] [C="250 …"] [QT=…]
//	ID -> addr …     another recipient delivered in the same transaction
//	ID *> addr …     delivery suppressed (-N, fakedefer tests): discarded
//	ID == addr [<orig>] R=… T=… defer (errno)[: strerror] [H=host [ip]]: message
//	ID ** addr [<orig>] [R=… T=… H=host [ip]]: message
//	ID ** addr: retry timeout exceeded
func (p *Parser) delivery(qid []byte, f0, f1 byte, rest, line []byte, emit func(*bouncescan.Event)) error {
	addr, orig, rest := addresses(rest)
	if len(addr) == 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "delivery line without address", line)
	}
	var f fields
	f.parse(rest)
	if f.rest != nil {
		f.text = bytes.TrimSpace(f.rest)
	}

	m := p.msgs.Get(qid, p.lineTime)
	e := p.start(qid, m)
	p.setRecipient(addr, orig)
	e.Process = p.strs.Get(f.transport)
	if len(f.transport) == 0 {
		// a router decided (":fail:", ":defer:", a forced defer or fail of
		// a filter, a redirection error): its name says which
		e.Process = p.strs.Get(f.router)
	}
	e.Relay = p.strs.Get(f.host)
	if len(f.ip) > 0 {
		// packed, not interned: relay IPs vary too much for the interner
		p.spans.RelayIP = p.pack.Add(f.ip)
	}
	e.RelayPort = f.port
	if len(f.from) > 0 {
		p.spans.Sender = p.pack.Add(parsekit.Unbracket(f.from))
	}
	if len(f.qt) > 0 {
		e.Delay = duration(f.qt)
	}
	switch {
	case f0 == '*' && f1 == '>':
		e.Status = bouncescan.StatusDiscarded
		p.setText(e, f.conf)
	case f1 == '>':
		e.Status = bouncescan.StatusSent
		if bytes.Equal(addr, []byte(":blackhole:")) {
			e.Status = bouncescan.StatusDiscarded
			e.Text = ":blackhole:"
			break
		}
		p.setReply(e, f.conf)
		if e.ReplyCode == 0 {
			e.ReplyCode = 250
		}
	case f0 == '=':
		e.Status = bouncescan.StatusDeferred
		// the deferral memory keeps the text and may drop it alone
		p.ownText = true
		p.diagnose(e, f.text, f.strerror, f.hasHost)
	default:
		e.Status = bouncescan.StatusBounced
		if isExpiry(f.text) {
			e.Status = bouncescan.StatusExpired
			p.setText(e, f.text)
		} else {
			p.diagnose(e, f.text, f.strerror, f.hasHost)
		}
	}

	p.finish(e)
	join(e, m)
	var pend *parsekit.Pending
	if m != nil {
		pend = &m.pending
	}
	switch e.Status {
	case bouncescan.StatusDeferred:
		if m == nil {
			m = p.msgs.Put(qid, p.lineTime)
			m.id = string(qid) // not the event's pack: the state outlives it
		}
		p.defs.Defer(&m.pending, e)
	case bouncescan.StatusExpired:
		if pd, ok := p.defs.Outcome(pend, e); ok {
			apply(&pd, e)
		}
	default:
		p.defs.Outcome(pend, e)
	}
	p.emit(e, emit)
	return nil
}

// addresses reads the address of a delivery line and the original
// address in <…> that may follow it; rest is what comes after. The
// address may end in ':' ("** a@b: retry timeout exceeded"): rest then
// starts with the ':'.
func addresses(b []byte) (addr, orig, rest []byte) {
	end := 0
	if len(b) > 0 && b[0] == '"' { // quoted local part with spaces
		if q := closingQuote(b); q > 0 {
			end = q + 1
		}
	}
	for end < len(b) && b[end] != ' ' {
		end++
	}
	addr, rest = b[:end], b[end:]
	if n := len(addr); n > 1 && addr[0] != ':' && addr[n-1] == ':' && (len(rest) == 0 || rest[0] == ' ') {
		return addr[:n-1], nil, b[n-1:]
	}
	if bytes.HasPrefix(rest, []byte(" <")) {
		j := bytes.IndexByte(rest, '>')
		if j > 0 {
			orig = rest[2:j]
			rest = rest[j+1:]
		}
	}
	return addr, orig, rest
}

// setRecipient decides the recipient fields. Exim writes the address it
// delivered to (lower-cased, after aliasing and routing) and, when that
// differs from the address as given, the original in <…>. As Postfix's
// to=/orig_to=: Recipient is the delivered address and OrigRecipient the
// original; but when the two differ only in case, or the first is no mail
// address (a local part, a file, a pipe, :blackhole:), Recipient is the
// original with its spelling kept and OrigRecipient stays empty.
// The fields go into the pack; finish sets them and Domain.
func (p *Parser) setRecipient(addr, orig []byte) {
	switch {
	case len(orig) == 0:
		p.spans.Recipient = p.pack.Add(addr)
	case !isMailAddr(addr) || bytes.EqualFold(addr, orig):
		p.spans.Recipient = p.pack.Add(orig)
	default:
		p.spans.Recipient = p.pack.Add(addr)
		p.spans.Orig = p.pack.Add(orig)
	}
}

func isMailAddr(a []byte) bool {
	return len(a) > 0 && a[0] != '/' && a[0] != '|' && a[0] != ':' && bytes.IndexByte(a, '@') > 0
}

// isExpiry reports whether the message of a "**" line says that Exim gave
// up after retrying for the retry rule's lifetime.
func isExpiry(t []byte) bool {
	return bytes.Contains(t, []byte("retry timeout exceeded")) ||
		bytes.Contains(t, []byte("retry time not reached for any host after a long failure period")) ||
		bytes.Contains(t, []byte("have been failing for a long time"))
}

// diagnose reads the message of a deferral or failure: the remote reply
// and the stage it answered, or the local reason.
func (p *Parser) diagnose(e *bouncescan.Event, text, strerror []byte, hasHost bool) {
	if i := bytes.Index(text, []byte("error from remote mail")); i >= 0 {
		if j := bytes.Index(text[i:], []byte(" after ")); j >= 0 {
			p.cmdReply(e, text[i+j+len(" after "):])
			return
		}
	}
	if i := bytes.Index(text, []byte("MTP error after ")); i >= 0 { // LMTP, SMTP (callouts)
		p.cmdReply(e, text[i+len("MTP error after "):])
		return
	}
	if reply, ok := ehloResponse(text); ok {
		// the reply that refused the session is the EHLO one Exim quotes
		p.setReply(e, reply)
		e.Stage = bouncescan.StageHelo
		return
	}
	p.setJoined(e, text, strerror)
	switch {
	case bytes.Contains(text, []byte(" in response to ")):
		// "Remote host closed connection in response to RCPT TO:<a>",
		// "Malformed SMTP reply (an empty line) in response to DATA"
		i := bytes.Index(text, []byte(" in response to "))
		e.Stage = stageOfCommand(text[i+len(" in response to "):])
	case bytes.Contains(text, []byte("timeout after ")):
		i := bytes.Index(text, []byte("timeout after "))
		e.Stage = stageOfCommand(text[i+len("timeout after "):])
	case bytes.HasPrefix(text, []byte("lost connection with ")) && bytes.Contains(text, []byte(" while ")):
		e.Stage = stageOfActivity(text[bytes.Index(text, []byte(" while "))+len(" while "):])
	case connectFailure(text) || len(text) == 0 && connectFailure(strerror):
		e.Stage = bouncescan.StageConnect
	case bytes.Contains(text, []byte("TLS")) && (bytes.Contains(text, []byte("handshake")) ||
		bytes.Contains(text, []byte("TLS session")) || bytes.Contains(text, []byte("STARTTLS")) ||
		bytes.Contains(text, []byte("negotiation")) || bytes.Contains(text, []byte("required"))):
		e.Stage = bouncescan.StageStartTLS
	case bytes.Contains(text, []byte("retry time not reached")), bytes.Contains(text, []byte("retry timeout")),
		bytes.Contains(text, []byte("have been failing")):
		// no attempt was made: no stage
	case !hasHost && !remoteWords(text):
		// routing or local delivery: "Unrouteable address", "Unknown
		// user", "mailbox is full", "message is too big", forced fail
		e.Stage = bouncescan.StageLocal
	}
}

// cmdReply reads "COMMAND: reply" (the part after "… error from remote
// mail server after "): the command gives the stage.
func (p *Parser) cmdReply(e *bouncescan.Event, b []byte) {
	cmd, reply := b, []byte(nil)
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], []byte(": "))
		if i < 0 {
			break
		}
		i += from
		r := b[i+2:]
		if len(r) >= 3 && r[0] >= '2' && r[0] <= '5' && r[1] >= '0' && r[1] <= '9' && r[2] >= '0' && r[2] <= '9' ||
			bytes.HasPrefix(r, []byte("host ")) {
			cmd, reply = b[:i], r
			break
		}
		from = i + 2
	}
	if reply == nil {
		if i := bytes.Index(b, []byte(": ")); i >= 0 {
			cmd, reply = b[:i], b[i+2:]
		}
	}
	e.Stage = stageOfCommand(cmd)
	if bytes.HasPrefix(reply, []byte("host ")) {
		// Exim before 4.80: "after RCPT TO:<a>: host mx [ip]: 550 …"
		if i := bytes.Index(reply, []byte("]: ")); i >= 0 {
			reply = reply[i+3:]
		}
	}
	p.setReply(e, reply)
}

// setJoined gives the event the text joinText makes, packed unless
// p.ownText (see setText).
func (p *Parser) setJoined(e *bouncescan.Event, text, strerror []byte) {
	switch {
	case p.ownText:
		e.Text = joinText(text, strerror)
	case len(strerror) == 0:
		p.setText(e, text)
	case len(text) == 0:
		p.setText(e, strerror)
	default:
		from := p.pack.Len()
		p.pack.Add(text)
		p.pack.Add([]byte(": "))
		p.pack.Add(strerror)
		p.spans.Text = p.pack.Since(from)
	}
}

// ehloResponse finds the EHLO reply Exim quotes when its fallback to HELO
// failed too: "Remote host closed connection in response to HELO name
// (EHLO response was: 421 mx You talk too soon)". The quoted reply is the
// server's answer; what happened to HELO afterwards (often only the
// connection closing) is not.
func ehloResponse(text []byte) ([]byte, bool) {
	const mark = "(EHLO response was: "
	i := bytes.Index(text, []byte(mark))
	if i < 0 {
		return nil, false
	}
	reply := bytes.TrimSuffix(bytes.TrimRight(text[i+len(mark):], " "), []byte(")"))
	if len(reply) < 3 || reply[0] < '2' || reply[0] > '5' || reply[1] < '0' || reply[1] > '9' || reply[2] < '0' || reply[2] > '9' {
		return nil, false
	}
	return reply, true
}

// joinText gives the event text of a message and the errno text Exim puts
// before the host ("defer (110): Connection timed out H=…: message").
func joinText(text, strerror []byte) string {
	switch {
	case len(strerror) == 0:
		return string(text)
	case len(text) == 0:
		return string(strerror)
	}
	return string(text) + ": " + string(strerror)
}

// remoteWords reports whether a message without a host still speaks of
// remote delivery (queued for a later SMTP run, DNS, network), which is no
// local failure.
func remoteWords(t []byte) bool {
	return bytes.Contains(t, []byte("SMTP")) || bytes.Contains(t, []byte("Network")) ||
		bytes.Contains(t, []byte("host lookup")) || bytes.Contains(t, []byte("MX")) ||
		bytes.Contains(t, []byte("queue")) || bytes.Contains(t, []byte("etry time")) ||
		bytes.Contains(t, []byte("domain name not found")) || bytes.Contains(t, []byte("DNS")) ||
		bytes.Contains(t, []byte("ame service"))
}

// connectFailure reports whether a message says the connection could not
// be made.
func connectFailure(t []byte) bool {
	return bytes.Contains(t, []byte("Connection refused")) || bytes.Contains(t, []byte("Connection timed out")) ||
		bytes.Contains(t, []byte("No route to host")) || bytes.Contains(t, []byte("Network is unreachable")) ||
		bytes.HasPrefix(t, []byte("connect to ")) || bytes.Contains(t, []byte("Host is unreachable"))
}

// stageOfCommand maps the command Exim names after "after" or "in
// response to": "RCPT TO:<a>", "pipelined MAIL FROM:<s> SIZE=n", "DATA",
// "end of data", "initial connection", "HELO name", "EHLO name",
// "STARTTLS", "AUTH …", "BDAT n LAST", "sending data block".
func stageOfCommand(c []byte) bouncescan.Stage {
	c = bytes.TrimPrefix(c, []byte("pipelined "))
	switch {
	case bytes.HasPrefix(c, []byte("RCPT")):
		return bouncescan.StageRcpt
	case bytes.HasPrefix(c, []byte("MAIL")):
		return bouncescan.StageMail
	case bytes.HasPrefix(c, []byte("end of data")), bytes.HasPrefix(c, []byte("sending data block")),
		bytes.HasPrefix(c, []byte("BDAT")) && bytes.Contains(c, []byte("LAST")):
		return bouncescan.StageEndOfData
	case bytes.HasPrefix(c, []byte("DATA")), bytes.HasPrefix(c, []byte("BDAT")):
		return bouncescan.StageData
	case bytes.HasPrefix(c, []byte("initial connection")), bytes.HasPrefix(c, []byte("connection")):
		return bouncescan.StageConnect
	case bytes.HasPrefix(c, []byte("EHLO")), bytes.HasPrefix(c, []byte("HELO")), bytes.HasPrefix(c, []byte("LHLO")):
		return bouncescan.StageHelo
	case bytes.HasPrefix(c, []byte("STARTTLS")), bytes.HasPrefix(c, []byte("TLS")):
		return bouncescan.StageStartTLS
	case bytes.HasPrefix(c, []byte("AUTH")):
		return bouncescan.StageAuth
	}
	return bouncescan.StageUnknown
}

// stageOfActivity maps the X of "lost connection with H while X".
func stageOfActivity(a []byte) bouncescan.Stage {
	switch {
	case bytes.Contains(a, []byte("greeting")):
		return bouncescan.StageConnect
	case bytes.Contains(a, []byte("EHLO")), bytes.Contains(a, []byte("HELO")):
		return bouncescan.StageHelo
	case bytes.Contains(a, []byte("STARTTLS")), bytes.Contains(a, []byte("TLS")):
		return bouncescan.StageStartTLS
	case bytes.Contains(a, []byte("MAIL FROM")):
		return bouncescan.StageMail
	case bytes.Contains(a, []byte("RCPT TO")):
		return bouncescan.StageRcpt
	case bytes.Contains(a, []byte("end of data")), bytes.Contains(a, []byte("message body")):
		return bouncescan.StageEndOfData
	case bytes.Contains(a, []byte("DATA")):
		return bouncescan.StageData
	}
	return bouncescan.StageUnknown
}

// apply copies the last deferral into an expiry event, as the Postfix
// parser does: stage, codes and the remote text of the reply that kept
// deferring.
func apply(pd *parsekit.Deferral, e *bouncescan.Event) {
	if e.Relay == "" && e.RelayIP == "" {
		e.Relay, e.RelayIP, e.RelayPort = pd.Relay, pd.RelayIP, pd.RelayPort
	}
	if e.Process == "" {
		e.Process = pd.Process
	}
	e.Stage, e.ReplyCode, e.EnhancedCode = pd.Stage, pd.Code, pd.Enhanced
	if pd.Text != "" {
		e.Text = pd.Text
	}
}
