package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/output"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// ScanCmd is `bouncescan scan`.
type ScanCmd struct {
	Files []string `arg:"" name:"FILE" help:"Log files, directories (read recursively, rotated files oldest first), globs, or - for stdin. Compressed files (gzip, bzip2, xz, zstd) are detected by content."`

	Output string `short:"o" default:"table" enum:"${outputs}" help:"Report format: ${outputs}."`
	Events string `short:"e" placeholder:"FILE|-" help:"Also write every event, with its verdict, as NDJSON (one JSON object per line) to FILE, or - for stdout."`

	ReportFlags `embed:""`
	Suppress    string `placeholder:"FILE" help:"Write the recipients whose last outcome is a permanent addressing or mailbox failure as CSV (address, reason, code, last seen, count); a later delivery removes an address."`

	InputFlags  `embed:""`
	RedactFlags `embed:""`
}

// Help is shown by `bouncescan scan --help` below the flags.
func (ScanCmd) Help() string {
	return `Examples:
  bouncescan scan /var/log/mail.log*            rotated and gzipped logs, oldest first
  bouncescan scan /var/log/                      a directory, formats detected per file
  zcat mail.log.2.gz | bouncescan scan -         standard input
  bouncescan scan -o json mail.log > report.json
  bouncescan scan --events events.ndjson mail.log
  bouncescan scan --since 2026-11-22 --until 2026-11-23 mail.log

Ctrl-C (SIGINT) or SIGTERM stops reading: the report of what was read so
far is written, marked PARTIAL, and --events ends with a complete line.

Exit status: 0 all input read; 1 fatal error (bad flags, --strict violation);
2 report written but some input could not be read (missing, unreadable,
corrupt or unrecognised file: each is named on stderr); 130 interrupted by
SIGINT, 143 by SIGTERM (partial report written).`
}

// Run scans.
func (c *ScanCmd) Run(app *App) error {
	loc, err := loadLocation(c.TZ)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	since, err := parseWhen(c.Since, loc, "--since")
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	until, err := parseWhen(c.Until, loc, "--until")
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	formats := parsers.Builtin()
	if c.Format != "auto" {
		if _, ok := parsers.Lookup(formats, c.Format); !ok {
			return &exitError{code: exitFailure, err: fmt.Errorf("unknown --format %q: use auto or one of %s", c.Format, formatNames(formats))}
		}
	}
	cl, err := classify.New(classify.Options{RulesFile: c.Rules})
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	rewrite, err := c.rewrite(app)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}

	inputs, errs, skipped, err := expandInputs(app, c.Files, c.Strict)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}

	limits, err := c.limits()
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	popts := parsekit.Options{Year: c.Year, Location: loc, Now: app.Now}
	if err := c.apply(&popts, &limits); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	report := aggregate.New(limits)
	var tax aggregate.Taxonomy // --taxonomy: looked up by the report and the events, nothing added to the verdicts
	if c.Taxonomy {
		tax = taxonomy(cl)
		report.UseTaxonomy(tax)
	}
	for _, err := range errs {
		report.FileError(source.ErrorPath(err), err)
	}
	for _, err := range skipped {
		report.Skip(source.ErrorPath(err), "not a regular file (a FIFO, device or socket)")
	}
	consumers := []pipeline.Consumer{pipeline.ReportConsumer{Report: report}}
	suppress, err := c.suppressList(inputs)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	if suppress != nil {
		consumers = append(consumers, suppress)
	}
	var events *output.Events
	if c.Events != "" {
		var w io.Writer = app.Stdout
		if c.Events != "-" {
			if in, ok := source.FindInput(c.Events, inputs); ok {
				return &exitError{code: exitFailure, err: fmt.Errorf("--events %s: that is the input %s; refusing to write over a log (choose another file)", c.Events, in.Name)}
			}
			f, err := os.Create(c.Events)
			if err != nil {
				return &exitError{code: exitFailure, err: fmt.Errorf("--events: %w", err)}
			}
			defer f.Close()
			w = f
		}
		events = output.NewEvents(w)
		if tax != nil {
			events.WithTaxonomy(tax)
		}
		consumers = append(consumers, events)
	}

	ctx, stop := interruptContext(app)
	defer stop()
	cfg := pipeline.Config{
		Formats:   formats,
		Format:    c.Format,
		Parser:    popts,
		MaxLine:   int(c.MaxLine),
		Strict:    c.Strict,
		Since:     since,
		Until:     until,
		Stdin:     app.Stdin,
		Classify:  cl,
		Rewrite:   rewrite,
		Consumers: consumers,
		OnFileError: func(err error) {
			if !c.Strict { // under --strict, the error that stops the run is printed once, at the end
				fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
			}
		},
	}
	var bar *scanProgress
	if c.Progress && app.StderrIsTerminal {
		bar = newScanProgress(app, report, inputs)
		cfg.Progress = bar.update
		cfg.Consumers = append(cfg.Consumers, bar)
	}
	runErr := pipeline.Run(ctx, cfg, inputs, report)
	if bar != nil {
		bar.finish()
	}
	if events != nil {
		if err := events.Close(); err != nil && runErr == nil {
			runErr = fmt.Errorf("--events: %w", err)
		}
	}
	var sig *signalError
	if errors.As(runErr, &sig) {
		fmt.Fprintf(app.Stderr, "bouncescan: %v: writing the report of what was read\n", sig)
	} else if runErr != nil {
		return &exitError{code: exitFailure, err: runErr}
	}
	report.Finish()
	if err := c.writeSuppress(suppress); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	reportTo := app.Stdout
	if c.Events == "-" { // stdout holds the events: the table goes to stderr (-o json is refused in Validate)
		reportTo = app.Stderr
	}
	f, _ := output.Lookup(output.Builtin(), c.Output)
	if err := f.Write(reportTo, report, c.options(loc)); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	if sig != nil {
		return &exitError{code: sig.exitCode()}
	}
	if len(errs) > 0 || report.Input.FileErrors > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

func formatNames(fs []parsers.Format) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func loadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "Local", "local":
		return time.Local, nil
	case "UTC", "utc", "Z":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("--tz %q: %w (use an IANA zone name such as Europe/Berlin, or UTC)", name, err)
	}
	return loc, nil
}

// parseWhen reads a --since/--until value.
func parseWhen(s string, loc *time.Location, flag string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %q: not a time; use 2026-11-22, \"2026-11-22 15:04\" or RFC 3339 (2026-11-22T15:04:05+01:00)", flag, s)
}
