package exchange

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// dir is the side of an SMTP session our server is on.
type dir uint8

const (
	dirUnknown dir = iota
	dirSend        // Send connector: we are the client
	dirReceive     // Receive connector: we are the server
)

// Recipient states within one SMTP transaction.
const (
	rcptAsked    uint8 = iota // RCPT TO sent, no reply yet
	rcptAccepted              // 2xx to RCPT TO
	rcptDone                  // outcome emitted
)

type rcpt struct {
	addr  string
	state uint8
}

// cmd is a command waiting for its reply (send side, where commands are
// pipelined).
type cmd struct {
	stage bouncescan.Stage
	rcpt  int32 // index into session.rcpts for RCPT TO, else -1
	other bool  // a command of no interest (QUIT, RSET, NOOP, XSHADOW, …)
}

// session is what the parser knows about one SMTP session (session-id).
type session struct {
	dir        dir
	fresh      bool // connected ('+' seen), no reply yet
	greeted    bool
	relay      string
	sender     string
	hasSender  bool
	messageID  string
	rcpts      []rcpt
	cmds       []cmd // send side: commands awaiting replies, oldest first
	last       cmd   // receive side: the client's last command
	lastRcpt   string
	awaitEOD   bool // a 354 was given: the next reply ends the data
	cont       []byte
	mailFailed bool // send side: MAIL FROM refused in this transaction
	mailCode   int
	mailEnh    string
	mailText   string
	// send side: a refusal before any recipient (EHLO, STARTTLS, AUTH,
	// MAIL without pipelined RCPT), an outcome of the session's message
	// when the session ends without another (HELO after a refused EHLO
	// may still succeed)
	fail    bool
	failSt  bouncescan.Status
	failStg bouncescan.Stage
	failR   parsekit.Reply
	outcome bool // send side: an outcome was emitted in this session
}

// reset forgets the current transaction.
func (s *session) reset() {
	s.rcpts = s.rcpts[:0]
	s.sender, s.hasSender = "", false
	s.awaitEOD = false
	s.mailFailed = false
}

// protocol reads one SMTP protocol log row.
func (p *Parser) protocol(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	sid := l.get(f, colSession)
	ev := l.get(f, colEvent)
	if len(sid) == 0 || len(ev) != 1 {
		return p.unparsed("protocol row without session-id or event", line)
	}
	data := l.get(f, colData)
	switch ev[0] {
	case '+':
		s := p.sess.Put(sid, p.now)
		*s = session{dir: p.dirHint, fresh: true, rcpts: s.rcpts[:0], cmds: s.cmds[:0], cont: s.cont[:0]}
		return nil
	case '-':
		if s := p.sess.Peek(sid); s != nil && s.dir == dirSend && s.fail && !s.outcome {
			p.sessionOutcome(l, f, s, s.failSt, s.failStg, s.failR, emit)
		}
		p.sess.Delete(sid)
		return nil
	case '*':
		s := p.sess.Get(sid, p.now)
		ctx := l.get(f, colContext)
		if s == nil && (bytes.HasPrefix(data, []byte("Failed to connect")) || bytes.HasPrefix(ctx, []byte("Failed to connect"))) {
			s = p.sess.Put(sid, p.now) // no '+': the connection was never made
			*s = session{dir: dirSend, rcpts: s.rcpts[:0], cmds: s.cmds[:0], cont: s.cont[:0]}
		}
		if s == nil {
			return nil
		}
		for _, b := range [2][]byte{data, ctx} {
			if i := bytes.Index(b, []byte("InternetMessageId <")); i >= 0 {
				if id := parsekit.Unbracket(angle(b[i+len("InternetMessageId "):])); len(id) > 0 {
					s.messageID = string(id)
				}
			}
			if bytes.HasPrefix(b, []byte("Failed to connect")) {
				p.sendFailed(l, f, s, b, emit)
			}
		}
		return nil
	case '>', '<':
	default:
		return p.unparsed("unknown protocol event", line)
	}
	isReply := replyCodeAt(data) || len(data) == 3 && replyCodeAt3(data)
	s := p.sess.Put(sid, p.now)
	if s.dir == dirUnknown {
		s.dir = p.dirHint
		if s.dir == dirUnknown {
			// our replies go out ('>') on a Receive connector, theirs
			// come in ('<') on a Send connector
			switch {
			case len(data) == 0:
			case isReply == (ev[0] == '>'):
				s.dir = dirReceive
			default:
				s.dir = dirSend
			}
		}
	}
	if s.dir == dirUnknown {
		return nil
	}
	ours := ev[0] == '>'
	if (s.dir == dirReceive) == ours {
		// a reply (ours on a receive connector, theirs on a send connector)
		if !isReply {
			return nil // e.g. a banner continuation without a code
		}
		if len(data) > 3 && data[3] == '-' {
			if len(s.cont)+len(data) < maxReply {
				s.cont = append(s.cont, data...)
				s.cont = append(s.cont, ' ')
			}
			return nil
		}
		full := data
		if len(s.cont) > 0 {
			full = append(s.cont, data...)
			s.cont = s.cont[:0]
		}
		if s.dir == dirReceive {
			p.receiveReply(l, f, s, full, emit)
		} else {
			p.sendReply(l, f, s, full, emit)
		}
		return nil
	}
	// a command (theirs on a receive connector, ours on a send connector)
	c := p.command(s, data)
	if s.dir == dirReceive {
		s.last = c
		return nil
	}
	if s.awaitEOD {
		return nil // message content, if logged
	}
	if len(s.cmds) < maxCmds {
		s.cmds = append(s.cmds, c)
	} else {
		p.dropped++
	}
	return nil
}

