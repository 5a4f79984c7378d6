// Package exim reads Exim 4 logs: the mainlog (arrivals "<=", deliveries
// "=>", "->", "*>", deferrals "==", failures "**", "Completed") and the
// rejectlog (the same SMTP rejections, each followed by a dump of the
// message headers). It joins the lines of one message by message id and
// emits one Event per recipient outcome and per rejected SMTP command; a
// rejection already read from the other log of the run is not emitted
// again.
package exim

import (
	"bytes"
	"hash/maphash"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Name is the format name (--format exim, Event.MTA).
const Name = "exim"

// Variants lists what the parser reads.
var Variants = []string{
	"mainlog and rejectlog as Exim writes them (2026-11-22 03:14:15 …), with or without .mmm milliseconds, a +zzzz zone and a [pid] (log_selector +millisec, +pid, log_timezone)",
	"the same lines through syslog (Nov 22 03:14:15 host exim[123]: …, ISO stamps, host exim[123]: 2026-11-22 …)",
	"message ids of Exim before 4.97 (1tXyZa-000123-AB) and of 4.97+ (1tXyZa-00000000DYo-2Stj)",
	"<= arrivals (sender, S=, id=), => -> deliveries with C=\"250 …\", *> suppressed deliveries, == deferrals, ** failures, retry-timeout expiry, Completed",
	"rejected RCPT/MAIL/EHLO/after DATA/connection, unqualified sender, message too big, synchronization errors; rejectlog header dumps are skipped, and a rejection read from both logs counts once",
}

// Example is one line of the format.
const Example = `2026-11-22 03:14:15 1tXyZa-000123-AB ** bob@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.10]: SMTP error from remote mail server after RCPT TO:<bob@example.com>: 550 5.1.1 User unknown`

// message is what the parser knows about one message id.
type message struct {
	id        string // the message id, shared by the message's events
	sender    string
	hasSender bool
	messageID string
	size      int64
	// the last deferral of each recipient without a final outcome yet:
	// what an expiry reports
	pending parsekit.Pending
}

// Parser is an Exim log parser. Use one per goroutine.
type Parser struct {
	stamps   *parsekit.Stamps
	msgs     *parsekit.Table[message]
	defs     *parsekit.Deferrals
	strs     parsekit.Interner
	file     parsekit.File
	hdr      parsekit.Header
	ev       bouncescan.Event
	host     []byte // syslog host of the line (if any), and its string
	hostStr  string
	lineHost []byte
	lineText []byte // the line after the timestamp, [pid] included
	emitIdx  int
	linePos  bouncescan.Pos
	lineTime time.Time

	// the current event's strings in one allocation (see parsekit.StrPack)
	pack    parsekit.StrPack
	spans   parsekit.EventSpans
	ownText bool     // the event's text gets its own string (a deferral's)
	idPre   [17]byte // event id prefix of the current file (idPrefix)

	// rejections already emitted, to drop the rejectlog's copies of the
	// mainlog's lines (see dedup.go)
	seen    *parsekit.Table[seenLine]
	seed    maphash.Seed
	hash    maphash.Hash
	keyBuf  [8]byte
	fileKey uint64 // the current input (hash of its name)
	dups    int64  // rejections dropped as copies from another file
}

// New makes a Parser.
func New(opts parsekit.Options) *Parser {
	opts = opts.WithDefaults()
	p := &Parser{
		stamps: parsekit.NewStamps(opts),
		msgs:   parsekit.NewTable[message](opts.MaxMessages, opts.TTL),
		seen:   parsekit.NewTable[seenLine](opts.MaxMessages, opts.TTL),
		seed:   maphash.MakeSeed(),
		// Exim lower-cases some spellings and not others, writes the
		// original address in <…> when routing changed it, and an expiry
		// may name one address only; "retry time not reached" says nothing
		// new and keeps the deferral that had a reply
		defs: parsekit.NewDeferrals(opts, parsekit.DeferralOptions{FoldCase: true, MatchOrig: true, OrigFallback: true, KeepReply: true}),
	}
	p.msgs.Release = func(m *message) { p.defs.Release(&m.pending) }
	p.hash.SetSeed(p.seed)
	p.fileKey = fileKey(p.seed, "")
	p.idPre = parsekit.IDPrefix(0)
	return p
}

// Begin starts a new input file.
func (p *Parser) Begin(f parsekit.File) {
	p.file = f
	p.idPre = parsekit.IDPrefix(f.Fingerprint)
	p.fileKey = fileKey(p.seed, f.Name)
	p.stamps.Begin(f)
}

// Stats reports the bounded-state counters. The lines remembered to drop
// duplicate rejections are not counted: forgetting one only risks a
// duplicate, it loses nothing.
func (p *Parser) Stats() parsekit.Stats {
	s := p.msgs.Stats()
	p.defs.AddStats(&s)
	s.Duplicates = p.dups
	return s
}

// Watermark is the Mark of the oldest line whose content the parser still
// holds: the line that created the oldest message state, or the oldest
// rejection remembered to drop its copy in the other log of the run. ok
// is false when it holds none.
func (p *Parser) Watermark() (parsekit.Mark, bool) {
	m, ok := p.msgs.Oldest()
	if s, sok := p.seen.Oldest(); sok && (!ok || s.Before(m)) {
		m, ok = s, true
	}
	return m, ok
}

// Duplicates is the number of rejections not emitted because the same
// line had been read from another input file of the run (the mainlog and
// the rejectlog both log every rejection).
func (p *Parser) Duplicates() int64 { return p.dups }

// Flush frees the state. Deferrals still pending at the end of the input
// are not outcomes by themselves (they were reported as deferred).
func (p *Parser) Flush(func(*bouncescan.Event)) {
	p.msgs.Drain(func(string, *message) {})
	p.seen.Drain(func(string, *seenLine) {})
}

// Parse reads one line.
func (p *Parser) Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error {
	body, res := p.split(line)
	switch res {
	case lineNotMine:
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not an Exim log line", line)
	case lineBadStamp:
		if p.stamps.OutOfRange() {
			return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, parsekit.ReasonOutOfRange, line)
		}
		return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, "bad timestamp", line)
	}
	p.linePos = pos
	mark := parsekit.Mark{Seq: p.file.Seq, Offset: pos.Offset}
	p.msgs.At(mark)
	p.msgs.Now(p.lineHost, p.lineTime)
	p.seen.At(mark) // no Now: the mainlog and rejectlog copies of a line are files apart
	p.emitIdx = 0
	qid, rest := messageID(body)
	if qid == nil {
		return p.noID(body, line, emit)
	}
	if len(rest) >= 3 && rest[2] == ' ' {
		switch {
		case rest[0] == '<' && rest[1] == '=':
			return p.arrival(qid, rest[3:], line)
		case rest[1] == '>' && (rest[0] == '=' || rest[0] == '-' || rest[0] == '*'),
			rest[0] == '=' && rest[1] == '=', rest[0] == '*' && rest[1] == '*':
			return p.delivery(qid, rest[0], rest[1], rest[3:], line, emit)
		}
	}
	switch {
	case bytes.HasPrefix(rest, []byte("Completed")):
		p.msgs.Delete(qid)
		return nil
	case bytes.Contains(rest, []byte("rejected ")):
		return p.reject(qid, rest, line, emit)
	}
	return nil
}

