package main

import (
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
