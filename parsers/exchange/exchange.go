// Package exchange reads Microsoft Exchange logs: message tracking logs
// (MSGTRK*.LOG), SMTP send and receive protocol logs, anti-spam agent
// logs, connectivity logs (read, no events), and Exchange Online message
// trace exports (Get-MessageTrace, Get-MessageTraceDetail, the admin
// center's summary and extended reports). All are CSV; the column
// order comes from the file's #Fields line or header row, never from a
// fixed list, except for protocol and tracking rows of files that lost
// their header, which are recognised by their shape.
package exchange

import (
	"bytes"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Name is the format name (--format exchange, Event.MTA).
const Name = "exchange"

// Variants lists what the parser reads.
var Variants = []string{
	"message tracking logs (MSGTRK*.LOG, Exchange 2007-2019 and SE, any #Fields order; Get-MessageTrackingLog | Export-Csv)",
	"SMTP send and receive protocol logs (SEND*.LOG, RECV*.LOG), with or without their #Fields header",
	"Exchange Online message trace exports: Get-MessageTrace(V2), Get-MessageTraceDetail, admin center summary, enhanced summary and extended reports (UTF-8 or UTF-16)",
	"anti-spam agent logs (rejects, deletes, quarantines); connectivity logs (read, no events)",
}

// Example is one line of the format.
const Example = `2026-11-22T03:14:15.123Z,10.0.0.5,EX01.contoso.test,,EX01,No suitable shadow servers,,SMTP,FAIL,4242,<a1@contoso.test>,6a638d20-1e63-493a-80a2-08da9a4ff8da,bob@example.com,550 5.1.1 User unknown,2048,1,,,Hello,alice@contoso.test,alice@contoso.test,,Originating,,,,,Email,,15.02.1544.004`

// maxRcpts bounds the recipients remembered per SMTP session (the
// deferrals remembered per message are bounded by parsekit.Deferrals).
const (
	maxRcpts = 1000
	maxCmds  = 1000
	maxReply = 4096
)

// message is what the parser knows about one internal message id.
type message struct {
	sender, messageID string
	size              int64
	// the last deferral of each recipient without a final outcome yet:
	// what an expiry reports
	pending parsekit.Pending
}

// Parser is an Exchange log parser. Use one per goroutine.
type Parser struct {
	loc  *time.Location
	file parsekit.File
	msgs *parsekit.Table[message]
	defs *parsekit.Deferrals
	sess *parsekit.Table[session]
	// SEND rows to another Exchange server or the mailbox transport of
	// the organisation, held until the same message's outcome for the
	// same recipient (DELIVER, FAIL, …) shows them to be a hand-off (see
	// hops.go); handed on by key message-id + recipient
	hops      *parsekit.Table[heldSend]
	seenOut   *parsekit.Table[struct{}] // outcomes already read, for a SEND read after them
	emitNow   func(*bouncescan.Event)   // the emit of the line being parsed, for held events dropped by the bounds
	hopKey    []byte
	hopsCheck time.Time // when held SENDs were last let expire
	// Send session failures before RCPT TO and tracking DEFER rows, held
	// for each other (see join.go)
	join     *joinState
	lay      layout // layout of the current file (kindNone: none yet)
	badLay   bool   // the last #Fields line was corrupt
	dirHint  dir    // from #Log-type
	defProto layout
	def2013  layout
	def2010  layout
	def2007  layout
	defConn  layout
	// headMark is the first header line (#Fields, #Log-type, header row)
	// of the current file: the layout state above comes from there on
	headMark parsekit.Mark
	headSet  bool

	fields  [][]byte
	scratch []byte
	u16     []byte
	evBuf   []byte // an event-id in upper case
	stats   [][]byte
	rcpts   [][]byte

	ev      bouncescan.Event
	pos     bouncescan.Pos
	now     time.Time
	emitIdx int
	dropped int64

	cache [4]cached // recently copied strings (host, connector, source)
}

type cached struct {
	b []byte
	s string
}

// New makes a Parser.
func New(opts parsekit.Options) *Parser {
	opts = opts.WithDefaults()
	p := &Parser{
		loc:  opts.Location,
		msgs: parsekit.NewTable[message](opts.MaxMessages, opts.TTL),
		// Exchange addresses are case-insensitive; tracking rows name no
		// original recipient
		defs:     parsekit.NewDeferrals(opts, parsekit.DeferralOptions{FoldCase: true}),
		sess:     parsekit.NewTable[session](opts.MaxMessages, opts.TTL),
		hops:     parsekit.NewTable[heldSend](opts.MaxMessages, hopWait),
		seenOut:  parsekit.NewTable[struct{}](opts.MaxMessages, hopWait),
		defProto: mustLayout(protocolFields),
		def2013:  mustLayout(tracking2013),
		def2010:  mustLayout(tracking2010),
		def2007:  mustLayout(tracking2007),
		defConn:  mustLayout(connectivityFields),
		fields:   make([][]byte, 0, maxFields),
	}
	p.msgs.Release = func(m *message) { p.defs.Release(&m.pending) }
	p.hops.OnDrop = func(_ string, h *heldSend) { p.release(h, false, p.emitNow) }
	p.join = newJoinState(opts)
	p.join.fails.OnDrop = func(_ string, h *heldFail) { p.releaseFail(h, p.emitNow) }
	return p
}

// Begin starts a new input file: its header decides the layout again.
// Message and session state carry over (a session can cross a log
// rotation).
func (p *Parser) Begin(f parsekit.File) {
	p.file = f
	p.lay = layout{}
	p.badLay = false
	p.dirHint = dirUnknown
	p.headSet = false
}

// Watermark is the Mark of the oldest line whose content the parser still
// holds: the line that created the oldest message or SMTP session state,
// or the first header line of the current file, whose layout the rows
// that follow need. ok is false when it holds none.
func (p *Parser) Watermark() (parsekit.Mark, bool) {
	m, ok := p.msgs.Oldest()
	if s, sok := p.sess.Oldest(); sok && (!ok || s.Before(m)) {
		m, ok = s, true
	}
	for _, t := range [...]func() (parsekit.Mark, bool){p.hops.Oldest, p.seenOut.Oldest, p.join.fails.Oldest, p.join.defers.Oldest} {
		if h, hok := t(); hok && (!ok || h.Before(m)) {
			m, ok = h, true
		}
	}
	if p.headSet && (!ok || p.headMark.Before(m)) {
		m, ok = p.headMark, true
	}
	return m, ok
}

// header notes that the current line sets layout state of the file.
func (p *Parser) header() {
	if !p.headSet {
		p.headMark, p.headSet = parsekit.Mark{Seq: p.file.Seq, Offset: p.pos.Offset}, true
	}
}

// Stats reports the bounded-state counters (messages and SMTP sessions).
func (p *Parser) Stats() parsekit.Stats {
	s := p.msgs.Stats()
	t := p.sess.Stats()
	s.Messages += t.Messages
	s.Evicted += t.Evicted + p.dropped
	s.Expired += t.Expired
	// held hand-offs that nothing continued in time went out as outcomes:
	// a resumed run may decide them differently
	h := p.hops.Stats()
	s.Messages += h.Messages
	s.Evicted += h.Evicted
	s.Expired += h.Expired
	// session failures waiting for their DEFER row, and DEFER rows kept
	// for a failure read later (join.go)
	for _, t := range [...]parsekit.Stats{p.join.fails.Stats(), p.join.defers.Stats()} {
		s.Messages += t.Messages
		s.Evicted += t.Evicted
		s.Expired += t.Expired
	}
	p.defs.AddStats(&s)
	return s
}

// Flush frees the state. Every outcome has been emitted on its own line;
// SMTP sessions still open (no disconnect logged) are dropped.
func (p *Parser) Flush(emit func(*bouncescan.Event)) {
	// hand-offs whose continuation is not in the input: their SEND is
	// the outcome the logs show
	p.hops.Drain(func(_ string, h *heldSend) { p.release(h, false, emit) })
	// session failures no DEFER row joined: without a recipient, as the
	// protocol log alone tells them
	p.join.fails.Drain(func(_ string, h *heldFail) { p.releaseFail(h, emit) })
	p.join.defers.Drain(func(string, *heldDefer) {})
	p.join.fifo, p.join.trackMax = p.join.fifo[:0], time.Time{}
	p.seenOut.Drain(func(string, *struct{}) {})
	p.msgs.Drain(func(string, *message) {})
	p.sess.Drain(func(string, *session) {})
}

// Parse reads one line.
func (p *Parser) Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error {
	if bytes.IndexByte(line, 0) >= 0 {
		if len(line) == 1 {
			// the 0x00 after the last "\n" of a UTF-16LE file
			return nil
		}
		p.u16 = decodeUTF16(line, p.u16)
		line = p.u16
	}
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	line = bytes.TrimRight(line, "\r")
	p.pos = pos
	mark := parsekit.Mark{Seq: p.file.Seq, Offset: pos.Offset}
	p.msgs.At(mark)
	p.sess.At(mark)
	p.hops.At(mark)
	p.seenOut.At(mark)
	p.join.fails.At(mark)
	p.join.defers.At(mark)
	p.emitNow = emit
	p.emitIdx = 0
	if len(bytes.TrimSpace(line)) == 0 {
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "blank line", line)
	}
	if line[0] == '#' {
		return p.directive(line)
	}
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line)+len(line)/2)
	}
	f, ok := splitCSV(line, p.fields, p.scratch)
	p.fields = f[:0]
	if !ok {
		if len(f) > 0 && p.isTime(f[0]) {
			return p.unparsed("bad CSV quoting or too many fields", line)
		}
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not an Exchange CSV row", line)
	}
	if len(f) < 3 {
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not an Exchange CSV row", line)
	}
	lay := &p.lay
	if lay.kind == kindNone {
		// no header (yet): a header row of an export, or a row recognised
		// by its shape
		if len(f) > 0 && !p.isTime(f[0]) {
			return p.headerRow(f, line)
		}
		lay = p.shape(f)
		if lay == nil {
			if p.badLay {
				return p.unparsed("row under a corrupt #Fields line", line)
			}
			if len(f) > 0 && p.isTime(f[0]) {
				return p.unparsed("row without a #Fields header", line)
			}
			return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not an Exchange CSV row", line)
		}
	}
	t, ok := parseTime(lay.get(f, colTime), p.loc)
	if !ok {
		if len(f) > 0 && !p.isTime(f[0]) && lay.kind != kindProtocol {
			// a header row repeated mid-file (concatenated exports)
			if l, err := newLayout(f); err == nil {
				p.header()
				p.lay = l
				return nil
			}
		}
		if parsekit.StampOutOfRange(lay.get(f, colTime), p.loc) {
			return p.unparsed(parsekit.ReasonOutOfRange, line)
		}
		return p.unparsed("bad date-time", line)
	}
	p.now = t
	switch lay.kind {
	case kindTracking:
		return p.tracking(lay, f, line, emit)
	case kindProtocol:
		return p.protocol(lay, f, line, emit)
	case kindTrace:
		return p.trace(lay, f, line, emit)
	case kindDetail:
		return p.detail(lay, f, line, emit)
	case kindSummary:
		return p.summary(lay, f, line, emit)
	case kindAgent:
		return p.agent(lay, f, line, emit)
	}
	return nil // connectivity log rows: connections, not messages
}

