package pipeline

import (
	"sync/atomic"

	"github.com/bouncescan/bouncescan"
)

// The run has two stages on two goroutines: reading and parsing on the
// caller's, classifying and the consumers on the sink's. Events go across
// in batches that are recycled, so the hand-over allocates nothing; order
// is kept (one sink), so the consumers see events in input order. A
// checkpoint travels in the batch that ends where it was taken, and is
// handed to the Checkpointers once the batch's events are consumed.

// batchSize is how many events cross in one batch.
const batchSize = 256

// batches is how many batches exist: the parser may run that far ahead.
const batches = 4

type batch struct {
	events   []bouncescan.Event
	verdicts []bouncescan.Verdict
	cp       *Checkpoint // taken after the last event of the batch, or nil
}

// sink is the second stage.
type sink struct {
	cfg  Config
	full chan *batch
	free chan *batch
	done chan struct{}
	cur  *batch // being filled by the first stage

	err    error       // the OnEvent error that stopped the sink
	failed atomic.Bool // set after err
}

func newSink(cfg Config) *sink {
	s := &sink{cfg: cfg,
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

// flush hands over the current batch, if it holds events (first stage):
// a followed source does so before it waits, so that events reach the
// consumers as they happen.
func (s *sink) flush() {
	if s.cur != nil && len(s.cur.events) > 0 {
		s.full <- s.cur
		s.cur = nil
	}
}

// checkpoint hands over the current batch with cp (first stage).
func (s *sink) checkpoint(cp *Checkpoint) {
	if s.cur == nil {
		s.cur = <-s.free
	}
	s.cur.cp = cp
	s.full <- s.cur
	s.cur = nil
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
		b.events, b.cp = b.events[:0], nil
		s.free <- b
	}
}

func (s *sink) consume(b *batch) {
	if s.cfg.Classify != nil {
		for i := range b.events {
			b.verdicts[i] = s.cfg.Classify.Classify(&b.events[i])
			b.events[i].Verdict = &b.verdicts[i]
		}
	}
	if s.cfg.Rewrite != nil {
		for i := range b.events {
			s.cfg.Rewrite(&b.events[i])
		}
	}
	if len(b.events) > 0 {
		for _, c := range s.cfg.Consumers {
			if err := c.Consume(b.events); err != nil {
				s.fail(err)
				return
			}
		}
	}
	if b.cp == nil {
		return
	}
	for _, c := range s.cfg.Consumers {
		if cc, ok := c.(Checkpointer); ok {
			if err := cc.Checkpoint(b.cp); err != nil {
				s.fail(err)
				return
			}
		}
	}
}

func (s *sink) fail(err error) {
	s.err = err
	s.failed.Store(true)
}
