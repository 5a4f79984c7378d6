package export

import (
	"sync"
	"sync/atomic"
)

// background writes an events file's row batches on a goroutine of its
// own: encoding Parquet (columns, dictionaries, zstd) is most of what an
// export does beyond a scan, and in line with classifying it made the
// second stage of the pipeline the slow one. Batches are written in the
// order given; at most backgroundQueue wait, so memory stays bounded
// (the caller waits when the writer falls behind). The first error of
// the writer is kept and later batches are dropped; write returns it from
// the next call on (so that a full disk stops the run soon), wait too.
type background struct {
	jobs   chan []EventRow
	free   chan []EventRow
	done   chan struct{}
	stop   sync.Once
	err    error       // written by the goroutine, read after failed or done
	failed atomic.Bool // err is set
}

const backgroundQueue = 2

func newBackground(w rowWriter[EventRow]) *background {
	b := &background{jobs: make(chan []EventRow, backgroundQueue), free: make(chan []EventRow, backgroundQueue+2), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		for rows := range b.jobs {
			if b.err == nil {
				if b.err = w.write(rows); b.err != nil {
					b.failed.Store(true)
				}
			}
			clear(rows) // drop the strings
			b.free <- rows[:0]
		}
	}()
	return b
}

// write queues rows and returns an empty buffer for the next ones: at
// most backgroundQueue+2 buffers ever exist (one being filled, the queue,
// one being written), so free never blocks the goroutine.
func (b *background) write(rows []EventRow) ([]EventRow, error) {
	if b.failed.Load() {
		clear(rows)
		return rows[:0], b.err
	}
	b.jobs <- rows
	select {
	case next := <-b.free:
		return next, nil
	default:
		return make([]EventRow, 0, flushRows), nil
	}
}

// wait ends the goroutine once every queued batch is written, and gives
// the writer's first error. It may be called more than once.
func (b *background) wait() error {
	b.stop.Do(func() { close(b.jobs) })
	<-b.done
	return b.err
}
