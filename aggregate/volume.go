package aggregate

import (
	"bytes"
	"sort"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Volume is the traffic context (what pflogsumm and eximstats show):
// messages and bytes, distinct senders and recipients, top senders and
// recipients. A message is known by its host and queue id (or
// message-id) from its outcome events: one with no outcome in the input
// is not counted.
type Volume struct {
	Messages          int64    `json:"messages"`           // distinct messages with at least one outcome
	Bytes             int64    `json:"bytes"`              // their sizes (as logged)
	DeliveredMessages int64    `json:"delivered_messages"` // messages with at least one delivery
	DeliveredBytes    int64    `json:"delivered_bytes"`
	Deliveries        int64    `json:"deliveries"` // delivered recipients
	Senders           Distinct `json:"senders"`
	SenderDomains     Distinct `json:"sender_domains"`
	Recipients        Distinct `json:"recipients"`
	TopSenders        Top      `json:"top_senders"`    // by messages, with bytes
	TopRecipients     Top      `json:"top_recipients"` // by deliveries, with bytes
}

// Top counts names with a count and bytes, bounded: names beyond the
// limit are summed as "(other)".
type Top struct {
	Rows  []*Tally `json:"rows"` // by count, then bytes, descending (Finish)
	limit int
	tab   topTable
	other *Tally // the OtherKey tally, once the limit is reached
	// bits has the bit h%topBits of every name's hash h set: most names
	// looked up are not there once the list is full, and a bit in 16 KiB
	// says so for most of them (93 % at 10 000 names) without a probe of tab
	bits []uint64
}

const topBits = 1 << 17

// Tally is one name of a Top.
type Tally struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
	Bytes int64  `json:"bytes"`
}

// topTable finds a Top's tallies by the hash64 of their names: an
// open-addressing table of (hash, tally) with linear probing, kept at most
// 3/4 full. Names whose hashes are equal sit side by side and are told
// apart by name. A look-up is a probe or two and the tally, where a Go map
// of hashes (and one of names for equal hashes) read a directory, a
// table, a group's control word and a slot first (BenchmarkTopTable).
type topTable struct {
	slots []topSlot
	n     int
}

type topSlot struct {
	h uint64
	x *Tally // nil: an empty slot
}

// get returns the tally of name, whose hash is h, or nil.
func (t *topTable) get(name string, h uint64) *Tally {
	if len(t.slots) == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := h >> 32 & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.x == nil {
			return nil
		}
		if sl.h == h && sl.x.Name == name {
			return sl.x
		}
	}
}

// put adds x (not there yet), whose name's hash is h.
func (t *topTable) put(x *Tally, h uint64) {
	if (t.n+1)*4 > len(t.slots)*3 {
		old := t.slots
		t.slots = make([]topSlot, max(2*len(old), 64))
		t.n = 0
		for _, sl := range old {
			if sl.x != nil {
				t.put(sl.x, sl.h)
			}
		}
	}
	mask := uint64(len(t.slots) - 1)
	i := h >> 32 & mask
	for t.slots[i].x != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = topSlot{h, x}
	t.n++
}

func (t *Top) init(limit int) {
	t.limit = limit
	t.tab, t.other, t.bits = topTable{}, nil, nil
	for _, x := range t.Rows {
		t.put(x, hash64(x.Name))
	}
}

func (t *Top) get(name string, h uint64) *Tally {
	if t.bits != nil && t.bits[h%topBits/64]&(1<<(h%64)) == 0 {
		return nil
	}
	return t.tab.get(name, h)
}

func (t *Top) put(x *Tally, h uint64) {
	if t.bits == nil {
		t.bits = make([]uint64, topBits/64)
	}
	t.bits[h%topBits/64] |= 1 << (h % 64)
	t.tab.put(x, h)
}

// add counts n and bytes for name, whose hash64 is h.
func (t *Top) add(r *Report, name string, h uint64, n, bytes int64) {
	x := t.get(name, h)
	if x == nil && t.tab.n >= t.limit {
		r.Dropped.Top += n
		if t.other == nil {
			if t.other = t.get(OtherKey, hash64(OtherKey)); t.other == nil {
				t.other = &Tally{Name: OtherKey}
				t.put(t.other, hash64(OtherKey))
			}
		}
		x = t.other
	}
	if x == nil {
		x = &Tally{Name: strings.Clone(name)}
		t.put(x, h)
	}
	x.Count += n
	x.Bytes += bytes
}

