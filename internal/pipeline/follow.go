package pipeline

import (
	"context"
	"fmt"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
)

// Follow runs the pipeline on one source that does not end (a
// source.Follower) until ctx is done: the job behind `bouncescan tail`,
// the same first and second stage as Run with another source. The format
// is cfg.Format, or detected as lines arrive: they are held until a
// format claims them (at most DetectLines lines), then parsed in order.
// It returns ErrInterrupted when ctx ends the run (after a last
// checkpoint), or the error that stopped it.
func Follow(ctx context.Context, cfg Config, src source.Lines, report *aggregate.Report) error {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &runner{ctx: ctx, cfg: cfg, report: report, parsers: map[string]parsers.Parser{},
		resume: newResumer(cfg.Resume), bySeq: map[int]*fileRun{}, byIdentity: map[uint64]*fileRun{}}
	r.sink = newSink(cfg)
	err := r.follow(src)
	r.sink.checkpoint(r.checkpoint())
	if serr := r.sink.close(); serr != nil {
		return serr
	}
	return err
}

func (r *runner) follow(src source.Lines) error {
	if w, ok := src.(interface{ OnIdle(func()) }); ok {
		w.OnIdle(r.sink.flush) // events go on as they happen, not when a batch is full
	}
	held := &replay{Lines: src}
	var format parsers.Format
	for format.New == nil {
		if !src.Next(r.ctx) {
			if err := r.interrupted(); err != nil {
				return err
			}
			return src.Err()
		}
		held.hold(src)
		var err error
		plan, resumed := r.resume.plan(formatIdentity(src.Segment().Identity))
		if format, err = r.format(held.head(), plan, resumed); err != nil {
			return err
		}
		if format.New == nil && len(held.lines) >= DetectLines {
			return fmt.Errorf("%s: %w: no parser recognises its first %d lines (use --format to force one)", src.Segment().Name, bouncescan.ErrUnknownFormat, DetectLines)
		}
	}
	seg := held.lines[0].seg
	fs := r.report.File(seg.Name)
	fs.Format = format.Name
	r.cur = fs
	p := r.parser(format)
	held.first = true
	// the first line's segment is begun by lines() like any later one
	return r.lines(held, fs, &fileRun{format: format.Name}, p, nil)
}

// replay hands out held lines before going on with the source.
type replay struct {
	source.Lines
	lines []heldLine
	i     int
	first bool // Segment of the first line differs from any: lines() begins it
	cur   *heldLine
}

type heldLine struct {
	data      []byte
	truncated bool
	pos       bouncescan.Pos
	next      int64
	seg       *source.Segment
}

func (h *replay) hold(src source.Lines) {
	h.lines = append(h.lines, heldLine{data: append([]byte(nil), src.Line()...), truncated: src.Truncated(),
		pos: src.Pos(), next: src.NextOffset(), seg: src.Segment()})
}

func (h *replay) head() [][]byte {
	out := make([][]byte, len(h.lines))
	for i := range h.lines {
		out[i] = h.lines[i].data
	}
	return out
}

func (h *replay) Next(ctx context.Context) bool {
	if h.i < len(h.lines) {
		h.cur = &h.lines[h.i]
		h.i++
		return true
	}
	h.cur, h.lines = nil, nil
	return h.Lines.Next(ctx)
}

func (h *replay) Line() []byte {
	if h.cur != nil {
		return h.cur.data
	}
	return h.Lines.Line()
}

func (h *replay) Truncated() bool {
	if h.cur != nil {
		return h.cur.truncated
	}
	return h.Lines.Truncated()
}

func (h *replay) Pos() bouncescan.Pos {
	if h.cur != nil {
		return h.cur.pos
	}
	return h.Lines.Pos()
}

func (h *replay) NextOffset() int64 {
	if h.cur != nil {
		return h.cur.next
	}
	return h.Lines.NextOffset()
}

func (h *replay) Segment() *source.Segment {
	if h.first {
		h.first = false
		return nil // before the first line: no segment begun yet
	}
	if h.cur != nil {
		return h.cur.seg
	}
	return h.Lines.Segment()
}
