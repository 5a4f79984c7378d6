package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
)

// scanProgress draws the progress bar of a scan on stderr: made before
// the first byte is read (so that the first rate shown is a real one),
// bytes against the inputs' total size, or an indeterminate bar when the
// size is unknown (standard input); its description names the current
// file and counts lines and events.
type scanProgress struct {
	bar    *progressbar.ProgressBar
	report *aggregate.Report
	events atomic.Int64 // counted by Consume, on the sink's goroutine
}

func newScanProgress(app *App, report *aggregate.Report, inputs []source.Input) *scanProgress {
	var total int64
	for _, in := range inputs {
		if in.Stdin {
			total = -1
			break
		}
		total += in.Size
	}
	if total == 0 {
		total = -1
	}
	p := &scanProgress{report: report}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(app.Stderr),
		progressbar.OptionSetDescription("scanning"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond))
	return p
}

// Consume counts events (a pipeline.Consumer).
func (p *scanProgress) Consume(events []bouncescan.Event) error {
	p.events.Add(int64(len(events)))
	return nil
}

// update is the pipeline's Progress (called on the reading goroutine,
// which also owns the report's files and line counts).
func (p *scanProgress) update(done, _ int64) {
	name := "-"
	if n := len(p.report.Files); n > 0 {
		name = filepath.Base(p.report.Files[n-1].Name)
	}
	p.bar.Describe(fmt.Sprintf("%s: %d lines, %d events", name, p.report.Input.Lines, p.events.Load()))
	_ = p.bar.Set64(done)
}

func (p *scanProgress) finish() { _ = p.bar.Finish() }

// catchUp is the progress bar of a tail that starts behind: bytes of the
// backlog (what the followed files held at the start beyond where
// reading begins) against the bytes of the lines read since; its
// description names the file of the last line and counts lines and
// events. It ends, and clears itself, once the backlog has been read;
// what is written later is live traffic, not catching up.
type catchUp struct {
	bar    *progressbar.ProgressBar
	total  int64
	done   atomic.Int64
	lines  atomic.Int64
	events atomic.Int64
	behind atomic.Int64 // sources still behind
	last   atomic.Pointer[string]
	stop   chan struct{}
	ended  chan struct{}
}

// newCatchUp starts the bar when backlog (bytes per source, in the order
// of srcs) is not all zero; wrap then gives the sources to read. Without
// a backlog it returns nil, and a nil catchUp wraps nothing.
func newCatchUp(app *App, backlog []int64) *catchUp {
	var total, behind int64
	for _, b := range backlog {
		if b > 0 {
			total += b
			behind++
		}
	}
	if total == 0 {
		return nil
	}
	c := &catchUp{total: total, stop: make(chan struct{}), ended: make(chan struct{})}
	c.behind.Store(behind)
	c.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(app.Stderr),
		progressbar.OptionSetDescription("catching up"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionClearOnFinish()) // no throttle: draw paces it
	go c.draw()
	return c
}

// draw updates the bar every tenth of a second until the backlog is
// read or close is called; the bar is drawn on this goroutine only.
func (c *catchUp) draw() {
	defer close(c.ended)
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	// settled: the backlog is read and no event came in the last tick
	// (the events of its last lines are still being classified)
	lastEvents, settled := int64(-1), 0
	for {
		name := "-"
		if p := c.last.Load(); p != nil {
			name = *p
		}
		events := c.events.Load()
		c.bar.Describe(fmt.Sprintf("catching up %s: %d lines, %d events", name, c.lines.Load(), events))
		if c.behind.Load() <= 0 && (events == lastEvents || settled >= 20) {
			_ = c.bar.Set64(c.total) // full: the bar draws its last frame and clears itself
			_ = c.bar.Finish()
			return
		}
		// short of full until settled (a full bar ends itself); Set64 draws, Describe does not
		_ = c.bar.Set64(min(c.done.Load(), c.total-1))
		if c.behind.Load() <= 0 {
			settled++
		}
		lastEvents = events
		select {
		case <-t.C:
		case <-c.stop:
			_ = c.bar.Finish()
			return
		}
	}
}

// close ends the bar (if still drawn) and waits until it is cleared.
func (c *catchUp) close() {
	if c == nil {
		return
	}
	select {
	case <-c.ended:
	default:
		close(c.stop)
		<-c.ended
	}
}

// Consume counts events (a pipeline.Consumer).
func (c *catchUp) Consume(events []bouncescan.Event) error {
	c.events.Add(int64(len(events)))
	return nil
}

// wrap makes src count its lines against backlog bytes.
func (c *catchUp) wrap(src source.Lines, backlog int64) source.Lines {
	if c == nil || backlog <= 0 {
		return src
	}
	return &catchUpLines{Lines: src, c: c, left: backlog}
}

// catchUpLines counts the bytes of the lines of one source (read on that
// source's own goroutine) until its backlog is read.
type catchUpLines struct {
	source.Lines
	c    *catchUp
	left int64
	seg  *source.Segment
}

func (l *catchUpLines) Next(ctx context.Context) bool {
	ok := l.Lines.Next(ctx)
	if !ok || l.left <= 0 {
		return ok
	}
	n := int64(len(l.Lines.Line())) + 1
	l.c.done.Add(min(n, l.left))
	l.c.lines.Add(1)
	if s := l.Lines.Segment(); s != l.seg && s != nil {
		l.seg = s
		name := filepath.Base(s.Name)
		l.c.last.Store(&name)
	}
	if l.left -= n; l.left <= 0 {
		l.c.behind.Add(-1)
	}
	return ok
}
