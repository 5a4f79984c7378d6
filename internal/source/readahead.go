package source

import (
	"io"
	"sync"
)

// readAhead runs a decompressor on a goroutine of its own, so that
// decompressing and parsing use two cores: on a 1M-line .gz, decompression
// costs about as much as parsing, and done in line with it the two add up.
// Chunks of up to readAheadChunk bytes cross a channel in order; an error of
// the decompressor reaches Read after the data before it, exactly as if
// the decompressor were read directly. Buffers are recycled: nothing is
// allocated per chunk.
type readAhead struct {
	chunks chan aheadChunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	cur    []byte // the unread part of the chunk being read
	buf    []byte // the whole of that chunk, to give back
	err    error
	stop   sync.Once
}

type aheadChunk struct {
	data []byte
	err  error
}

const (
	readAheadChunk  = 256 << 10 // bytes per chunk
	readAheadChunks = 4         // chunks decompressed ahead of the reader
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		chunks: make(chan aheadChunk, readAheadChunks),
		free:   make(chan []byte, readAheadChunks+1),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for range readAheadChunks + 1 {
		ra.free <- make([]byte, readAheadChunk)
	}
	go ra.run(src)
	return ra
}

// run fills chunks until src ends or fails, or Close is called.
func (ra *readAhead) run(src io.Reader) {
	defer close(ra.exited)
	defer close(ra.chunks)
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := 0, error(nil)
		for n < len(b) && err == nil {
			var m int
			m, err = src.Read(b[n:])
			n += m
		}
		select {
		case ra.chunks <- aheadChunk{data: b[:n], err: err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read is io.Reader.Read.
func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)] // never blocks: free holds every buffer
			ra.buf = nil
		}
		c, ok := <-ra.chunks
		if !ok {
			ra.err = io.EOF
			continue
		}
		ra.buf, ra.cur, ra.err = c.data, c.data, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine. With wait, it returns once the goroutine has
// left the decompressor (so that it can be closed); without, it returns at
// once (a read of standard input may block until input comes).
func (ra *readAhead) Close(wait bool) {
	ra.stop.Do(func() { close(ra.done) })
	if wait {
		<-ra.exited
	}
}
