package postfix

import (
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// benchLog generates a realistic 100 000-line Postfix log with the shared
// generator (skips when python3 or the script is absent) and returns its
// lines.
func benchLog(b *testing.B, format string) [][]byte {
	b.Helper()
	lines, ok := parsekittest.GeneratedLog(b, format, 100000)
	if !ok {
		b.Skip("python3 or ../shared/bench/genmaillog.py not available")
	}
	return lines
}

// BenchmarkParse runs Parse over every line of a generated log; it reports
// ns and allocations per line besides the usual per-op figures (one op =
// the whole log).
func BenchmarkParse(b *testing.B) {
	for _, format := range []string{"postfix", "postfix-rfc3339"} {
		b.Run(format, func(b *testing.B) {
			lines := benchLog(b, format)
			var size int64
			for _, l := range lines {
				size += int64(len(l)) + 1
			}
			b.SetBytes(size)
			b.ReportAllocs()
			events := 0
			emit := func(*bouncescan.Event) { events++ }
			b.ResetTimer()
			for b.Loop() {
				parsekittest.Feed(New(parsekit.Options{Year: 2026, Location: time.UTC}), lines, emit)
			}
			b.StopTimer()
			n := float64(b.N) * float64(len(lines))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/line")
			b.ReportMetric(float64(len(lines))/(float64(b.Elapsed().Seconds())/float64(b.N)), "lines/s")
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}

// BenchmarkParseNoise measures lines that give no event (connection
// chatter, other programs): they should not allocate.
func BenchmarkParseNoise(b *testing.B) {
	lines := [][]byte{
		[]byte("Nov 22 03:14:15 mx1 postfix/smtpd[77]: connect from unknown[198.51.100.7]"),
		[]byte("Nov 22 03:14:15 mx1 postfix/smtpd[77]: disconnect from unknown[198.51.100.7] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"),
		[]byte("Nov 22 03:14:15 mx1 postfix/anvil[9]: statistics: max connection rate 1/60s for (smtp:198.51.100.7) at Nov 22 03:10:00"),
		[]byte("Nov 22 03:14:15 mx1 postfix/smtpd[77]: NOQUEUE: reject_warning: RCPT from unknown[198.51.100.7]: 450 4.7.1 x; from=<s@here.test> to=<c@mx1.test>"),
		[]byte("Nov 22 03:14:15 mx1 postfix/bounce[7]: 1A2B3C4D5E: sender non-delivery notification: 6C7D8E9F0A"),
		[]byte("Nov 22 03:14:15 mx1 postfix/smtpd[77]: 1A2B3C4D5E: client=mail.sender.test[198.51.100.8]"),
		[]byte("2026-11-22T03:14:15.123456+01:00 mx1 postfix/smtp[1]: Trusted TLS connection established to mx.x.test[192.0.2.1]:25: TLSv1.3"),
	}
	p := New(parsekit.Options{Year: 2026, Location: time.UTC})
	p.Begin(parsekit.File{Name: "bench", Fingerprint: 1})
	emit := func(*bouncescan.Event) {}
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i, l := range lines {
			_ = p.Parse(l, bouncescan.Pos{Source: "bench", Line: int64(i + 1)}, emit)
		}
	}
}

// TestNoiseAllocs pins that lines giving no event allocate nothing (but
// notices: warnings and reject_warning are rare, and their text is kept).
func TestNoiseAllocs(t *testing.T) {
	lines := []string{
		"Nov 22 03:14:15 mx1 postfix/smtpd[77]: connect from unknown[198.51.100.7]",
		"Nov 22 03:14:15 mx1 postfix/smtpd[77]: disconnect from unknown[198.51.100.7] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
		"Nov 22 03:14:15 mx1 postfix/bounce[7]: 1A2B3C4D5E: sender non-delivery notification: 6C7D8E9F0A",
		"2026-11-22T03:14:15.123456+01:00 mx1 postfix/smtp[1]: Trusted TLS connection established to mx.x.test[192.0.2.1]:25: TLSv1.3",
	}
	p := New(parsekit.Options{Year: 2026, Location: time.UTC})
	p.Begin(parsekit.File{Name: "t", Fingerprint: 1})
	emit := func(*bouncescan.Event) {}
	for _, l := range lines {
		b := []byte(l)
		if n := testing.AllocsPerRun(100, func() { _ = p.Parse(b, bouncescan.Pos{Source: "t", Line: 1}, emit) }); n != 0 {
			t.Errorf("%.1f allocs for %q", n, l)
		}
	}
}