// command reads an SMTP command and updates the transaction.
func (p *Parser) command(s *session, data []byte) cmd {
	c := cmd{rcpt: -1}
	verb := data
	if i := bytes.IndexAny(data, " :"); i >= 0 {
		verb = data[:i]
	}
	switch {
	case eqFold(verb, "EHLO"), eqFold(verb, "HELO"), eqFold(verb, "LHLO"):
		c.stage = bouncescan.StageHelo
	case eqFold(verb, "STARTTLS"), eqFold(verb, "X-ANONYMOUSTLS"):
		c.stage = bouncescan.StageStartTLS
	case eqFold(verb, "AUTH"), eqFold(verb, "X-EXPS"), eqFold(verb, "XEXPS"):
		c.stage = bouncescan.StageAuth
	case eqFold(verb, "MAIL"):
		s.reset()
		c.stage = bouncescan.StageMail
		if a := angle(data); a != nil {
			s.sender = string(parsekit.Unbracket(a))
			s.hasSender = true
		}
	case eqFold(verb, "RCPT"):
		c.stage = bouncescan.StageRcpt
		a := parsekit.Unbracket(angle(data))
		if s.dir == dirReceive {
			s.lastRcpt = string(a)
		} else if len(s.rcpts) < maxRcpts {
			c.rcpt = int32(len(s.rcpts))
			s.rcpts = append(s.rcpts, rcpt{addr: string(a)})
		} else {
			p.dropped++
		}
	case eqFold(verb, "DATA"):
		c.stage = bouncescan.StageData
	case eqFold(verb, "BDAT"):
		c.stage = bouncescan.StageData
		if bytes.HasSuffix(bytes.TrimSpace(data), []byte("LAST")) {
			c.stage = bouncescan.StageEndOfData
		}
	case eqFold(verb, "RSET"):
		s.reset()
		c.other = true
	default:
		c.other = true
	}
	return c
}

// receiveReply handles a reply our Receive connector gave to the client.
func (p *Parser) receiveReply(l *layout, f [][]byte, s *session, reply []byte, emit func(*bouncescan.Event)) {
	code := int(reply[0]-'0')*100 + int(reply[1]-'0')*10 + int(reply[2]-'0')
	stage := s.last.stage
	if s.last.other {
		stage = bouncescan.StageUnknown
	}
	if s.fresh && stage == bouncescan.StageUnknown {
		stage = bouncescan.StageConnect // the greeting
	}
	s.fresh = false
	if s.awaitEOD {
		stage = bouncescan.StageEndOfData
		s.awaitEOD = false
	}
	s.last = cmd{rcpt: -1, other: true} // one reply per command
	if code == 354 {
		s.awaitEOD = true
		return
	}
	r := parsekit.ParseReply(reply)
	if stage == bouncescan.StageUnknown && (code == 535 || r.Enhanced == "5.7.3" || r.Enhanced == "5.7.8") {
		// authentication failures logged without their AUTH command
		stage = bouncescan.StageAuth
	}
	if code < 400 {
		switch stage {
		case bouncescan.StageRcpt:
			if len(s.rcpts) < maxRcpts {
				s.rcpts = append(s.rcpts, rcpt{addr: s.lastRcpt, state: rcptAccepted})
			}
		case bouncescan.StageEndOfData:
			s.reset()
		}
		return
	}
	if stage == bouncescan.StageUnknown {
		return // a protocol error (unknown command, bad sequence): not a rejection
	}
	mk := func(rcpt string) {
		e := p.protoEvent(l, f, s, bouncescan.StatusRejected, stage, &r)
		e.Recipient = rcpt
		p.emit(e, emit)
	}
	switch stage {
	case bouncescan.StageRcpt:
		mk(s.lastRcpt)
	case bouncescan.StageData, bouncescan.StageEndOfData:
		n := 0
		for _, rc := range s.rcpts {
			if rc.state == rcptAccepted {
				mk(rc.addr)
				n++
			}
		}
		if n == 0 {
			mk("")
		}
		if stage == bouncescan.StageEndOfData {
			s.reset()
		}
	default:
		mk("")
	}
}

