package classify

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// builtinMix is a realistic mix for when ../shared is absent: the replies
// that dominate real logs, most of them with per-message parts (addresses,
// IPs, queue ids) that differ between events of the same kind.
var builtinMix = []string{
	"550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. %d - gsmtp",
	"452-4.2.2 The email account that you tried to reach is over quota. %d - gsmtp",
	"421-4.7.0 [192.0.2.%d] Our system has detected an unusual rate of unsolicited mail originating from your IP address.",
	"550 5.7.606 Access denied, banned sending IP [192.0.2.%d]. To request removal from this list please visit https://sender.office.com",
	"421 4.7.0 [TSS04] Messages from 192.0.2.%d temporarily deferred due to unexpected volume or user complaints",
	"554 5.7.1 Service unavailable; Client host [192.0.2.%d] blocked using zen.spamhaus.org",
	"550 5.1.1 <user%d@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
	"connect to mx.example.com[192.0.2.%d]:25: Connection timed out",
	"250 2.0.0 Ok: queued as %dABCDE",
	"451 4.7.1 Greylisting in action, please come back later (%d)",
}

// benchEvents builds the events: the dev set and the testbed truth rows
// when ../shared is there, else the built-in mix; each text appears with
// varying addresses and numbers, as in a real log.
func benchEvents(b testing.TB) []*bouncescan.Event {
	var evs []*bouncescan.Event
	dir := filepath.Join("..", "..", "shared")
	for _, f := range []string{filepath.Join(dir, "classify", "sisimai-dev.tsv"), filepath.Join(dir, "testbed", "truth-postfix.tsv"), filepath.Join(dir, "testbed", "truth-exim.tsv")} {
		evs = append(evs, rowEvents(f)...)
	}
	if len(evs) == 0 {
		b.Logf("../shared absent: using the built-in mix")
		for i := 0; i < 200; i++ {
			evs = append(evs, &bouncescan.Event{Text: fmt.Sprintf(builtinMix[i%len(builtinMix)], 1000+i*7919%90000)})
		}
	}
	// real logs repeat the same replies for many recipients: vary the
	// address and number parts so that the cache must see through them
	return variants(evs, 4, "192.0.2.", func(k int) string { return fmt.Sprintf("%d@", k) },
		func(k int) string { return fmt.Sprintf("198.51.%d.", 100+k) })
}

// rowEvents is an event per row of a dev-set style TSV (reply_code,
// enhanced_code, command, diagnostic) or a testbed truth file (the reply
// text of its log_line, its stage); none if the file is absent.
func rowEvents(f string) []*bouncescan.Event {
	var evs []*bouncescan.Event
	for _, r := range readTSVQuiet(f) {
		code, _ := strconv.Atoi(r["reply_code"])
		text := r["diagnostic"]
		st := stageOfCommand(r["command"])
		if text == "" && r["log_line"] != "" {
			text = replyText(r["log_line"])
			st, _ = bouncescan.ParseStage(r["stage"])
		}
		evs = append(evs, &bouncescan.Event{ReplyCode: code, EnhancedCode: r["enhanced_code"], Stage: st, Text: text})
	}
	return evs
}

// variants returns n copies of evs, the k-th with every "@" of a text
// written at(k) and every ip written net(k).
func variants(evs []*bouncescan.Event, n int, ip string, at, net func(k int) string) []*bouncescan.Event {
	out := make([]*bouncescan.Event, 0, n*len(evs))
	for k := 0; k < n; k++ {
		for _, e := range evs {
			c := *e
			c.Text = strings.ReplaceAll(c.Text, "@", at(k))
			c.Text = strings.ReplaceAll(c.Text, ip, net(k))
			out = append(out, &c)
		}
	}
	return out
}

// BenchmarkClassify measures verdicts per second on one Classifier (one
// core), cache included.
func BenchmarkClassify(b *testing.B) {
	evs := benchEvents(b)
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	runVerdicts(b, c, evs)
}

