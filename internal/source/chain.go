package source

import (
	"context"

	"github.com/bouncescan/bouncescan"
)

// Chain reads the sources one after the other, each to its end: a rotated
// file finished before its path is followed. The Segment changes with the
// source, so that a reader of the chain sees each as its own content.
func Chain(srcs ...Lines) Lines { return &chain{srcs: srcs} }

type chain struct {
	srcs []Lines
	i    int
}

func (c *chain) Next(ctx context.Context) bool {
	for c.i < len(c.srcs) {
		if c.srcs[c.i].Next(ctx) {
			return true
		}
		if c.srcs[c.i].Err() != nil || ctx.Err() != nil || c.i == len(c.srcs)-1 {
			return false
		}
		c.i++
	}
	return false
}

func (c *chain) cur() Lines          { return c.srcs[min(c.i, len(c.srcs)-1)] }
func (c *chain) Line() []byte        { return c.cur().Line() }
func (c *chain) Truncated() bool     { return c.cur().Truncated() }
func (c *chain) Pos() bouncescan.Pos { return c.cur().Pos() }
func (c *chain) NextOffset() int64   { return c.cur().NextOffset() }
func (c *chain) Segment() *Segment   { return c.cur().Segment() }
func (c *chain) Err() error          { return c.cur().Err() }

// OnIdle passes the hook on to the sources that have one (the follower
// at the end of a chain).
func (c *chain) OnIdle(fn func()) {
	for _, s := range c.srcs {
		if w, ok := s.(interface{ OnIdle(func()) }); ok {
			w.OnIdle(fn)
		}
	}
}

func (c *chain) Close() error {
	var first error
	for _, s := range c.srcs {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// SkipTo reads and drops the lines of r that start before offset off. It
// reports whether r then stands at a line boundary at off (false: the
// content ends before off or has no line starting there).
func SkipTo(r *Reader, off int64) bool {
	for r.NextOffset() < off && r.Next() {
	}
	return r.NextOffset() == off
}
