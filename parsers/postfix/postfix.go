// Package postfix reads Postfix logs: classic syslog, RFC 3339 (rsyslog
// high precision, Postfix maillog_file), journalctl short-iso and json
// exports. It joins the lines of one message by queue id and emits one
// Event per recipient outcome and per rejected SMTP command.
package postfix

import (
	"bytes"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Name is the format name (--format postfix, Event.MTA).
const Name = "postfix"

// Variants lists what the parser reads.
var Variants = []string{
	"syslog without a year (Nov 22 03:14:15 host postfix/smtp[123]: …)",
	"RFC 3339 / rsyslog high precision / Postfix maillog_file (2026-11-22T03:14:15.123456+01:00 …)",
	"journalctl -o short-iso and -o json",
	"smtp, lmtp, local, virtual, pipe, error, retry, discard deliveries; qmgr, cleanup, pickup, bounce, smtpd and postscreen rejects",
	"any syslog_name (postfix-out/smtp, postfix/submission/smtpd), short and long queue ids",
}

// Example is one line of the format.
const Example = `Nov 22 03:14:15 mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.10] said: 550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))`

// message is what the parser knows about one queue id.
type message struct {
	sender    string
	hasSender bool
	messageID string
	size      int64
	nrcpt     int
	// the last deferral of each recipient without a final outcome yet:
	// what an expiry of the message reports
	pending parsekit.Pending
}

// Parser is a Postfix log parser. Use one per goroutine.
type Parser struct {
	stamps   *parsekit.Stamps
	msgs     *parsekit.Table[message]
	defs     *parsekit.Deferrals
	file     parsekit.File
	hdr      parsekit.Header
	ev       bouncescan.Event
	strs     parsekit.Interner // relay, dsn, host and process strings
	pack     parsekit.StrPack  // the other strings of a delivery event
	idPrefix [17]byte          // of the event ids of the file (see idPrefix)
	timeLoc  *time.Location
	emitIdx  int
	linePos  bouncescan.Pos
	lineTime time.Time
}

// New makes a Parser.
func New(opts parsekit.Options) *Parser {
	opts = opts.WithDefaults()
	p := &Parser{
		stamps:  parsekit.NewStamps(opts),
		msgs:    parsekit.NewTable[message](opts.MaxMessages, opts.TTL),
		timeLoc: opts.Location,
		// Postfix writes recipients as it got them: exact match, and
		// orig_to= tells two deliveries to one address apart
		defs: parsekit.NewDeferrals(opts, parsekit.DeferralOptions{MatchOrig: true}),
	}
	p.msgs.Release = func(m *message) { p.defs.Release(&m.pending) }
	p.idPrefix = parsekit.IDPrefix(0)
	return p
}

// Begin starts a new input file.
func (p *Parser) Begin(f parsekit.File) {
	p.file = f
	p.idPrefix = parsekit.IDPrefix(f.Fingerprint)
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
// it holds none. Reading again from there rebuilds the same state (see
// parsekit.Table and parsekit.Deferrals for when it cannot).
func (p *Parser) Watermark() (parsekit.Mark, bool) { return p.msgs.Oldest() }

// Flush frees the state. Postfix emits every outcome on its own line, so
// nothing is pending that would be an outcome by itself.
func (p *Parser) Flush(func(*bouncescan.Event)) {
	p.msgs.Drain(func(string, *message) {})
}

// Parse reads one line.
func (p *Parser) Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error {
	h := &p.hdr
	if !p.stamps.Syslog(line, h) && !headerless(line, h) {
		if bytes.Contains(line, []byte("postfix")) {
			if p.stamps.OutOfRange() {
				return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, parsekit.ReasonOutOfRange, line)
			}
			return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, "bad syslog header", line)
		}
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not a syslog line", line)
	}
	service, ok := serviceOf(h.Prog)
	if !ok {
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not a postfix program", line)
	}
	p.linePos = pos
	p.msgs.At(parsekit.Mark{Seq: p.file.Seq, Offset: pos.Offset})
	p.msgs.Now(h.Host, h.Time)
	p.lineTime = h.Time
	p.emitIdx = 0
	msg := h.Msg
	qid, rest := queueID(msg)
	if sev, ok := noticeOf(rest); ok {
		return bouncescan.NewParseError(pos, bouncescan.ErrNotice, sev, append([]byte(service+": "), rest[len(sev)+2:]...))
	}
	if qid == nil {
		// lines without a queue id: only smtpd/postscreen rejects matter
		return nil
	}
	switch {
	case bytes.HasPrefix(rest, []byte("to=<")):
		return p.delivery(service, qid, rest, line, emit)
	case bytes.HasPrefix(rest, []byte("reject: ")), bytes.HasPrefix(rest, []byte("milter-reject: ")),
		bytes.HasPrefix(rest, []byte("proxy-reject: ")):
		return p.reject(qid, rest, line, emit)
	}
	if bytes.Equal(qid, []byte("NOQUEUE")) {
		return nil
	}
	switch service {
	case "qmgr":
		return p.qmgr(qid, rest, line, emit)
	case "cleanup":
		if v, ok := bytes.CutPrefix(rest, []byte("message-id=")); ok {
			m := p.msgs.Put(qid, h.Time)
			m.messageID = string(parsekit.Unbracket(bytes.TrimSpace(v)))
		}
	case "pickup":
		if i := bytes.Index(rest, []byte("from=<")); i >= 0 {
			m := p.msgs.Put(qid, h.Time)
			m.sender = string(addrAt(rest[i+5:]))
			m.hasSender = true
		}
	}
	return nil
}

