package aggregate

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Suppress builds a suppression list: the recipients whose last outcome is
// a permanent addressing or mailbox failure (class permanent, subject
// addressing or mailbox, except a full mailbox or a message too big,
// which say nothing against the address). A later delivery to the address
// removes it; a later failure updates it. It is a pipeline consumer;
// bounded (Max addresses, the rest counted in Dropped).
type Suppress struct {
	Max     int // addresses kept (0 = 1 000 000)
	Dropped int64
	m       map[string]*Suppressed
}

// Suppressed is one address of the list.
type Suppressed struct {
	Address   string
	Reason    string
	Code      string // reply and enhanced code: "550 5.1.1"
	LastSeen  time.Time
	Count     int64 // failures since the last delivery
	FirstSeen time.Time
}

// Consume looks at each event (nothing of the batch is kept).
func (s *Suppress) Consume(events []bouncescan.Event) error {
	for i := range events {
		s.Add(&events[i])
	}
	return nil
}

// Add looks at one event.
func (s *Suppress) Add(e *bouncescan.Event) {
	if e.Recipient == "" {
		return
	}
	if s.m == nil {
		s.m = map[string]*Suppressed{}
	}
	addr := lower(e.Recipient)
	if delivered(e) {
		if x := s.m[addr]; x != nil && !e.Time.Before(x.LastSeen) {
			delete(s.m, addr)
		}
		return
	}
	v := e.Verdict
	if v == nil || v.Class != bouncescan.ClassPermanent || (v.Subject != bouncescan.SubjectAddressing && v.Subject != bouncescan.SubjectMailbox) ||
		v.Reason == "mailboxfull" || v.Reason == "emailtoolarge" {
		return
	}
	switch e.Status {
	case bouncescan.StatusBounced, bouncescan.StatusRejected, bouncescan.StatusExpired:
	default:
		return
	}
	x := s.m[addr]
	if x == nil {
		limit := s.Max
		if limit <= 0 {
			limit = 1_000_000
		}
		if len(s.m) >= limit {
			s.Dropped++
			return
		}
		x = &Suppressed{Address: strings.Clone(addr), FirstSeen: e.Time}
		s.m[x.Address] = x
	}
	x.Count++
	if !e.Time.Before(x.LastSeen) {
		x.LastSeen = e.Time
		x.Reason = v.Reason
		code := ""
		if e.ReplyCode != 0 {
			code = strconv.Itoa(e.ReplyCode)
		}
		if e.EnhancedCode != "" {
			code = strings.TrimSpace(code + " " + e.EnhancedCode)
		}
		x.Code = code
	}
}

// List returns the addresses, sorted.
func (s *Suppress) List() []*Suppressed {
	out := make([]*Suppressed, 0, len(s.m))
	for _, x := range s.m {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

// WriteCSV writes the list with the header address, reason, code,
// last_seen (RFC 3339, UTC), count, first_seen. Addresses that would read
// as a formula (= + - @ first) get a leading apostrophe.
func (s *Suppress) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"address", "reason", "code", "last_seen", "count", "first_seen"})
	for _, x := range s.List() {
		addr := x.Address
		if addr != "" && strings.IndexByte("=+-@\t\r", addr[0]) >= 0 {
			addr = "'" + addr
		}
		_ = cw.Write([]string{addr, x.Reason, x.Code, stamp(x.LastSeen), strconv.FormatInt(x.Count, 10), stamp(x.FirstSeen)})
	}
	cw.Flush()
	return cw.Error()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
