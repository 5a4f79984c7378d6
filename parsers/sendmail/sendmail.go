// Package sendmail reads Sendmail 8.x syslog logs (program sendmail,
// sm-mta, sm-msp-queue, …): deliveries (to= … stat=), receipts (from=),
// ruleset and milter rejects of our own SMTP server, refused recipients
// ("<x>... User unknown") and the DSN notices that link a message to its
// bounce. It joins the lines of one message by queue id and emits one
// Event per recipient outcome and per rejected SMTP command.
package sendmail

import (
	"bytes"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Name is the format name (--format sendmail, Event.MTA).
const Name = "sendmail"

// Variants lists what the parser reads.
var Variants = []string{
	"syslog without a year (Nov 22 03:14:15 host sm-mta[123]: …), RFC 3339 / rsyslog high precision stamps, journalctl short-iso and json",
	"syslog with a <facility.level> token before the host, and message-only lines (sm-mta[123]: …)",
	"programs sendmail, sm-mta, sm-msp-queue, sm-acceptingconnections and any other sm-* name",
	"to= deliveries (several recipients per line, [more] continuations, reply= of 8.15+), from= receipts, DSN: notices, queue-lifetime expiry",
	"ruleset=check_relay/check_mail/check_rcpt/check_data/check_eom rejects, Milter rejects, refused RCPT (<x>... User unknown), pre-greeting traffic",
}

// Example is one line of the format.
const Example = `Nov 22 03:14:15 mx1 sm-mta[4242]: 5AM3EFxq004242: to=<bob@example.com>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120473, relay=mx.example.com. [192.0.2.10], dsn=5.1.1, stat=User unknown`

// message is what the parser knows about one queue id.
type message struct {
	sender    string
	hasSender bool
	messageID string
	size      int64
	accepted  bool // a from= line was seen: the message is in our queue
	// rejected: the message was refused after the data (milter or
	// check_data/check_eom); the to= lines Sendmail writes for its
	// recipients afterwards repeat that rejection.
	rejected bool
	// the last deferral of each recipient without a final outcome yet:
	// what an expiry of the message reports
	pending parsekit.Pending
	// timeout is the phase a "timeout waiting for input from H during
	// client X" line named: the stage of the next delivery attempt's
	// "Connection timed out with H", which alone would read as a connect
	timeout bouncescan.Stage
}

// Parser is a Sendmail log parser. Use one per goroutine.
type Parser struct {
	stamps   *parsekit.Stamps
	msgs     *parsekit.Table[message]
	defs     *parsekit.Deferrals
	file     parsekit.File
	hdr      parsekit.Header
	ev       bouncescan.Event
	scratch  []byte // a line without its <facility.level> token
	host     []byte // last host name seen, and its string
	hostStr  string
	prog     []byte // last program name seen, and its string
	progStr  string
	emitIdx  int
	linePos  bouncescan.Pos
	lineTime time.Time
}

// New makes a Parser.
func New(opts parsekit.Options) *Parser {
	opts = opts.WithDefaults()
	p := &Parser{
		stamps: parsekit.NewStamps(opts),
		msgs:   parsekit.NewTable[message](opts.MaxMessages, opts.TTL),
		// Sendmail logs no original recipient on to= lines: exact match
		// on the recipient
		defs: parsekit.NewDeferrals(opts, parsekit.DeferralOptions{}),
	}
	p.msgs.Release = func(m *message) { p.defs.Release(&m.pending) }
	return p
}

// Begin starts a new input file.
func (p *Parser) Begin(f parsekit.File) {
	p.file = f
	p.stamps.Begin(f)
}

// Stats reports the bounded-state counters.
func (p *Parser) Stats() parsekit.Stats {
	s := p.msgs.Stats()
	p.defs.AddStats(&s)
	return s
}

// Watermark is the Mark of the oldest line whose content the parser still
// holds (the line that created the oldest message state); ok is false when
// it holds none.
func (p *Parser) Watermark() (parsekit.Mark, bool) { return p.msgs.Oldest() }

// Flush frees the state. Deferrals still pending at the end of the input
// are not outcomes by themselves (they were reported as deferred).
func (p *Parser) Flush(func(*bouncescan.Event)) {
	p.msgs.Drain(func(string, *message) {})
}

// Parse reads one line.
func (p *Parser) Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error {
	h := &p.hdr
	if !splitLine(p.stamps, line, h, &p.scratch) {
		if looksSendmail(line) {
			if p.stamps.OutOfRange() {
				return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, parsekit.ReasonOutOfRange, line)
			}
			return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, "bad syslog header", line)
		}
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not a syslog line", line)
	}
	if !isProgram(h.Prog) {
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not a sendmail program", line)
	}
	p.linePos = pos
	p.msgs.At(parsekit.Mark{Seq: p.file.Seq, Offset: pos.Offset})
	p.msgs.Now(h.Host, h.Time)
	p.lineTime = h.Time
	p.emitIdx = 0
	qid, rest := queueID(h.Msg)
	if bytes.HasPrefix(rest, []byte("NOQUEUE: ")) {
		rest = rest[len("NOQUEUE: "):]
	}
	switch {
	case bytes.HasPrefix(rest, []byte("to=")):
		if qid == nil {
			return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, "to= without queue id", line)
		}
		return p.delivery(qid, rest, line, emit)
	case bytes.HasPrefix(rest, []byte("from=")):
		if qid != nil {
			return p.receipt(qid, rest, line)
		}
		return nil
	case bytes.HasPrefix(rest, []byte("ruleset=")):
		return p.ruleset(qid, rest, line, emit)
	case bytes.HasPrefix(rest, []byte("Milter: ")):
		return p.milter(qid, rest[len("Milter: "):], line, emit)
	case len(rest) > 0 && rest[0] == '<':
		if qid != nil {
			return p.refused(qid, rest, emit)
		}
		return nil
	case bytes.HasPrefix(rest, []byte("rejecting commands from ")):
		return p.pregreet(qid, rest, emit)
	case qid != nil && bytes.HasPrefix(rest, []byte("timeout waiting for input from ")):
		if i := bytes.Index(rest, []byte(" during client ")); i > 0 {
			if m := p.msgs.Get(qid, p.lineTime); m != nil {
				m.timeout = stageOfPhase(string(rest[i+len(" during client "):]))
			}
		}
		return nil
	}
	if qid != nil {
		if qid2, note := queueID(rest); qid2 != nil {
			return p.notice(qid, qid2, note, emit)
		}
	}
	return nil
}

