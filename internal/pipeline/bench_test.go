package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// BenchmarkRun is the whole of `scan` but the output: read, detect, parse,
// classify, aggregate, over the Postfix and Exim samples repeated to about
// 100 000 lines each. For the figure on a 1M-line generated log, see the
// README (bench/genmaillog.py).
func BenchmarkRun(b *testing.B) {
	cl, err := classify.New(classify.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	var inputs []source.Input
	var size, lines int64
	for _, sample := range []string{"postfix/mail.log", "exim/mainlog"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "samples", sample))
		if err != nil {
			b.Fatal(err)
		}
		n := bytes.Count(data, []byte("\n"))
		big := bytes.Repeat(data, 100_000/n+1)
		p := filepath.Join(dir, filepath.Base(sample))
		if err := os.WriteFile(p, big, 0o644); err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, source.Input{Name: p, Path: p, Size: int64(len(big))})
		size += int64(len(big))
		lines += int64(bytes.Count(big, []byte("\n")))
	}
	cfg := Config{Formats: parsers.Builtin(), Classify: cl, Parser: parsekit.Options{Year: 2026, Location: time.UTC}}
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		rep := aggregate.New(aggregate.Limits{})
		cfg.Consumers = []Consumer{ReportConsumer{rep}}
		if err := Run(context.Background(), cfg, inputs, rep); err != nil {
			b.Fatal(err)
		}
		if rep.Input.Lines != lines || rep.Events == 0 {
			b.Fatalf("%d lines, %d events", rep.Input.Lines, rep.Events)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