// noticeOf tells a line Postfix wrote about itself or a restriction in
// warn-only mode ("warning: …", "error: …", "fatal: …", "panic: …",
// "reject_warning: …", after the queue id if there is one): not an
// outcome, but what pflogsumm counts as warnings, fatal errors and panics.
func noticeOf(rest []byte) (string, bool) {
	if len(rest) < 7 {
		return "", false
	}
	switch rest[0] {
	case 'w', 'r', 'e', 'f', 'p':
	default:
		return "", false // most lines: "to=<", "from=<", "connect from" …
	}
	for _, sev := range [...]string{"warning", "reject_warning", "error", "fatal", "panic"} {
		if len(rest) > len(sev)+1 && rest[len(sev)] == ':' && rest[len(sev)+1] == ' ' && string(rest[:len(sev)]) == sev {
			return sev, true
		}
	}
	return "", false
}

// serviceOf returns the daemon name of a Postfix program tag: the part after
// the last '/', for tags whose first part names postfix (any syslog_name
// such as postfix-out) or whose daemon is a Postfix one.
func serviceOf(prog []byte) (string, bool) {
	i := bytes.LastIndexByte(prog, '/')
	if i < 0 {
		return "", false
	}
	svc := prog[i+1:]
	// any syslog_name (postfix, postfix-out, mx-out): the daemon decides
	name := daemonName(svc)
	return name, name != ""
}

// daemonName returns the canonical name of a Postfix daemon ("" if the
// name is not one). Every case returns a constant: no allocation.
func daemonName(svc []byte) string {
	switch string(svc) {
	case "smtp":
		return "smtp"
	case "lmtp":
		return "lmtp"
	case "local":
		return "local"
	case "virtual":
		return "virtual"
	case "pipe":
		return "pipe"
	case "error":
		return "error"
	case "retry":
		return "retry"
	case "discard":
		return "discard"
	case "qmgr":
		return "qmgr"
	case "cleanup":
		return "cleanup"
	case "bounce":
		return "bounce"
	case "smtpd":
		return "smtpd"
	case "postscreen":
		return "postscreen"
	case "pickup":
		return "pickup"
	case "master":
		return "master"
	case "anvil":
		return "anvil"
	case "scache":
		return "scache"
	case "tlsmgr":
		return "tlsmgr"
	case "trivial-rewrite":
		return "trivial-rewrite"
	case "proxymap":
		return "proxymap"
	case "postqueue":
		return "postqueue"
	case "postsuper":
		return "postsuper"
	case "sendmail":
		return "sendmail"
	case "postdrop":
		return "postdrop"
	case "postfix-script":
		return "postfix-script"
	case "verify":
		return "verify"
	case "flush":
		return "flush"
	case "showq":
		return "showq"
	case "dnsblog":
		return "dnsblog"
	case "tlsproxy":
		return "tlsproxy"
	case "postmap":
		return "postmap"
	case "postlog":
		return "postlog"
	case "spawn":
		return "spawn"
	case "defer":
		return "defer"
	case "nqmgr", "oqmgr":
		return "qmgr"
	}
	return ""
}

