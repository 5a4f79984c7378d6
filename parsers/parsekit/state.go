package parsekit

import (
	"math"
	"time"
)

// Table is bounded per-message state keyed by queue id: a least recently
// used list with a time-to-live in log time. Parsers keep what they learn
// about a message (sender, message-id, pending deferrals) here until the
// message is removed, the table is full, or the TTL passes.
//
// Each entry remembers the Mark of the line that created it (the Mark
// given to At last), so that Oldest can tell a checkpoint how far back the
// held state reaches: a restart that reads again from there rebuilds every
// entry the table holds. It rebuilds the same entries only as long as the
// table never had to drop one: an entry dropped by the LRU (table full) or
// the TTL in the uninterrupted run may survive in the resumed one, which
// saw fewer entries, or the other way round.
//
// A parser that tells the table each line's host and time (Now) also gets
// its state dropped when the log goes back in time (see StepBack).
type Table[V any] struct {
	max   int
	ttl   time.Duration
	items map[string]*node[V]
	head  *node[V] // most recently used
	tail  *node[V] // least recently used
	free  *node[V] // recycled nodes
	at    Mark     // the current line, for entries created now
	clock clocks   // the hosts' log times (Now)
	stats Stats
	// OnDrop, if set, is called for every entry dropped by the LRU, the
	// TTL or a step back of its host's clock (not for Delete), so that a
	// parser can still emit what it held.
	OnDrop func(key string, v *V)
	// Release, if set, is called for every entry that leaves the table
	// (Delete, LRU, TTL, step back, Drain) just before its value is cleared, so that
	// a parser can give back what the value held to a shared budget
	// (see Deferrals).
	Release func(v *V)
}

type node[V any] struct {
	key        string
	val        V
	touched    time.Time
	mark       Mark   // line that created the entry
	host       uint16 // clocks index of the line that created it (0: none)
	prev, next *node[V]
}

// At tells the table the Mark of the line being parsed: entries created
// until the next call are stamped with it. Parsers call it once per line.
func (t *Table[V]) At(m Mark) {
	if m.Seq != t.at.Seq {
		t.clock.newFile()
	}
	t.at = m
}

// StepBack is how far back a host's log time may step within one file
// before Table.Now takes the lines that follow for an earlier stretch of
// log: an MTA's own clock goes back by an hour when daylight saving time
// ends and by seconds when NTP corrects it, never by more. Longer steps
// come from logs joined out of order (cat of rotated files newest first,
// the logs of several runs or machines of one name concatenated): the
// state held from the later stretch cannot be continued by the lines of
// the earlier one, and without this it would stay until the TTL, which
// log time going back never reaches.
const StepBack = 2 * time.Hour

// Now tells the table the host and log time of the line being parsed;
// parsers that know them call it once per line, after At. Entries created
// until the next call belong to host. When host's log time goes back more
// than StepBack from the latest time of host in the same file, every entry
// of host touched after now is dropped (Stats.Rewound; OnDrop is called)
// and host's clock starts again from now. Each host has its own clock, so
// that the hosts of a central log whose clocks disagree do not drop each
// other's state; each file too (mainlog and rejectlog, the logs of two
// machines read one after the other). host may alias a line buffer.
func (t *Table[V]) Now(host []byte, now time.Time) {
	h, back := t.clock.line(host, now)
	if back {
		t.rewind(h, now)
	}
}

// rewind drops the entries of host h touched after now. It walks every
// entry, O(entries), on a step back only.
func (t *Table[V]) rewind(h uint16, now time.Time) {
	for n := t.head; n != nil; {
		next := n.next
		if n.host == h && n.touched.After(now) {
			t.stats.Rewound++
			t.drop(n)
		}
		n = next
	}
}

// Oldest returns the earliest Mark of the entries held (ok false when the
// table is empty). It walks every entry, O(entries): it is meant for
// checkpoints, not for every line.
func (t *Table[V]) Oldest() (m Mark, ok bool) {
	for n := t.head; n != nil; n = n.next {
		if !ok || n.mark.Before(m) {
			m, ok = n.mark, true
		}
	}
	return m, ok
}

// NewTable makes a table holding at most max entries, each kept at most
// ttl of log time after it was last touched.
func NewTable[V any](max int, ttl time.Duration) *Table[V] {
	return &Table[V]{max: max, ttl: ttl, items: make(map[string]*node[V], min(max, 4096))}
}

// Get returns the entry for key (nil if none) and marks it used at now.
// key may alias a line buffer: it is not retained.
func (t *Table[V]) Get(key []byte, now time.Time) *V {
	n := t.items[string(key)]
	if n == nil {
		return nil
	}
	t.touch(n, now)
	return &n.val
}

// Peek returns the entry for key without touching it.
func (t *Table[V]) Peek(key []byte) *V {
	if n := t.items[string(key)]; n != nil {
		return &n.val
	}
	return nil
}