func (t *Top) merge(r *Report, o *Top) {
	for _, x := range o.Rows {
		t.add(r, x.Name, hash64(x.Name), x.Count, x.Bytes)
	}
}

func (t *Top) finish() {
	t.Rows = t.Rows[:0]
	for _, sl := range t.tab.slots {
		if sl.x != nil {
			t.Rows = append(t.Rows, sl.x)
		}
	}
	sort.Slice(t.Rows, func(i, j int) bool {
		a, b := t.Rows[i], t.Rows[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Bytes != b.Bytes {
			return a.Bytes > b.Bytes
		}
		return a.Name < b.Name
	})
}

// BySize returns the rows by bytes, descending.
func (t *Top) BySize() []*Tally {
	out := append([]*Tally(nil), t.Rows...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Bytes > out[j].Bytes })
	return out
}

func (v *Volume) init(l Limits) {
	v.TopSenders.init(l.Top)
	v.TopRecipients.init(l.Top)
}

// The flags of a message in Report.recent and Report.deferred.
const (
	msgSeen      = 1
	msgDelivered = 2
	msgDeferred  = 4 // it had a deferral: it is in Report.deferred too
)

// add counts e; rcpt is its recipient, lower-cased, and rcptHash its
// hash64. It returns the flags its message had before (0: not
// remembered, or not a message) and the message's msgHash (0 when it
// made none).
func (v *Volume) add(r *Report, e *bouncescan.Event, rcpt string, rcptHash uint64) (uint8, uint64) {
	if delivered(e) && rcpt != "" {
		v.Deliveries++
		v.TopRecipients.add(r, rcpt, rcptHash, 1, e.Size)
	} else if delivered(e) {
		v.Deliveries++
	}
	id := e.QueueID
	if id == "" {
		id = e.MessageID
	}
	if id == "" || e.Status == bouncescan.StatusRejected {
		return 0, 0
	}
	// a hash, not the string, in two windows of recent messages (see
	// Limits.Messages): any message, and the messages with a deferral
	key := r.msgHash(e.Host, id)
	flags, at := lookupMessage(&r.recent, &r.deferred, key)
	prev := flags
	if flags == 0 {
		v.Messages++
		v.Bytes += e.Size
		if e.Sender != "" {
			s := lower(e.Sender)
			h := hash64(s)
			v.Senders.addHash(h)
			if i := strings.LastIndexByte(s, '@'); i >= 0 {
				v.SenderDomains.Add(s[i+1:])
			}
			v.TopSenders.add(r, s, h, 1, e.Size)
		} else {
			v.TopSenders.add(r, "<>", hash64("<>"), 1, e.Size)
		}
		flags = msgSeen
	}
	if delivered(e) && flags&msgDelivered == 0 {
		flags |= msgDelivered
		v.DeliveredMessages++
		v.DeliveredBytes += e.Size
	}
	if e.Status == bouncescan.StatusDeferred {
		flags |= msgDeferred
	}
	if at >= 0 && flags&msgDeferred == 0 {
		r.recent.update(at, key, flags) // in the current generation already
	} else {
		r.setMessage(key, flags)
	}
	return prev, key
}

// setMessage stores the flags of a message.
func (r *Report) setMessage(key uint64, flags uint8) {
	r.recent.set(key, flags)
	if flags&msgDeferred != 0 && r.deferred.set(key, flags) {
		r.Dropped.Messages++
	}
}

func (v *Volume) merge(r *Report, o *Volume) {
	v.Messages += o.Messages
	v.Bytes += o.Bytes
	v.DeliveredMessages += o.DeliveredMessages
	v.DeliveredBytes += o.DeliveredBytes
	v.Deliveries += o.Deliveries
	v.Senders.Merge(&o.Senders)
	v.SenderDomains.Merge(&o.SenderDomains)
	v.Recipients.Merge(&o.Recipients)
	v.TopSenders.merge(r, &o.TopSenders)
	v.TopRecipients.merge(r, &o.TopRecipients)
}

func (v *Volume) finish() {
	v.Senders.settle()
	v.SenderDomains.settle()
	v.Recipients.settle()
	v.TopSenders.finish()
	v.TopRecipients.finish()
}