// isTime reports whether a field is a timestamp of the forms rows start with.
func (p *Parser) isTime(b []byte) bool {
	_, ok := parseTime(b, time.UTC)
	return ok
}

// directive reads a '#' line of the W3C-style header.
func (p *Parser) directive(line []byte) error {
	switch {
	case bytes.HasPrefix(line, []byte("#Fields:")):
		p.header()
		v := bytes.TrimSpace(line[len("#Fields:"):])
		if bytes.Contains(v, []byte("#Fields")) {
			p.lay, p.badLay = layout{}, true
			return p.unparsed("corrupt #Fields line: repeated #Fields", line)
		}
		if cap(p.scratch) < len(v) {
			p.scratch = make([]byte, 0, len(v)+len(v)/2)
		}
		f, ok := splitCSV(v, p.fields, p.scratch)
		p.fields = f[:0]
		if !ok {
			p.lay, p.badLay = layout{}, true
			return p.unparsed("corrupt #Fields line: too many fields", line)
		}
		l, err := newLayout(f)
		if err != nil {
			p.lay, p.badLay = layout{}, true
			return p.unparsed("corrupt #Fields line: "+err.Error(), line)
		}
		p.lay, p.badLay = l, false
		return nil
	case hasPrefixFold(line, "#Log-type:"):
		// Microsoft's pages spell it #Log-Type, the files #Log-type
		p.header()
		v := bytes.TrimSpace(line[len("#Log-type:"):])
		switch {
		case bytes.Contains(v, []byte("Send")):
			p.dirHint = dirSend
		case bytes.Contains(v, []byte("Receive")):
			p.dirHint = dirReceive
		}
		return nil
	case hasPrefixFold(line, "#Software:"), hasPrefixFold(line, "#Version:"),
		hasPrefixFold(line, "#Date:"), bytes.HasPrefix(line, []byte("#TYPE ")):
		return nil
	}
	return bouncescan.NewParseError(p.pos, bouncescan.ErrNotMine, "comment line", line)
}

