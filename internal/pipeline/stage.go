package pipeline

import (
	"sync/atomic"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// The run has two stages on two goroutines: reading and parsing on the
// caller's, classifying, aggregating and OnEvent on the sink's. Events go
// across in batches that are recycled, so the hand-over allocates nothing;
// order is kept (one sink), so OnEvent sees events in input order.

// batchSize is how many events cross in one batch.
const batchSize = 256

// batches is how many batches exist: the parser may run that far ahead.
const batches = 4

type batch struct {
	events   []bouncescan.Event
	verdicts []bouncescan.Verdict
}

// sink is the second stage.
type sink struct {
	cfg    Config
	report *aggregate.Report
	full   chan *batch
	free   chan *batch
	done   chan struct{}
	cur    *batch // being filled by the first stage

	err    error       // the OnEvent error that stopped the sink
	failed atomic.Bool // set after err
}

func newSink(cfg Config, report *aggregate.Report) *sink {
	s := &sink{cfg: cfg, report: report,
		full: make(chan *batch, batches), free: make(chan *batch, batches), done: make(chan struct{})}
	for range batches {
		s.free <- &batch{events: make([]bouncescan.Event, 0, batchSize), verdicts: make([]bouncescan.Verdict, batchSize)}
	}
	go s.run()
	return s
}

// put copies e into the current batch (first stage).
func (s *sink) put(e *bouncescan.Event) {
	if s.cur == nil {
		s.cur = <-s.free
	}
	s.cur.events = append(s.cur.events, *e)
	if len(s.cur.events) == batchSize {
		s.full <- s.cur
		s.cur = nil
	}
}

// close hands over the last batch, waits for the sink to finish and
// returns the error that stopped it, if any (first stage).
func (s *sink) close() error {
	if s.cur != nil && len(s.cur.events) > 0 {
		s.full <- s.cur
		s.cur = nil
	}
	close(s.full)
	<-s.done
	return s.err
}

// stopped tells the first stage the sink has failed; then err is set.
func (s *sink) stopped() bool { return s.failed.Load() }

func (s *sink) run() {
	defer close(s.done)
	for b := range s.full {
		if !s.failed.Load() {
			s.consume(b)
		}
		b.events = b.events[:0]
		s.free <- b
	}
}

func (s *sink) consume(b *batch) {
	for i := range b.events {
		e := &b.events[i]
		if s.cfg.Classify != nil {
			b.verdicts[i] = s.cfg.Classify.Classify(e)
			e.Verdict = &b.verdicts[i]
		}
		s.report.Add(e)
		if s.cfg.OnEvent != nil {
			if err := s.cfg.OnEvent(e); err != nil {
				s.err = err
				s.failed.Store(true)
				return
			}
		}
	}
}
