package sendmail

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// delivery reads the line Sendmail writes per delivery attempt:
//
//	to=<a>[,<b>…][, [more]], [ctladdr=… (uid/gid),] delay=D, xdelay=D, mailer=M, pri=N, relay=host. [ip], dsn=X.Y.Z, [reply=CODE X.Y.Z text,] stat=S
//
// and emits one Event per recipient of the list.
func (p *Parser) delivery(qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	list := rest[3:]
	k := bytes.Index(list, []byte(", "))
	if k < 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "to= without stat=", line)
	}
	fields := list[k+2:]
	list = list[:k]
	// "to=<a>,<b>, [more], delay=…": the list goes on in the next line
	if m, ok := bytes.CutPrefix(fields, []byte("[more]")); ok {
		fields = bytes.TrimLeft(m, ", ")
	}
	var stat []byte
	if s, ok := bytes.CutPrefix(fields, []byte("stat=")); ok {
		stat, fields = s, fields[:0]
	} else if si := bytes.Index(fields, []byte(", stat=")); si >= 0 {
		stat, fields = fields[si+len(", stat="):], fields[:si]
	} else if dsn, ok := parsekit.Field(fields, "dsn"); ok && len(dsn) > 0 && dsn[0] == '2' {
		// cyrus and other local mailers log "to=…, mailer=cyrusv2, …,
		// dsn=2.0.0" without stat=: a delivery
		stat = []byte("Sent")
	} else {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "to= without stat=", line)
	}
	stat = bytes.TrimSpace(stat)
	if len(list) == 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "to= without recipient", line)
	}
	// reply= (8.15+ with _FFR_LOGREPLY) is the remote reply; it is the
	// last field before stat= and may hold ", ".
	var reply []byte
	if ri := bytes.Index(fields, []byte(", reply=")); ri >= 0 {
		reply, fields = fields[ri+len(", reply="):], fields[:ri]
	} else if r, ok := bytes.CutPrefix(fields, []byte("reply=")); ok {
		reply, fields = r, fields[:0]
	}

	m := p.msgs.Get(qid, p.lineTime)
	mailer, hasMailer := parsekit.Field(fields, "mailer")
	status, own := statusOf(stat)
	switch {
	case status == bouncescan.StatusUnknown:
		return nil // "queued": no attempt was made
	case !hasMailer && m != nil && m.rejected && status == bouncescan.StatusBounced:
		// the recipients of a message refused after the data: the
		// rejection itself was reported by the milter/ruleset line
		return nil
	}

	// what every recipient of the line shares, kept in p.ev and copied
	base := p.start(qid)
	base.Status = status
	if v, ok := parsekit.Field(fields, "relay"); ok {
		base.Relay, base.RelayIP = relayOf(v)
	}
	if v, ok := parsekit.Field(fields, "delay"); ok {
		base.Delay = parseDelay(v)
	}
	if v, ok := parsekit.Field(fields, "dsn"); ok {
		base.DSN = string(v)
	}
	if status == bouncescan.StatusDeferred && base.DSN == "4.4.7" {
		// the last attempt after the queue lifetime: Sendmail gives up
		status = bouncescan.StatusExpired
		base.Status = status
	}
	setOutcome(base, status, stat, own, reply)
	local := hasMailer && isLocalMailer(mailer)
	join(base, m)
	shared := *base

	idx := 0
	for len(list) > 0 {
		var addr []byte
		addr, list = nextAddr(list)
		rcpt := parsekit.Unbracket(bytes.TrimSpace(addr))
		if len(rcpt) == 0 {
			continue
		}
		idx++
		e := &p.ev
		*e = shared
		e.Recipient = string(rcpt)
		e.Domain = parsekit.Domain(e.Recipient)
		e.Stage = stageOf(e, reply, local)
		if m != nil && m.timeout != bouncescan.StageUnknown && e.Stage == bouncescan.StageConnect && strings.HasPrefix(e.Text, "Connection timed out") {
			e.Stage = m.timeout // the session timed out in that phase, not the connect
		}
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
			if pd, ok := p.defs.Outcome(pend, e); ok && e.ReplyCode == 0 && e.EnhancedCode == "" && (e.Text == "" || strings.HasPrefix(e.Text, "Cannot send message")) {
				apply(&pd, e)
			}
		default:
			p.defs.Outcome(pend, e)
		}
		p.emit(e, emit)
	}
	if m != nil {
		m.timeout = bouncescan.StageUnknown // it named this attempt's phase only
	}
	if idx == 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "to= without recipient", line)
	}
	return nil
}

