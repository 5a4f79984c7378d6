package exim

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// benchLog generates a realistic 100 000-line Exim mainlog with the shared
// generator (about 30% 4.97+ message ids). Without python3 or the script
// it repeats the samples instead.
func benchLog(b *testing.B) [][]byte {
	b.Helper()
	if lines, ok := parsekittest.GeneratedLog(b, "exim", 100000); ok {
		return lines
	}
	return repeatedSamples(b)
}

// repeatedSamples is the samples repeated to about 100 000 lines.
func repeatedSamples(b *testing.B) [][]byte {
	files, _ := filepath.Glob("../../samples/exim/*")
	var all [][]byte
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))...)
	}
	var lines [][]byte
	for len(lines) < 100000 {
		lines = append(lines, all...)
	}
	return lines
}

// BenchmarkParse runs Parse over every line of a generated log; one op is
// the whole log. It reports lines/s, ns/line and allocs/line besides the
// per-op figures.
func BenchmarkParse(b *testing.B) {
	lines := benchLog(b)
	var size int64
	for _, l := range lines {
		size += int64(len(l)) + 1
	}
	b.SetBytes(size)
	b.ReportAllocs()
	events := 0
	emit := func(*bouncescan.Event) { events++ }
	var ms0, ms1 runtimeMem
	ms0.read()
	b.ResetTimer()
	for b.Loop() {
		parsekittest.Feed(New(parsekit.Options{Year: 2026, Location: time.UTC}), lines, emit)
	}
	b.StopTimer()
	ms1.read()
	n := float64(b.N) * float64(len(lines))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/line")
	b.ReportMetric(n/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(ms1.mallocs-ms0.mallocs)/n, "allocs/line")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}
