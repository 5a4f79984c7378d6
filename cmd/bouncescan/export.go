package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/export"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
)

// ExportCmd is `bouncescan export`.
type ExportCmd struct {
	Files []string `arg:"" name:"FILE" help:"Log files, directories, globs, or - for stdin (the same inputs as scan)."`

	To            string `required:"" placeholder:"DIR" help:"Directory of the export (created if needed): table=events/… and table=stats/…"`
	Output        string `short:"o" default:"parquet" enum:"parquet,csv,ndjson" help:"File format: parquet (zstd, dictionary-encoded), csv or ndjson. --format parquet|csv|ndjson is accepted too."`
	Partition     string `default:"day" enum:"day,hour,none" help:"Hive partitions of the events table: day (date=YYYY-MM-DD), hour (date=…/hour=HH) or none. The stats table is partitioned by day unless none."`
	PartitionHost bool   `help:"Add host=NAME below the time partition (the host that wrote the log line)."`
	State         string `placeholder:"FILE" help:"State of incremental runs: what was exported of each log content (default: DIR/_bouncescan/state-HOSTNAME.json)."`
	Full          bool   `help:"Ignore the state: export everything again (files of the same content are replaced, never duplicated)."`
	Taxonomy      bool   `help:"Add the columns sisimai4_reason and bounce_category to both tables: each reason as Sisimai 4 named it and a PowerMTA-style bounce category (README: Other taxonomies). A directory is exported with or without them, not both."`

	InputFlags  `embed:""`
	RedactFlags `embed:""`
}

// Help is shown by `bouncescan export --help` below the flags.
func (ExportCmd) Help() string {
	return `Examples:
  bouncescan export /var/log/mail.log* --to /srv/bounces              Parquet, partitioned by day
  bouncescan export --partition hour --partition-host /var/log/mail.log* --to /srv/bounces
  bouncescan export -o csv mail.log --to out/
  BOUNCESCAN_REDACT_KEY=… bouncescan export --redact /var/log/mail.log* --to /srv/bounces

Run it again (an hourly cron job) and it adds only what is new since the
last run: the state (--state, by default inside DIR) records how far each
log content was exported, whatever it is named now (mail.log → mail.log.1
→ mail.log.2.gz). Files are named by log identity and offset range and
written atomically: a re-run replaces, never duplicates.

Exit status as for scan: 0 all exported; 1 fatal (bad flags, DIR not
writable or of another layout, nothing to read); 2 exported, but some input
could not be read; 130/143 interrupted (what was read is exported).`
}

// Run exports.
func (c *ExportCmd) Run(app *App) error {
	// --format names a log format for scan; here it may also name the
	// output format, since no log format is called parquet, csv or ndjson
	if slices.Contains(export.Formats(), c.Format) {
		c.Output, c.Format = c.Format, "auto"
	}
	rewrite, err := c.rewrite(app)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	run, err := c.setup(app, c.Files)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	for _, in := range run.inputs {
		if in.Path != "" && (strings.HasPrefix(absPath(in.Path), absPath(c.To)+"/") || absPath(in.Path) == absPath(c.To)) {
			return &exitError{code: exitFailure, err: fmt.Errorf("--to %s: the input %s is inside it; export to another directory", c.To, in.Name)}
		}
	}
	opts := export.Options{Dir: c.To, Format: c.Output, Partition: c.Partition, PartitionHost: c.PartitionHost,
		Redacted: c.Redact, Version: buildVersion(), Now: app.Now}
	if c.Taxonomy {
		cl, _ := run.cfg.Classify.(*classify.Classifier)
		if cl == nil {
			return &exitError{code: exitFailure, err: errors.New("--taxonomy: no classifier")}
		}
		opts.Taxonomy = taxonomy(cl)
	}
	layout := export.LayoutOf(opts)
	if err := export.CheckDir(c.To, layout); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("--to: %w", err)}
	}
	statePath := c.State
	if statePath == "" {
		statePath = export.DefaultStatePath(c.To, hostname())
	}
	prev, err := export.LoadState(statePath)
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("--state: %w", err)}
	}
	x, err := export.New(opts)
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}

	report := aggregate.New(run.limits)
	for _, err := range run.errs {
		report.FileError(source.ErrorPath(err), err)
	}
	cfg := run.cfg
	cfg.Rewrite = rewrite
	// the report only counts what was read (the first stage fills it):
	// aggregating every event as scan does would cost a third of the time
	cfg.Consumers = []pipeline.Consumer{x}
	if !c.Full {
		cfg.Resume = prev
	}
	ctx, stop := interruptContext(app)
	defer stop()
	endBar := c.progress(app, &cfg, "exporting")
	runErr := pipeline.Run(ctx, cfg, run.inputs, report)
	endBar()
	var sig *signalError
	if runErr != nil && !errors.As(runErr, &sig) {
		x.Abort()
		return &exitError{code: exitFailure, err: fmt.Errorf("%w (nothing of this run was committed but complete files; the state is unchanged)", runErr)}
	}
	if c.Strict && len(run.errs) > 0 {
		x.Abort()
		return &exitError{code: exitFailure, err: fmt.Errorf("%w: %w", pipeline.ErrStrict, run.errs[0])}
	}
	if sum := x.Summary(); sum.Events > 0 || prev != nil || hasFiles(x.LastCheckpoint()) {
		if err := export.WriteLayout(c.To, layout); err != nil {
			x.Abort()
			return &exitError{code: exitFailure, err: err}
		}
	}
	sum, err := x.Close()
	if err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("%w (the state is unchanged: the next run writes these files again)", err)}
	}
	if sum.Events > 0 || prev != nil || hasFiles(x.LastCheckpoint()) {
		if err := export.SaveState(statePath, x.LastCheckpoint(), prev); err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("--state: %w (the data files are written; the next run writes them again)", err)}
		}
	}
	fmt.Fprintf(app.Stdout, "exported %d events from %d lines to %s: %d files written (%d replaced a file of the same rows, %d older files superseded); state %s\n",
		sum.Events, report.Input.Lines, c.To, len(sum.Files), sum.Replaced, sum.Superseded, statePath)
	if report.Input.Resumed > 0 || prev != nil && !c.Full {
		fmt.Fprintf(app.Stdout, "incremental: %d events of lines exported before were skipped\n", report.Input.Resumed)
	}
	if sum.StatsFolded > 0 || sum.RecipientsCapped > 0 {
		fmt.Fprintf(app.Stdout, "stats limits reached: %d events counted under domain %q, %d recipients not counted as distinct\n", sum.StatsFolded, export.OtherDomain, sum.RecipientsCapped)
	}
	if sig != nil {
		fmt.Fprintf(app.Stderr, "bouncescan: %v: exported what was read until then\n", sig)
		return &exitError{code: sig.exitCode()}
	}
	if len(run.errs) > 0 || report.Input.FileErrors > 0 {
		return &exitError{code: exitPartial}
	}
	return nil
}

func hasFiles(cp *pipeline.Checkpoint) bool { return cp != nil && len(cp.Files) > 0 }

// absPath is p made absolute and clean (p itself if that fails).
func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