// noID reads a line without a message id: rejections of the SMTP server,
// and chatter (connections, queue runs, TLS, authenticator failures) that
// gives no event.
func (p *Parser) noID(body, line []byte, emit func(*bouncescan.Event)) error {
	if len(body) == 0 {
		return nil
	}
	switch body[0] {
	case 'H', 'U', 'F', 'I', 'X', 'r', 'u', 'S':
		if bytes.Contains(body, []byte("rejected")) || bytes.HasPrefix(body, []byte("refused connection from ")) {
			return p.reject(nil, body, line, emit)
		}
	}
	return nil
}

type splitResult uint8

const (
	lineOK splitResult = iota
	lineNotMine
	lineBadStamp
)

// split finds the Exim message in a line: the part after the timestamp
// (and the optional [pid]) of a mainlog/rejectlog line, or after the tag of
// a syslog line written by exim. It sets p.lineTime, p.lineHost and
// p.lineText.
func (p *Parser) split(line []byte) ([]byte, splitResult) {
	p.lineHost = nil
	p.lineText = nil
	p.lineTime = time.Time{}
	if len(line) == 0 {
		return nil, lineNotMine
	}
	c := line[0]
	var body []byte
	switch {
	case c >= '0' && c <= '9':
		if !looksDate(line) {
			if _, _, _, ok := p.stamps.Time(line); !ok && p.stamps.OutOfRange() {
				return nil, lineBadStamp // "10000-01-01 …"
			}
			return nil, lineNotMine
		}
		t, n, _, okT := p.stamps.Time(line)
		if !okT || n < len(line) && line[n] != ' ' {
			return nil, lineBadStamp
		}
		p.lineTime = t
		rest := line[min(n+1, len(line)):]
		if line[10] == ' ' {
			// Exim's own layout; a syslog relay may still have put its
			// host and tag after the stamp
			if host, msg, found := eximTag(rest); found {
				p.lineHost = host
				rest = msg
			}
			body = rest
		} else {
			// RFC 3339 stamps come from syslog: the tag must be exim's
			host, msg, found := eximTag(rest)
			if !found {
				return nil, lineNotMine
			}
			p.lineHost, body = host, msg
		}
	case c >= 'A' && c <= 'Z' || c == '<':
		if p.stamps.Syslog(line, &p.hdr) {
			if !isExim(p.hdr.Prog) {
				return nil, lineNotMine
			}
			p.lineTime, p.lineHost, body = p.hdr.Time, p.hdr.Host, p.hdr.Msg
			break
		}
		fallthrough
	case c >= 'a' && c <= 'z':
		// message-only syslog: "host exim[pid]: msg" or "exim[pid]: msg"
		host, msg, found := eximTag(line)
		if !found {
			return nil, lineNotMine
		}
		p.lineHost, body = host, msg
	default:
		return nil, lineNotMine
	}
	// syslog lines may carry Exim's own stamp as well
	if len(body) > 0 && body[0] >= '0' && body[0] <= '9' && looksDate(body) {
		if t, n, _, okT := p.stamps.Time(body); okT && (n == len(body) || body[n] == ' ') {
			p.lineTime = t
			body = body[min(n+1, len(body)):]
		}
	}
	p.lineText = body
	return skipPID(body), lineOK
}

