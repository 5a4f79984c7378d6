package postfix

import (
	"bytes"
	"strconv"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// delivery reads "to=<a>, [orig_to=<b>,] relay=…, delay=…, delays=…,
// dsn=…, status=word (detail)" written by a delivery agent (or qmgr).
//
// The event's strings that vary from line to line (queue id, recipients,
// relay IP, enhanced code, text, next queue id, event id) are gathered in
// p.pack and cost one allocation together (see parsekit.StrPack); a deferral's text
// gets one of its own, so that the deferral memory frees it when its
// budget strips texts (parsekit.Deferrals).
func (p *Parser) delivery(service string, qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	rcpt := addrAt(rest[3:])
	if rcpt == nil {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "to= without closing >", line)
	}
	f, ok := scanFields(rest[len("to=<")+len(rcpt)+1:])
	if !ok {
		f, ok = searchFields(rest)
	}
	if !ok {
		// every to= line of a delivery agent carries a status: one
		// without is cut or of a layout we do not know, never ignored
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "delivery line without status=", line)
	}
	word, detail := splitStatus(f.status)
	status, ok := statusOf(word)
	if !ok {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "unknown status word", line)
	}

	e := p.begin()
	k := &p.pack
	k.Reset()
	var sp parsekit.EventSpans
	if len(qid) > 0 && !bytes.Equal(qid, []byte("NOQUEUE")) {
		sp.QueueID = k.Add(qid)
	}
	sp.Recipient = k.Add(rcpt)
	if f.origTo != nil {
		sp.Orig = k.Add(parsekit.Unbracket(f.origTo))
	}
	var ip []byte
	if f.relay != nil && !bytes.Equal(f.relay, []byte("none")) {
		ip = p.setRelay(e, f.relay)
		sp.RelayIP = k.Add(ip)
	}
	if f.delay != nil {
		e.Delay = parseDelay(f.delay)
	}
	if f.dsn != nil {
		e.DSN = p.strs.Get(f.dsn)
	}
	e.Status = status
	var d detailParts
	p.detail(e, &d, service, detail, ip)
	if e.Relay == "" {
		// relay=none: the host that could not be reached is in the text
		// ("connect to mx.example.com[192.0.2.1]:25: Connection timed out")
		if rest, ok := bytes.CutPrefix(detail, []byte("connect to ")); ok {
			if i := bytes.Index(rest, []byte(": ")); i > 0 {
				if ip := p.setRelay(e, rest[:i]); len(ip) > 0 {
					sp.RelayIP = k.Add(ip)
				}
			}
		}
	}
	if !d.joined {
		sp.Enhanced = k.Add(d.enh)
		if status == bouncescan.StatusDeferred {
			e.Text = string(d.text)
		} else {
			sp.Text = k.Add(d.text)
		}
	}
	if d.next != nil {
		sp.Next = k.Add(d.next)
	}
	sp.ID = k.AddID(p.idPrefix[:], p.linePos.Offset, p.emitIdx)
	k.Fill(e, &sp)
	e.Domain = parsekit.Domain(e.Recipient)

	var m *message
	if len(qid) > 0 {
		m = p.msgs.Get(qid, p.lineTime)
	}
	join(e, m)
	var pend *parsekit.Pending
	if m != nil {
		pend = &m.pending
	}
	switch status {
	case bouncescan.StatusDeferred:
		if m == nil {
			m = p.msgs.Put(qid, p.lineTime)
		}
		p.defs.Defer(&m.pending, e)
	case bouncescan.StatusExpired:
		// per-recipient expiry (older Postfix): carry the last deferral
		if pd, ok := p.defs.Outcome(pend, e); ok && e.ReplyCode == 0 && e.EnhancedCode == "" {
			apply(&pd, e)
		}
	default:
		p.defs.Outcome(pend, e)
	}
	p.emit(e, emit)
	return nil
}

// splitStatus splits "word (detail)" into the status word and the
// detail without its parentheses, trimmed.
func splitStatus(st []byte) (word, detail []byte) {
	sp := bytes.IndexByte(st, ' ')
	if sp < 0 {
		return st, nil
	}
	word = st[:sp]
	detail = bytes.TrimSpace(st[sp+1:])
	if len(detail) >= 2 && detail[0] == '(' && detail[len(detail)-1] == ')' {
		// pipe and local command output often ends in a space: "… exceeded )"
		detail = bytes.TrimSpace(detail[1 : len(detail)-1])
	}
	return word, detail
}