// nextAddr splits the first address off a comma-separated recipient list,
// leaving commas inside quotes or angle brackets alone.
func nextAddr(list []byte) (addr, rest []byte) {
	quoted, angle := false, 0
	for i, c := range list {
		switch c {
		case '"':
			quoted = !quoted
		case '<':
			if !quoted {
				angle++
			}
		case '>':
			if !quoted && angle > 0 {
				angle--
			}
		case ',':
			if !quoted && angle == 0 {
				return list[:i], list[i+1:]
			}
		}
	}
	return list, nil
}

// statusOf maps the stat= text to a status. own is the length of the
// leading word that is Sendmail's own ("Sent", "Deferred"), 0 when the whole
// text is the reason.
func statusOf(stat []byte) (status bouncescan.Status, own int) {
	switch {
	case bytes.HasPrefix(stat, []byte("Sent")) && (len(stat) == 4 || stat[4] == ' '):
		return bouncescan.StatusSent, 4
	case bytes.HasPrefix(stat, []byte("Deferred")):
		return bouncescan.StatusDeferred, 8
	case bytes.Equal(stat, []byte("queued")):
		return bouncescan.StatusUnknown, 0
	case bytes.Equal(stat, []byte("quarantined")):
		return bouncescan.StatusHeld, 0
	case isTimeout(stat):
		return bouncescan.StatusExpired, 0
	}
	if r := parsekit.ParseReply(stat); r.Code >= 400 && r.Code < 500 {
		return bouncescan.StatusDeferred, 0
	}
	return bouncescan.StatusBounced, 0
}

// isTimeout reports whether a text is Sendmail's queue-lifetime notice
// ("Cannot send message for 5 days").
func isTimeout(b []byte) bool {
	return bytes.HasPrefix(b, []byte("Cannot send message"))
}

// setOutcome fills ReplyCode, EnhancedCode and Text. The remote reply
// comes from reply= when Sendmail logged it, else from the text of stat=
// ("Deferred: 451 4.3.5 text", "Sent (remote text)"); stat= texts such as
// "User unknown" or "Deferred: Connection refused by host" are Sendmail's
// own reason and carry no code (DSN holds dsn=).
func setOutcome(e *bouncescan.Event, status bouncescan.Status, stat []byte, own int, reply []byte) {
	text := bytes.TrimSpace(stat[own:])
	switch {
	case status == bouncescan.StatusSent:
		if len(text) >= 2 && text[0] == '(' && text[len(text)-1] == ')' {
			text = text[1 : len(text)-1]
		}
	case own > 0: // "Deferred: text"
		text = bytes.TrimLeft(text, ": ")
	}
	if len(reply) > 0 && status != bouncescan.StatusSent {
		r := parsekit.ParseReply(reply)
		e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
		if r.Code != 0 || r.Enhanced != "" {
			return
		}
	}
	r := parsekit.ParseReply(text)
	if r.Code == 0 {
		if n := parsekit.EnhancedAt(text); n > 0 {
			r.Enhanced = string(text[:n])
			r.Text = string(bytes.TrimSpace(text[n:]))
		}
	}
	e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
	if status == bouncescan.StatusSent && e.ReplyCode == 0 {
		// Sendmail strips "250 2.0.0 " from the reply it logs
		e.ReplyCode = 250
	}
}

// isLocalMailer reports whether a mailer delivers on this host.
func isLocalMailer(m []byte) bool {
	switch string(m) {
	case "local", "prog", "*file*", "*include*", "procmail", "cyrus", "cyrusv2", "mailman", "maildrop", "dovecot":
		return true
	}
	return false
}