// looksDate reports whether b starts with "YYYY-MM-DD".
func looksDate(b []byte) bool {
	if len(b) < 11 || b[4] != '-' || b[7] != '-' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if b[i] < '0' || b[i] > '9' {
			return false
		}
	}
	return true
}

// skipPID drops a leading "[1234] " (log_selector +pid).
func skipPID(b []byte) []byte {
	if len(b) < 4 || b[0] != '[' {
		return b
	}
	for i := 1; i < len(b) && i < 24; i++ {
		c := b[i]
		if c == ']' {
			if i > 1 && i+1 < len(b) && b[i+1] == ' ' {
				return b[i+2:]
			}
			return b
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return b
		}
	}
	return b
}

// eximTag finds a syslog tag of exim ("exim[123]:", "exim4:") as the first
// or second word of b and returns the host before it (if any) and the
// message after it.
func eximTag(b []byte) (host, msg []byte, found bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return nil, nil, false
	}
	if tagWord(b[:sp]) {
		return nil, b[sp+1:], true
	}
	rest := b[sp+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 <= 0 {
		if tagWord(rest) { // "host exim[1]:" with an empty message
			return b[:sp], rest[len(rest):], true
		}
		return nil, nil, false
	}
	if tagWord(rest[:sp2]) {
		return b[:sp], rest[sp2+1:], true
	}
	return nil, nil, false
}

// tagWord reports whether w is "exim…[pid]:" or "exim…:".
func tagWord(w []byte) bool {
	if len(w) < 5 || w[len(w)-1] != ':' {
		return false
	}
	w = w[:len(w)-1]
	if lb := bytes.IndexByte(w, '['); lb > 0 && w[len(w)-1] == ']' {
		w = w[:lb]
	}
	return isExim(w)
}