// sendReply handles a reply the remote server gave our Send connector.
func (p *Parser) sendReply(l *layout, f [][]byte, s *session, reply []byte, emit func(*bouncescan.Event)) {
	code := int(reply[0]-'0')*100 + int(reply[1]-'0')*10 + int(reply[2]-'0')
	var c cmd
	switch {
	case s.awaitEOD:
		c = cmd{stage: bouncescan.StageEndOfData, rcpt: -1}
		s.awaitEOD = false
	case len(s.cmds) > 0:
		c = s.cmds[0]
		s.cmds = append(s.cmds[:0], s.cmds[1:]...)
	case !s.greeted:
		c = cmd{stage: bouncescan.StageConnect, rcpt: -1}
	default:
		return
	}
	if c.stage == bouncescan.StageConnect || !s.greeted {
		s.greeted = true
		if c.stage == bouncescan.StageConnect {
			if code == 220 {
				s.relay = bannerHost(reply)
			} else if code >= 400 && !s.outcome {
				// a refused greeting (421, 554 banner): Exchange queues
				// the message for a later try; its recipients are in the
				// tracking log, not here
				p.sessionOutcome(l, f, s, bouncescan.StatusDeferred, bouncescan.StageConnect, parsekit.ParseReply(reply), emit)
			}
			return
		}
	}
	if c.other {
		return
	}
	status := bouncescan.StatusSent
	switch {
	case code >= 500:
		status = bouncescan.StatusBounced
	case code >= 400:
		status = bouncescan.StatusDeferred
	}
	switch c.stage {
	case bouncescan.StageHelo, bouncescan.StageStartTLS, bouncescan.StageAuth:
		if status == bouncescan.StatusSent {
			if c.stage == bouncescan.StageHelo {
				s.fail = false // HELO after a refused EHLO went through
			}
			return
		}
		s.fail, s.failSt, s.failStg, s.failR = true, status, c.stage, parsekit.ParseReply(reply)
	case bouncescan.StageMail:
		if status != bouncescan.StatusSent {
			r := parsekit.ParseReply(reply)
			s.mailFailed, s.mailCode, s.mailEnh, s.mailText = true, r.Code, r.Enhanced, r.Text
			if !pipelinedRcpt(s.cmds) {
				s.fail, s.failSt, s.failStg, s.failR = true, status, bouncescan.StageMail, r
			}
		}
	case bouncescan.StageRcpt:
		if c.rcpt < 0 || int(c.rcpt) >= len(s.rcpts) {
			return
		}
		rc := &s.rcpts[c.rcpt]
		if status == bouncescan.StatusSent {
			rc.state = rcptAccepted
			return
		}
		rc.state = rcptDone
		r := parsekit.ParseReply(reply)
		stage := bouncescan.StageRcpt
		if s.mailFailed {
			// pipelined RCPT after a refused MAIL FROM: the MAIL reply is the cause
			stage = bouncescan.StageMail
			r = parsekit.Reply{Code: s.mailCode, Enhanced: s.mailEnh, Text: s.mailText}
			if s.mailCode >= 500 {
				status = bouncescan.StatusBounced
			} else {
				status = bouncescan.StatusDeferred
			}
		}
		e := p.protoEvent(l, f, s, status, stage, &r)
		e.Recipient = rc.addr
		s.outcome = true
		p.emit(e, emit)
	case bouncescan.StageData, bouncescan.StageEndOfData:
		if c.stage == bouncescan.StageData && code == 354 {
			s.awaitEOD = true
			return
		}
		if c.stage == bouncescan.StageData && status == bouncescan.StatusSent {
			return // a BDAT chunk accepted
		}
		r := parsekit.ParseReply(reply)
		stage := c.stage
		if status == bouncescan.StatusSent {
			stage = bouncescan.StageUnknown
		}
		for i := range s.rcpts {
			rc := &s.rcpts[i]
			if rc.state != rcptAccepted {
				continue
			}
			rc.state = rcptDone
			e := p.protoEvent(l, f, s, status, stage, &r)
			e.Recipient = rc.addr
			s.outcome = true
			p.emit(e, emit)
		}
		if c.stage == bouncescan.StageEndOfData {
			s.rcpts = s.rcpts[:0]
		}
	}
}

