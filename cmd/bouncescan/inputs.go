package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/redact"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// InputFlags are the flags of every command that reads logs through the
// pipeline (scan, export): format, time window, yearless stamps, line cap,
// strictness, progress, extra rules.
type InputFlags struct {
	Format   string   `short:"f" default:"auto" help:"Log format: auto (detect per file) or one of: ${formats}."`
	Since    string   `help:"Only events at or after this time (2026-11-22, \"2026-11-22 15:04\", RFC 3339)."`
	Until    string   `help:"Only events before this time (same forms as --since)."`
	Strict   bool     `help:"Stop at the first bad line or unreadable file, naming file:line (exit 1)."`
	Year     int      `help:"Year of the first line of each file for syslog stamps without a year (default: from the file's modification time, Dec→Jan rollover followed)."`
	TZ       string   `name:"tz" default:"Local" help:"Time zone of stamps without a zone (IANA name such as Europe/Berlin, or UTC)."`
	MaxLine  ByteSize `default:"1MiB" help:"Longer lines are cut to this size, counted and reported."`
	Progress bool     `default:"true" negatable:"" help:"Show a progress bar on stderr (only when stderr is a terminal)."`
	Rules    string   `placeholder:"FILE" help:"Extra classification rules (TOML or YAML), tried before the built-in ones; see README."`

	LimitFlags `embed:""`
}

// RedactFlags are --redact and --redact-key (scan, export).
type RedactFlags struct {
	Redact    bool   `help:"Replace the local part of every address (sender, recipient, addresses inside texts) by a keyed hash, domains kept (see README: what is redacted). Needs --redact-key or BOUNCESCAN_REDACT_KEY."`
	RedactKey string `env:"BOUNCESCAN_REDACT_KEY" placeholder:"KEY" help:"Key of the --redact hash (prefer the environment variable: arguments are visible to other users). The same key gives the same hashes, so exports stay joinable."`
}

// errNoRedactKey is the message of --redact without a key.
var errNoRedactKey = errors.New("--redact needs a key: set BOUNCESCAN_REDACT_KEY (or --redact-key); keep it secret and the same across runs so that redacted addresses still join")

// rewrite returns the pipeline's Rewrite for the flags: nil without
// --redact. With --redact, what the command prints on stderr (errors
// quoting a log line, notices) is masked the same way from then on.
func (f *RedactFlags) rewrite(app *App) (func(*bouncescan.Event), error) {
	if !f.Redact {
		return nil, nil
	}
	r, err := redact.New([]byte(f.RedactKey))
	if err != nil {
		return nil, errNoRedactKey
	}
	app.Stderr = &redactingWriter{r: r, w: app.Stderr}
	return r.Event, nil
}

// redactingWriter masks the addresses of what is written through it. The
// commands write stderr a message at a time, so an address is never cut
// between two writes.
type redactingWriter struct {
	r *redact.Redactor
	w io.Writer
}

func (w *redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(w.w, w.r.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// runInputs is what InputFlags.setup prepares: the pipeline's Config
// (without consumers), the inputs and the errors met expanding them.
type runInputs struct {
	cfg    pipeline.Config
	loc    *time.Location
	inputs []source.Input
	errs   []error
	limits aggregate.Limits // the report's, from --limit
}

// setup reads the flags, builds the classifier and expands files, as scan
// does. Errors are fatal (exit 1).
func (f *InputFlags) setup(app *App, files []string) (*runInputs, error) {
	loc, err := loadLocation(f.TZ)
	if err != nil {
		return nil, err
	}
	since, err := parseWhen(f.Since, loc, "--since")
	if err != nil {
		return nil, err
	}
	until, err := parseWhen(f.Until, loc, "--until")
	if err != nil {
		return nil, err
	}
	formats := parsers.Builtin()
	if f.Format != "auto" {
		if _, ok := parsers.Lookup(formats, f.Format); !ok {
			return nil, fmt.Errorf("unknown --format %q: use auto or one of %s", f.Format, formatNames(formats))
		}
	}
	cl, err := classify.New(classify.Options{RulesFile: f.Rules})
	if err != nil {
		return nil, err
	}
	inputs, errs := source.Expand(files)
	for _, err := range errs {
		fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("nothing to read: no file could be found among %q", files)
	}
	popts := parsekit.Options{Year: f.Year, Location: loc, Now: app.Now}
	var limits aggregate.Limits
	if err := f.apply(&popts, &limits); err != nil {
		return nil, err
	}
	cfg := pipeline.Config{
		Formats:  formats,
		Format:   f.Format,
		Parser:   popts,
		MaxLine:  int(f.MaxLine),
		Strict:   f.Strict,
		Since:    since,
		Until:    until,
		Stdin:    app.Stdin,
		Classify: cl,
		OnFileError: func(err error) {
			fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
		},
	}
	return &runInputs{cfg: cfg, loc: loc, inputs: inputs, errs: errs, limits: limits}, nil
}

// progress sets cfg.Progress to draw a bar labelled what on stderr when it
// is a terminal; the returned function ends the bar.
func (f *InputFlags) progress(app *App, cfg *pipeline.Config, what string) func() {
	if !f.Progress || !app.StderrIsTerminal {
		return func() {}
	}
	var bar *progressbar.ProgressBar
	cfg.Progress = func(done, total int64) {
		if bar == nil && total > 0 {
			bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(app.Stderr),
				progressbar.OptionSetDescription(what),
				progressbar.OptionShowBytes(true),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		if bar != nil {
			_ = bar.Set64(done)
		}
	}
	return func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}

// hostname is the exporting machine's name (for the default state file).
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}
