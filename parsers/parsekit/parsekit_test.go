package parsekit

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func TestParseReply(t *testing.T) {
	tests := []struct {
		name, in string
		want     Reply
	}{
		{"postfix space-joined multi-line",
			"550-5.1.1 The email account does not exist. Please try 550-5.1.1 double-checking the address 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp",
			Reply{550, "5.1.1", "The email account does not exist. Please try double-checking the address https://support.google.com/mail/?p=NoSuchUser x1 - gsmtp"}},
		{"exim literal \\n-joined",
			`550-5.7.1 Message rejected\n550-5.7.1 see https://example.test/policy\n550 5.7.1 for details`,
			Reply{550, "5.7.1", "Message rejected see https://example.test/policy for details"}},
		{"exim \\n-joined without enhanced codes",
			`421-too many connections\n421 try again later`,
			Reply{421, "", "too many connections try again later"}},
		{"single line", "250 2.0.0 Ok: queued as ABC", Reply{250, "2.0.0", "Ok: queued as ABC"}},
		{"code without enhanced", "554 Transaction failed", Reply{554, "", "Transaction failed"}},
		{"code alone", "421", Reply{421, "", ""}},
		{"no code: text as is", "  Host or domain name not found  ", Reply{0, "", "Host or domain name not found"}},
		{"enhanced without code is just text", "5.7.1 Spam", Reply{0, "", "5.7.1 Spam"}},
		{"prose with numbers is not a continuation", "452 4.2.2 Over quota: 550 messages stored, 452 MB used",
			Reply{452, "4.2.2", "Over quota: 550 messages stored, 452 MB used"}},
		{"same code in prose followed by a word", "550 5.7.1 rejected, 550 times today", Reply{550, "5.7.1", "rejected, 550 times today"}},
		{"continuation with another enhanced code keeps it", "550-5.7.1 first 550 5.7.0 second", Reply{550, "5.7.1", "first 5.7.0 second"}},
		{"enhanced code on the last line only (Cyrus lmtpd)",
			"550-Mailbox unknown.  Either there is no mailbox associated with this 550-name or you do not have authorization to see it. 550 5.1.1 User unknown",
			Reply{550, "5.1.1", "Mailbox unknown.  Either there is no mailbox associated with this name or you do not have authorization to see it. User unknown"}},
		{"a quoted reply after ':' keeps its code in the text (Exim callout)",
			`550-Verification failed for <s@x>\n550-Response: 550 5.1.1 <s@x>: User unknown\n550 Sender verify failed`,
			Reply{550, "", "Verification failed for <s@x> Response: 5.1.1 <s@x>: User unknown Sender verify failed"}},
		{"a quoted reply after the code itself (Postfix-joined '550 550 5.1.1')",
			"550-Callout verification failed: 550 550 5.1.1 <r@x>: User unknown",
			Reply{550, "", "Callout verification failed: 550 5.1.1 <r@x>: User unknown"}},
		{"a later line's code of another class is not this reply's",
			"550-no such user 550 4.2.2 mailbox full",
			Reply{550, "", "no such user 4.2.2 mailbox full"}},
		{"not a reply code", "600 nope", Reply{0, "", "600 nope"}},
		{"four digits", "5500 nope", Reply{0, "", "5500 nope"}},
		{"empty", "", Reply{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ParseReply([]byte(tt.in))); diff != "" {
				t.Errorf("ParseReply(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestEnhanced(t *testing.T) {
	find := []struct{ in, want string }{
		{"dsn=5.1.1, status=bounced", "5.1.1"},
		{"host 192.0.2.5 said 4.2.2 full", "4.2.2"},    // the IP is skipped
		{"blocked 5.4.3.2 then 4.7.1 policy", "4.7.1"}, // so is a dotted quad
		{"version 25.1.1 and 2.0.0", "2.0.0"},          // and longer numbers
		{"2.0.0", "2.0.0"},                             // whole input
		{"(5.7.606)", "5.7.606"},                       // punctuation around
		{"x5.1.1 y", ""},                               // glued to a word
		{"3.1.1 is no class", ""},                      // class must be 2, 4, 5
		{"5.1234.1", ""},                               // subject too long
		{"5.1.1.1", ""},                                // a fourth part
		{"no code here", ""},
		{"", ""},
	}
	for _, tt := range find {
		if got := FindEnhanced([]byte(tt.in)); got != tt.want {
			t.Errorf("FindEnhanced(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	at := []struct {
		in   string
		want int
	}{
		{"5.1.1 x", 5}, {"4.7.606;", 7}, {"2.0.0", 5}, {"5.1.10", 6}, {"5.1.", 0}, {"5.1.1000", 0}, {"6.1.1", 0}, {"5.1", 0},
	}
	for _, tt := range at {
		if got := EnhancedAt([]byte(tt.in)); got != tt.want {
			t.Errorf("EnhancedAt(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestISOTime(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
		n    int
		ok   bool
	}{
		{"2026-11-22T03:14:15.123456+01:00 host", time.UTC, time.Date(2026, 11, 22, 2, 14, 15, 123456000, time.UTC), 32, true},
		{"2026-11-22T03:14:15Z", time.UTC, time.Date(2026, 11, 22, 3, 14, 15, 0, time.UTC), 20, true},
		{"2026-11-22T03:14:15+0100 h", time.UTC, time.Date(2026, 11, 22, 2, 14, 15, 0, time.UTC), 24, true},
		{"2026-11-22T03:14:15-05 h", time.UTC, time.Date(2026, 11, 22, 8, 14, 15, 0, time.UTC), 22, true},
		{"2026-11-22 03:14:15 1tXyZa-000123-AB", paris, time.Date(2026, 11, 22, 3, 14, 15, 0, paris), 19, true},
		{"2026-11-22 03:14:15.123 +0200 1tXyZa", time.UTC, time.Date(2026, 11, 22, 1, 14, 15, 123000000, time.UTC), 29, true},
		{"2026-11-22T03:14:15,5+00:00", time.UTC, time.Date(2026, 11, 22, 3, 14, 15, 500000000, time.UTC), 27, true},
		{"2026-13-22T03:14:15Z", time.UTC, time.Time{}, 0, false},
		{"2026-11-22T24:14:15Z", time.UTC, time.Time{}, 0, false},
		{"2026-11-22", time.UTC, time.Time{}, 0, false},
		{"Nov 22 03:14:15", time.UTC, time.Time{}, 0, false},
	}
	for _, tt := range tests {
		got, n, ok := ISOTime([]byte(tt.in), tt.loc)
		if ok != tt.ok || n != tt.n || !got.Equal(tt.want) {
			t.Errorf("ISOTime(%q) = %v, %d, %v; want %v, %d, %v", tt.in, got, n, ok, tt.want, tt.n, tt.ok)
		}
	}
}

func TestSyslogTime(t *testing.T) {
	var y Years
	y.Begin(2026, time.Time{})
	tests := []struct {
		in   string
		want time.Time
		n    int
		ok   bool
	}{
		{"Nov 22 03:14:15 host", time.Date(2026, 11, 22, 3, 14, 15, 0, time.UTC), 15, true},
		{"Nov  2 03:14:15 host", time.Date(2026, 11, 2, 3, 14, 15, 0, time.UTC), 15, true},
		{"Nov 2 03:14:15 host", time.Date(2026, 11, 2, 3, 14, 15, 0, time.UTC), 14, true},
		{"Nov 22 03:14:15.123456 host", time.Date(2026, 11, 22, 3, 14, 15, 123456000, time.UTC), 22, true},
		{"Nov 32 03:14:15 host", time.Time{}, 0, false},
		{"Foo 22 03:14:15 host", time.Time{}, 0, false},
		{"Nov 22 3:14:15 host", time.Time{}, 0, false},
		{"Nov 22 03:14", time.Time{}, 0, false},
		{"", time.Time{}, 0, false},
	}
	for _, tt := range tests {
		got, n, ok := SyslogTime([]byte(tt.in), &y, time.UTC)
		if ok != tt.ok || n != tt.n || !got.Equal(tt.want) {
			t.Errorf("SyslogTime(%q) = %v, %d, %v; want %v, %d, %v", tt.in, got, n, ok, tt.want, tt.n, tt.ok)
		}
	}
}

func TestYears(t *testing.T) {
	date := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name   string
		fixed  int
		ref    time.Time
		months []time.Month
		want   []int
	}{
		{"fixed year", 2019, date(2026, 5), []time.Month{3, 4}, []int{2019, 2019}},
		{"mtime year", 0, date(2026, 5), []time.Month{3, 5}, []int{2026, 2026}},
		{"month after mtime is last year", 0, date(2027, 1), []time.Month{12, 12, 1}, []int{2026, 2026, 2027}},
		{"Dec to Jan rolls over", 2026, time.Time{}, []time.Month{11, 12, 1, 2}, []int{2026, 2026, 2027, 2027}},
		{"straggler from the old year", 2026, time.Time{}, []time.Month{12, 1, 12, 1}, []int{2026, 2027, 2026, 2027}},
		{"small step back is no new year", 2026, time.Time{}, []time.Month{5, 4, 5}, []int{2026, 2026, 2026}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var y Years
			y.Begin(tt.fixed, tt.ref)
			var got []int
			for _, m := range tt.months {
				got = append(got, y.Year(m))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// a stamp with a year re-anchors
	var y Years
	y.Begin(2026, time.Time{})
	y.Observe(time.Date(2023, 3, 14, 0, 0, 0, 0, time.UTC))
	if got := y.Year(3); got != 2023 {
		t.Errorf("after Observe(2023-03): %d, want 2023", got)
	}
}

func TestTable(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	var dropped []string
	tab := NewTable[int](2, time.Hour)
	tab.OnDrop = func(k string, v *int) { dropped = append(dropped, k) }

	*tab.Put([]byte("a"), t0) = 1
	*tab.Put([]byte("b"), t0.Add(time.Minute)) = 2
	if v := tab.Get([]byte("a"), t0.Add(2*time.Minute)); v == nil || *v != 1 { // a is now most recent
		t.Fatalf("Get(a) = %v", v)
	}
	*tab.Put([]byte("c"), t0.Add(3*time.Minute)) = 3 // evicts b, the least recently used
	if tab.Peek([]byte("b")) != nil || tab.Peek([]byte("a")) == nil || tab.Peek([]byte("c")) == nil {
		t.Errorf("LRU evicted the wrong entry")
	}
	if s := tab.Stats(); s.Evicted != 1 || s.Expired != 0 || s.Messages != 2 {
		t.Errorf("stats %+v", s)
	}
	// Put of an existing key keeps its value
	if v := tab.Put([]byte("c"), t0.Add(4*time.Minute)); *v != 3 {
		t.Errorf("Put(existing) = %d", *v)
	}
	// TTL in log time: a was last touched at +2m, c at +4m
	*tab.Put([]byte("d"), t0.Add(2*time.Minute+time.Hour+time.Second)) = 4
	if tab.Peek([]byte("a")) != nil {
		t.Errorf("a not expired")
	}
	if s := tab.Stats(); s.Expired != 1 || s.Evicted != 1 {
		t.Errorf("stats %+v", s)
	}
	// Delete does not call OnDrop
	tab.Delete([]byte("c"))
	if diff := cmp.Diff([]string{"b", "a"}, dropped); diff != "" {
		t.Errorf("OnDrop keys (-want +got):\n%s", diff)
	}
	if tab.Len() != 1 {
		t.Errorf("Len %d", tab.Len())
	}
	// recycled nodes start from zero
	if v := tab.Put([]byte("e"), t0.Add(2*time.Hour)); *v != 0 {
		t.Errorf("new entry not zero: %d", *v)
	}
	var drained []string
	tab.Drain(func(k string, v *int) { drained = append(drained, k) })
	if diff := cmp.Diff([]string{"d", "e"}, drained); diff != "" {
		t.Errorf("Drain order (-want +got):\n%s", diff)
	}
	if tab.Len() != 0 || tab.Get([]byte("d"), t0) != nil {
		t.Errorf("not empty after Drain")
	}
	// usable after Drain
	*tab.Put([]byte("f"), t0) = 6
	if v := tab.Get([]byte("f"), t0); v == nil || *v != 6 {
		t.Errorf("after Drain: %v", v)
	}
}

func TestTableGetNoAlloc(t *testing.T) {
	tab := NewTable[int](10, time.Hour)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tab.Put([]byte("4F1A2B3C4D"), t0)
	key := []byte("4F1A2B3C4D")
	if n := testing.AllocsPerRun(100, func() { tab.Get(key, t0) }); n != 0 {
		t.Errorf("Get allocates %.1f", n)
	}
}

func TestEventID(t *testing.T) {
	if got, want := EventID(0xabc, 1234, 0), "0000000000000abc-1234"; got != want {
		t.Errorf("EventID = %q, want %q", got, want)
	}
	if got, want := EventID(0xffffffffffffffff, 0, 2), "ffffffffffffffff-0-2"; got != want {
		t.Errorf("EventID = %q, want %q", got, want)
	}
	if EventID(1, 10, 0) == EventID(1, 10, 1) || EventID(1, 10, 0) == EventID(2, 10, 0) || EventID(1, 10, 0) == EventID(1, 11, 0) {
		t.Error("ids collide")
	}
	if n := testing.AllocsPerRun(100, func() { _ = EventID(7, 123456789, 1) }); n > 1 {
		t.Errorf("EventID allocates %.1f times", n)
	}
}

func TestHostIP(t *testing.T) {
	tests := []struct {
		in, host, ip string
		port         int
	}{
		{"mx.example.com[192.0.2.10]:25", "mx.example.com", "192.0.2.10", 25},
		{"mx.example.com[2a00:1450::1b]:25", "mx.example.com", "2a00:1450::1b", 25},
		{"mx.example.com [192.0.2.10]", "mx.example.com", "192.0.2.10", 0},
		{"[203.0.113.5]:51234", "", "203.0.113.5", 51234},
		{"h[192.0.2.1].2525", "h", "192.0.2.1", 2525},
		{"mail.x.test[private/dovecot-lmtp]", "mail.x.test", "private/dovecot-lmtp", 0},
		{"local", "local", "", 0},
		{"h[192.0.2.1", "h", "", 0},
		{"", "", "", 0},
	}
	for _, tt := range tests {
		h, ip, port := HostIP([]byte(tt.in))
		if string(h) != tt.host || string(ip) != tt.ip || port != tt.port {
			t.Errorf("HostIP(%q) = %q, %q, %d; want %q, %q, %d", tt.in, h, ip, port, tt.host, tt.ip, tt.port)
		}
	}
}

func TestField(t *testing.T) {
	line := []byte("to=<a@x.test>, orig_to=<o@x.test>, relay=mx[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.1.1")
	tests := []struct {
		key, want string
		ok        bool
	}{
		{"to", "<a@x.test>", true},
		{"orig_to", "<o@x.test>", true},
		{"relay", "mx[192.0.2.1]:25", true},
		{"delay", "1.2", true}, // not delays=
		{"delays", "0.1/0/0.5/0.6", true},
		{"dsn", "5.1.1", true},
		{"status", "", false},
		{"lay", "", false}, // not inside relay= or delay=
	}
	for _, tt := range tests {
		v, ok := Field(line, tt.key)
		if ok != tt.ok || string(v) != tt.want {
			t.Errorf("Field(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.want, tt.ok)
		}
	}
}

func TestDomainUnbracket(t *testing.T) {
	for in, want := range map[string]string{"Bob@Example.COM": "example.com", "a@b.test": "b.test", "a@b.test.": "b.test", "nodomain": "", "a@": "", "x@y@z.test": "z.test"} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"<a@b>": "a@b", "a@b": "a@b", "<>": "", "<": "<"} {
		if got := string(Unbracket([]byte(in))); got != want {
			t.Errorf("Unbracket(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSyslogHeader(t *testing.T) {
	s := NewStamps(Options{Year: 2026, Location: time.UTC})
	s.Begin(File{})
	var h Header
	tests := []struct {
		in              string
		ok              bool
		host, prog, msg string
		pid             int
	}{
		{"Nov 22 03:14:15 mx1 postfix/smtp[42]: ABC: to=<a>", true, "mx1", "postfix/smtp", "ABC: to=<a>", 42},
		{"<22>Nov 22 03:14:15 mx1 postfix/submission/smtpd[7]: x", true, "mx1", "postfix/submission/smtpd", "x", 7},
		{"Nov 22 03:14:15 mx1 dovecot: imap-login: x", true, "mx1", "dovecot", "imap-login: x", 0},
		{"2026-11-22T03:14:15+0100 mx1 exim[3]: y", true, "mx1", "exim", "y", 3},
		{"Nov 22 03:14:15 mx1 prog[1]:", true, "mx1", "prog", "", 1},
		{"Nov 22 03:14:15 mx1 no colon here", false, "", "", "", 0},
		{"just text", false, "", "", "", 0},
		{`{"__REALTIME_TIMESTAMP":"1795317255000000","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/qmgr","_PID":"5","MESSAGE":"A: removed"}`, true, "mx1", "postfix/qmgr", "A: removed", 5},
		{`{"__REALTIME_TIMESTAMP":"1795317255000000","_COMM":"qmgr","MESSAGE":[65,58,32,255]}`, true, "", "qmgr", "A: \xff", 0},
		{`{"__REALTIME_TIMESTAMP":"x","MESSAGE":"m"}`, false, "", "", "", 0},
		{`{"MESSAGE":null}`, false, "", "", "", 0},
	}
	for _, tt := range tests {
		ok := s.Syslog([]byte(tt.in), &h)
		if ok != tt.ok {
			t.Errorf("Syslog(%q) ok = %v", tt.in, ok)
			continue
		}
		if ok && (string(h.Host) != tt.host || string(h.Prog) != tt.prog || string(h.Msg) != tt.msg || h.PID != tt.pid) {
			t.Errorf("Syslog(%q) = host %q prog %q msg %q pid %d", tt.in, h.Host, h.Prog, h.Msg, h.PID)
		}
	}
}

func TestInterner(t *testing.T) {
	var in Interner
	a := in.Get([]byte("mx.example.com"))
	b := in.Get([]byte("mx.example.com"))
	if a != "mx.example.com" || b != a || unsafe.StringData(a) != unsafe.StringData(b) {
		t.Errorf("second Get did not reuse the first string")
	}
	if in.Get(nil) != "" || in.Get([]byte("other")) != "other" {
		t.Error("wrong strings")
	}
	long := bytes.Repeat([]byte("x"), 100)
	if in.Get(long) != string(long) {
		t.Error("long string")
	}
	buf := []byte("192.0.2.1")
	s := in.Get(buf)
	buf[0] = '9' // the result must not alias the caller's bytes
	if s != "192.0.2.1" {
		t.Errorf("aliased: %q", s)
	}
	if n := testing.AllocsPerRun(100, func() { in.Get([]byte("mx.example.com")) }); n != 0 {
		t.Errorf("hit allocates %v", n)
	}
	// whatever slot a string lands in, and whoever shares it, Get gives the
	// string itself; the hosts and IPs of a log spread over the slots
	rng := rand.New(rand.NewPCG(11, 12))
	slots := map[uint32]bool{}
	for n := 0; n < 20000; n++ {
		b := []byte(fmt.Sprintf("mx%d.example%d.com", rng.IntN(300), rng.IntN(3)))
		if n%2 == 0 {
			b = []byte(fmt.Sprintf("192.0.%d.%d", rng.IntN(4), rng.IntN(256)))
		}
		if got := in.Get(b); got != string(b) {
			t.Fatalf("Get(%q) = %q", b, got)
		}
		slots[internHash(b)%512] = true
	}
	if len(slots) < 450 {
		t.Errorf("1900 distinct hosts and IPs fill only %d of 512 slots", len(slots))
	}
}

// nextContinuationByByte is nextContinuation as first written (a look at
// every separator): the reference the jumping search must agree with.
func nextContinuationByByte(b, code []byte) (cut, next int) {
	for i := 0; i+4 <= len(b); i++ {
		var sep int
		switch {
		case b[i] == ' ':
			sep = 1
		case b[i] == '\\' && i+1 < len(b) && b[i+1] == 'n':
			sep = 2
		default:
			continue
		}
		j := i + sep
		if j+3 <= len(b) && bytes.Equal(b[j:j+3], code) && (j+3 == len(b) || b[j+3] == '-' || b[j+3] == ' ') {
			if sep == 2 || j+3 < len(b) && b[j+3] == '-' || EnhancedAt(bytes.TrimLeft(b[min(j+4, len(b)):], " ")) > 0 {
				return i, j
			}
		}
	}
	return len(b), -1
}

func TestNextContinuationLikeByByte(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{" ", "550", "-", "5.1.1", "\\n", "n", "\\", "x", "55", "0", " 550 ", "550-5.1.1 ", ".", "4.2.2"}
	for n := 0; n < 200000; n++ {
		var sb strings.Builder
		for k := rng.IntN(12); k >= 0; k-- {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		b := []byte(sb.String())
		c1, n1 := nextContinuation(b, []byte("550"))
		c2, n2 := nextContinuationByByte(b, []byte("550"))
		if c1 != c2 || n1 != n2 {
			t.Fatalf("%q: got (%d, %d), by byte (%d, %d)", b, c1, n1, c2, n2)
		}
	}
}

// splitTagByIndex is splitTag as first written (bytes.Index, then a look
// for a space in the tag): the reference for the one-pass version.
func splitTagByIndex(b []byte, h *Header) bool {
	colon := bytes.Index(b, []byte(": "))
	if colon <= 0 {
		if len(b) > 0 && b[len(b)-1] == ':' {
			colon = len(b) - 1
		} else {
			return false
		}
	}
	tag := b[:colon]
	if bytes.IndexByte(tag, ' ') >= 0 {
		return false
	}
	if lb := bytes.IndexByte(tag, '['); lb > 0 && tag[len(tag)-1] == ']' {
		h.PID, _ = digits(tag[lb+1 : len(tag)-1])
		tag = tag[:lb]
	}
	h.Prog = tag
	if colon+2 <= len(b) {
		h.Msg = b[colon+2:]
	} else {
		h.Msg = b[len(b):]
	}
	return true
}

func TestSplitTagLikeReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	parts := []string{"postfix/smtp", "[", "]", "123", ":", " ", ": ", "x", "[1]", "::"}
	for n := 0; n < 300000; n++ {
		var sb strings.Builder
		for k := rng.IntN(8); k >= 0; k-- {
			sb.WriteString(parts[rng.IntN(len(parts))])
		}
		b := []byte(sb.String())
		var h1, h2 Header
		ok1, ok2 := splitTag(b, &h1), splitTagByIndex(b, &h2)
		if ok1 != ok2 || ok1 && (string(h1.Prog) != string(h2.Prog) || string(h1.Msg) != string(h2.Msg) || h1.PID != h2.PID) {
			t.Fatalf("%q: got %v %+v, reference %v %+v", b, ok1, h1, ok2, h2)
		}
	}
}

// The last-ISO-stamp cache of Stamps.Time gives what parsing each stamp
// afresh gives, whatever follows the repeated stamp (a zone of its own
// after a space, a fraction, other text).
func TestISOStampCacheLikeFresh(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	stamps := []string{
		"2026-11-22 03:14:15 x", "2026-11-22 03:14:15 x", "2026-11-22 03:14:15 -0500 x", "2026-11-22 03:14:15 -0500 y",
		"2026-11-22 03:14:15 +0100", "2026-11-22 03:14:15", "2026-11-22 03:14:15.5 x", "2026-11-22 03:14:15.5 x",
		"2026-11-22T03:14:15Z x", "2026-11-22T03:14:15Z x", "2026-11-22T03:14:15+02:00 x", "2026-11-22 03:14:15x",
		"2026-11-22 03:14:15 - x", "2026-11-22 03:14:16 x", "2026-11-22 03:14:15 x", "10000-01-01 00:00:00 x",
		"2026-11-22 03:14:15 x",
	}
	s := NewStamps(Options{Location: loc})
	for round := 0; round < 2; round++ {
		for _, in := range stamps {
			got, gn, _, gok := s.Time([]byte(in))
			want, wn, wok, _ := isoTime([]byte(in), loc)
			if gok != wok || gn != wn || !got.Equal(want) {
				t.Errorf("%q: got %v %d %v, fresh %v %d %v", in, got, gn, gok, want, wn, wok)
			}
		}
	}
}
