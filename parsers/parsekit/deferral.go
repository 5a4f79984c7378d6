package parsekit

import (
	"strings"
	"unsafe"

	"github.com/bouncescan/bouncescan"
)

// Deferrals is the memory of deferrals every parser shares: for each
// message (a Pending kept in the message's state) the last deferral of
// each recipient that has not reached a final outcome yet, and how many
// deferrals the recipient had. A final outcome takes the recipient's entry
// (an expiry reports the last deferral's reply) and every outcome gets its
// Event.Attempt from it.
//
// It is bounded twice: at most MaxDeferrals recipients per message, and at
// most DeferralBytes for all messages of the parser together (the bytes of
// the strings held plus the fixed size of an entry). Texts (the remote
// server's reply, the big part) may fill half of the budget; a deferral
// beyond that is kept without its text, and dropped when even that does
// not fit the whole budget; every drop is counted (Stats). A dropped recipient's later
// outcomes have Attempt 0 (unknown), as have those of recipients first
// seen after a drop in the same message, whose earlier deferrals may be
// the dropped ones.
//
// The budget is shared by the messages of a parser, so which deferral is
// dropped depends on everything held before it: a run resumed from a
// watermark (Parser.Watermark) holds less and may keep what the
// uninterrupted run dropped. Resume equals a one-shot scan as long as no
// deferral was dropped (Stats.DeferralsDropped and DeferralTexts are 0).
type Deferrals struct {
	opt      DeferralOptions
	max      int
	budget   int64
	bytes    int64
	dropped  int64
	stripped int64
}

// DeferralOptions say how a format matches an outcome with the deferrals
// of its message. The parsers differ on purpose: each follows how its MTA
// spells recipients.
type DeferralOptions struct {
	// FoldCase compares addresses without regard to case (Exim
	// lower-cases some spellings and not others; Exchange addresses are
	// case-insensitive).
	FoldCase bool
	// MatchOrig keys a deferral by the recipient and the original
	// recipient (Postfix orig_to=, Exim's <original>); without it by the
	// recipient alone.
	MatchOrig bool
	// OrigFallback (with MatchOrig): an outcome that names no original
	// recipient also finds the first deferral whose recipient or original
	// recipient is its recipient (Exim's "** a@b: retry timeout exceeded"
	// names one address only).
	OrigFallback bool
	// KeepReply: a deferral that carries no reply code, enhanced code or
	// stage (Exim's "retry time not reached") does not replace one that
	// did; it still counts as an attempt.
	KeepReply bool
}

// Deferral is the last deferral of one recipient of a message.
type Deferral struct {
	Rcpt, Orig, Domain string
	Relay, RelayIP     string
	RelayPort          int
	Process            string
	Stage              bouncescan.Stage
	Code               int
	Enhanced, DSN      string
	Text               string // "" when the byte budget had no room for it
	Delay              float64
	// Attempts is the number of deferrals of the recipient seen so far.
	Attempts int
	unsure   bool // first seen after a drop in its message: Attempts may be short
}

// Pending is the deferral memory of one message: keep it in the message's
// state and give it back with Deferrals.Release when the state goes (see
// Table.Release).
type Pending struct {
	list  []Deferral
	bytes int64
	lost  bool // a deferral of the message was dropped
}

// Len is the number of recipients with a deferral remembered.
func (p *Pending) Len() int { return len(p.list) }

// deferralSize is the fixed cost of one entry.
const deferralSize = int64(unsafe.Sizeof(Deferral{}))

// NewDeferrals makes the deferral memory of one parser, bounded by the
// options' MaxDeferrals and DeferralBytes.
func NewDeferrals(o Options, d DeferralOptions) *Deferrals {
	o = o.WithDefaults()
	return &Deferrals{opt: d, max: o.MaxDeferrals, budget: o.DeferralBytes}
}

// AddStats adds the memory's counters to s: drops count as Evicted too,
// so that a report's "dropped state" shows them.
func (d *Deferrals) AddStats(s *Stats) {
	s.DeferralsDropped += d.dropped
	s.DeferralTexts += d.stripped
	s.DeferralBytes += d.bytes
	s.Evicted += d.dropped + d.stripped
}

// Bytes is what the memory holds now, as counted against the budget.
func (d *Deferrals) Bytes() int64 { return d.bytes }

func cost(x *Deferral) int64 {
	return deferralSize + int64(len(x.Rcpt)+len(x.Orig)+len(x.Domain)+len(x.Relay)+len(x.RelayIP)+
		len(x.Process)+len(x.Enhanced)+len(x.DSN)+len(x.Text))
}

