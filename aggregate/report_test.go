package aggregate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func ev(status bouncescan.Status, rcpt string, code int, enh, text string, reason string) *bouncescan.Event {
	e := &bouncescan.Event{
		Time: t0, MTA: "postfix", Status: status, Attempt: 1,
		Recipient: rcpt, Domain: domainOf(rcpt), ReplyCode: code, EnhancedCode: enh, Text: text,
	}
	if reason != "" {
		e.Verdict = &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Subject: bouncescan.SubjectAddressing, Reason: reason, Provider: "gmail"}
	}
	return e
}

func domainOf(a string) string {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == '@' {
			return a[i+1:]
		}
	}
	return ""
}

func row(t *testing.T, r *Report, by string, key ...string) *Row {
	t.Helper()
	g := r.Group(strings.Split(by, ",")...)
	if g == nil {
		t.Fatalf("no group %s", by)
	}
	for _, row := range g.Rows {
		if strings.Join(row.Key, "|") == strings.Join(key, "|") {
			return row
		}
	}
	t.Fatalf("group %s has no row %v", by, key)
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestAddCountsAndRates(t *testing.T) {
	r := New(Limits{})
	r.Add(ev(bouncescan.StatusSent, "a@x.test", 250, "2.0.0", "Ok", ""))
	r.Add(ev(bouncescan.StatusSent, "b@x.test", 250, "2.0.0", "Ok", ""))
	r.Add(ev(bouncescan.StatusDeferred, "c@x.test", 452, "4.2.2", "mailbox full for c@x.test", ""))
	r.Add(ev(bouncescan.StatusExpired, "c@x.test", 452, "4.2.2", "mailbox full for c@x.test", ""))
	r.Add(ev(bouncescan.StatusBounced, "d@y.test", 550, "5.1.1", "user d@y.test unknown", "userunknown"))
	r.Add(ev(bouncescan.StatusBounced, "e@y.test", 550, "5.1.1", "user e@y.test unknown", "userunknown"))
	r.Finish()

	if r.Events != 6 || r.ByStatus["sent"] != 2 || r.ByStatus["bounced"] != 2 || r.ByReason["userunknown"] != 2 || r.ByProvider["gmail"] != 2 {
		t.Errorf("counts: events %d status %v reason %v provider %v", r.Events, r.ByStatus, r.ByReason, r.ByProvider)
	}
	x := row(t, r, "domain", "x.test")
	if x.Recipients.Count() != 3 || x.Sent != 2 || x.Deferred != 1 || x.Expired != 1 {
		t.Errorf("x.test: %+v", x)
	}
	// bounce rate (bounced+expired)/(sent+bounced+expired) = 1/3;
	// deferral rate deferred/(deferred+final) = 1/4
	if !near(x.BounceRate, 1.0/3) || !near(x.DeferralRate, 0.25) {
		t.Errorf("x.test rates %v %v", x.BounceRate, x.DeferralRate)
	}
	if y := row(t, r, "domain", "y.test"); y.BounceRate != 1 || y.Recipients.Count() != 2 {
		t.Errorf("y.test: %+v", y)
	}
	if r.Group("domain").Rows[0].Key[0] != "x.test" {
		t.Errorf("domains not by events: %v", r.Group("domain").Rows[0].Key)
	}
	// the two "user X unknown" texts are one template; the deferral and the
	// expiry with the same text are two rows (status is part of the key)
	if len(r.Templates) != 3 || r.Templates[0].Count != 2 || r.Templates[0].Template != "user <addr> unknown" || r.Templates[0].Domains.Count() != 1 {
		t.Errorf("templates: %+v %+v", r.Templates[0], r.Templates)
	}
	if u := r.Undecided(); len(u) != 2 || u[0].Reason != "" {
		t.Errorf("undecided: %+v", u)
	}
	if r.Volume.Recipients.Count() != 5 {
		t.Errorf("recipients %d", r.Volume.Recipients.Count())
	}
}

func TestRetryOutcomesAndPending(t *testing.T) {
	r := New(Limits{GroupBy: [][]string{{"provider", "reason"}}})
	add := func(q, rcpt string, st bouncescan.Status, attempt int, delay float64) {
		e := ev(st, rcpt, 0, "", "", "")
		e.QueueID, e.Attempt, e.Delay, e.Host = q, attempt, delay, "mx"
		e.Sender, e.Size = "s@from.test", 1000
		r.Add(e)
	}
	add("Q1", "a@x.test", bouncescan.StatusSent, 1, 2)
	add("Q2", "b@x.test", bouncescan.StatusDeferred, 1, 60)
	add("Q2", "b@x.test", bouncescan.StatusDeferred, 2, 600)
	add("Q2", "b@x.test", bouncescan.StatusSent, 3, 3600)
	add("Q3", "c@x.test", bouncescan.StatusDeferred, 1, 60)
	add("Q3", "c@x.test", bouncescan.StatusBounced, 2, 120)
	add("Q4", "d@x.test", bouncescan.StatusDeferred, 1, 60)
	add("Q4", "d@x.test", bouncescan.StatusExpired, 2, 432000)
	add("Q5", "e@x.test", bouncescan.StatusDeferred, 1, 60) // still pending
	add("Q5", "f@x.test", bouncescan.StatusBounced, 1, 1)
	r.Finish()
	want := Retry{FirstTry: 1, AfterDeferrals: 1, BouncedFirstTry: 1, BouncedAfterDefer: 1, Expired: 1, Pending: 1,
		Deferrals: 2, RetryDelaySum: 3600, RetryDelayMax: 3600, AfterN: Counts{"2": 1}}
	if diff := cmp.Diff(want, r.Totals.Retry); diff != "" {
		t.Errorf("retry (-want +got):\n%s", diff)
	}
	if got := row(t, r, "domain", "x.test").Retry; !cmp.Equal(want, got) {
		t.Errorf("per group retry: %+v", got)
	}
	if got := row(t, r, "provider,reason", "(none)", "(none)").Retry.Pending; got != 1 {
		t.Errorf("pending in the provider,reason group: %d", got)
	}
	if r.Totals.DelayMax != 3600 || !near(r.Totals.DelayAvg, 1801) {
		t.Errorf("delay: max %v avg %v", r.Totals.DelayMax, r.Totals.DelayAvg)
	}
	v := r.Volume
	if v.Messages != 5 || v.Bytes != 5000 || v.DeliveredMessages != 2 || v.Deliveries != 2 || v.Senders.Count() != 1 || v.TopSenders.Rows[0].Count != 5 {
		t.Errorf("volume: %+v", v)
	}
}

func TestHopIsNotADelivery(t *testing.T) {
	r := New(Limits{})
	// a content filter on loopback: the first hop is a hand-off, the
	// message's real delivery comes under the next queue id
	hop := ev(bouncescan.StatusSent, "a@x.test", 250, "2.0.0", "Ok: queued as Q2", "")
	hop.QueueID, hop.NextQueueID, hop.Hop, hop.Host, hop.Relay = "Q1", "Q2", true, "mx", "127.0.0.1"
	real := ev(bouncescan.StatusSent, "a@x.test", 250, "2.0.0", "Ok", "")
	real.QueueID, real.Host = "Q2", "mx"
	r.Add(hop)
	r.Add(real)
	r.Finish()
	x := row(t, r, "domain", "x.test")
	if r.Totals.Sent != 1 || r.Totals.Handoffs != 1 || x.Sent != 1 || x.Handoffs != 1 || r.ByStatus["handoff"] != 1 || r.ByStatus["sent"] != 1 {
		t.Errorf("totals %+v, x.test %+v, status %v", r.Totals, x.Outcomes, r.ByStatus)
	}
	if r.Totals.Retry.FirstTry != 1 || r.Volume.Deliveries != 1 {
		t.Errorf("a hop counted as a delivery: %+v %+v", r.Totals.Retry, r.Volume)
	}
}

func TestLimitsCountDrops(t *testing.T) {
	r := New(Limits{Groups: 2, Templates: 1})
	for _, a := range []string{"a@d1.test", "b@d2.test", "c@d3.test", "d@d4.test"} {
		r.Add(ev(bouncescan.StatusBounced, a, 550, "", "no "+a[:1], ""))
	}
	r.Finish()
	if r.Dropped.Groups != 4 || r.Dropped.Templates != 3 { // 2 domain events, 2 provider events? provider: all (none)
		t.Logf("dropped %+v", r.Dropped)
	}
	other := row(t, r, "domain", OtherKey)
	if other.Events != 2 || other.Recipients.Count() != 2 {
		t.Errorf("(other) domain: %+v", other)
	}
	if r.Dropped.Templates != 3 {
		t.Errorf("dropped templates %d", r.Dropped.Templates)
	}
}

// events makes a varied stream: two hosts, retries, rejections, templates,
// many recipients (enough to make some groups' distinct counts sketches).
func events(host string, n int) []*bouncescan.Event {
	var out []*bouncescan.Event
	reasons := []string{"userunknown", "mailboxfull", "undefined", "blocked"}
	for i := 0; i < n; i++ {
		rcpt := fmt.Sprintf("user%d@d%d.test", i%700, i%7)
		q := fmt.Sprintf("%s-Q%d", host, i/3)
		at := t0.Add(time.Duration(i) * time.Minute)
		var e *bouncescan.Event
		switch i % 5 {
		case 0, 1:
			e = ev(bouncescan.StatusSent, rcpt, 250, "2.0.0", "Ok", "delivered")
		case 2:
			e = ev(bouncescan.StatusDeferred, rcpt, 451, "4.7.1", fmt.Sprintf("try again later %d", i), reasons[i%4])
		case 3:
			e = ev(bouncescan.StatusBounced, rcpt, 550, "5.1.1", fmt.Sprintf("<%s>: user unknown at mx%d.d.test", rcpt, i%3), reasons[i%4])
			e.Attempt = 1 + i%3
		case 4:
			e = ev(bouncescan.StatusRejected, rcpt, 554, "5.7.1", fmt.Sprintf("Service unavailable; Client host [192.0.2.%d] blocked using zen.spamhaus.org", i%250), "blocked")
			e.Relay, e.RelayIP, e.Stage = "unknown", fmt.Sprintf("192.0.2.%d", i%250), bouncescan.StageRcpt
			q = ""
		}
		e.Time, e.Host, e.QueueID, e.Sender, e.Size, e.Delay = at, host, q, fmt.Sprintf("s%d@from%d.test", i%11, i%2), int64(100+i), float64(i%17)
		out = append(out, e)
	}
	return out
}

func encode(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMergeEqualsOneRun: reports of two hosts, written as JSON, read back
// and merged, equal the report of one run over both streams: same counts,
// groups, templates, series, distinct counts (field by field of the JSON).
func TestMergeEqualsOneRun(t *testing.T) {
	lim := Limits{GroupBy: [][]string{{"provider", "reason"}, {"hour"}}}
	a, b := events("mx1", 3000), events("mx2", 2000)
	one := New(lim)
	for _, e := range append(append([]*bouncescan.Event{}, a...), b...) {
		one.Add(e)
	}
	one.File("/var/log/mail.log").Lines = 5000
	one.Finish()

	var parts [][]byte
	for _, evs := range [][]*bouncescan.Event{a, b} {
		r := New(lim)
		for _, e := range evs {
			r.Add(e)
		}
		r.File("/var/log/mail.log").Lines = int64(len(evs)) // the same path on both hosts
		r.Finish()
		parts = append(parts, encode(t, r))
	}
	merged := New(lim)
	for i, p := range parts {
		d, err := Decode(bytes.NewReader(p), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if err := merged.Merge(d, fmt.Sprintf("host%d.json", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	merged.Finish()
	if len(merged.Files) != 2 || merged.Files[0].Name != merged.Files[1].Name || merged.Input.Files != 2 {
		t.Errorf("files of two hosts with one path: %+v", merged.Files)
	}
	// files differ by design (two hosts, one path); the rest must be equal
	merged.Files, one.Files = nil, nil
	merged.Input.Files, one.Input.Files = 0, 0
	want, got := encode(t, one), encode(t, merged)
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("merged report differs from one run (-one +merged):\n%s", diff)
	}
	if !strings.Contains(string(got), `"hll"`) {
		t.Errorf("test does not reach the sketch")
	}
	// merging into a decoded report works too (it used to panic)
	d, err := Decode(bytes.NewReader(parts[0]), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := Decode(bytes.NewReader(parts[1]), Limits{})
	if err := d.Merge(d2, "b.json"); err != nil {
		t.Fatal(err)
	}
	d.Finish()
	if d.Events != one.Events || len(d.Group("domain").Rows) != len(one.Group("domain").Rows) || len(d.Templates) != len(one.Templates) {
		t.Errorf("merge into decoded: events %d groups %d templates %d", d.Events, len(d.Group("domain").Rows), len(d.Templates))
	}
	// different groups refuse to merge
	other := New(Limits{})
	other.Add(a[0])
	other.Finish()
	if err := d.Merge(other, "c.json"); err == nil || !strings.Contains(err.Error(), "--group-by") {
		t.Errorf("merging different groups: %v", err)
	}
}

func TestDistinct(t *testing.T) {
	d := newDistinct(100, 12)
	for i := 0; i < 80; i++ {
		d.Add(fmt.Sprint("a", i%50))
	}
	if !d.Exact() || d.Count() != 50 {
		t.Errorf("exact: %v %d", d.Exact(), d.Count())
	}
	big, half1, half2 := newDistinct(100, 12), newDistinct(100, 12), newDistinct(100, 12)
	const n = 200_000
	for i := 0; i < n; i++ {
		s := fmt.Sprint("user", i, "@example.com")
		big.Add(s)
		if i%2 == 0 {
			half1.Add(s)
		} else {
			half2.Add(s)
		}
		if i%3 == 0 {
			half2.Add(s) // overlap
		}
	}
	bound := 3 * 1.04 / math.Sqrt(4096) // three standard errors
	if e := math.Abs(float64(big.Count())-n) / n; e > bound {
		t.Errorf("estimate %d for %d: error %.3f > %.3f", big.Count(), n, e, bound)
	}
	half1.Merge(&half2)
	if half1.Count() != big.Count() {
		t.Errorf("merged sketch %d, one sketch %d", half1.Count(), big.Count())
	}
	js, _ := json.Marshal(big)
	back := newDistinct(100, 12)
	if err := json.Unmarshal(js, &back); err != nil || back.Count() != big.Count() {
		t.Errorf("JSON round trip: %v %d %d", err, back.Count(), big.Count())
	}
	// a coarser sketch absorbs a finer one
	coarse := newDistinct(10, 10)
	for i := 0; i < 50_000; i++ {
		coarse.Add(fmt.Sprint("x", i))
	}
	fine := newDistinct(10, 12)
	for i := 50_000; i < 100_000; i++ {
		fine.Add(fmt.Sprint("x", i))
	}
	coarse.Merge(&fine)
	if e := math.Abs(float64(coarse.Count())-100_000) / 100_000; e > 3*1.04/32 {
		t.Errorf("folded merge: %d", coarse.Count())
	}
}

func TestUnparsedExamples(t *testing.T) {
	r := New(Limits{})
	f := r.File("mail.log")
	for i := 1; i <= 8; i++ {
		r.UnparsedLine(f, "bad timestamp", bouncescan.Pos{Source: "mail.log", Line: int64(i)}, strings.Repeat("x", 300))
	}
	ex := r.UnparsedExamples["bad timestamp"]
	if len(ex) != 5 || ex[0].Line != 1 || len(ex[0].Text) != 200 || r.Input.Unparsed != 8 || f.Unparsed != 8 {
		t.Errorf("examples %d, first %+v, unparsed %d", len(ex), ex[0].Line, r.Input.Unparsed)
	}
}

func TestRestriction(t *testing.T) {
	for text, want := range map[string]string{
		"Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1": "rcpt: blocked using zen.spamhaus.org",
		"<bob@example.com>: Recipient address rejected: User unknown in local recipient table":                                     "rcpt: Recipient address rejected: User unknown in local recipient table",
	} {
		e := &bouncescan.Event{Status: bouncescan.StatusRejected, Stage: bouncescan.StageRcpt, Text: text}
		if got := Restriction(e); got != want {
			t.Errorf("Restriction(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestSeriesRollup(t *testing.T) {
	r := New(Limits{})
	for i := 0; i < 72; i++ {
		e := ev(bouncescan.StatusSent, "a@x.test", 250, "", "", "")
		e.Time = t0.Add(time.Duration(i) * time.Hour)
		r.Add(e)
	}
	r.Finish()
	days, size := r.Series.Rollup(24*time.Hour, 0, time.UTC)
	if size != 24*time.Hour || len(days) != 4 || days[0].Sent != 14 || days[1].Sent != 24 {
		t.Errorf("days %v: %d buckets", size, len(days))
	}
	auto, size := r.Series.Rollup(0, 30, time.UTC)
	if size != 3*time.Hour || len(auto) != 25 {
		t.Errorf("auto: %v, %d buckets", size, len(auto))
	}
	h := r.Series.HourOfDay(time.UTC)
	if h[10].Sent != 3 || h[9].Sent != 3 {
		t.Errorf("hour of day: %+v", h[10])
	}
}

func TestTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"Ok: queued as SINK000001":                                                    "Ok: queued as #",
		"<bob@example.com>: Recipient address rejected: User unknown":                 "<addr>: Recipient address rejected: User unknown",
		"Client host [192.0.2.1] blocked using zen.spamhaus.org":                      "Client host [<ip>] blocked using zen.spamhaus.org",
		"see https://support.google.com/mail/?p=NoSuchUser x12 - gsmtp":               "see https://support.google.com/… # - gsmtp",
		"[TSS04] Messages from 192.0.2.25 temporarily deferred":                       "[TSS04] Messages from <ip> temporarily deferred",
		"550 5.7.1 rejected":                                                          "550 5.7.1 rejected",
		"connect to mx1.example.com[192.0.2.1]:25: Connection refused":                "connect to <host>[<ip>]:#: Connection refused",
		"host mail.example.org said: 452 try later (Mon, 22 Nov 2026 10:00:01 +0000)": "host <host> said: 452 try later (Mon, # Nov # # #)",
		// a number in brackets or after a host name is an id, not a code
		"Server busy. (S77714) [AM4PEPF00025F97.eurprd10.prod.outlook.com 421]":   "Server busy. (#) [<host> #]",
		"This user doesn't have a yahoo.com account (a@b.example) [554] - mta1.x": "This user doesn't have a <host> account (<addr>) [#] - #",
		"mx.example.net 550 go away": "<host> # go away",
	} {
		if got := Template(in); got != want {
			t.Errorf("Template(%q) = %q, want %q", in, got, want)
		}
	}
}

// A message is counted once while its events are close (fewer than
// Messages/2 other messages between), and a deferred one while fewer than
// Messages/2 other deferred messages come between its retries, however
// many messages without a deferral do; a retry after that counts it
// again, and Dropped.Messages says the memory of deferrals turned over.
func TestMessagesCountedOnce(t *testing.T) {
	r := New(Limits{Messages: 200})
	add := func(q string, st bouncescan.Status) {
		r.Add(&bouncescan.Event{MTA: "postfix", Host: "mx", QueueID: q, Recipient: "r@x.test", Domain: "x.test", Status: st, Size: 10})
	}
	add("D1", bouncescan.StatusDeferred)
	add("D1", bouncescan.StatusSent) // a second recipient's
	for i := range 1000 {            // messages sent at once, none deferred
		add(fmt.Sprintf("S%d", i), bouncescan.StatusSent)
	}
	add("D1", bouncescan.StatusSent) // the retry
	if v := r.Volume; v.Messages != 1001 || v.DeliveredMessages != 1001 || v.Bytes != 10010 || r.Dropped.Messages != 0 {
		t.Fatalf("messages %d delivered %d bytes %d, memory turned %d times; want 1001, 1001, 10010, 0", v.Messages, v.DeliveredMessages, v.Bytes, r.Dropped.Messages)
	}
	for i := range 250 { // more deferred messages than the memory of deferrals holds
		add(fmt.Sprintf("T%d", i), bouncescan.StatusDeferred)
	}
	add("D1", bouncescan.StatusSent)
	if v := r.Volume; v.Messages != 1252 || r.Dropped.Messages != 2 {
		t.Fatalf("messages %d, memory turned %d times; want 1252 (D1 twice), 2", v.Messages, r.Dropped.Messages)
	}
}

// Top keys names by their hash, and keeps apart names that share one.
func TestTopHashCollision(t *testing.T) {
	r := New(Limits{Top: 3})
	var top Top
	top.init(3)
	top.add(r, "a@x.test", 7, 1, 10)
	top.add(r, "b@x.test", 7, 1, 20) // the same hash
	top.add(r, "a@x.test", 7, 1, 10)
	top.add(r, "c@x.test", 8, 1, 1)
	top.add(r, "d@x.test", 7, 2, 2) // beyond the limit
	top.add(r, "b@x.test", 7, 1, 20)
	top.finish()
	got := map[string]Tally{}
	for _, x := range top.Rows {
		got[x.Name] = *x
	}
	want := map[string]Tally{
		"a@x.test": {"a@x.test", 2, 20}, "b@x.test": {"b@x.test", 2, 40},
		"c@x.test": {"c@x.test", 1, 1}, OtherKey: {OtherKey, 2, 2},
	}
	if diff := cmp.Diff(want, got); diff != "" || r.Dropped.Top != 2 {
		t.Errorf("rows (-want +got):\n%s\ndropped %d", diff, r.Dropped.Top)
	}
}

// The templates come out as a plain map of Template gives them, with
// more texts than the cache of texts holds, some repeated, one text
// under two statuses and codes; the rejects' restrictions likewise.
func TestTemplatesThroughTheTextCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	r := New(Limits{})
	type key struct {
		status string
		code   int
		tpl    string
	}
	want := map[key]int64{}
	restr := map[string]int64{}
	for i := range 40_000 {
		n := rng.IntN(3 * textSlots)
		text := fmt.Sprintf("user%d unknown in table %d (queue id Q%d)", n, n%7, n)
		if n%5 == 0 {
			text = fmt.Sprintf("Recipient rejected by policy %c%d", 'a'+n%26, n%3)
		}
		st, code := bouncescan.StatusDeferred, 450
		if i%3 == 0 {
			st, code = bouncescan.StatusRejected, 550
		}
		e := ev(st, "u@x.test", code, "", text, "")
		e.Stage = bouncescan.StageRcpt
		r.Add(e)
		want[key{st.String(), code, Template(text)}]++
		if st == bouncescan.StatusRejected {
			restr[Restriction(e)]++
		}
	}
	r.Finish()
	got := map[key]int64{}
	for _, d := range r.Templates {
		got[key{d.Status, d.ReplyCode, d.Template}] += d.Count
		if Template(d.Example) != d.Template {
			t.Errorf("template %q of example %q", d.Template, d.Example)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("templates (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Counts(restr), r.Rejects.ByRestriction); diff != "" {
		t.Errorf("restrictions (-want +got):\n%s", diff)
	}
}

// Finish folds Add's counters into the breakdowns once: adding after
// Finish and finishing again, or merging unfinished reports, counts
// every event once.
func TestBreakdownsFoldOnce(t *testing.T) {
	a, b := New(Limits{}), New(Limits{})
	a.Add(ev(bouncescan.StatusBounced, "u@x.test", 550, "5.1.1", "no such user", "userunknown"))
	a.Finish()
	a.Add(ev(bouncescan.StatusBounced, "v@x.test", 550, "5.1.1", "no such user", "userunknown"))
	a.Finish()
	a.Finish()
	b.Add(ev(bouncescan.StatusSent, "w@x.test", 250, "", "", ""))
	b.Add(ev(bouncescan.StatusBounced, "v@y.test", 550, "5.1.1", "no such user", "userunknown"))
	if err := a.Merge(b, "b"); err != nil {
		t.Fatal(err)
	}
	a.Add(&bouncescan.Event{MTA: "postfix", Status: bouncescan.StatusSent, Hop: true})
	a.Finish()
	if want := (Counts{"bounced": 3, "sent": 1, "handoff": 1}); !cmp.Equal(want, a.ByStatus) {
		t.Errorf("by status %v, want %v", a.ByStatus, want)
	}
	if a.ByReason["userunknown"] != 3 || a.ByProvider["gmail"] != 3 || a.ByMTA["postfix"] != 5 || a.ByClass["permanent"] != 3 || a.BySubject["addressing"] != 3 {
		t.Errorf("reason %v provider %v mta %v class %v subject %v", a.ByReason, a.ByProvider, a.ByMTA, a.ByClass, a.BySubject)
	}
}
