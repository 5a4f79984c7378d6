package exchange

import (
	"bytes"
	"strconv"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// A Send session that fails before RCPT TO (a refused greeting, "Failed
// to connect. Winsock error code …") defers a message the protocol log
// does not name. The message tracking log does: the transport writes a
// DEFER row (source SMTP) for it. Microsoft documents no field that
// carries the protocol log's session-id into the tracking log, so the
// join uses what both logs document:
//
//   - the destination's address: the protocol log's remote-endpoint and
//     the tracking row's server-ip ("the source or destination server"),
//     or, when that column is empty, the {IP=…} of its recipient-status;
//   - the connector: the protocol log's connector-id and the tracking
//     row's connector-id (compared by name, case folded; a row without
//     one does not contradict);
//   - the time: the DEFER row is within joinWait of the failure, either
//     side.
//
// One failure takes one DEFER row (the nearest in time), and gives one
// event per recipient of that row. Files come in any order (a directory
// scan reads Logs\Hub\ProtocolLog before Logs\MessageTracking), so both
// sides wait for the other:
//
//   - a DEFER row is kept for the TTL of other message state, for a
//     failure read later;
//   - a failure is emitted at once when the tracking rows read so far
//     already reach past its window (their DEFER row, if any, was kept);
//     else it waits until a tracking row is past its window, the table is
//     full, the TTL passes, or the input ends, and then goes out as
//     before, without a recipient.
//
// Both tables are bounded by MaxMessages; what they drop is counted in
// Stats.
const joinWait = 5 * time.Minute

// heldFail is a session failure waiting for its DEFER row.
type heldFail struct {
	key, ip, conn string
	t             time.Time
	ev            bouncescan.Event // without ID
	fp            uint64           // the protocol file's fingerprint, for the IDs
	idx           int              // first event index of the line
	used          bool             // joined already (kept for the watermark)
}

// heldDefer is a DEFER row kept for a session failure read after it.
type heldDefer struct {
	key, ip, conn     string
	t                 time.Time
	rcpts             []string
	messageID, sender string
	used              bool
}

// joinState is the held state of both sides, with an index by address.
type joinState struct {
	fails    *parsekit.Table[heldFail]
	defers   *parsekit.Table[heldDefer]
	failIdx  map[string][]string // ip → keys into fails
	deferIdx map[string][]string // ip → keys into defers
	// held failures in the order they were put, for their release when
	// the tracking log's time passes their window (entries already gone
	// are skipped)
	fifo []fifoItem
	// trackMax is the latest date-time of the tracking rows read
	trackMax time.Time
	max      int
	key      []byte
}

type fifoItem struct {
	key string
	t   time.Time
}

func newJoinState(opts parsekit.Options) *joinState {
	j := &joinState{
		fails:    parsekit.NewTable[heldFail](opts.MaxMessages, opts.TTL),
		defers:   parsekit.NewTable[heldDefer](opts.MaxMessages, opts.TTL),
		failIdx:  map[string][]string{},
		deferIdx: map[string][]string{},
		max:      opts.MaxMessages,
	}
	j.fails.Release = func(h *heldFail) { unindex(j.failIdx, h.ip, h.key) }
	j.defers.Release = func(d *heldDefer) { unindex(j.deferIdx, d.ip, d.key) }
	return j
}

// unindex drops key from the keys of ip.
func unindex(idx map[string][]string, ip, key string) {
	keys := idx[ip]
	for i, k := range keys {
		if k == key {
			keys = append(keys[:i], keys[i+1:]...)
			break
		}
	}
	if len(keys) == 0 {
		delete(idx, ip)
		return
	}
	idx[ip] = keys
}

// entryKey is a key unique to the current line and ip.
func (j *joinState) entryKey(m parsekit.Mark, ip string) []byte {
	k := append(j.key[:0], ip...)
	k = append(k, 0)
	k = strconv.AppendInt(k, int64(m.Seq), 10)
	k = append(k, ':')
	k = strconv.AppendInt(k, m.Offset, 10)
	j.key = k
	return k
}

// connName is a connector-id without a "SERVER\" prefix.
func connName(b []byte) string {
	if i := bytes.LastIndexByte(b, '\\'); i >= 0 {
		b = b[i+1:]
	}
	return string(bytes.TrimSpace(b))
}

func connMatch(a, b string) bool {
	return a == "" || b == "" || bytes.EqualFold([]byte(a), []byte(b))
}

func within(a, b time.Time) bool {
	d := a.Sub(b)
	return d <= joinWait && d >= -joinWait
}

// failure handles a session failure before RCPT TO: e is its event
// without a recipient (not finished). A DEFER row read already gives its
// recipients now; else the failure waits for one.
func (p *Parser) failure(e *bouncescan.Event, emit func(*bouncescan.Event)) {
	j := p.join
	ip := e.RelayIP
	if ip == "" {
		p.emit(e, emit)
		return
	}
	conn := e.Process
	var best *heldDefer
	for _, k := range j.deferIdx[ip] {
		d := j.defers.Peek([]byte(k))
		if d == nil || d.used || !within(d.t, e.Time) || !connMatch(d.conn, conn) {
			continue
		}
		if best == nil || absDur(d.t.Sub(e.Time)) < absDur(best.t.Sub(e.Time)) {
			best = d
		}
	}
	if best != nil {
		best.used = true
		for _, r := range best.rcpts {
			x := *e
			joined(&x, best)
			x.Recipient = r
			p.emit(&x, emit)
		}
		return
	}
	if !j.trackMax.IsZero() && j.trackMax.Sub(e.Time) > joinWait {
		// the tracking rows read reach past the window: no DEFER row
		// for this failure is to come
		p.emit(e, emit)
		return
	}
	mark := parsekit.Mark{Seq: p.file.Seq, Offset: p.pos.Offset}
	k := j.entryKey(mark, ip)
	if j.fails.Peek(k) != nil {
		p.emit(e, emit) // a second failure on one line: not held
		return
	}
	h := j.fails.Put(k, p.now)
	*h = heldFail{key: string(k), ip: ip, conn: conn, t: e.Time, ev: *e, fp: p.file.Fingerprint, idx: p.emitIdx}
	j.failIdx[ip] = append(j.failIdx[ip], h.key)
	j.fifo = append(j.fifo, fifoItem{key: h.key, t: h.t})
	if len(j.fifo) > 2*j.max+64 {
		j.compact()
	}
	p.emitIdx++
}

// compact drops the queue items whose failure is gone or joined.
func (j *joinState) compact() {
	out := j.fifo[:0]
	for _, it := range j.fifo {
		if h := j.fails.Peek([]byte(it.key)); h != nil && !h.used {
			out = append(out, it)
		}
	}
	clear(j.fifo[len(out):])
	j.fifo = out
}

// trackingAt is called for every tracking row (p.now its date-time): the
// failures held whose window that time has passed go out without a
// recipient.
func (p *Parser) trackingAt(emit func(*bouncescan.Event)) {
	j := p.join
	if p.now.After(j.trackMax) {
		j.trackMax = p.now
	}
	n := 0
	for ; n < len(j.fifo); n++ {
		it := j.fifo[n]
		if p.now.Sub(it.t) <= joinWait {
			break
		}
		k := []byte(it.key)
		if h := j.fails.Peek(k); h != nil {
			if !h.used {
				p.releaseFail(h, emit)
			}
			j.fails.Delete(k)
		}
	}
	if n > 0 {
		rest := copy(j.fifo, j.fifo[n:])
		clear(j.fifo[rest:])
		j.fifo = j.fifo[:rest]
	}
}

// deferRow handles a DEFER row of source SMTP: a failure held for it
// gets its recipients; else the row is kept for a failure read later.
func (p *Parser) deferRow(ip, conn string, rcpts [][]byte, messageID, sender string, emit func(*bouncescan.Event)) {
	j := p.join
	if ip == "" || len(rcpts) == 0 {
		return
	}
	var best *heldFail
	for _, k := range j.failIdx[ip] {
		h := j.fails.Peek([]byte(k))
		if h == nil || h.used || !within(h.t, p.now) || !connMatch(h.conn, conn) {
			continue
		}
		if best == nil || absDur(h.t.Sub(p.now)) < absDur(best.t.Sub(p.now)) {
			best = h
		}
	}
	if best != nil {
		best.used = true
		d := heldDefer{messageID: messageID, sender: sender}
		for i, r := range rcpts {
			e := best.ev
			joined(&e, &d)
			e.Recipient = string(r)
			e.Domain = parsekit.Domain(e.Recipient)
			e.ID = parsekit.EventID(best.fp, e.Offset, best.idx+i)
			emit(&e)
		}
		best.ev = bouncescan.Event{}
		return
	}
	k := j.entryKey(parsekit.Mark{Seq: p.file.Seq, Offset: p.pos.Offset}, ip)
	if j.defers.Peek(k) != nil {
		return
	}
	d := j.defers.Put(k, p.now)
	*d = heldDefer{key: string(k), ip: ip, conn: conn, t: p.now, messageID: messageID, sender: sender, rcpts: make([]string, len(rcpts))}
	for i, r := range rcpts {
		d.rcpts[i] = string(r)
	}
	j.deferIdx[ip] = append(j.deferIdx[ip], d.key)
}

// joined gives a failure's event what the DEFER row knows of the message.
func joined(e *bouncescan.Event, d *heldDefer) {
	if e.MessageID == "" {
		e.MessageID = d.messageID
	}
	if e.Sender == "" {
		e.Sender = d.sender
	}
}

// releaseFail emits a held failure nothing joined, without a recipient.
func (p *Parser) releaseFail(h *heldFail, emit func(*bouncescan.Event)) {
	if h.used || emit == nil || h.ev.MTA == "" {
		return
	}
	e := h.ev
	h.ev = bouncescan.Event{}
	e.ID = parsekit.EventID(h.fp, e.Offset, h.idx)
	emit(&e)
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