// statusOf maps a status word: the probe words (see isProbe), the three
// words of nearly every line by a switch, the others by
// bouncescan.ParseStatus.
func statusOf(word []byte) (bouncescan.Status, bool) {
	switch string(word) {
	case "sent":
		return bouncescan.StatusSent, true
	case "deferred":
		return bouncescan.StatusDeferred, true
	case "bounced":
		return bouncescan.StatusBounced, true
	case "SOFTBOUNCE":
		// soft_bounce = yes: what would have bounced stays in the queue
		// (Postfix turns its DSN into a 4.x.x one); the remote reply keeps
		// its own code
		return bouncescan.StatusDeferred, true
	}
	if isProbe(word) {
		return bouncescan.StatusProbe, true
	}
	return bouncescan.ParseStatus(string(word))
}

// deliveryFields are the fields of a delivery line that bouncescan reads;
// nil when absent.
type deliveryFields struct {
	origTo, relay, delay, dsn []byte
	status                    []byte // the status word and its detail: the rest of the line
}

// scanFields reads ", key=value" fields in one pass, as Postfix writes
// them after "to=<…>", up to ", status=", whose detail is the rest of the
// line (it may hold anything, ", status=" too). ok is false when the
// fields are not of that shape (a value with ", " in it, a cut line):
// searchFields then looks for each one. Each byte of a key is looked at
// once, and a value's end is found by commaSpace.
func scanFields(b []byte) (f deliveryFields, ok bool) {
	for len(b) > 2 && b[0] == ',' && b[1] == ' ' {
		b = b[2:]
		// the key: letters and '_' up to the first '=' (a key with any
		// other byte before its '=' is not a field name)
		eq := 0
		for eq < len(b) && (b[eq]-'a' < 26 || b[eq] == '_') {
			eq++
		}
		if eq == 0 || eq == len(b) || b[eq] != '=' {
			return f, false
		}
		key, val := b[:eq], b[eq+1:]
		if string(key) == "status" {
			f.status = val
			return f, true
		}
		from := 0
		if len(val) > 0 && val[0] == '<' {
			// an address: it ends at its '>' (it may hold ", ")
			if from = bytes.IndexByte(val, '>'); from < 0 {
				return f, false
			}
		}
		end := commaSpace(val[from:])
		if end < 0 {
			return f, false
		}
		end += from
		switch string(key) {
		case "orig_to":
			f.origTo = val[:end]
		case "relay":
			f.relay = val[:end]
		case "delay":
			f.delay = val[:end]
		case "dsn":
			f.dsn = val[:end]
		}
		b = val[end:]
	}
	return f, false
}

// commaSpace is bytes.Index(b, []byte(", ")) for the short values of a
// delivery line, where the first ',' is nearly always the one: a byte
// search and one comparison, without bytes.Index's set-up.
func commaSpace(b []byte) int {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], ',')
		if i < 0 {
			return -1
		}
		i += off
		if i+1 < len(b) && b[i+1] == ' ' {
			return i
		}
		off = i + 1
	}
}

// searchFields finds the fields anywhere in a delivery line (the status
// at its last ", status="): slower than scanFields, for the lines it
// cannot read.
func searchFields(rest []byte) (f deliveryFields, ok bool) {
	si := bytes.LastIndex(rest, []byte(", status="))
	if si < 0 {
		return f, false
	}
	fields := rest[:si]
	f.status = rest[si+len(", status="):]
	f.origTo, _ = parsekit.Field(fields, "orig_to")
	f.relay, _ = parsekit.Field(fields, "relay")
	f.delay, _ = parsekit.Field(fields, "delay")
	f.dsn, _ = parsekit.Field(fields, "dsn")
	return f, true
}

// parseDelay reads Postfix's delay= (seconds: "0.5", "12", "1234.56")
// without a conversion to string. The digits, as one integer below 2^53,
// divided by an exact power of ten is the correctly rounded value, the
// same float64 strconv.ParseFloat gives; other forms go to strconv.
func parseDelay(b []byte) float64 {
	var m uint64
	digits, point := 0, -1
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
		case c == '.' && point < 0:
			point = i
		default:
			digits = 99
		}
	}
	if digits == 0 || digits > 15 {
		v, _ := strconv.ParseFloat(string(b), 64)
		return v
	}
	if point < 0 {
		return float64(m)
	}
	// the powers of ten a float64 holds exactly, as far as 15 digits need
	pow10 := [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}
	return float64(m) / pow10[len(b)-point-1]
}

// detailParts are what detail finds in the text of a delivery line
// besides the event fields it sets: slices of the line, for the caller to
// copy into the event's strings (see parsekit.StrPack).
type detailParts struct {
	enh, text []byte // the enhanced code and text (unless joined)
	next      []byte // the next queue id of a hand-off (Event.NextQueueID)
	// joined: the reply had several lines, joined by parsekit.ParseReply,
	// which set the event's EnhancedCode and Text itself
	joined bool
}

