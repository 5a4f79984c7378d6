package postfix

import (
	"bytes"
	"strconv"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// qmgr reads the queue manager's message-level lines: "from=<s>, size=N,
// nrcpt=N (queue active)", "removed", and "from=<s>, status=expired,
// returned to sender", which expires every recipient still pending.
func (p *Parser) qmgr(qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	if bytes.Equal(rest, []byte("removed")) {
		p.msgs.Delete(qid)
		return nil
	}
	if !bytes.HasPrefix(rest, []byte("from=<")) {
		return nil
	}
	sender := addrAt(rest[5:])
	if sender == nil && !bytes.HasPrefix(rest, []byte("from=<>")) {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "from= without closing >", line)
	}
	m := p.msgs.Put(qid, p.lineTime)
	if !m.hasSender || m.sender != string(sender) {
		m.sender = string(sender)
		m.hasSender = true
	}
	f, ok := queueActive(sender, rest[len("from=<")+len(sender):])
	if !ok {
		f = searchQmgrFields(rest)
	}
	if f.size != nil {
		m.size = parseSize(f.size)
	}
	if v := f.nrcpt; v != nil {
		if sp := bytes.IndexByte(v, ' '); sp > 0 {
			v = v[:sp]
		}
		m.nrcpt, _ = parsekit.Atoi(v)
	}
	if !bytes.HasPrefix(f.status, []byte("expired")) {
		return nil
	}
	// message-level expiry: one event per recipient still deferred
	p.defs.Expire(&m.pending, func(pd *parsekit.Deferral, attempt int) {
		e := p.start(qid)
		join(e, m)
		e.Status = bouncescan.StatusExpired
		e.Recipient, e.OrigRecipient, e.Domain = pd.Rcpt, pd.Orig, pd.Domain
		apply(pd, e)
		e.Attempt = attempt
		p.emit(e, emit)
	})
	return nil
}

// qmgrFields are the values of the fields of a qmgr "from=<…>" line that
// bouncescan reads, as parsekit.Field finds them (nil when absent).
type qmgrFields struct {
	size, nrcpt, status []byte
}

// searchQmgrFields finds each field anywhere in the line.
func searchQmgrFields(rest []byte) (f qmgrFields) {
	f.size, _ = parsekit.Field(rest, "size")
	f.nrcpt, _ = parsekit.Field(rest, "nrcpt")
	f.status, _ = parsekit.Field(rest, "status")
	return f
}

// queueActive reads the line qmgr writes once for each message, "from=<s>,
// size=N, nrcpt=N (queue active)", from the bytes after the sender
// (tail, starting at its '>'), in one pass and only when it has exactly
// that shape, where it finds what searchQmgrFields finds with its three
// searches: nothing in a sender without ' ' and ',' can be taken for a
// field (parsekit.Field wants one of these before a key), and the tail
// holds no other. ok is false for any other line.
func queueActive(sender, tail []byte) (f qmgrFields, ok bool) {
	const sizeKey, nrcptKey, active = ">, size=", ", nrcpt=", " (queue active)"
	if bytes.IndexByte(sender, ' ') >= 0 || bytes.IndexByte(sender, ',') >= 0 ||
		len(tail) < len(sizeKey) || string(tail[:len(sizeKey)]) != sizeKey {
		return f, false
	}
	b := tail[len(sizeKey):]
	n := digitRun(b)
	if n == 0 || len(b) < n+len(nrcptKey) || string(b[n:n+len(nrcptKey)]) != nrcptKey {
		return f, false
	}
	f.size = b[:n]
	b = b[n+len(nrcptKey):]
	n = digitRun(b)
	if n == 0 || string(b[n:]) != active {
		return f, false
	}
	f.nrcpt = b
	return f, true
}

// digitRun is the number of ASCII digits at the start of b.
func digitRun(b []byte) int {
	n := 0
	for n < len(b) && b[n]-'0' < 10 {
		n++
	}
	return n
}

// parseSize reads size= as strconv.ParseInt does (a value out of range
// is clamped), without its set-up for the usual few digits.
func parseSize(b []byte) int64 {
	if len(b) > 0 && len(b) <= 18 && digitRun(b) == len(b) {
		var v int64
		for _, c := range b {
			v = v*10 + int64(c-'0')
		}
		return v
	}
	v, _ := strconv.ParseInt(string(b), 10, 64)
	return v
}