// relayOf reads "host. [ip]", "[ip] [ip]", "host [ip] (may be forged)",
// "[IPv6:2001:db8::1]", "host." or "user@localhost": the host without its
// trailing dot (an address literal gives its address), and the IP.
func relayOf(v []byte) (host, ip string) {
	if i := bytes.Index(v, []byte(" (may be forged)")); i >= 0 {
		v = v[:i]
	}
	v = bytes.TrimSpace(v)
	var h, a []byte
	if sp := bytes.LastIndex(v, []byte(" [")); sp >= 0 && v[len(v)-1] == ']' {
		h, a = bytes.TrimSpace(v[:sp]), v[sp+2:len(v)-1]
	} else if len(v) > 2 && v[0] == '[' && v[len(v)-1] == ']' {
		h, a = v, v[1:len(v)-1]
	} else {
		h = v
	}
	a = bytes.TrimPrefix(a, []byte("IPv6:"))
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		h = bytes.TrimPrefix(h[1:len(h)-1], []byte("IPv6:"))
	}
	h = bytes.TrimSuffix(h, []byte("."))
	if len(h) > 0 {
		host = string(h)
	}
	if len(a) > 0 {
		if bytes.Equal(a, h) {
			ip = host
		} else {
			ip = string(a)
		}
	}
	return host, ip
}

// parseDelay reads "[D+]HH:MM:SS" as seconds.
func parseDelay(v []byte) float64 {
	days := 0
	if i := bytes.IndexByte(v, '+'); i >= 0 {
		d, ok := parsekit.Atoi(v[:i])
		if !ok {
			return 0
		}
		days, v = d, v[i+1:]
	}
	if len(v) != 8 || v[2] != ':' || v[5] != ':' {
		return 0
	}
	h, ok1 := parsekit.Atoi(v[0:2])
	m, ok2 := parsekit.Atoi(v[3:5])
	s, ok3 := parsekit.Atoi(v[6:8])
	if !ok1 || !ok2 || !ok3 {
		return 0
	}
	return float64(days*86400 + h*3600 + m*60 + s)
}

// stageOf infers the SMTP stage of a delivery outcome. Sendmail rarely
// says: "timeout waiting for input from H during client RCPT" names the
// phase; a refused or timed-out connect is connect; a remote reply that
// names the recipient ("<x@y>... User unknown", "<x@y>: Recipient address
// rejected") answered RCPT TO; a local mailer is local. Else unknown.
func stageOf(e *bouncescan.Event, reply []byte, local bool) bouncescan.Stage {
	if e.Status == bouncescan.StatusSent {
		return bouncescan.StageUnknown
	}
	t := e.Text
	if i := indexFold(t, " during client "); i >= 0 {
		if s := stageOfPhase(t[i+len(" during client "):]); s != bouncescan.StageUnknown {
			return s
		}
	}
	if e.ReplyCode == 0 && e.EnhancedCode == "" {
		for _, c := range connectErrors {
			if len(t) >= len(c) && t[:len(c)] == c {
				return bouncescan.StageConnect
			}
		}
	}
	if e.Recipient != "" && (e.ReplyCode != 0 || e.EnhancedCode != "") && namesRecipient(t, e.Recipient) {
		return bouncescan.StageRcpt
	}
	if local {
		return bouncescan.StageLocal
	}
	return bouncescan.StageUnknown
}

// connectErrors are Sendmail's texts for a failed connect(2).
var connectErrors = [...]string{
	"Connection refused by ", "Connection timed out with ", "No route to host", "Network is unreachable",
	"Host is down", "Connection refused", "Connection timed out",
}

// stageOfPhase maps Sendmail's client phase names ("client RCPT").
func stageOfPhase(ph string) bouncescan.Stage {
	switch {
	case hasPrefixFold(ph, "greeting"):
		return bouncescan.StageConnect
	case hasPrefixFold(ph, "EHLO"), hasPrefixFold(ph, "HELO"), hasPrefixFold(ph, "LHLO"):
		return bouncescan.StageHelo
	case hasPrefixFold(ph, "STARTTLS"):
		return bouncescan.StageStartTLS
	case hasPrefixFold(ph, "AUTH"):
		return bouncescan.StageAuth
	case hasPrefixFold(ph, "MAIL"):
		return bouncescan.StageMail
	case hasPrefixFold(ph, "RCPT"):
		return bouncescan.StageRcpt
	case hasPrefixFold(ph, "DATA status"), hasPrefixFold(ph, "DATA dot"), hasPrefixFold(ph, "message"):
		return bouncescan.StageEndOfData
	case hasPrefixFold(ph, "DATA"):
		return bouncescan.StageData
	}
	return bouncescan.StageUnknown
}