// hasPrefixFold reports whether b starts with prefix, ignoring ASCII case.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && bytes.EqualFold(b[:len(prefix)], []byte(prefix))
}

// headerRow reads the header row of a CSV export.
func (p *Parser) headerRow(f [][]byte, line []byte) error {
	l, err := newLayout(f)
	if err != nil {
		if p.lay.kind == kindNone && !p.badLay {
			return bouncescan.NewParseError(p.pos, bouncescan.ErrNotMine, "not an Exchange CSV header", line)
		}
		return p.unparsed("unknown header row: "+err.Error(), line)
	}
	p.header()
	p.lay, p.badLay = l, false
	return nil
}

// shape recognises rows of files without a header: protocol log rows
// (9 fields, an event character in the 7th), message tracking rows of
// the published 2013+ (30 fields), 2010 (26 fields) and 2007 (21 fields)
// layouts, and connectivity log rows (6 fields, a direction character in
// the 5th, a hexadecimal session).
func (p *Parser) shape(f [][]byte) *layout {
	switch {
	case (len(f) == 9 || len(f) == 8) && len(f[6]) == 1 && bytes.IndexByte([]byte("+-<>*"), f[6][0]) >= 0 && isHex(f[2]):
		return &p.defProto
	case len(f) == 30 && isEventID(f[8]):
		return &p.def2013
	case len(f) == 26 && isEventID(f[8]):
		return &p.def2010
	case len(f) == 21 && isEventID(f[8]):
		return &p.def2007
	case len(f) == 6 && len(f[4]) == 1 && bytes.IndexByte([]byte("+->"), f[4][0]) >= 0 && isHex(f[1]):
		return &p.defConn
	}
	return nil
}

