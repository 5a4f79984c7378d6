package parsekit

import (
	"time"
)

// Table is bounded per-message state keyed by queue id: a least recently
// used list with a time-to-live in log time. Parsers keep what they learn
// about a message (sender, message-id, pending deferrals) here until the
// message is removed, the table is full, or the TTL passes.
type Table[V any] struct {
	max   int
	ttl   time.Duration
	items map[string]*node[V]
	head  *node[V] // most recently used
	tail  *node[V] // least recently used
	free  *node[V] // recycled nodes
	stats Stats
	// OnDrop, if set, is called for every entry dropped by the LRU or the
	// TTL (not for Delete), so that a parser can still emit what it held.
	OnDrop func(key string, v *V)
}

type node[V any] struct {
	key        string
	val        V
	touched    time.Time
	prev, next *node[V]
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

// Each calls f for every entry from least to most recently used, then
// empties the table.
func (t *Table[V]) Drain(f func(key string, v *V)) {
	for n := t.tail; n != nil; {
		prev := n.prev
		f(n.key, &n.val)
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
