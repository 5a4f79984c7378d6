package source

import (
	"context"
	"io"
)

// ctxReader reads on a goroutine of its own so that a read which waits
// (standard input, a FIFO with no writer, a terminal) ends when ctx is
// done. The goroutine may stay blocked in its read after that; it owns
// nothing else and ends with the process or the next data.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	res  chan chunk
	buf  []byte // unread part of the last chunk
	err  error
	live bool
}

type chunk struct {
	data []byte
	err  error
}

func newCtxReader(ctx context.Context, r io.Reader) *ctxReader {
	return &ctxReader{ctx: ctx, r: r, res: make(chan chunk, 1)}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.buf) == 0 && c.err == nil {
		if !c.live {
			c.live = true
			go c.pump()
		}
		select {
		case ch, ok := <-c.res:
			if !ok {
				c.err = io.EOF
			} else {
				c.buf, c.err = ch.data, ch.err
			}
		case <-c.ctx.Done():
			return 0, c.ctx.Err()
		}
	}
	if len(c.buf) > 0 {
		n := copy(p, c.buf)
		c.buf = c.buf[n:]
		return n, nil
	}
	return 0, c.err
}

// pump reads chunks until an error, handing each over.
func (c *ctxReader) pump() {
	for {
		b := make([]byte, 64<<10)
		n, err := c.r.Read(b)
		select {
		case c.res <- chunk{b[:n], err}:
		case <-c.ctx.Done():
			return
		}
		if err != nil {
			close(c.res)
			return
		}
	}
}