// isExim reports whether a program name is exim's: exim, exim4, exim-4.96,
// exim_out, ….
func isExim(prog []byte) bool {
	if !bytes.HasPrefix(prog, []byte("exim")) {
		return false
	}
	for _, c := range prog[4:] {
		if !(c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// messageID splits "ID rest" when the line starts with an Exim message id:
// 6-6-2 before Exim 4.97 (1tXyZa-000123-AB), 6-11-4 since (base 62). The
// middle part may be 6 to 11 and the last 2 to 4 characters, which covers
// both and the test suite's normalised ids.
func messageID(b []byte) (id, rest []byte) {
	if len(b) < 16 || b[6] != '-' {
		return nil, b
	}
	for i := 0; i < 6; i++ {
		if !alnum(b[i]) {
			return nil, b
		}
	}
	i := 7
	for i < len(b) && alnum(b[i]) {
		i++
	}
	if n := i - 7; n < 6 || n > 11 || i >= len(b) || b[i] != '-' {
		return nil, b
	}
	j := i + 1
	for j < len(b) && alnum(b[j]) {
		j++
	}
	if n := j - i - 1; n < 2 || n > 4 {
		return nil, b
	}
	if j == len(b) {
		return b[:j], b[j:]
	}
	if b[j] != ' ' {
		return nil, b
	}
	return b[:j], b[j+1:]
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// start fills the common fields of p.ev for the current line and empties
// the pack of its strings; the message id string is taken from the
// message state m when there is one, else packed.
func (p *Parser) start(qid []byte, m *message) *bouncescan.Event {
	p.pack.Reset()
	p.spans = parsekit.EventSpans{}
	p.ownText = false
	if !bytes.Equal(p.lineHost, p.host) {
		p.host = append(p.host[:0], p.lineHost...)
		p.hostStr = string(p.lineHost)
	}
	p.ev = bouncescan.Event{
		Time:    p.lineTime,
		Host:    p.hostStr,
		MTA:     Name,
		Source:  p.linePos.Source,
		Line:    p.linePos.Line,
		Offset:  p.linePos.Offset,
		Attempt: 1,
	}
	switch {
	case m != nil && m.id != "":
		p.ev.QueueID = m.id
	case len(qid) > 0:
		p.spans.QueueID = p.pack.Add(qid)
	}
	return &p.ev
}

// finish adds the event id (parsekit.EventID's) to the pack and gives the
// event its packed strings (strpack.fill) and the domain of its
// recipient. What reads the event's strings comes after it.
func (p *Parser) finish(e *bouncescan.Event) {
	p.spans.ID = p.pack.AddID(p.idPre[:], e.Offset, p.emitIdx)
	p.pack.Fill(e, &p.spans)
	if e.Recipient != "" {
		e.Domain = parsekit.Domain(e.Recipient)
	}
}

// setText gives the event the text b: packed, or a string of its own
// when p.ownText is set (see parsekit.StrPack).
func (p *Parser) setText(e *bouncescan.Event, b []byte) {
	if p.ownText {
		e.Text = string(b)
		return
	}
	p.spans.Text = p.pack.Add(b)
}

// setReply gives the event the reply code, enhanced code and text of
// the SMTP reply b, as parsekit.ParseReply reads them: a one-line reply
// as slices of b (parsekit.SplitReply) into the pack, a joined
// multi-line one as ParseReply's strings.
func (p *Parser) setReply(e *bouncescan.Event, b []byte) {
	code, enh, text, ok := parsekit.SplitReply(b)
	if !ok {
		r := parsekit.ParseReply(b)
		e.ReplyCode, e.EnhancedCode, e.Text = r.Code, r.Enhanced, r.Text
		return
	}
	e.ReplyCode = code
	if len(enh) > 0 {
		p.spans.Enhanced = p.pack.Add(enh)
	}
	p.setText(e, text)
}

// emit hands the event, finished (see finish), to the caller.
func (p *Parser) emit(e *bouncescan.Event, emit func(*bouncescan.Event)) {
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