// BenchmarkClassifyTemplateHit is the cache without word-for-word
// repeats: 32 variants of every event of the mix (addresses and IPs
// differ), 2^17 events or more, far more than the exact slots hold, so
// that nearly every verdict comes from the template (what a hit cost
// before the exact slots, plus their look-up).
func BenchmarkClassifyTemplateHit(b *testing.B) {
	evs := variants(benchEvents(b), 32, "198.51.", func(k int) string { return fmt.Sprintf("x%d@", k) },
		func(k int) string { return fmt.Sprintf("198.%d.", 60+k) })
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range evs {
		_ = c.Classify(e) // the templates are in the cache
	}
	runVerdicts(b, c, evs)
}

// BenchmarkClassifyUncached is the slow path: the cache is off, so every
// event of the mix, with its own codes and stage, is decided afresh.
func BenchmarkClassifyUncached(b *testing.B) {
	evs := benchEvents(b)
	c, err := New(Options{CacheSize: -1})
	if err != nil {
		b.Fatal(err)
	}
	runVerdicts(b, c, evs)
}

// BenchmarkClassifyUncachedVaryCode is the uncached benchmark as it was
// first written, kept for comparison: a tiny cache missed by giving every
// event another reply code (200 to 599, whatever its text says), which
// makes the mix less like a log (a 2xx code on a bounce text takes other
// paths through the rules).
func BenchmarkClassifyUncachedVaryCode(b *testing.B) {
	evs := benchEvents(b)
	c, err := New(Options{CacheSize: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		e := *evs[i%len(evs)]
		e.ReplyCode = 200 + i%400 // a different key each time
		_ = c.Classify(&e)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
	reportCPU(b, cpu0)
}

// runVerdicts is the timed loop of the classifier benchmarks: c
// classifies evs in turn, b.N times in all.
func runVerdicts(b *testing.B, c *Classifier, evs []*bouncescan.Event) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		_ = c.Classify(evs[i%len(evs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verdicts/s")
	reportCPU(b, cpu0)
}

// reportCPU reports the CPU time per operation since cpu0 (processCPU),
// the figure to compare on a busy machine: ns/op is the wall clock.
func reportCPU(b *testing.B, cpu0 int64) {
	if cpu0 > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
}

// TestExactSlotsKeepTheKey: the exact slots answer only for the same text
// with the same codes, stage, status and relay: one text given under
// each of these in turn, on one cached classifier, gets what an uncached
// one decides each time, twice over (the second round from the slots).
func TestExactSlotsKeepTheKey(t *testing.T) {
	cached, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := New(Options{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	text := "Mailbox unavailable"
	var evs []*bouncescan.Event
	for _, code := range []int{0, 250, 452, 550} {
		for _, enh := range []string{"", "4.2.2", "5.1.1", "5.7.1"} {
			for _, st := range []bouncescan.Stage{bouncescan.StageRcpt, bouncescan.StageConnect} {
				for _, status := range []bouncescan.Status{bouncescan.StatusBounced, bouncescan.StatusDeferred} {
					for _, relay := range []string{"", "gmail-smtp-in.l.google.com"} {
						evs = append(evs, &bouncescan.Event{ReplyCode: code, EnhancedCode: enh, Stage: st, Status: status, Relay: relay, Text: text})
					}
				}
			}
		}
	}
	distinct := map[string]bool{}
	for round := 0; round < 2; round++ {
		for _, e := range evs {
			got, want := cached.Classify(e), fresh.Classify(e)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("round %d, %d %s %v %v %q: cached %+v, decided %+v", round, e.ReplyCode, e.EnhancedCode, e.Stage, e.Status, e.Relay, got, want)
			}
			distinct[got.Class.String()+"/"+got.Reason] = true
		}
	}
	if len(distinct) < 3 {
		t.Errorf("only %d distinct verdicts: the test does not tell keys apart", len(distinct))
	}
}

// BenchmarkNewClassifier is classify.New with the built-in data: paid by
// every command before its first line (scan, tail, classify, explain).
func BenchmarkNewClassifier(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