// Series is the outcomes per time bucket (UTC-aligned, BucketSeconds long).
type Series struct {
	BucketSeconds int64     `json:"bucket_seconds"`
	Buckets       []*Bucket `json:"buckets"` // in time order (Finish)
	m             map[int64]*Bucket
	last          *Bucket // the bucket found last, that of lastStart
	lastStart     int64
}

// Bucket is one time bucket.
type Bucket struct {
	Start time.Time `json:"start"`
	Outcomes
}

func (s *Series) init() {
	s.last = nil
	s.m = make(map[int64]*Bucket, len(s.Buckets))
	for _, b := range s.Buckets {
		s.m[b.Start.Unix()] = b
	}
}

func (s *Series) bucket(r *Report, start int64) *Bucket {
	if b := s.last; b != nil && s.lastStart == start {
		return b // the bucket of the event before: events come in time order
	}
	b := s.m[start]
	if b != nil {
		s.last, s.lastStart = b, start
	}
	if b == nil {
		if len(s.m) >= r.limits.Buckets {
			return nil
		}
		b = &Bucket{Start: time.Unix(start, 0).UTC()}
		s.m[start] = b
	}
	return b
}

func (s *Series) add(r *Report, e *bouncescan.Event) {
	if e.Time.IsZero() {
		return
	}
	t := e.Time.Unix()
	start := t - mod(t, s.BucketSeconds)
	if b := s.bucket(r, start); b != nil {
		b.add(e)
	} else {
		r.Dropped.Buckets++
	}
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func (s *Series) merge(r *Report, o *Series) {
	if s.BucketSeconds == 0 {
		s.BucketSeconds = o.BucketSeconds
	}
	for _, ob := range o.Buckets {
		if b := s.bucket(r, ob.Start.Unix()); b != nil {
			b.merge(&ob.Outcomes)
		} else {
			r.Dropped.Buckets += ob.Events
		}
	}
}

func (s *Series) finish() {
	s.Buckets = s.Buckets[:0]
	for _, b := range s.m {
		b.finish()
		s.Buckets = append(s.Buckets, b)
	}
	sort.Slice(s.Buckets, func(i, j int) bool { return s.Buckets[i].Start.Before(s.Buckets[j].Start) })
}

// Rollup gives the series in buckets of size (a multiple of the series'
// bucket; 0 chooses one giving at most about max buckets), aligned in loc
// for sizes of a day or more. Empty buckets between are included.
func (s *Series) Rollup(size time.Duration, maxBuckets int, loc *time.Location) ([]*Bucket, time.Duration) {
	base := time.Duration(s.BucketSeconds) * time.Second
	if len(s.Buckets) == 0 || base <= 0 {
		return nil, base
	}
	if loc == nil {
		loc = time.UTC
	}
	first, last := s.Buckets[0].Start, s.Buckets[len(s.Buckets)-1].Start
	if size <= 0 {
		span := last.Sub(first) + base
		for _, c := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
			size = c
			if c >= base && span/c < time.Duration(maxBuckets) {
				break
			}
		}
	}
	if size < base {
		size = base
	}
	size = size / base * base
	startOf := func(t time.Time) time.Time {
		if size >= 24*time.Hour && size%(24*time.Hour) == 0 {
			lt := t.In(loc)
			d := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
			if size == 7*24*time.Hour {
				d = d.AddDate(0, 0, -int((d.Weekday()+6)%7))
			}
			return d
		}
		return t.Truncate(size)
	}
	var out []*Bucket
	idx := map[int64]*Bucket{}
	for t := startOf(first); !t.After(last); {
		b := &Bucket{Start: t}
		out = append(out, b)
		idx[t.Unix()] = b
		next := t.Add(size)
		if size >= 24*time.Hour && size%(24*time.Hour) == 0 {
			next = startOf(t.AddDate(0, 0, int(size/(24*time.Hour))).Add(time.Hour))
		}
		t = next
		if len(out) > 100_000 {
			break
		}
	}
	for _, b := range s.Buckets {
		if ob := idx[startOf(b.Start).Unix()]; ob != nil {
			ob.merge(&b.Outcomes)
		}
	}
	for _, b := range out {
		b.finish()
	}
	return out, size
}