func (d *Deferrals) eq(a, b string) bool {
	if d.opt.FoldCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// find returns the index of the entry of (rcpt, orig), -1 if none.
func (d *Deferrals) find(p *Pending, rcpt, orig string, fallback bool) int {
	at := -1
	for i := range p.list {
		x := &p.list[i]
		if d.eq(x.Rcpt, rcpt) && (!d.opt.MatchOrig || d.eq(x.Orig, orig)) {
			return i
		}
		if fallback && at < 0 && orig == "" && (d.eq(x.Rcpt, rcpt) || d.eq(x.Orig, rcpt)) {
			at = i
		}
	}
	return at
}

// attempt is the Attempt of the outcome after x's deferrals.
func attempt(x *Deferral) int {
	if x.unsure {
		return 0
	}
	return x.Attempts + 1
}

func informative(code int, enhanced string, stage bouncescan.Stage) bool {
	return code != 0 || enhanced != "" || stage != bouncescan.StageUnknown
}

// Defer records the deferral e as its recipient's last one in p and sets
// e.Attempt (1 for a recipient's first deferral). p nil (a deferral that
// belongs to no message) remembers nothing: Attempt 1.
func (d *Deferrals) Defer(p *Pending, e *bouncescan.Event) {
	if p == nil {
		e.Attempt = 1
		return
	}
	nd := Deferral{
		Rcpt: e.Recipient, Orig: e.OrigRecipient, Domain: e.Domain,
		Relay: e.Relay, RelayIP: e.RelayIP, RelayPort: e.RelayPort, Process: e.Process,
		Stage: e.Stage, Code: e.ReplyCode, Enhanced: e.EnhancedCode, DSN: e.DSN, Text: e.Text,
		Delay: e.Delay, Attempts: 1,
	}
	if i := d.find(p, e.Recipient, e.OrigRecipient, false); i >= 0 {
		old := &p.list[i]
		old.Attempts++
		e.Attempt = old.Attempts
		if old.unsure {
			e.Attempt = 0
		}
		if d.opt.KeepReply && !informative(e.ReplyCode, e.EnhancedCode, e.Stage) &&
			informative(old.Code, old.Enhanced, old.Stage) {
			return
		}
		nd.Attempts, nd.unsure = old.Attempts, old.unsure
		oc := cost(old)
		if !d.fit(&nd, oc) {
			// no room even without the text: forget the recipient
			d.remove(p, i)
			d.dropped++
			p.lost = true
			return
		}
		p.bytes += cost(&nd) - oc
		d.bytes += cost(&nd) - oc
		*old = nd
		return
	}
	e.Attempt = 1
	if p.lost {
		e.Attempt = 0
		nd.unsure = true
	}
	if len(p.list) >= d.max || !d.fit(&nd, 0) {
		d.dropped++
		p.lost = true
		return
	}
	c := cost(&nd)
	p.bytes += c
	d.bytes += c
	p.list = append(p.list, nd)
}

// fit reports whether x can replace an entry costing old within the
// budget. Texts may fill half of it: over that, x is kept without its
// text (counted), so that the other half still holds the attempts and
// codes of many more recipients.
func (d *Deferrals) fit(x *Deferral, old int64) bool {
	need := d.bytes - old + cost(x)
	if x.Text == "" || need <= d.budget/2 {
		return need <= d.budget
	}
	x.Text = ""
	if d.bytes-old+cost(x) <= d.budget {
		d.stripped++
		return true
	}
	return false
}

func (d *Deferrals) remove(p *Pending, i int) {
	c := cost(&p.list[i])
	p.bytes -= c
	d.bytes -= c
	copy(p.list[i:], p.list[i+1:])
	p.list[len(p.list)-1] = Deferral{}
	p.list = p.list[:len(p.list)-1]
}

// Outcome takes the entry of e's recipient out of p for a final outcome
// (sent, bounced, expired, …) and sets e.Attempt: one more than the
// recipient's deferrals, 1 when it had none, 0 when that is unknown
// because the memory had to drop deferrals of the message. ok is false
// when p (which may be nil) holds no entry for the recipient.
func (d *Deferrals) Outcome(p *Pending, e *bouncescan.Event) (x Deferral, ok bool) {
	e.Attempt = 1
	if p == nil {
		return Deferral{}, false
	}
	i := d.find(p, e.Recipient, e.OrigRecipient, d.opt.OrigFallback)
	if i < 0 {
		if p.lost {
			e.Attempt = 0
		}
		return Deferral{}, false
	}
	x = p.list[i]
	d.remove(p, i)
	e.Attempt = attempt(&x)
	return x, true
}

// Expire calls f for every recipient still deferred in p, in the order
// of their first deferral, with the Attempt its expiry gets (the one after
// its last deferral, 0 if unknown), then empties p: the message's queue
// lifetime is over.
func (d *Deferrals) Expire(p *Pending, f func(x *Deferral, attempt int)) {
	if p == nil {
		return
	}
	for i := range p.list {
		f(&p.list[i], attempt(&p.list[i]))
	}
	d.Release(p)
}

// Release gives back what p holds to the budget and empties it; call it
// when the message's state goes away.
func (d *Deferrals) Release(p *Pending) {
	d.bytes -= p.bytes
	clear(p.list)
	p.list = p.list[:0]
	p.bytes = 0
}