// isProgram reports whether a syslog tag is one Sendmail writes: sendmail
// itself, or sm-mta, sm-msp-queue, sm-acceptingconnections, … (Debian's
// daemon names and process titles that leak into the tag). Postfix's
// "postfix/sendmail" has a '/' and is not ours.
func isProgram(prog []byte) bool {
	if bytes.Equal(prog, []byte("sendmail")) {
		return true
	}
	if len(prog) > 3 && prog[0] == 's' && prog[1] == 'm' && prog[2] == '-' {
		for _, c := range prog[3:] {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				return false
			}
		}
		return true
	}
	return false
}

// looksSendmail reports whether a line that is no syslog line still names
// a Sendmail program in its first bytes.
func looksSendmail(line []byte) bool {
	head := line[:min(len(line), 80)]
	return bytes.Contains(head, []byte("sm-mta[")) || bytes.Contains(head, []byte("sendmail["))
}

// splitLine reads the syslog envelope of a line: the styles of
// parsekit.Stamps.Syslog, the same with a "<facility.level>" token between
// the stamp and the host (syslog-ng/rsyslog templates), and message-only
// lines "prog[pid]: msg" with no stamp (Time is zero).
func splitLine(st *parsekit.Stamps, line []byte, h *parsekit.Header, scratch *[]byte) bool {
	if i, j := facilityToken(line); i > 0 {
		s := append((*scratch)[:0], line[:i]...)
		s = append(s, line[j:]...)
		*scratch = s
		return st.Syslog(s, h)
	}
	if st.Syslog(line, h) {
		return true
	}
	return messageOnly(line, h)
}