// detail reads the parenthesised text of a delivery line; ip is the
// relay's IP address from relay= (nil if none).
func (p *Parser) detail(e *bouncescan.Event, out *detailParts, service string, d, ip []byte) {
	if service == "local" || service == "virtual" || service == "pipe" && !bytes.HasPrefix(d, []byte("host ")) {
		e.Stage = bouncescan.StageLocal
	}
	switch {
	case bytes.HasPrefix(d, []byte("host ")):
		// "host H[ip] said: REPLY (in reply to X command)"
		// "host H[ip] refused to talk to me: REPLY"
		if i := bytes.Index(d, []byte(" said: ")); i > 0 && bytes.IndexByte(d[:i], ' ') == 4 {
			body := d[i+len(" said: "):]
			// the two may overlap in "… (in reply to command)": require order
			if j := lastIndex(body, " (in reply to "); j >= 0 && bytes.HasSuffix(body, []byte(" command)")) &&
				j+len(" (in reply to ") <= len(body)-len(" command)") {
				e.Stage = stageOfCommand(body[j+len(" (in reply to ") : len(body)-len(" command)")])
				body = body[:j]
			}
			setReply(e, out, body)
			return
		}
		if i := bytes.Index(d, []byte(" refused to talk to me: ")); i > 0 {
			setReply(e, out, d[i+len(" refused to talk to me: "):])
			e.Stage = greetingOrHelo(e)
			return
		}
	case bytes.HasPrefix(d, []byte("lost connection with ")), bytes.HasPrefix(d, []byte("conversation with ")):
		if i := bytes.Index(d, []byte(" while ")); i > 0 {
			e.Stage = stageOfActivity(d[i+len(" while "):])
		}
	case bytes.HasPrefix(d, []byte("connect to ")):
		e.Stage = bouncescan.StageConnect
	case bytes.Contains(d, []byte("TLS")) && (bytes.Contains(d, []byte("TLS is required")) || bytes.HasPrefix(d, []byte("Cannot start TLS"))):
		e.Stage = bouncescan.StageStartTLS
	}
	if e.Status == bouncescan.StatusProbe {
		// "deliverable (250 2.1.5 Ok)", "undeliverable (unknown user: "x")",
		// "deliverable (delivers to mailbox)": the probe's answer
		setReply(e, out, d)
		if e.Stage == bouncescan.StageUnknown {
			e.Stage = bouncescan.StageRcpt // the answer to RCPT TO
		}
		return
	}
	if e.Status == bouncescan.StatusSent {
		// local: "delivered to mailbox"; smtp: "250 2.0.0 Ok: queued as X"
		setReply(e, out, d)
		if e.ReplyCode == 0 {
			e.ReplyCode = 250
		}
		e.Stage = bouncescan.StageUnknown
		if i := lastIndex(d, "queued as "); i >= 0 {
			next := d[i+len("queued as "):]
			if j := bytes.IndexAny(next, " )"); j >= 0 {
				next = next[:j]
			}
			// a hand-off on loopback (a content filter such as amavis on
			// 127.0.0.1:10024, or a second Postfix instance) whose reply
			// names a Postfix queue id: the message goes on under that id
			// in the same logs, and its real outcome is a later event
			if loopback(ip) && postfixID(next) {
				out.next = next
				e.Hop = true
			}
		}
		return
	}
	out.text = d
}

// lastIndex is bytes.LastIndex for a separator that is mostly found once:
// forward searches (vectorised) from one find to the next cost about a
// third of LastIndex's backward hashing on the texts of a log.
func lastIndex(b []byte, sep string) int {
	last := -1
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(sep))
		if i < 0 {
			return last
		}
		last = off + i
		off = last + 1
	}
}

// setReply fills the reply code from an SMTP reply as Postfix logs it,
// and out with its enhanced code and text: slices of b for a reply of one
// line, the event's strings themselves for one of several (joined).
func setReply(e *bouncescan.Event, out *detailParts, b []byte) {
	if code, enh, text, ok := parsekit.SplitReply(b); ok {
		e.ReplyCode, out.enh, out.text = code, enh, text
		return
	}
	r := parsekit.ParseReply(b)
	e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
	out.joined = true
}

// greetingOrHelo decides whether "refused to talk to me" was the greeting or
// the reply to EHLO/HELO: Postfix uses the same words for both. A 5xx that
// Postfix turned into a deferral is a 5xx greeting it skipped
// (smtp_skip_5xx_greeting = yes, the default: the RFC 5321 554 "no
// service" greeting is one); 421 and other 4xx come at connection time; a
// 5xx that bounced is the EHLO reply (a skipped greeting never bounces), a
// 554 one too.
func greetingOrHelo(e *bouncescan.Event) bouncescan.Stage {
	switch {
	case e.ReplyCode >= 500 && e.Status == bouncescan.StatusDeferred,
		e.ReplyCode == 220, e.ReplyCode < 500:
		return bouncescan.StageConnect
	}
	return bouncescan.StageHelo
}