// reject reads smtpd, postscreen and cleanup rejections:
//
//	NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 <x>: Relay access denied; from=<s> to=<r> proto=ESMTP helo=<h>
//	QID: reject: END-OF-MESSAGE from host[ip]: 5.7.1 text; from=<s> to=<r> proto=ESMTP helo=<h>
//	QID: milter-reject: END-OF-MESSAGE from host[ip]: 5.7.1 text; from=<s> to=<r> proto=ESMTP helo=<h>
//	QID: reject: header Subject: x from host[ip]; from=<s> to=<r> proto=ESMTP helo=<h>: 5.7.1 text
//	NOQUEUE: reject: CONNECT from [ip]:port: 550 5.7.1 text; proto=SMTP (postscreen)
//	NOQUEUE: proxy-reject: END-OF-MESSAGE: 554 5.7.0 text; from=<s> to=<r> proto=ESMTP helo=<h> (before-queue filter)
//
// Each gives a rejected Event with the stage of the command.
func (p *Parser) reject(qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	colon := bytes.IndexByte(rest, ':')
	body := bytes.TrimLeft(rest[colon+1:], " ")
	e := p.start(qid)
	e.Status = bouncescan.StatusRejected

	var reply, tail []byte
	if bytes.HasPrefix(body, []byte("header ")) || bytes.HasPrefix(body, []byte("body ")) {
		// content checks: the reply follows the envelope fields
		e.Stage = bouncescan.StageEndOfData
		i := bytes.Index(body, []byte("; from=<"))
		if i < 0 {
			return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "content reject without from=", line)
		}
		tail = body[i+2:]
		if j := bytes.Index(tail, []byte(">: ")); j >= 0 {
			reply = tail[j+3:]
			tail = tail[:j+1]
		}
		e.Text = "" // set from reply below
	} else {
		sp := bytes.IndexByte(body, ' ')
		if sp < 0 {
			return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "reject without command", line)
		}
		var msg []byte
		if cmd := body[:sp]; cmd[len(cmd)-1] == ':' {
			// proxy-reject: "END-OF-MESSAGE: reply; from=<s> to=<r> …" names no client
			e.Stage = stageOfSMTPCommand(cmd[:len(cmd)-1])
			msg = body[sp+1:]
		} else {
			e.Stage = stageOfSMTPCommand(cmd)
			// "from host[ip]: " or "from [ip]:port: "
			after := body[sp+1:]
			k := bytes.Index(after, []byte("]: "))
			if k < 0 {
				if k = bytes.Index(after, []byte(": ")); k < 0 {
					return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "reject without client", line)
				}
				k -= 1
			}
			client := after[:k+1]
			msg = after[k+3:]
			if bytes.HasPrefix(client, []byte("from ")) {
				client = client[5:]
			}
			// postscreen: "[ip]:port" — keep the ip
			_, ip, _ := parsekit.HostIP(client)
			if ip != nil {
				e.RelayIP = string(ip)
			}
		}
		if i := bytes.LastIndex(msg, []byte("; from=<")); i >= 0 {
			reply, tail = msg[:i], msg[i+2:]
		} else if i := bytes.LastIndex(msg, []byte("; proto=")); i >= 0 {
			reply, tail = msg[:i], msg[i+2:]
		} else {
			reply = msg
		}
	}
	r := parsekit.ParseReply(reply)
	if r.Code == 0 {
		// cleanup/milter rejects give only the enhanced code
		if n := parsekit.EnhancedAt(reply); n > 0 {
			r.Enhanced = string(reply[:n])
			r.Text = string(bytes.TrimSpace(reply[n:]))
		}
	}
	e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
	if v := fieldAngle(tail, "from=<"); v != nil {
		e.Sender = string(v)
	}
	if v := fieldAngle(tail, "to=<"); v != nil {
		e.Recipient = string(v)
		e.Domain = parsekit.Domain(e.Recipient)
	}
	if e.QueueID != "" {
		sender := e.Sender
		join(e, p.msgs.Get(qid, p.lineTime))
		if sender != "" {
			e.Sender = sender
		}
	}
	p.emit(e, emit)
	return nil
}

// fieldAngle returns the value of key (which ends in "<") up to '>'.
func fieldAngle(b []byte, key string) []byte {
	i := bytes.Index(b, []byte(key))
	for i > 0 && b[i-1] != ' ' && b[i-1] != ',' {
		j := bytes.Index(b[i+1:], []byte(key))
		if j < 0 {
			return nil
		}
		i += 1 + j
	}
	if i < 0 {
		return nil
	}
	v := b[i+len(key):]
	if j := bytes.IndexByte(v, '>'); j >= 0 {
		return v[:j]
	}
	return nil
}

// stageOfSMTPCommand maps the command word of smtpd's reject lines.
func stageOfSMTPCommand(c []byte) bouncescan.Stage {
	switch string(c) {
	case "RCPT", "VRFY", "ETRN":
		return bouncescan.StageRcpt
	case "MAIL":
		return bouncescan.StageMail
	case "DATA", "BDAT":
		return bouncescan.StageData
	case "END-OF-MESSAGE":
		return bouncescan.StageEndOfData
	case "CONNECT":
		return bouncescan.StageConnect
	case "EHLO", "HELO":
		return bouncescan.StageHelo
	case "STARTTLS":
		return bouncescan.StageStartTLS
	case "AUTH":
		return bouncescan.StageAuth
	}
	return bouncescan.StageUnknown
}