// facilityToken finds " <word.word>" right after a timestamp at the start
// of line: it returns the index of the space before '<' and the index of
// the space after '>' (0, 0 if there is none).
func facilityToken(line []byte) (int, int) {
	if len(line) < 20 || line[0] == '<' || line[0] == '{' {
		return 0, 0
	}
	head := line[:min(len(line), 48)]
	i := bytes.Index(head, []byte(" <"))
	if i < 15 {
		return 0, 0
	}
	dots := 0
	for k := i + 2; k < len(head); k++ {
		c := head[k]
		switch {
		case c == '>':
			if dots == 1 && k > i+4 && k+1 < len(line) && line[k+1] == ' ' {
				return i, k + 1
			}
			return 0, 0
		case c == '.':
			dots++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		default:
			return 0, 0
		}
	}
	return 0, 0
}

// messageOnly reads "prog[pid]: msg" (a syslog line whose stamp and host
// were stripped by the tool that kept it).
func messageOnly(line []byte, h *parsekit.Header) bool {
	*h = parsekit.Header{}
	colon := bytes.Index(line, []byte(": "))
	if colon <= 0 || colon > 64 {
		return false
	}
	tag := line[:colon]
	lb := bytes.IndexByte(tag, '[')
	if lb <= 0 || tag[len(tag)-1] != ']' || bytes.IndexByte(tag, ' ') >= 0 {
		return false
	}
	pid, ok := parsekit.Atoi(tag[lb+1 : len(tag)-1])
	if !ok {
		return false
	}
	h.Prog, h.PID, h.Msg = tag[:lb], pid, line[colon+2:]
	return true
}

// queueID splits "QID: rest". Sendmail queue ids are 6 to 24 letters and
// digits with at least one digit (the process id is part of them), which
// keeps words such as "Milter" or "STARTTLS" out.
func queueID(msg []byte) (qid, rest []byte) {
	i := 0
	digits := 0
	for i < len(msg) && i < 25 {
		c := msg[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			break
		}
		i++
	}
	if i < 6 || i > 24 || digits == 0 || i+1 >= len(msg) || msg[i] != ':' || msg[i+1] != ' ' {
		return nil, msg
	}
	return msg[:i], msg[i+2:]
}

// start fills the common fields of p.ev for the current line.
func (p *Parser) start(qid []byte) *bouncescan.Event {
	h := &p.hdr
	if !bytes.Equal(h.Host, p.host) {
		p.host = append(p.host[:0], h.Host...)
		p.hostStr = string(h.Host)
	}
	if !bytes.Equal(h.Prog, p.prog) {
		p.prog = append(p.prog[:0], h.Prog...)
		p.progStr = string(h.Prog)
	}
	p.ev = bouncescan.Event{
		Time:    h.Time,
		Host:    p.hostStr,
		MTA:     Name,
		Source:  p.linePos.Source,
		Line:    p.linePos.Line,
		Offset:  p.linePos.Offset,
		Process: p.progStr,
		Attempt: 1,
	}
	if len(qid) > 0 {
		p.ev.QueueID = string(qid)
	}
	return &p.ev
}

func (p *Parser) emit(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	e.ID = parsekit.EventID(p.file.Fingerprint, e.Offset, p.emitIdx)
	p.emitIdx++
	emit(e)
}

// join copies what the message state knows into the event.
func join(e *bouncescan.Event, m *message) {
	if m == nil {
		return
	}
	if m.hasSender && e.Sender == "" {
		e.Sender = m.sender
	}
	e.MessageID = m.messageID
	e.Size = m.size
}