// namesRecipient reports whether text holds "<rcpt>" (any case).
func namesRecipient(text, rcpt string) bool {
	for i := 0; i+len(rcpt)+2 <= len(text); i++ {
		if text[i] == '<' && text[i+1+len(rcpt)] == '>' && equalFold(text[i+1:i+1+len(rcpt)], rcpt) {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFold(s[:len(prefix)], prefix)
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// equalFold is strings.EqualFold for ASCII.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// apply copies the last deferral into an expiry event.
func apply(pd *parsekit.Deferral, e *bouncescan.Event) {
	if e.Relay == "" && e.RelayIP == "" {
		e.Relay, e.RelayIP = pd.Relay, pd.RelayIP
	}
	e.Stage, e.ReplyCode, e.EnhancedCode, e.Text = pd.Stage, pd.Code, pd.Enhanced, pd.Text
}

// receipt reads "from=<s>, size=N, class=N, nrcpts=N, msgid=<id>,
// proto=ESMTP, daemon=MTA, relay=host [ip]": the envelope of a message.
func (p *Parser) receipt(qid, rest, line []byte) error {
	v := rest[len("from="):]
	if k := bytes.Index(v, []byte(", ")); k >= 0 {
		v = v[:k]
	}
	if len(v) > 0 && v[0] == '<' && v[len(v)-1] != '>' {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "from= without closing >", line)
	}
	sender := parsekit.Unbracket(v)
	m := p.msgs.Put(qid, p.lineTime)
	if !m.hasSender || m.sender != string(sender) {
		m.sender = string(sender)
		m.hasSender = true
	}
	m.accepted = true
	if s, ok := parsekit.Field(rest, "size"); ok {
		m.size, _ = strconv.ParseInt(string(s), 10, 64)
	}
	if id, ok := parsekit.Field(rest, "msgid"); ok {
		id = parsekit.Unbracket(id)
		if string(id) != m.messageID {
			m.messageID = string(id)
		}
	}
	return nil
}

// notice reads "QID: QID2: DSN: text" (also "return to sender:",
// "postmaster notify:", "sender notify:"): QID2 is the notification
// Sendmail queued for the sender of QID. It is not an outcome of QID's
// recipients — their to= lines were — so it gives no Event, except
// "Cannot send message for 5 days": the queue lifetime of QID is over and
// every recipient still deferred expires, carrying its last deferral.
func (p *Parser) notice(qid, qid2, note []byte, emit func(*bouncescan.Event)) error {
	var text []byte
	for _, pre := range [...]string{"DSN: ", "return to sender: ", "postmaster notify: ", "sender notify: "} {
		if t, ok := bytes.CutPrefix(note, []byte(pre)); ok {
			text = t
			break
		}
	}
	if text == nil {
		return nil
	}
	// the notification is a message of its own with the null sender
	n := p.msgs.Put(qid2, p.lineTime)
	if !n.hasSender {
		n.hasSender = true
	}
	if !isTimeout(text) {
		return nil
	}
	m := p.msgs.Get(qid, p.lineTime)
	if m == nil {
		return nil
	}
	p.defs.Expire(&m.pending, func(pd *parsekit.Deferral, attempt int) {
		e := p.start(qid)
		join(e, m)
		e.Status = bouncescan.StatusExpired
		e.Recipient, e.Domain = pd.Rcpt, pd.Domain
		e.Delay = pd.Delay
		e.DSN = "4.4.7"
		apply(pd, e)
		if e.Text == "" && e.ReplyCode == 0 {
			e.Text = string(text)
		}
		e.Attempt = attempt
		p.emit(e, emit)
	})
	return nil
}