// queueID splits "QID: rest". Short ids are upper-case hex; long ids
// (enable_long_queue_ids) use [0-9A-Za-z]; NOQUEUE is the id of rejects
// before a queue file exists.
func queueID(msg []byte) (qid, rest []byte) {
	// one pass, one table look-up a byte (see idClass): hex ids mix digits
	// and letters at random, so a test per class mispredicts a branch
	// every other byte
	i, digits, class := 0, 0, byte(0)
	for n := min(len(msg), 32); i < n; i++ {
		c := idClass[msg[i]]
		if c == 0 {
			break
		}
		digits += int(c & classDigit)
		class |= c
	}
	if i < 5 || i+1 >= len(msg) || msg[i] != ':' || msg[i+1] != ' ' {
		return nil, msg
	}
	id := msg[:i]
	// reject words that are not queue ids ("warning", "fatal",
	// "statistics"); anonymised logs rewrite ids as upper-case hex
	// without digits ("ABCDEFAB"); words are lower-case
	hex := class&classLetter == 0
	if digits == 0 && !(hex && len(id) >= 6) && !bytes.Equal(id, []byte("NOQUEUE")) {
		return nil, msg
	}
	return id, msg[i+2:]
}

// The classes of idClass: a byte of a queue id is a digit, an upper-case
// hex letter or another ASCII letter; anything else (0) ends the id.
const (
	classDigit  = 1
	classHex    = 2
	classLetter = 4
)

// idClass is the class of every byte value (a constant: indexing it is
// one load, and nothing can change it).
const idClass = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x00\x00\x00\x00\x00" +
	"\x00\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x04\x04\x04" +
	"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x00\x00\x00\x00\x00" +
	"\x00\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04" +
	"\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x04\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// addrAt returns the address in "<addr>…" (b starts at '<').
func addrAt(b []byte) []byte {
	if len(b) == 0 || b[0] != '<' {
		return nil
	}
	if j := bytes.IndexByte(b, '>'); j > 0 {
		return b[1:j]
	}
	return nil
}

// start fills the common fields of p.ev for the current line.
func (p *Parser) start(qid []byte) *bouncescan.Event {
	e := p.begin()
	if len(qid) > 0 && !bytes.Equal(qid, []byte("NOQUEUE")) {
		e.QueueID = string(qid)
	}
	return e
}

// begin is start without the queue id.
func (p *Parser) begin() *bouncescan.Event {
	h := &p.hdr
	p.ev = bouncescan.Event{
		Time:    h.Time,
		Host:    p.strs.Get(h.Host),
		MTA:     Name,
		Source:  p.linePos.Source,
		Line:    p.linePos.Line,
		Offset:  p.linePos.Offset,
		Process: p.strs.Get(h.Prog),
		Attempt: 1,
	}
	return &p.ev
}

// emit gives e its id, unless it has one already (a delivery event's is
// in its pack), and passes it on.
func (p *Parser) emit(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	if e.ID == "" {
		e.ID = parsekit.EventID(p.file.Fingerprint, e.Offset, p.emitIdx)
	}
	p.emitIdx++
	emit(e)
}

// join copies what the message state knows into the event.
func join(e *bouncescan.Event, m *message) {
	if m == nil {
		return
	}
	if m.hasSender {
		e.Sender = m.sender
	}
	e.MessageID = m.messageID
	e.Size = m.size
}

// headerless reads a line without a syslog header ("postfix/smtp[123]:
// 4F1A…: to=<…>", as SIEM exports write it): only when the program is a
// Postfix daemon. Its time is zero.
func headerless(line []byte, h *parsekit.Header) bool {
	if !parsekit.Tagged(line, h) {
		return false
	}
	_, ok := serviceOf(h.Prog)
	return ok
}
