package exchange

import (
	"bytes"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// agentAction maps the Action of an anti-spam agent log row to the
// outcome for the recipients it names. ok is false for actions that let
// the message through (AcceptMessage, ModifyHeaders, StampScl, …).
func agentAction(b []byte) (bouncescan.Status, bool) {
	switch {
	case eqFold(b, "REJECTMESSAGE"), eqFold(b, "REJECTCOMMAND"), eqFold(b, "REJECTCONNECTION"),
		eqFold(b, "REJECTAUTHENTICATION"):
		// our SMTP server refused the command or the message with SmtpResponse
		return bouncescan.StatusRejected, true
	case eqFold(b, "DELETEMESSAGE"), eqFold(b, "DELETERECIPIENTS"):
		// accepted, then silently deleted: no NDR
		return bouncescan.StatusDiscarded, true
	case eqFold(b, "QUARANTINEMESSAGE"):
		// accepted, then redirected to the spam quarantine mailbox
		return bouncescan.StatusHeld, true
	}
	return bouncescan.StatusUnknown, false
}

// agentStage maps the SMTP event an agent acted on to its stage.
func agentStage(b []byte) bouncescan.Stage {
	switch {
	case eqFold(b, "ONCONNECTEVENT"), eqFold(b, "ONCONNECT"):
		return bouncescan.StageConnect
	case eqFold(b, "ONHELOCOMMAND"), eqFold(b, "ONEHLOCOMMAND"):
		return bouncescan.StageHelo
	case eqFold(b, "ONAUTHCOMMAND"):
		return bouncescan.StageAuth
	case eqFold(b, "ONMAILCOMMAND"):
		return bouncescan.StageMail
	case eqFold(b, "ONRCPTCOMMAND"), eqFold(b, "ONRCPT2COMMAND"):
		return bouncescan.StageRcpt
	case eqFold(b, "ONDATACOMMAND"):
		return bouncescan.StageData
	case eqFold(b, "ONENDOFHEADERS"), eqFold(b, "ONENDOFDATA"):
		return bouncescan.StageEndOfData
	}
	return bouncescan.StageUnknown
}

// agent reads one anti-spam agent log row (Exchange 2010: Timestamp,
// SessionId, IPAddress, …; 2013+: Timestamp, SessionId, LocalEndpoint,
// RemoteEndpoint, EnteredOrgFromIP, …, Agent, Event, Action, SmtpResponse,
// Reason, ReasonData, …). A reject is a rejection by our SMTP server at
// the stage of the event (the SmtpResponse is the reply it gave); a
// deleted or quarantined message is discarded or held, with the agent's
// Reason and ReasonData as the text. One event per recipient of the row,
// or one without recipient when it names none (a refused MAIL FROM or
// connection).
func (p *Parser) agent(l *layout, f [][]byte, line []byte, emit func(*bouncescan.Event)) error {
	st, ok := agentAction(bytes.TrimSpace(l.get(f, colAction)))
	if !ok {
		return nil
	}
	stage := agentStage(bytes.TrimSpace(l.get(f, colEvent)))
	resp := bytes.TrimSpace(l.get(f, colSMTPResponse))
	var r parsekit.Reply
	if len(resp) > 0 {
		r = parsekit.ParseReply(resp)
	}
	text := ""
	switch {
	case r.Code > 0:
		text = r.Text
	case len(resp) > 0:
		text = string(resp)
	default:
		reason := bytes.TrimSpace(l.get(f, colReason))
		data := bytes.TrimSpace(l.get(f, colReasonData))
		text = string(reason)
		if len(data) > 0 {
			if text != "" {
				text += " "
			}
			text += string(data)
		}
	}
	ip, _ := endpoint(bytes.TrimSpace(l.get(f, colRemote)))
	if len(ip) == 0 {
		ip = bytes.TrimSpace(l.get(f, colFromIP))
	}
	p.rcpts = splitList(l.get(f, colRecipient), p.rcpts[:0])
	n := len(p.rcpts)
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		e := p.start()
		e.Process = p.str(1, bytes.TrimSpace(l.get(f, colAgent)))
		if i < len(p.rcpts) {
			e.Recipient = string(p.rcpts[i])
		}
		e.Status = st
		if st == bouncescan.StatusRejected {
			e.Stage = stage
			e.ReplyCode, e.EnhancedCode = r.Code, r.Enhanced
		}
		e.Text = text
		e.RelayIP = string(ip)
		e.Sender = string(parsekit.Unbracket(bytes.TrimSpace(l.get(f, colSender))))
		e.MessageID = string(parsekit.Unbracket(bytes.TrimSpace(l.get(f, colMessageID))))
		p.emit(e, emit)
	}
	return nil
}