// isEventID reports whether b looks like a tracking event-id (upper-case
// letters).
func isEventID(b []byte) bool {
	if len(b) < 3 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func (p *Parser) unparsed(reason string, line []byte) error {
	return bouncescan.NewParseError(p.pos, bouncescan.ErrUnparsed, reason, line)
}

// str returns b as a string, reusing the copy of a recent equal value
// (host names, connector names and sources repeat on every row).
func (p *Parser) str(slot int, b []byte) string {
	c := &p.cache[slot]
	if c.s != "" && bytes.Equal(c.b, b) {
		return c.s
	}
	c.b = append(c.b[:0], b...)
	c.s = string(b)
	return c.s
}

// start begins an event for the current line.
func (p *Parser) start() *bouncescan.Event {
	p.ev = bouncescan.Event{
		Time:    p.now,
		MTA:     Name,
		Source:  p.pos.Source,
		Line:    p.pos.Line,
		Offset:  p.pos.Offset,
		Attempt: 1,
	}
	return &p.ev
}

func (p *Parser) emit(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	p.finish(e)
	emit(e)
}

// finish gives an event its id and domain.
func (p *Parser) finish(e *bouncescan.Event) {
	e.ID = parsekit.EventID(p.file.Fingerprint, e.Offset, p.emitIdx)
	p.emitIdx++
	if e.Domain == "" && e.Recipient != "" {
		e.Domain = parsekit.Domain(e.Recipient)
	}
}

// setOutcome copies a parsed status into an event.
func setOutcome(e *bouncescan.Event, o *outcome) {
	e.ReplyCode, e.EnhancedCode, e.DSN = o.code, o.enhanced, o.dsn
	e.Text = o.textOf()
	if o.stage != bouncescan.StageUnknown {
		e.Stage = o.stage
	}
	if len(o.fqdn) > 0 && e.Relay == "" {
		e.Relay = string(o.fqdn)
	}
	if len(o.ip) > 0 && e.RelayIP == "" {
		e.RelayIP = string(o.ip)
	}
}

// atoi64 parses a non-negative decimal (0 if not one).
func atoi64(b []byte) int64 {
	n, ok := parsekit.Atoi(bytes.TrimSpace(b))
	if !ok {
		return 0
	}
	return int64(n)
}
