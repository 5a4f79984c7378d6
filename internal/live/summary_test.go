package live

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
)

func TestSummary(t *testing.T) {
	dir := t.TempDir()
	a := NewAlerts(AlertOptions{})
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s := NewSummary(SummaryOptions{Alerts: a, Start: start, Top: 3})

	// blocked: 80 Microsoft blocks and 7 rejections of inbound clients
	// (Spamhaus) by our smtpd; stop the replay at 10:50, in the middle of the block
	cut := postfixLog()
	cut = cut[:strings.Index(cut, "Nov 22 10:50:")]
	log := writeFile(t, dir, "mail.log", cut)
	run(t, []string{log}, a, s)

	var b strings.Builder
	if err := s.Write(&b, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Logf("\n%s", out)
	for _, want := range []string{
		"bouncescan summary 2026-11-22 12:00:00 to 12:01:00 (1m0s): ",
		"log time 2026-11-22 10:00:",
		"  by status: sent ",
		"  top reasons (not delivered): blocked 87, networkerror 50, ",
		"  worst domains (at least 10 outcomes):\n    broken.example             0.0% bounced 100.0% deferred of 50\n    outlook.com               22.0% bounced",
		"  worst providers (at least 10 outcomes):\n    microsoft                ",
		"  active alerts:\n    blocklist microsoft (outlook.com) since 2026-11-22 10:40:02: 80 blocks, blocked: Access denied, banned sending IP",
		"    rate microsoft since 2026-11-22 10:42:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	if !strings.Contains(out, "rejected") {
		t.Errorf("rejections are not in the status counts")
	}

	// the window was reset
	b.Reset()
	if err := s.Write(&b, start.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.HasPrefix(out, "bouncescan summary 2026-11-22 12:01:00 to 12:02:00 (1m0s): 0 events\n") || strings.Contains(out, "by status") {
		t.Errorf("second window:\n%s", out)
	}
}

func TestSummarySafeAndBounded(t *testing.T) {
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	s := NewSummary(SummaryOptions{Start: start, MaxDomains: 3, MinVolume: 1})
	var evs []bouncescan.Event
	for i := 0; i < 10; i++ {
		evs = append(evs, ev(start, bouncescan.StatusBounced, fmt.Sprintf("d%d.example", i), "", "userunknown"))
	}
	evs = append(evs[:2], ev(start, bouncescan.StatusBounced, "evil\x1b[2J\u009b31m\x9b.example", "", "bad\x07reason"))
	evs = append(evs, ev(start, bouncescan.StatusBounced, "d9.example", "", "userunknown"))
	_ = s.Consume(evs)
	var b strings.Builder
	if err := s.Write(&b, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Logf("\n%s", out)
	for _, r := range out {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("control character %U in the summary:\n%q", r, out)
		}
	}
	for _, want := range []string{`evil\x1b[2J\u009b31m\x9b.example`, `bad\x07reason`, "not tracked (window limits): 1 events of further domains"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

// TestSummaryConcurrent: Consume on one goroutine, Write on another (run
// with -race); every event is in exactly one window.
func TestSummaryConcurrent(t *testing.T) {
	s := NewSummary(SummaryOptions{})
	t0 := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var total int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		batch := []bouncescan.Event{ev(t0, bouncescan.StatusSent, "a.example", "gmail", "delivered")}
		for i := 0; i < 2000; i++ {
			_ = s.Consume(batch)
		}
	}()
	count := func(out string) int64 {
		var n int64
		if _, err := fmt.Sscanf(out[strings.Index(out, "): ")+3:], "%d events", &n); err != nil {
			t.Fatalf("%v in %q", err, out)
		}
		return n
	}
	for stop := false; !stop; {
		select {
		case <-done:
			stop = true
		default:
		}
		var b strings.Builder
		if err := s.Write(&b, time.Now()); err != nil {
			t.Fatal(err)
		}
		total += count(b.String())
	}
	wg.Wait()
	var b strings.Builder
	_ = s.Write(&b, time.Now())
	total += count(b.String())
	if total != 2000 {
		t.Errorf("%d events in all windows, want 2000", total)
	}
}
