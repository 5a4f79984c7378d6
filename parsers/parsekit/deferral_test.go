package parsekit

import (
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
)

func deferral(rcpt, text string) *bouncescan.Event {
	return &bouncescan.Event{Recipient: rcpt, Status: bouncescan.StatusDeferred, ReplyCode: 452, Text: text}
}

// TestDeferralsAttempts: deferred twice then sent gives 1, 2, 3; another
// recipient counts on its own; an expiry is the attempt after the last
// deferral.
func TestDeferralsAttempts(t *testing.T) {
	d := NewDeferrals(Options{}, DeferralOptions{})
	var p Pending
	var got []int
	for _, r := range []string{"a", "a", "b"} {
		e := deferral(r, "full")
		d.Defer(&p, e)
		got = append(got, e.Attempt)
	}
	sent := &bouncescan.Event{Recipient: "a", Status: bouncescan.StatusSent}
	if _, ok := d.Outcome(&p, sent); !ok {
		t.Fatal("a's deferral not found")
	}
	got = append(got, sent.Attempt)
	d.Expire(&p, func(x *Deferral, attempt int) {
		if x.Rcpt != "b" || x.Text != "full" {
			t.Errorf("expired %+v", x)
		}
		got = append(got, attempt)
	})
	if want := []int{1, 2, 1, 3, 2}; !equalInts(got, want) {
		t.Errorf("attempts %v, want %v", got, want)
	}
	if d.Bytes() != 0 || p.Len() != 0 {
		t.Errorf("after expiry: %d bytes, %d entries", d.Bytes(), p.Len())
	}
	none := &bouncescan.Event{Recipient: "c"}
	if _, ok := d.Outcome(nil, none); ok || none.Attempt != 1 {
		t.Errorf("outcome without state: attempt %d", none.Attempt)
	}
}

// TestDeferralsMatching: the options decide what is the same recipient.
func TestDeferralsMatching(t *testing.T) {
	tests := []struct {
		name        string
		opt         DeferralOptions
		rcpt, orig  string
		found       bool
		deferredOrg string
	}{
		{"exact", DeferralOptions{}, "A@x", "", false, ""},
		{"fold case", DeferralOptions{FoldCase: true}, "A@x", "", true, ""},
		{"orig ignored", DeferralOptions{}, "a@x", "other@x", true, "o@x"},
		{"orig must match", DeferralOptions{MatchOrig: true}, "a@x", "", false, "o@x"},
		{"orig fallback on the original", DeferralOptions{MatchOrig: true, OrigFallback: true, FoldCase: true}, "O@x", "", true, "o@x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDeferrals(Options{}, tt.opt)
			var p Pending
			e := deferral("a@x", "t")
			e.OrigRecipient = tt.deferredOrg
			d.Defer(&p, e)
			_, ok := d.Outcome(&p, &bouncescan.Event{Recipient: tt.rcpt, OrigRecipient: tt.orig})
			if ok != tt.found {
				t.Errorf("found %v, want %v", ok, tt.found)
			}
		})
	}
}

// TestDeferralsKeepReply: a deferral without reply keeps the one with it.
func TestDeferralsKeepReply(t *testing.T) {
	d := NewDeferrals(Options{}, DeferralOptions{KeepReply: true})
	var p Pending
	d.Defer(&p, deferral("a", "Mailbox full"))
	bare := &bouncescan.Event{Recipient: "a", Text: "retry time not reached"}
	d.Defer(&p, bare)
	x, _ := d.Outcome(&p, &bouncescan.Event{Recipient: "a"})
	if x.Text != "Mailbox full" || x.Attempts != 2 || bare.Attempt != 2 {
		t.Errorf("kept %+v, bare attempt %d", x, bare.Attempt)
	}
}

// TestDeferralsBounded: the per-message cap and the byte budget drop
// deferrals (first the text, then the entry), count every drop, and make
// the dropped recipients' attempts unknown; releasing a message gives its
// bytes back.
func TestDeferralsBounded(t *testing.T) {
	text := strings.Repeat("x", 1000)
	budget := 4*deferralSize + 2200
	d := NewDeferrals(Options{MaxDeferrals: 3, DeferralBytes: budget}, DeferralOptions{})
	var p, q Pending
	for _, r := range []string{"a", "b", "c", "d"} {
		d.Defer(&p, deferral(r, text))
	}
	d.Defer(&q, deferral("e", text))
	d.Defer(&q, deferral(strings.Repeat("f", 2000), ""))
	var s Stats
	d.AddStats(&s)
	// a fits with its text; b, c (and e, in another message) only
	// without, as texts may fill half the budget; d is over the cap and
	// f over the whole budget
	if p.Len() != 3 || q.Len() != 1 || s.DeferralTexts != 3 || s.DeferralsDropped != 2 || s.Evicted != 5 {
		t.Errorf("held %d+%d, stats %+v", p.Len(), q.Len(), s)
	}
	if s.DeferralBytes > budget || s.DeferralBytes != d.Bytes() {
		t.Errorf("holds %d bytes, budget %d", s.DeferralBytes, budget)
	}
	for _, c := range []struct {
		rcpt    string
		attempt int
	}{{"a", 2}, {"c", 2}, {"d", 0}, {"e", 0}} {
		e := &bouncescan.Event{Recipient: c.rcpt}
		x, _ := d.Outcome(&p, e)
		if e.Attempt != c.attempt {
			t.Errorf("%s: attempt %d, want %d", c.rcpt, e.Attempt, c.attempt)
		}
		if c.rcpt == "c" && x.Text != "" {
			t.Errorf("c kept its text")
		}
	}
	d.Release(&p)
	d.Release(&q)
	if d.Bytes() != 0 {
		t.Errorf("%d bytes after Release", d.Bytes())
	}
}

// TestTableRelease: every way out of the table calls Release.
func TestTableRelease(t *testing.T) {
	tb := NewTable[int](2, 0)
	released := 0
	tb.Release = func(*int) { released++ }
	for _, k := range []string{"a", "b", "c"} { // c evicts a
		tb.Put([]byte(k), time.Unix(0, 0))
	}
	tb.Delete([]byte("b"))
	tb.Drain(func(string, *int) {})
	if released != 3 {
		t.Errorf("released %d, want 3", released)
	}
}

// TestTableOldest: the oldest creation Mark of the entries held.
func TestTableOldest(t *testing.T) {
	tb := NewTable[int](10, 0)
	if _, ok := tb.Oldest(); ok {
		t.Fatal("empty table has a mark")
	}
	for i, k := range []string{"a", "b", "c"} {
		tb.At(Mark{Seq: 1, Offset: int64(10 * i)})
		tb.Put([]byte(k), time.Unix(0, 0))
	}
	tb.At(Mark{Seq: 2})
	tb.Get([]byte("a"), time.Unix(0, 0)) // touching does not renew the mark
	if m, _ := tb.Oldest(); m != (Mark{Seq: 1, Offset: 0}) {
		t.Errorf("oldest %+v", m)
	}
	tb.Delete([]byte("a"))
	if m, _ := tb.Oldest(); m != (Mark{Seq: 1, Offset: 10}) {
		t.Errorf("oldest after delete %+v", m)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
