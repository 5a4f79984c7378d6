package source

import (
	"context"
	"sync"

	"github.com/bouncescan/bouncescan"
)

// Prefetch reads the lines of in on a goroutine of its own and hands them
// out in order, in batches, so that reading (the system calls, line
// splitting, decompression's hand-over) and parsing use two cores. Every
// method behaves as on in itself; Line stays valid until Next, as Lines
// promises. Close stops the goroutine and then closes in.
//
// It is for inputs read to their end (files, Reader.Lines): a Follower
// waits for appends in Next and is read directly.
func Prefetch(in Lines) Lines {
	p := &prefetch{in: in, seg: in.Segment(),
		full: make(chan *lineBatch, prefetchBatches), free: make(chan *lineBatch, prefetchBatches+1),
		done: make(chan struct{}), exited: make(chan struct{})}
	for range prefetchBatches + 1 {
		p.free <- &lineBatch{data: make([]byte, 0, prefetchBytes+4096)}
	}
	go p.run()
	return p
}

const (
	prefetchBytes   = 256 << 10 // line bytes in a batch (a longer line makes its batch bigger)
	prefetchLines   = 4096      // lines in a batch at most
	prefetchBatches = 3         // batches read ahead of the parser
)

type lineBatch struct {
	data  []byte     // the lines' bytes, one after the other
	lines []lineMeta // where each is, and what Lines tells of it
	err   error      // in.Err(), in the last batch
	last  bool
	// in the last batch: in.Pos and in.NextOffset once in has ended
	endPos  bouncescan.Pos
	endNext int64
}

type lineMeta struct {
	start, end int
	truncated  bool
	line       int64 // Pos.Line
	offset     int64 // Pos.Offset
	next       int64 // NextOffset
}

type prefetch struct {
	in     Lines
	seg    *Segment
	full   chan *lineBatch
	free   chan *lineBatch
	done   chan struct{}
	exited chan struct{}
	stop   sync.Once

	cur *lineBatch
	i   int // the current line in cur
	// after the end: what in said of its position then
	endPos  bouncescan.Pos
	endNext int64
	source  string
	err     error
	ended   bool
}

// run fills batches until the input ends or Close is called.
func (p *prefetch) run() {
	defer close(p.exited)
	defer close(p.full)
	for {
		var b *lineBatch
		select {
		case b = <-p.free:
		case <-p.done:
			return
		}
		b.data, b.lines, b.err, b.last = b.data[:0], b.lines[:0], nil, false
		for len(b.data) < prefetchBytes && len(b.lines) < prefetchLines {
			if !p.in.Next(context.Background()) {
				b.err, b.last, b.endPos, b.endNext = p.in.Err(), true, p.in.Pos(), p.in.NextOffset()
				break
			}
			l, pos := p.in.Line(), p.in.Pos()
			start := len(b.data)
			b.data = append(b.data, l...)
			b.lines = append(b.lines, lineMeta{start: start, end: len(b.data), truncated: p.in.Truncated(),
				line: pos.Line, offset: pos.Offset, next: p.in.NextOffset()})
			if p.source == "" {
				p.source = pos.Source // written before the batch is sent: read after it arrives
			}
		}
		select {
		case p.full <- b:
		case <-p.done:
			return
		}
		if b.last {
			return
		}
	}
}

// Next is Lines.Next. ctx is not looked at, as Reader.Lines does not.
func (p *prefetch) Next(context.Context) bool {
	if p.cur != nil && p.i+1 < len(p.cur.lines) {
		p.i++
		return true
	}
	for !p.ended {
		if p.cur != nil {
			b := p.cur
			p.cur = nil
			if b.last {
				p.ended, p.err, p.endPos, p.endNext = true, b.err, b.endPos, b.endNext
			}
			p.free <- b // never blocks: free holds every batch
			if p.ended {
				break
			}
		}
		b, ok := <-p.full
		if !ok {
			p.ended = true
			break
		}
		p.cur, p.i = b, 0
		if len(b.lines) > 0 {
			return true
		}
	}
	return false
}

func (p *prefetch) meta() *lineMeta { return &p.cur.lines[p.i] }

// Line is Lines.Line.
func (p *prefetch) Line() []byte {
	if p.cur == nil {
		return nil
	}
	m := p.meta()
	return p.cur.data[m.start:m.end:m.end]
}

// Truncated is Lines.Truncated.
func (p *prefetch) Truncated() bool { return p.cur != nil && p.meta().truncated }

// Pos is Lines.Pos.
func (p *prefetch) Pos() bouncescan.Pos {
	if p.cur == nil {
		return p.endPos
	}
	m := p.meta()
	return bouncescan.Pos{Source: p.source, Line: m.line, Offset: m.offset}
}

// NextOffset is Lines.NextOffset.
func (p *prefetch) NextOffset() int64 {
	if p.cur == nil {
		return p.endNext
	}
	return p.meta().next
}

// Segment is Lines.Segment: the one of in (a file read to its end has one).
func (p *prefetch) Segment() *Segment { return p.seg }

// Err is Lines.Err, once Next has returned false.
func (p *prefetch) Err() error { return p.err }

// Close stops the goroutine, waits for it to leave in, and closes in.
func (p *prefetch) Close() error {
	p.halt()
	return p.in.Close()
}

// halt stops the goroutine and waits until it no longer reads in.
func (p *prefetch) halt() {
	p.stop.Do(func() { close(p.done) })
	<-p.exited
}

var _ Lines = (*prefetch)(nil)
