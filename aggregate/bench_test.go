package aggregate_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// benchEvents parses and classifies logs into events a test may keep:
// the log named by BOUNCESCAN_BENCH_LOG (at most its first max events;
// bench/genmaillog.py makes one), else the Postfix and Exim samples
// repeated, each copy with its own queue ids and recipients.
func benchEvents(b *testing.B, max int) []bouncescan.Event {
	cl, err := classify.New(classify.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var paths []string
	copies := 1
	if p := os.Getenv("BOUNCESCAN_BENCH_LOG"); p != "" {
		paths = []string{p}
	} else {
		paths = []string{filepath.Join("..", "samples", "postfix", "mail.log"), filepath.Join("..", "samples", "exim", "mainlog")}
		copies = 200
	}
	var inputs []source.Input
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		inputs = append(inputs, source.Input{Name: p, Path: p, Size: st.Size()})
	}
	var evs []bouncescan.Event
	keep := pipeline.EventFunc(func(e *bouncescan.Event) error {
		if len(evs) < max {
			evs = append(evs, cloneEvent(e))
		}
		return nil
	})
	cfg := pipeline.Config{Formats: parsers.Builtin(), Classify: cl, Parser: parsekit.Options{Year: 2026, Location: time.UTC},
		Consumers: []pipeline.Consumer{keep}}
	if err := pipeline.Run(context.Background(), cfg, inputs, aggregate.New(aggregate.Limits{})); err != nil {
		b.Fatal(err)
	}
	if len(evs) == 0 {
		b.Fatal("no events")
	}
	one := evs
	for c := 1; c < copies; c++ {
		tag := strconv.Itoa(c)
		for _, e := range one {
			if e.QueueID != "" {
				e.QueueID += "x" + tag
			}
			if e.MessageID != "" {
				e.MessageID += "x" + tag
			}
			if i := strings.IndexByte(e.Recipient, '@'); i > 0 && c%4 != 0 {
				e.Recipient = e.Recipient[:i] + "+" + tag + e.Recipient[i:]
			}
			e.Time = e.Time.Add(time.Duration(c) * time.Hour)
			evs = append(evs, e)
		}
	}
	return evs
}

// cloneEvent copies what a consumer may not keep: the strings, side by
// side in one allocation (as in the line a parser read them from), and
// the verdict.
func cloneEvent(e *bouncescan.Event) bouncescan.Event {
	c := *e
	fields := []*string{&c.ID, &c.Host, &c.MTA, &c.Source, &c.QueueID, &c.MessageID, &c.Sender, &c.Recipient, &c.OrigRecipient,
		&c.Domain, &c.Process, &c.Relay, &c.RelayIP, &c.EnhancedCode, &c.DSN, &c.Text, &c.NextQueueID}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(*f)
	}
	all, at := b.String(), 0
	for _, f := range fields {
		n := len(*f)
		*f, at = all[at:at+n], at+n
	}
	if e.Verdict != nil {
		v := *e.Verdict
		c.Verdict = &v
	}
	return c
}

// BenchmarkReportAdd is the report builder alone (Report.Add, as scan's
// second stage calls it after classifying): every event of the input
// added to a new report, per op; cpu-ns/event (CPU time, see processCPU)
// is the figure to compare on a busy machine, ns/event the wall clock.
func BenchmarkReportAdd(b *testing.B) {
	evs := benchEvents(b, 100_000)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		r := aggregate.New(aggregate.Limits{})
		for i := range evs {
			r.Add(&evs[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(evs)), "ns/event")
	if cpu0 > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/float64(len(evs)), "cpu-ns/event")
	}
	b.ReportMetric(float64(len(evs)), "events")
}

// failureTexts is the distinct texts of the events Add makes a template
// of (all but deliveries), in input order.
func failureTexts(b *testing.B) []string {
	var texts []string
	seen := map[string]bool{}
	for _, e := range benchEvents(b, 100_000) {
		if e.Status != bouncescan.StatusSent && e.Text != "" && !seen[e.Text] {
			seen[e.Text] = true
			texts = append(texts, e.Text)
		}
	}
	return texts
}

// BenchmarkTemplate is Template of each distinct failure text of the
// benchmark input (what a miss of the report's text cache costs), per op.
func BenchmarkTemplate(b *testing.B) {
	texts := failureTexts(b)
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		for _, t := range texts {
			_ = aggregate.Template(t)
		}
	}
	if cpu0 > 0 {
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N)/float64(len(texts)), "cpu-ns/text")
	}
	b.ReportMetric(float64(len(texts)), "texts")
}
