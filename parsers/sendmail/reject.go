package sendmail

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// ruleset reads the rejects of Sendmail's policy rulesets:
//
//	QID: ruleset=check_rcpt, arg1=<x>, relay=host [ip] (may be forged), reject=550 5.7.1 <x>... Relaying denied
//	ruleset=check_relay, arg1=host, arg2=ip, relay=host [ip], reject=421 4.3.2 Connection rate limit exceeded.
//
// check_relay is the connection, check_mail MAIL FROM (arg1 is the
// sender), check_rcpt RCPT TO (arg1 is the recipient), check_data DATA,
// check_eoh/check_eom and header-check rulesets the end of the data.
// Rulesets that do not refuse an SMTP command of a client (tls_server,
// check_compat, …) give no Event.
func (p *Parser) ruleset(qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	name, _ := parsekit.Field(rest, "ruleset")
	var reply []byte
	status := bouncescan.StatusRejected
	if i := bytes.Index(rest, []byte(", reject=")); i >= 0 {
		reply = rest[i+len(", reject="):]
	} else if bytes.HasSuffix(rest, []byte(", discard")) {
		status = bouncescan.StatusDiscarded
	} else {
		return nil // quarantine=, or a ruleset that only logs
	}
	stage, ok := rulesetStage(name)
	if !ok {
		return nil
	}
	if status == bouncescan.StatusRejected && len(bytes.TrimSpace(reply)) == 0 {
		return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "reject= without reply", line)
	}
	e := p.start(qid)
	e.Status = status
	e.Stage = stage
	if reply != nil {
		setReply(e, reply)
	}
	if v, ok := parsekit.Field(rest, "relay"); ok {
		_, e.RelayIP = relayOf(v)
	}
	if arg, ok := parsekit.Field(rest, "arg1"); ok {
		switch stage {
		case bouncescan.StageRcpt:
			e.Recipient = string(parsekit.Unbracket(arg))
			e.Domain = parsekit.Domain(e.Recipient)
		case bouncescan.StageMail:
			e.Sender = string(parsekit.Unbracket(arg))
		}
	}
	p.joinReject(qid, e)
	p.emit(e, emit)
	return nil
}

// rulesetStage maps a ruleset name to the stage it refuses; ok is false
// for rulesets that do not refuse a client's command.
func rulesetStage(name []byte) (bouncescan.Stage, bool) {
	switch string(name) {
	case "check_relay":
		return bouncescan.StageConnect, true
	case "check_mail", "tls_client":
		return bouncescan.StageMail, true
	case "check_rcpt":
		return bouncescan.StageRcpt, true
	case "check_data":
		return bouncescan.StageData, true
	case "check_eoh", "check_eom":
		return bouncescan.StageEndOfData, true
	case "trust_auth":
		return bouncescan.StageAuth, true
	case "tls_server", "tls_rcpt", "try_tls", "srv_features", "clt_features", "authinfo", "check_compat",
		"check_etrn", "check_expn", "check_vrfy", "":
		return bouncescan.StageUnknown, false
	}
	// header checks (HSubject: $>check_subject, …) run while the data is
	// read; the refusal is the reply to the final dot
	return bouncescan.StageEndOfData, true
}

// milter reads what Sendmail logs when a milter refuses a command (rest
// follows "Milter: "):
//
//	connect: host=h, addr=ip, rejecting commands
//	helo=h, reject=…   from=<s>, reject=…   to=<r>, reject=…
//	cmd=data, reject=…  (the DATA command)
//	data, reject=…      (after the final dot) — data, discard
func (p *Parser) milter(qid, rest, line []byte, emit func(*bouncescan.Event)) error {
	head := rest
	var reply []byte
	status := bouncescan.StatusRejected
	switch {
	case bytes.Contains(rest, []byte(", reject=")):
		i := bytes.Index(rest, []byte(", reject="))
		head, reply = rest[:i], rest[i+len(", reject="):]
		if len(bytes.TrimSpace(reply)) == 0 {
			return bouncescan.NewParseError(p.linePos, bouncescan.ErrUnparsed, "milter reject= without reply", line)
		}
	case bytes.HasSuffix(rest, []byte(", rejecting commands")):
		head = rest[:len(rest)-len(", rejecting commands")]
	case bytes.HasSuffix(rest, []byte(", discard")):
		head = rest[:len(rest)-len(", discard")]
		status = bouncescan.StatusDiscarded
	default:
		return nil // "no active filter", "add: header: …", …
	}
	e := p.start(qid)
	e.Status = status
	switch {
	case bytes.HasPrefix(head, []byte("connect")):
		e.Stage = bouncescan.StageConnect
		if v, ok := parsekit.Field(head, "addr"); ok {
			v = bytes.TrimPrefix(unsquare(v), []byte("IPv6:"))
			e.RelayIP = string(v)
		}
	case bytes.HasPrefix(head, []byte("helo=")):
		e.Stage = bouncescan.StageHelo
	case bytes.HasPrefix(head, []byte("from=")):
		e.Stage = bouncescan.StageMail
		e.Sender = string(parsekit.Unbracket(head[len("from="):]))
	case bytes.HasPrefix(head, []byte("to=")):
		e.Stage = bouncescan.StageRcpt
		e.Recipient = string(parsekit.Unbracket(head[len("to="):]))
		e.Domain = parsekit.Domain(e.Recipient)
	case bytes.HasPrefix(head, []byte("cmd=")):
		e.Stage = commandStage(head[len("cmd="):])
	case bytes.Equal(head, []byte("data")), bytes.Equal(head, []byte("eom")), bytes.Equal(head, []byte("eoh")),
		bytes.Equal(head, []byte("header")), bytes.Equal(head, []byte("body")):
		// "data" is milter_data(): the end of the message
		e.Stage = bouncescan.StageEndOfData
	}
	if reply != nil {
		setReply(e, reply)
	}
	p.joinReject(qid, e)
	p.emit(e, emit)
	return nil
}

