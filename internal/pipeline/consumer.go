package pipeline

import (
	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// Consumer receives the classified events of a run. The consumers of a run
// are a list (Config.Consumers) and each sees every event inside the time
// window, in input order, on the pipeline's second goroutine (never two
// calls at once). Adding an output to bouncescan means writing a Consumer
// and putting it in that list; the pipeline knows none of them.
type Consumer interface {
	// Consume takes the next events. The slice, the events and their
	// verdicts are valid only during the call: copy what must outlive it.
	// An error stops the run (the other consumers see no more events).
	Consume(events []bouncescan.Event) error
}

// Checkpointer is a Consumer that also wants checkpoints: each is given
// after every event read before it has been given to Consume (of every
// consumer), so that a checkpoint written by it never claims an event that
// an output did not get. cp is the consumer's to keep.
type Checkpointer interface {
	Checkpoint(cp *Checkpoint) error
}

// ReportConsumer adds every event to a report: the report builder of
// `bouncescan scan`.
type ReportConsumer struct{ Report *aggregate.Report }

// Consume adds the events to the report.
func (c ReportConsumer) Consume(events []bouncescan.Event) error {
	for i := range events {
		c.Report.Add(&events[i])
	}
	return nil
}

// EventFunc adapts a function called once per event to a Consumer.
type EventFunc func(e *bouncescan.Event) error

// Consume calls f for every event, stopping at the first error.
func (f EventFunc) Consume(events []bouncescan.Event) error {
	for i := range events {
		if err := f(&events[i]); err != nil {
			return err
		}
	}
	return nil
}