// Put returns the entry for key, creating a zero one if needed, marked used
// at now. Creating may drop the least recently used entry.
func (t *Table[V]) Put(key []byte, now time.Time) *V {
	if n := t.items[string(key)]; n != nil {
		t.touch(n, now)
		return &n.val
	}
	t.expire(now)
	for len(t.items) >= t.max && t.tail != nil {
		t.stats.Evicted++
		t.drop(t.tail)
	}
	n := t.free
	if n != nil {
		t.free = n.next
		*n = node[V]{}
	} else {
		n = new(node[V])
	}
	n.key = string(key)
	n.touched = now
	n.mark = t.at
	n.host = t.clock.lastH
	t.items[n.key] = n
	t.pushFront(n)
	return &n.val
}

// Delete forgets key.
func (t *Table[V]) Delete(key []byte) {
	if n := t.items[string(key)]; n != nil {
		t.remove(n)
	}
}

// Len is the number of entries held.
func (t *Table[V]) Len() int { return len(t.items) }

// Stats reports the counters.
func (t *Table[V]) Stats() Stats {
	s := t.stats
	s.Messages = len(t.items)
	return s
}

// Drain calls f for every entry from least to most recently used, then
// empties the table.
func (t *Table[V]) Drain(f func(key string, v *V)) {
	for n := t.tail; n != nil; {
		prev := n.prev
		f(n.key, &n.val)
		if t.Release != nil {
			t.Release(&n.val)
		}
		n = prev
	}
	t.items = make(map[string]*node[V])
	t.head, t.tail, t.free = nil, nil, nil
}

func (t *Table[V]) expire(now time.Time) {
	if t.ttl <= 0 {
		return
	}
	limit := now.Add(-t.ttl)
	for t.tail != nil && t.tail.touched.Before(limit) {
		t.stats.Expired++
		t.drop(t.tail)
	}
}

func (t *Table[V]) drop(n *node[V]) {
	if t.OnDrop != nil {
		t.OnDrop(n.key, &n.val)
	}
	t.remove(n)
}

func (t *Table[V]) remove(n *node[V]) {
	if t.Release != nil {
		t.Release(&n.val)
	}
	delete(t.items, n.key)
	t.unlink(n)
	var zero V
	n.val = zero
	n.key = ""
	n.prev = nil
	n.next = t.free
	t.free = n
}

func (t *Table[V]) touch(n *node[V], now time.Time) {
	if now.After(n.touched) {
		n.touched = now
	}
	if t.head != n {
		t.unlink(n)
		t.pushFront(n)
	}
}

func (t *Table[V]) unlink(n *node[V]) {
	if n.prev != nil {
		n.prev.next = n.next
	} else if t.head == n {
		t.head = n.next
	}
	if n.next != nil {
		n.next.prev = n.prev
	} else if t.tail == n {
		t.tail = n.prev
	}
	n.prev, n.next = nil, nil
}

func (t *Table[V]) pushFront(n *node[V]) {
	n.prev = nil
	n.next = t.head
	if t.head != nil {
		t.head.prev = n
	}
	t.head = n
	if t.tail == nil {
		t.tail = n
	}
}

// clocks follows the latest log time of each host in the current file,
// for Table.Now. Hosts get an index from 1; past maxClockHosts hosts the
// others share index 0, which never steps back. Times are Unix seconds:
// the comparison runs on every line, and StepBack is whole seconds.
type clocks struct {
	index  map[string]uint16
	newest []int64 // by index; noTime: no line of the host in this file yet
	last   []byte  // the host of the line last given to line, and its index
	lastH  uint16  // (0 until then): the host entries created now belong to
}

const (
	maxClockHosts = 4096
	noTime        = math.MinInt64
	stepBackSecs  = int64(StepBack / time.Second)
)

// newFile forgets the times, not the hosts: each file has its own clock.
func (c *clocks) newFile() {
	for i := range c.newest {
		c.newest[i] = noTime
	}
}

// line returns host's index and whether now steps back more than
// StepBack from host's latest time; it then restarts host's clock at now.
func (c *clocks) line(host []byte, now time.Time) (uint16, bool) {
	h := c.lastH
	if c.newest == nil || string(host) != string(c.last) {
		h = c.lookup(host)
		c.last = append(c.last[:0], host...)
		c.lastH = h
	}
	if h == 0 || now.IsZero() {
		return h, false
	}
	sec := now.Unix()
	latest := c.newest[h]
	if sec > latest {
		c.newest[h] = sec
		return h, false
	}
	if latest-sec > stepBackSecs {
		c.newest[h] = sec
		return h, true
	}
	return h, false
}

func (c *clocks) lookup(host []byte) uint16 {
	if c.newest == nil {
		c.index = map[string]uint16{}
		c.newest = make([]int64, 1, 2)
		c.newest[0] = noTime
	}
	if h, ok := c.index[string(host)]; ok {
		return h
	}
	if len(c.newest) > maxClockHosts {
		return 0
	}
	h := uint16(len(c.newest))
	c.index[string(host)] = h
	c.newest = append(c.newest, noTime)
	return h
}
