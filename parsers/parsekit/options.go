// Package parsekit holds what every log-format parser shares: options,
// input-file identity, bounded per-message state, timestamp and syslog
// header parsing, SMTP reply splitting and stable event ids. It works on
// []byte and allocates as little as it can per line.
package parsekit

import "time"

// Options are the knobs every parser takes. The zero value is usable.
type Options struct {
	// Year of the first yearless (classic syslog) timestamp of each file.
	// 0 means: infer it from the file's modification time (or Now for stdin).
	Year int
	// Location for timestamps without a zone. nil means time.Local.
	Location *time.Location
	// Now is the clock, for stdin input without a modification time. nil
	// means time.Now.
	Now func() time.Time
	// MaxMessages bounds the per-message state (LRU). 0 means 100 000.
	MaxMessages int
	// TTL drops per-message state not touched for this long in log time.
	// 0 means 7 days.
	TTL time.Duration
	// MaxDeferrals bounds the deferred recipients remembered per message
	// (see Deferrals). 0 means 1000.
	MaxDeferrals int
	// DeferralBytes bounds the memory of deferrals of one parser, all
	// messages together: the bytes of the strings held plus a fixed cost
	// per entry. 0 means 64 MiB.
	DeferralBytes int64
}

// WithDefaults fills zero fields with their defaults.
func (o Options) WithDefaults() Options {
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxMessages <= 0 {
		o.MaxMessages = 100_000
	}
	if o.TTL <= 0 {
		o.TTL = 7 * 24 * time.Hour
	}
	if o.MaxDeferrals <= 0 {
		o.MaxDeferrals = 1000
	}
	if o.DeferralBytes <= 0 {
		o.DeferralBytes = 64 << 20
	}
	return o
}

// File identifies one input file for a parser.
type File struct {
	Name        string    // as the user gave it; "-" for stdin
	ModTime     time.Time // zero for stdin
	Fingerprint uint64    // stable identity of the content (see internal/source)
	// Seq numbers the files of a run in reading order (0, 1, …): with a
	// line's byte offset it makes the Mark of the line.
	Seq int
	// Years is the source's year state for yearless syslog stamps, nil for
	// the parser to anchor one itself from ModTime (see Stamps.Begin).
	Years *Years
}

// Mark is the position of a line in a run: the Seq of its file and its
// byte offset. Parsers report the Mark of the oldest line whose content
// they still hold (Watermark), so that a restart can read again from there.
type Mark struct {
	Seq    int   `json:"seq"`
	Offset int64 `json:"offset"`
}

// Before reports whether m comes before o in reading order.
func (m Mark) Before(o Mark) bool {
	return m.Seq < o.Seq || m.Seq == o.Seq && m.Offset < o.Offset
}

// Stats counts what the bounded state had to drop or could not join.
type Stats struct {
	Messages int // messages currently held
	// Evicted counts state dropped because a bound was reached: messages
	// dropped because the LRU was full, and the deferral memory's drops
	// (DeferralsDropped + DeferralTexts, also given on their own below).
	Evicted int64
	Expired int64 // messages dropped because their TTL passed
	// Rewound counts messages dropped because their host's log time went
	// back more than StepBack within a file (see Table.Now): the log
	// jumped to an earlier stretch, and their state belonged to the later.
	Rewound int64
	// DeferralsDropped are deferred recipients not remembered because the
	// message already held MaxDeferrals of them or the DeferralBytes
	// budget was spent: an expiry of theirs lacks the last deferral, and
	// their Attempt is 0 (unknown).
	DeferralsDropped int64
	// DeferralTexts are deferrals remembered without their text to stay
	// within the DeferralBytes budget (codes, stage and relay kept).
	DeferralTexts int64
	DeferralBytes int64 // bytes the deferral memory holds now
	// Duplicates are outcomes not emitted again because another input of
	// the run had already logged them (Exim's mainlog and rejectlog).
	Duplicates int64
}

// Dropped is the messages whose state was dropped before their end:
// evicted, expired or rewound.
func (s Stats) Dropped() int64 { return s.Evicted + s.Expired + s.Rewound }