// sendFailed handles "Failed to connect. Winsock error code: 10061, …" on a
// Send connector: a deferral at connect of the session's message.
func (p *Parser) sendFailed(l *layout, f [][]byte, s *session, text []byte, emit func(*bouncescan.Event)) {
	if s.outcome {
		return
	}
	p.sessionOutcome(l, f, s, bouncescan.StatusDeferred, bouncescan.StageConnect, parsekit.Reply{Text: string(text)}, emit)
}

// sessionOutcome emits what a Send session's failure means for its
// message: one event per recipient the session knows and has no outcome
// for, or one without a recipient when it knows none (the failure came
// before RCPT TO; the message tracking log names the recipients).
func (p *Parser) sessionOutcome(l *layout, f [][]byte, s *session, st bouncescan.Status, stage bouncescan.Stage, r parsekit.Reply, emit func(*bouncescan.Event)) {
	s.outcome, s.fail = true, false
	n := 0
	for i := range s.rcpts {
		rc := &s.rcpts[i]
		if rc.state == rcptDone {
			continue
		}
		rc.state = rcptDone
		e := p.protoEvent(l, f, s, st, stage, &r)
		e.Recipient = rc.addr
		p.emit(e, emit)
		n++
	}
	if n == 0 {
		e := p.protoEvent(l, f, s, st, stage, &r)
		if stage == bouncescan.StageConnect && st == bouncescan.StatusDeferred {
			// a refused greeting or a failed connection: the recipients
			// are in the tracking log's DEFER row, if it is read
			p.failure(e, emit)
			return
		}
		p.emit(e, emit)
	}
}

// pipelinedRcpt reports whether RCPT TO commands wait for their replies.
func pipelinedRcpt(cmds []cmd) bool {
	for _, c := range cmds {
		if c.stage == bouncescan.StageRcpt {
			return true
		}
	}
	return false
}

// protoEvent starts an event for a protocol log row.
func (p *Parser) protoEvent(l *layout, f [][]byte, s *session, st bouncescan.Status, stage bouncescan.Stage, r *parsekit.Reply) *bouncescan.Event {
	e := p.start()
	// Receive connectors are logged as SERVER\Connector name
	conn := l.get(f, colConnector)
	if i := bytes.IndexByte(conn, '\\'); i > 0 {
		e.Host = p.str(3, conn[:i])
		conn = conn[i+1:]
	}
	e.Process = p.str(2, conn)
	ip, port := endpoint(l.get(f, colRemote))
	e.RelayIP = string(ip)
	if s.dir == dirSend {
		e.Relay = s.relay
		e.RelayPort = port
	}
	if s.hasSender {
		e.Sender = s.sender
	}
	e.MessageID = s.messageID
	e.Status = st
	e.Stage = stage
	e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
	return e
}

// endpoint splits "ip:port", "[v6]:port" or "v6:port" at the last colon.
func endpoint(b []byte) (ip []byte, port int) {
	i := bytes.LastIndexByte(b, ':')
	if i < 0 {
		return b, 0
	}
	port, _ = parsekit.Atoi(b[i+1:])
	ip = b[:i]
	if len(ip) >= 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	return ip, port
}

// bannerHost returns the host name a 220 greeting starts with.
func bannerHost(reply []byte) string {
	b := bytes.TrimLeft(reply[min(4, len(reply)):], " ")
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		b = b[:i]
	}
	if bytes.IndexByte(b, '.') < 0 {
		return ""
	}
	return string(b)
}

// angle returns "<…>" at the first '<' of b (nil if none).
func angle(b []byte) []byte {
	i := bytes.IndexByte(b, '<')
	if i < 0 {
		return nil
	}
	j := bytes.IndexByte(b[i:], '>')
	if j < 0 {
		return nil
	}
	return b[i : i+j+1]
}

// replyCodeAt3 reports whether b is exactly a reply code.
func replyCodeAt3(b []byte) bool {
	return len(b) == 3 && b[0] >= '2' && b[0] <= '5' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9'
}

// eqFold compares an ASCII verb case-insensitively.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