// HourOfDay sums the series by hour of the day in loc (pflogsumm's
// "per-hour traffic"); meaningful for buckets of an hour or less.
func (s *Series) HourOfDay(loc *time.Location) [24]Outcomes {
	var out [24]Outcomes
	if loc == nil {
		loc = time.UTC
	}
	for _, b := range s.Buckets {
		out[b.Start.In(loc).Hour()].merge(&b.Outcomes)
	}
	for i := range out {
		out[i].finish()
	}
	return out
}

// Rejects groups rejections (our own server's refusals) by restriction
// (the blocklist named, for "blocked using …") and by client.
type Rejects struct {
	ByRestriction Counts            `json:"by_restriction"`
	ByClient      Counts            `json:"by_client"`
	clients       map[string]string // see client
	buf           []byte
}

func (j *Rejects) init() {
	if j.ByRestriction == nil {
		j.ByRestriction = Counts{}
	}
	if j.ByClient == nil {
		j.ByClient = Counts{}
	}
}

func addBounded(r *Report, c Counts, key string, n int64) {
	c.addBounded(key, n, r.limits.Top, &r.Dropped.Top)
}

// addBounded adds n to key, or to OtherKey (counting n in dropped) when key
// is new and c already holds limit keys. Below the limit that is one map
// assignment, not a look-up and an assignment (a reject's restriction and
// client are long keys, hashed and compared at each).
func (c Counts) addBounded(key string, n int64, limit int, dropped *int64) {
	if len(c) < limit {
		c[key] += n
		return
	}
	if _, ok := c[key]; !ok {
		*dropped += n
		key = OtherKey
	}
	c[key] += n
}

// add counts a reject; it returns the slot of its text.
func (j *Rejects) add(r *Report, e *bouncescan.Event) *textSlot {
	sl := r.textSlot(e.Text)
	if sl.restr == "" || sl.stage != e.Stage {
		sl.restr, sl.stage = restriction(e, func(string) string { return sl.tpl }), e.Stage
	}
	addBounded(r, j.ByRestriction, sl.restr, 1)
	client := lower(e.Relay)
	if e.RelayIP != "" {
		client = j.client(r, client, e.RelayIP)
	}
	if client == "" {
		client = "(none)"
	}
	addBounded(r, j.ByClient, client, 1)
	return sl
}

// client is strings.TrimSpace(relay + " [" + ip + "]") without a new
// string for a client seen before: it is made in a buffer and looked up
// in j.clients, which holds the ones made before (as many as Limits.Top;
// beyond, the by-client table is full and its rows are few).
func (j *Rejects) client(r *Report, relay, ip string) string {
	b := append(append(append(append(j.buf[:0], relay...), " ["...), ip...), ']')
	j.buf = b
	b = bytes.TrimSpace(b)
	if c, ok := j.clients[string(b)]; ok {
		return c
	}
	c := string(b)
	if len(j.clients) < r.limits.Top {
		if j.clients == nil {
			j.clients = map[string]string{}
		}
		j.clients[c] = c
	}
	return c
}

func (j *Rejects) merge(r *Report, o *Rejects) {
	for k, n := range o.ByRestriction {
		addBounded(r, j.ByRestriction, k, n)
	}
	for k, n := range o.ByClient {
		addBounded(r, j.ByClient, k, n)
	}
}

func (j *Rejects) finish() {}

// Restriction names what refused a message, for grouping rejects: the
// stage, then "blocked using LIST" when a DNS blocklist is named, else the
// restriction's words ("Recipient address rejected: User unknown in local
// recipient table") as a template, at most 100 bytes.
func Restriction(e *bouncescan.Event) string { return restriction(e, Template) }

// restriction is Restriction with the template function given (a report's
// cached one).
func restriction(e *bouncescan.Event, template func(string) string) string {
	stage := e.Stage.String()
	if stage == "" {
		stage = "unknown"
	}
	text := e.Text
	if i := strings.Index(text, "blocked using "); i >= 0 {
		list := text[i+len("blocked using "):]
		if j := strings.IndexAny(list, " ;,"); j >= 0 {
			list = list[:j]
		}
		return stage + ": blocked using " + strings.TrimRight(list, ".")
	}
	tpl := template(text)
	tpl = cutTemplate(strings.TrimPrefix(tpl, "<addr>: "), 100)
	if tpl == "" {
		tpl = "(no text)"
	}
	return stage + ": " + tpl
}