// stageOfCommand maps the X of "(in reply to X command)".
func stageOfCommand(c []byte) bouncescan.Stage {
	switch string(c) {
	case "RCPT TO":
		return bouncescan.StageRcpt
	case "MAIL FROM":
		return bouncescan.StageMail
	case "DATA", "BDAT":
		return bouncescan.StageData
	case "end of DATA":
		return bouncescan.StageEndOfData
	case "EHLO", "HELO", "LHLO":
		return bouncescan.StageHelo
	case "STARTTLS":
		return bouncescan.StageStartTLS
	case "AUTH":
		return bouncescan.StageAuth
	}
	if bytes.HasPrefix(c, []byte("XFORWARD")) || bytes.HasPrefix(c, []byte("XCLIENT")) {
		return bouncescan.StageHelo
	}
	return bouncescan.StageUnknown
}

// stageOfActivity maps the X of "lost connection with H while X" and
// "conversation with H timed out while X".
func stageOfActivity(a []byte) bouncescan.Stage {
	switch {
	case bytes.HasPrefix(a, []byte("receiving the initial server greeting")):
		return bouncescan.StageConnect
	case bytes.HasPrefix(a, []byte("performing the EHLO")), bytes.HasPrefix(a, []byte("performing the HELO")),
		bytes.HasPrefix(a, []byte("performing the LHLO")), bytes.HasPrefix(a, []byte("sending EHLO")),
		bytes.HasPrefix(a, []byte("sending HELO")), bytes.HasPrefix(a, []byte("sending LHLO")),
		bytes.HasPrefix(a, []byte("sending XFORWARD")):
		return bouncescan.StageHelo
	case bytes.HasPrefix(a, []byte("receiving the STARTTLS")), bytes.HasPrefix(a, []byte("sending STARTTLS")),
		bytes.HasPrefix(a, []byte("performing the TLS")):
		return bouncescan.StageStartTLS
	case bytes.HasPrefix(a, []byte("sending MAIL FROM")):
		return bouncescan.StageMail
	case bytes.HasPrefix(a, []byte("sending RCPT TO")):
		return bouncescan.StageRcpt
	case bytes.HasPrefix(a, []byte("sending DATA")):
		return bouncescan.StageData
	case bytes.HasPrefix(a, []byte("sending message body")), bytes.HasPrefix(a, []byte("sending end of data")):
		return bouncescan.StageEndOfData
	}
	return bouncescan.StageUnknown
}

// apply copies the last deferral into an expiry event.
func apply(pd *parsekit.Deferral, e *bouncescan.Event) {
	e.Relay, e.RelayIP, e.RelayPort = pd.Relay, pd.RelayIP, pd.RelayPort
	e.Stage, e.ReplyCode, e.EnhancedCode, e.Text = pd.Stage, pd.Code, pd.Enhanced, pd.Text
	if e.DSN == "" {
		e.DSN = pd.DSN
	}
}

// isProbe tells the status words of address verification probes
// (verify(8), sendmail -bv): "deliverable", "undeliverable",
// "undeliverable-but-not-cached". A probe is not a delivery: its event
// has StatusProbe, and its reply or DSN says what the answer was.
func isProbe(word []byte) bool {
	return bytes.Equal(word, []byte("deliverable")) || bytes.HasPrefix(word, []byte("undeliverable"))
}

// setRelay sets the relay host and port from "host[ip]:port" and
// returns the IP, for the caller to pack (host names repeat and are
// interned; the IPs of a large provider vary too much for that).
func (p *Parser) setRelay(e *bouncescan.Event, v []byte) (ip []byte) {
	host, ip, port := parsekit.HostIP(v)
	e.Relay = p.strs.Get(host)
	e.RelayPort = port
	return ip
}

// loopback tells addresses of this host (127.0.0.0/8, ::1).
func loopback(ip []byte) bool {
	return len(ip) > 4 && string(ip[:4]) == "127." || string(ip) == "::1" || string(ip) == "ipv6:::1"
}

// postfixID tells ids Postfix itself writes: short ids (upper-case hex)
// and long ids (enable_long_queue_ids: letters and digits without vowels),
// so that the id another kind of server gave ("queued as SINK000001")
// does not make a loopback delivery a hop.
func postfixID(q []byte) bool {
	hex, long := true, len(q) >= 12
	for _, c := range q {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'A' && c <= 'F':
			long = long && c != 'A' && c != 'E'
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			hex = false
			switch c | 0x20 {
			case 'a', 'e', 'i', 'o', 'u':
				long = false
			}
		default:
			return false
		}
	}
	return hex || long
}
