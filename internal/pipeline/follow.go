package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Follow runs the pipeline on sources that do not end (source.Followers,
// possibly each behind a source.Chain that first finishes a rotated file)
// until ctx is done: the job behind `bouncescan tail`, the same stages as
// Run with other sources. Each source is read on a goroutine of its own;
// their lines meet in the first stage in the order they arrive, each
// source's in its own order. A source's format is cfg.Format, or detected
// as its lines arrive: they are held until a format claims them (at most
// DetectMoreLines lines), then parsed in order. Sources of one format share
// one parser, so that what one file logs of a message (Exim's mainlog and
// rejectlog) is joined with what another logs.
//
// more, if not nil, brings sources added later (a file that appears and
// matches a glob). Events are handed on whenever no line is waiting, so
// that consumers see them as they happen. Follow returns ErrInterrupted
// when ctx ends the run (after a last checkpoint), nil when every source
// ended and more is nil or closed, or the error that stopped it.
func Follow(ctx context.Context, cfg Config, srcs []source.Lines, more <-chan source.Lines, report *aggregate.Report) error {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &runner{ctx: ctx, cfg: cfg, report: report, parsers: map[string]parsers.Parser{},
		resume: newResumer(cfg.Resume), bySeq: map[int]*fileRun{}, byIdentity: map[uint64]*fileRun{}}
	r.keepFiles = 64 + 2*len(srcs)
	r.sink = newSink(cfg)
	m := &mux{r: r, in: make(chan *lineBatch, 4), begun: map[parsers.Parser]*fileRun{}}
	pctx, stop := context.WithCancel(ctx)
	for _, s := range srcs {
		m.add(pctx, s)
	}
	err := m.run(more)
	stop()
	m.pumps.Wait() // no source is read after Follow returns: the caller may close them
	r.sink.checkpoint(r.checkpoint())
	if serr := r.sink.close(); serr != nil {
		return serr
	}
	return err
}

// heldBatch is how many lines a source's goroutine hands over at once.
const heldBatch = 256

// lineBatch is lines of one source, copied out of its buffer.
type lineBatch struct {
	src   *followed
	lines []heldLine
	arena []byte
	end   bool  // the source ended; err says why (nil: its end)
	err   error // with end
}

type heldLine struct {
	start, end int // in the arena
	truncated  bool
	pos        bouncescan.Pos
	next       int64
	seg        *source.Segment
}

// followed is one source of a Follow run.
type followed struct {
	src    source.Lines
	free   chan *lineBatch // batches to reuse
	held   []heldLine      // before its format is known
	arena  []byte
	format parsers.Format
	p      parsers.Parser
	fs     *aggregate.File
	seg    *source.Segment
	fr     *fileRun
}

// mux is the first stage of a Follow run.
type mux struct {
	r       *runner
	in      chan *lineBatch
	sources int                         // still running
	pumps   sync.WaitGroup              // the goroutines reading them
	begun   map[parsers.Parser]*fileRun // the file each parser was last told of
}

func (m *mux) add(ctx context.Context, s source.Lines) {
	f := &followed{src: s, free: make(chan *lineBatch, 4)}
	for range cap(f.free) {
		f.free <- &lineBatch{src: f, lines: make([]heldLine, 0, heldBatch), arena: make([]byte, 0, 64<<10)}
	}
	m.sources++
	m.pumps.Add(1)
	go func() {
		defer m.pumps.Done()
		f.pump(ctx, m.in)
	}()
}

// pump reads the source and hands its lines over in batches: full ones,
// and whatever it has when the source waits for more.
func (f *followed) pump(ctx context.Context, out chan<- *lineBatch) {
	b := <-f.free
	send := func() bool {
		if len(b.lines) == 0 {
			return true
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return false
		}
		select {
		case b = <-f.free:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if w, ok := f.src.(interface{ OnIdle(func()) }); ok {
		w.OnIdle(func() { send() })
	}
	for f.src.Next(ctx) {
		line := f.src.Line()
		start := len(b.arena)
		b.arena = append(b.arena, line...)
		b.lines = append(b.lines, heldLine{start: start, end: len(b.arena), truncated: f.src.Truncated(),
			pos: f.src.Pos(), next: f.src.NextOffset(), seg: f.src.Segment()})
		if len(b.lines) == heldBatch || len(b.arena) >= 64<<10 {
			if !send() {
				return
			}
		}
	}
	if !send() {
		return
	}
	if ctx.Err() != nil {
		return // the run is ending: it does not wait for this source
	}
	select {
	case out <- &lineBatch{src: f, end: true, err: f.src.Err()}:
	case <-ctx.Done():
	}
}

func (m *mux) run(more <-chan source.Lines) error {
	r := m.r
	for {
		var b *lineBatch
		select {
		case b = <-m.in:
		default:
			if m.sources == 0 && more == nil {
				return nil
			}
			r.sink.flush() // nothing waiting: hand on what was found
			select {
			case b = <-m.in:
			case s, ok := <-more:
				if !ok {
					more = nil
					continue
				}
				m.add(r.ctx, s)
				continue
			case <-r.cfg.CheckpointNow:
				r.sink.checkpoint(r.checkpoint())
				continue
			case <-r.ctx.Done():
				return r.interrupted()
			}
		}
		if err := m.batch(b); err != nil {
			return err
		}
		if err := r.poll(); err != nil {
			return err
		}
		if r.stop == nil && r.sink.stopped() {
			r.stop = r.sink.err
		}
		if r.stop != nil {
			return r.stop
		}
	}
}

// batch parses the lines of one batch and gives it back to its source.
func (m *mux) batch(b *lineBatch) error {
	f, r := b.src, m.r
	if b.end {
		m.sources--
		name := f.src.Segment()
		if b.err != nil && r.ctx.Err() == nil {
			n := "source"
			if name != nil {
				n = name.Name
			}
			return r.fileError(n, b.err)
		}
		return nil
	}
	defer func() {
		b.lines, b.arena = b.lines[:0], b.arena[:0]
		f.free <- b
	}()
	for i := range b.lines {
		l := &b.lines[i]
		data := b.arena[l.start:l.end]
		if f.format.New == nil {
			if err := m.detect(f, l, data); err != nil {
				return err
			}
			continue
		}
		if err := m.line(f, l, data); err != nil {
			return err
		}
	}
	return nil
}

// detect holds the first lines of a source until a format claims them,
// then parses them.
func (m *mux) detect(f *followed, l *heldLine, data []byte) error {
	r := m.r
	h := *l
	h.start = len(f.arena)
	f.arena = append(f.arena, data...)
	h.end = len(f.arena)
	f.held = append(f.held, h)
	if n := len(f.held); n > DetectLines && n%DetectLines != 0 && n < DetectMoreLines {
		return nil // beyond DetectLines, detection is tried again every DetectLines lines
	}
	head := make([][]byte, len(f.held))
	for i, x := range f.held {
		head[i] = f.arena[x.start:x.end]
	}
	plan, resumed := r.resume.plan(formatIdentity(l.seg.Identity))
	format, err := r.format(head, plan, resumed)
	if err != nil {
		return err
	}
	if format.New == nil {
		if len(f.held) >= DetectMoreLines {
			return r.fileError(l.seg.Name, fmt.Errorf("%s: %w: no parser recognises its first %d lines (use --format to force one; `bouncescan formats` lists them)", l.seg.Name, bouncescan.ErrUnknownFormat, DetectMoreLines))
		}
		return nil
	}
	f.format, f.p = format, r.parser(format)
	f.fs = r.report.File(l.seg.Name)
	f.fs.Format = format.Name
	held, arena := f.held, f.arena
	f.held, f.arena = nil, nil
	for i := range held {
		if err := m.line(f, &held[i], arena[held[i].start:held[i].end]); err != nil {
			return err
		}
	}
	return nil
}

// line parses one line of a source whose format is known.
func (m *mux) line(f *followed, l *heldLine, data []byte) error {
	r := m.r
	f.fs.Lines++
	r.report.Input.Lines++
	if l.seg != f.seg {
		f.seg = l.seg
		f.fr = r.segment(l.seg, f.format.Name)
		if f.fs.Name != l.seg.Name {
			f.fs = r.report.File(l.seg.Name)
			f.fs.Format = f.format.Name
		}
	}
	if m.begun[f.p] != f.fr {
		m.begun[f.p] = f.fr
		f.p.Begin(parsekit.File{Name: f.seg.Name, ModTime: f.seg.ModTime, Fingerprint: f.fr.identity, Seq: f.fr.seq, Years: f.fr.years.years})
	}
	r.cur = f.fs
	return r.handle(f.fs, f.fr, f.p, data, l.truncated, l.pos, l.next)
}