// commandStage maps the cmd= of newer milter lines.
func commandStage(c []byte) bouncescan.Stage {
	switch string(c) {
	case "connect":
		return bouncescan.StageConnect
	case "helo", "ehlo":
		return bouncescan.StageHelo
	case "mail":
		return bouncescan.StageMail
	case "rcpt":
		return bouncescan.StageRcpt
	case "data":
		return bouncescan.StageData
	case "eoh", "eom", "body", "header":
		return bouncescan.StageEndOfData
	}
	return bouncescan.StageUnknown
}

// refused reads "QID: <x@y>... User unknown": our SMTP server refusing a
// RCPT TO (or a MAIL FROM, when the text is about the sender) without a
// ruleset. Sendmail writes these before the from= line of the
// transaction; once the message was accepted (from= seen) the same form
// only echoes a delivery error whose to= line gives the outcome, and is
// ignored.
func (p *Parser) refused(qid, rest []byte, emit func(*bouncescan.Event)) error {
	i := bytes.Index(rest, []byte(">... "))
	if i < 0 {
		return nil
	}
	addr, text := rest[1:i], bytes.TrimSpace(rest[i+len(">... "):])
	m := p.msgs.Get(qid, p.lineTime)
	if m != nil && m.accepted {
		return nil
	}
	e := p.start(qid)
	e.Status = bouncescan.StatusRejected
	setReply(e, text)
	if indexFold(e.Text, "sender") >= 0 {
		e.Stage = bouncescan.StageMail
		e.Sender = string(addr)
	} else {
		e.Stage = bouncescan.StageRcpt
		e.Recipient = string(addr)
		e.Domain = parsekit.Domain(e.Recipient)
	}
	join(e, m)
	p.emit(e, emit)
	return nil
}

// pregreet reads "rejecting commands from host [ip] due to pre-greeting
// traffic after N seconds" (greet_pause): the client spoke before the
// greeting and every command of the session is refused.
func (p *Parser) pregreet(qid, rest []byte, emit func(*bouncescan.Event)) error {
	client := rest[len("rejecting commands from "):]
	text := client
	if i := bytes.Index(client, []byte(" due to ")); i >= 0 {
		client, text = client[:i], client[i+len(" due to "):]
	}
	e := p.start(qid)
	e.Status = bouncescan.StatusRejected
	e.Stage = bouncescan.StageConnect
	_, e.RelayIP = relayOf(client)
	e.Text = string(bytes.TrimSpace(text))
	p.emit(e, emit)
	return nil
}

// joinReject adds what is known of the message to a reject, and marks a
// message refused after its data so that the to= lines that repeat the
// refusal are not counted again.
func (p *Parser) joinReject(qid []byte, e *bouncescan.Event) {
	if len(qid) == 0 {
		return
	}
	var m *message
	if e.Stage == bouncescan.StageData || e.Stage == bouncescan.StageEndOfData {
		m = p.msgs.Put(qid, p.lineTime)
		m.rejected = true
	} else {
		m = p.msgs.Get(qid, p.lineTime)
	}
	join(e, m)
}

// setReply fills the reply fields from an SMTP reply ("550 5.7.1 text",
// "5.7.1 text" or bare text).
func setReply(e *bouncescan.Event, b []byte) {
	r := parsekit.ParseReply(b)
	if r.Code == 0 {
		b = bytes.TrimSpace(b)
		if n := parsekit.EnhancedAt(b); n > 0 {
			r.Enhanced = string(b[:n])
			r.Text = string(bytes.TrimSpace(b[n:]))
		}
	}
	e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
}

// unsquare strips one pair of square brackets: "[ip]" → "ip".
func unsquare(b []byte) []byte {
	if len(b) >= 2 && b[0] == '[' && b[len(b)-1] == ']' {
		return b[1 : len(b)-1]
	}
	return b
}
