package exim

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// reject reads the rejections of Exim's SMTP server (mainlog and
// rejectlog write the same line):
//
//	[H=host (helo) [ip]:port] [I=…] [U=…] [X=…] [F=<s>] [temporarily ]rejected RCPT <r>[: text]
//	… rejected MAIL <s>[: text]; rejected DATA; rejected after DATA[: text]
//	… rejected connection in "connect" ACL[: text]; rejected EHLO or HELO name[: text]; rejected AUTH mech[: text]
//	rejected EHLO from [ip]: syntactically invalid argument(s): name
//	rejected MAIL FROM:<s> H=…: message too big: size=… max=…
//	unqualified sender rejected: <s> H=…; unqualified recipient rejected: <r> H=…
//	SMTP protocol synchronization error (…): rejected connection from H=[ip]:port …
//	refused connection from [ip] (host_reject_connection)
//	ID F=<s> rejected by non-SMTP ACL: text
//	… [temporarily ]rejected during MIME ACL checks: text; … rejected DKIM …: text; … rejected after DATA PRDR: text
//	ID F=<s> H=… [temporarily ]rejected by local_scan(): text
//	… rejected STARTTLS; rejected XCLIENT args: text; rejected VRFY a@b; rejected EXPN list; rejected ETRN #q; rejected WELLKNOWN name
//
// These are the forms of Exim's smtp_handle_acl_fail (one per ACL: the
// ACL's name, or the command and its argument, or "in "connect" ACL") and
// of receive.c (local_scan(), non-SMTP ACL). Each gives a rejected Event
// with the stage of the command: MIME, DKIM, DATA (after the dot),
// local_scan() and the non-SMTP ACL judge the received message, so their
// stage is end of data; VRFY, EXPN, ETRN, ATRN and WELLKNOWN are outside a
// mail transaction and have no stage. The log
// shows the reply code only when the ACL message carried one; otherwise
// the code is the one Exim sends for that case (550 for a denial, 451 for
// "temporarily rejected", 501 for syntax, 552 for size, 503 for AUTH, 554
// for refused connections). Lines that are no rejection of a client
// command return nil, and so does a rejection whose line was already read
// from another input file (the rejectlog's copy of a mainlog line, or the
// other way round; see dedup.go).
func (p *Parser) reject(qid, b, line []byte, emit func(*bouncescan.Event)) error {
	var f fields
	var stage bouncescan.Stage
	var code int
	var rcpt, sender, text []byte
	switch {
	case bytes.HasPrefix(b, []byte("unqualified sender rejected: ")), bytes.HasPrefix(b, []byte("unqualified recipient rejected: ")):
		stage, code = bouncescan.StageMail, 501
		isRcpt := b[12] == 'r'
		if isRcpt {
			stage = bouncescan.StageRcpt
		}
		i := bytes.Index(b, []byte("rejected: "))
		text = b[:i+len("rejected")]
		a, after := angleAddr(b[i+len("rejected: "):])
		if isRcpt {
			rcpt = a
		} else {
			sender = a
		}
		f.parse(after)
	case bytes.HasPrefix(b, []byte("rejected EHLO from ")), bytes.HasPrefix(b, []byte("rejected HELO from ")):
		stage, code = bouncescan.StageHelo, 550
		client := b[len("rejected EHLO from "):]
		if i := bytes.Index(client, []byte(": ")); i >= 0 {
			text = client[i+2:]
			client = client[:i]
		}
		if bytes.Contains(text, []byte("syntactically invalid")) {
			code = 501
		}
		f.hostField(client)
	case bytes.HasPrefix(b, []byte("rejected MAIL FROM:")):
		stage, code = bouncescan.StageMail, 550
		a, after := angleAddr(b[len("rejected MAIL FROM:"):])
		sender = a
		f.parse(after)
		text = f.text
		if bytes.HasPrefix(text, []byte("message too big")) {
			code = 552
		}
	case bytes.HasPrefix(b, []byte("rejected MAIL from ")):
		// "rejected MAIL from [ip]: no HELO/EHLO given"
		stage, code = bouncescan.StageMail, 503
		client := b[len("rejected MAIL from "):]
		if i := bytes.Index(client, []byte(": ")); i >= 0 {
			text = client[i+2:]
			client = client[:i]
		}
		f.hostField(client)
	case bytes.HasPrefix(b, []byte("SMTP protocol synchronization error")):
		i := bytes.Index(b, []byte("): rejected connection from "))
		if i < 0 {
			return nil // "rejected "RSET"": a protocol error inside a session
		}
		stage, code = bouncescan.StageConnect, 554
		text = b[:i+1]
		f.parse(b[i+len("): rejected connection from "):])
	case bytes.HasPrefix(b, []byte("refused connection from ")):
		stage, code = bouncescan.StageConnect, 554
		client := b[len("refused connection from "):]
		if i := bytes.IndexByte(client, '('); i >= 0 {
			text = bytes.TrimSuffix(client[i+1:], []byte(")"))
		}
		f.hostField(client)
	default:
		f.parse(b)
		v := f.rest
		temp := false
		if bytes.HasPrefix(v, []byte("temporarily ")) {
			temp = true
			v = v[len("temporarily "):]
		}
		if !bytes.HasPrefix(v, []byte("rejected ")) {
			return nil
		}
		v = v[len("rejected "):]
		b0 := v
		// local_scan() and the non-SMTP ACL log no H= for a message
		// submitted on the command line
		nonSMTP := bytes.HasPrefix(v, []byte("by non-SMTP")) || bytes.HasPrefix(v, []byte("by local_scan()")) && f.ip == nil && f.host == nil
		switch {
		case bytes.HasPrefix(v, []byte("RCPT ")):
			stage = bouncescan.StageRcpt
			rcpt, v = angleAddr(v[len("RCPT "):])
		case bytes.HasPrefix(v, []byte("MAIL ")):
			stage = bouncescan.StageMail
			sender, v = angleAddr(v[len("MAIL "):])
		case bytes.HasPrefix(v, []byte("after DATA")):
			stage = bouncescan.StageEndOfData
			v = v[len("after DATA"):]
		case bytes.HasPrefix(v, []byte("DATA")):
			stage = bouncescan.StageData
			v = v[len("DATA"):]
		case bytes.HasPrefix(v, []byte("connection")):
			stage = bouncescan.StageConnect
			v = restOfVerb(v)
		case bytes.HasPrefix(v, []byte("EHLO")), bytes.HasPrefix(v, []byte("HELO")):
			stage = bouncescan.StageHelo
			v = restOfVerb(v)
		case bytes.HasPrefix(v, []byte("AUTH")):
			stage = bouncescan.StageAuth
			v = restOfVerb(v)
		case bytes.HasPrefix(v, []byte("during MIME ACL checks")):
			// acl_smtp_mime runs on each MIME part of a received message
			stage = bouncescan.StageEndOfData
			v = v[len("during MIME ACL checks"):]
		case bytes.HasPrefix(v, []byte("DKIM")):
			// acl_smtp_dkim runs per signature once the data is in
			stage = bouncescan.StageEndOfData
			v = v[len("DKIM"):]
		case bytes.HasPrefix(v, []byte("by local_scan()")):
			// local_scan() judges the whole message, after the data
			stage = bouncescan.StageEndOfData
			v = v[len("by local_scan()"):]
		case bytes.HasPrefix(v, []byte("by non-SMTP ACL")):
			// a message submitted on the command line, read in full
			stage = bouncescan.StageEndOfData
			v = v[len("by non-SMTP ACL"):]
		case bytes.HasPrefix(v, []byte("STARTTLS")):
			stage = bouncescan.StageStartTLS
			v = restOfVerb(v)
		case bytes.HasPrefix(v, []byte("XCLIENT")):
			// sent after EHLO to set the session's client: session setup
			stage = bouncescan.StageHelo
			v = restOfVerb(v)
		case bytes.HasPrefix(v, []byte("VRFY ")):
			// the argument is the address asked about
			stage = bouncescan.StageUnknown
			rcpt, v = angleAddr(v[len("VRFY "):])
		case bytes.HasPrefix(v, []byte("WELLKNOWN")), bytes.HasPrefix(v, []byte("EXPN")), bytes.HasPrefix(v, []byte("ETRN")), bytes.HasPrefix(v, []byte("ATRN")):
			// commands outside a mail transaction: no stage of ours
			stage = bouncescan.StageUnknown
			v = restOfVerb(v)
		default:
			return nil
		}
		if i := bytes.Index(v, []byte(": ")); i >= 0 {
			text = v[i+2:]
		}
		// the codes Exim sends by default (acl_wherecodes in globals.c)
		switch {
		case temp:
			code = 451
		case stage == bouncescan.StageAuth:
			code = 503
		case nonSMTP:
			code = 0 // no SMTP reply: the submitting process gets an error
		case bytes.HasPrefix(b0, []byte("ETRN")):
			code = 458
		case bytes.HasPrefix(b0, []byte("VRFY")):
			code = 252
		default:
			code = 550
		}
	}

	if p.duplicate() {
		return nil
	}
	var m *message
	if len(qid) > 0 {
		m = p.msgs.Get(qid, p.lineTime)
	}
	e := p.start(qid, m)
	e.Status = bouncescan.StatusRejected
	e.Stage = stage
	text = bytes.TrimSpace(text)
	if n := len(text); n >= 2 && text[0] == '"' && text[n-1] == '"' {
		text = text[1 : n-1]
	}
	p.setReply(e, text)
	if e.ReplyCode == 0 {
		e.ReplyCode = code
	}
	if len(f.ip) > 0 {
		p.spans.RelayIP = p.pack.Add(f.ip) // see delivery
	}
	e.Relay = p.strs.Get(f.host)
	e.RelayPort = f.port
	if sender == nil && f.from != nil {
		sender = f.from
	}
	if sender != nil {
		p.spans.Sender = p.pack.Add(parsekit.Unbracket(sender))
	}
	if len(rcpt) > 0 {
		p.spans.Recipient = p.pack.Add(rcpt)
	}
	p.finish(e)
	if m != nil {
		s := e.Sender
		join(e, m)
		if s != "" {
			e.Sender = s
		}
	}
	p.emit(e, emit)
	return nil
}

// angleAddr reads "<a@b>" (or a bare a@b, as older Exim writes it) at the
// start of b, up to ':' or a space.
func angleAddr(b []byte) (addr, rest []byte) {
	if len(b) > 0 && b[0] == '<' {
		if j := bytes.IndexByte(b, '>'); j >= 0 {
			return b[1:j], b[j+1:]
		}
	}
	end := 0
	for end < len(b) && b[end] != ' ' && !(b[end] == ':' && (end+1 == len(b) || b[end+1] == ' ')) {
		end++
	}
	return b[:end], b[end:]
}

// restOfVerb returns what follows the command words of "connection in
// "connect" ACL: text" or "EHLO or HELO name: text", from the ": " on.
func restOfVerb(v []byte) []byte {
	if i := bytes.Index(v, []byte(": ")); i >= 0 {
		return v[i:]
	}
	return nil
}
