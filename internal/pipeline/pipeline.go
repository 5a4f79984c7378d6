// Package pipeline runs source → parser → classifier → report for a list of
// inputs: the job behind `bouncescan scan`, shared with later commands
// (tail, export). It streams: memory is bounded by the parsers' state and
// the report's limits, never by the input size.
package pipeline

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// DetectLines is how many lines of a file format detection looks at.
const DetectLines = 50

// Classifier attaches a verdict to an event.
type Classifier interface {
	Classify(e *bouncescan.Event) bouncescan.Verdict
}

// Config is what a run needs.
type Config struct {
	Formats  []parsers.Format // the registry (parsers.Builtin())
	Format   string           // "auto" (or "") or a format name
	Parser   parsekit.Options
	MaxLine  int  // line cap in bytes (0 = 1 MiB)
	Strict   bool // the first bad line or unreadable file is fatal
	Since    time.Time
	Until    time.Time
	Stdin    io.Reader
	Classify Classifier // nil: events are not classified
	// OnEvent receives every classified event inside [Since, Until); an
	// error stops the run.
	OnEvent func(e *bouncescan.Event) error
	// OnFileError is told about each file that could not be read (fully),
	// as it happens, e.g. to print it.
	OnFileError func(err error)
	// Progress, if set, is called now and then with the compressed bytes
	// read so far and the total size of all inputs (0 if unknown).
	Progress func(done, total int64)
}

// ErrStrict wraps the error that stopped a --strict run.
var ErrStrict = errors.New("strict mode")

// Run reads the inputs in order into report. It returns a non-nil error
// only when the run had to stop (strict mode, OnEvent failing); files that
// cannot be read are recorded in the report and the run goes on.
func Run(cfg Config, inputs []source.Input, report *aggregate.Report) error {
	r := &runner{cfg: cfg, report: report, parsers: map[string]parsers.Parser{}}
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	r.total = total
	r.sink = newSink(cfg, report)
	err := r.inputs(inputs)
	if serr := r.sink.close(); serr != nil {
		return serr // the sink stopped first: the reason the run ended
	}
	if err != nil {
		return err
	}
	for _, name := range r.order {
		st := r.parsers[name].Stats()
		report.Dropped.State += st.Evicted + st.Expired
		report.Input.Duplicates += st.Duplicates
	}
	return nil
}

// inputs runs the first stage: every file, then every parser's Flush.
func (r *runner) inputs(inputs []source.Input) error {
	for _, in := range inputs {
		if err := r.file(in); err != nil {
			return err
		}
	}
	for _, name := range r.order {
		r.parsers[name].Flush(r.emit)
	}
	return r.stop
}

type runner struct {
	cfg     Config
	report  *aggregate.Report
	parsers map[string]parsers.Parser
	order   []string
	cur     *aggregate.File
	sink    *sink
	done    int64 // bytes of finished files
	total   int64
	stop    error
}

func (r *runner) fileError(name string, err error) error {
	r.report.FileError(name, err)
	if r.cfg.OnFileError != nil {
		r.cfg.OnFileError(err)
	}
	if r.cfg.Strict {
		return fmt.Errorf("%w: %w", ErrStrict, err)
	}
	return nil
}

func (r *runner) parser(f parsers.Format) parsers.Parser {
	p := r.parsers[f.Name]
	if p == nil {
		p = f.New(r.cfg.Parser)
		r.parsers[f.Name] = p
		r.order = append(r.order, f.Name)
	}
	return p
}

func (r *runner) file(in source.Input) error {
	rd, err := source.Open(in, source.Options{MaxLine: r.cfg.MaxLine, Stdin: r.cfg.Stdin})
	if err != nil {
		return r.fileError(in.Name, err)
	}
	defer rd.Close()
	fs := r.report.File(in.Name)
	r.cur = fs

	head, err := rd.Head(DetectLines)
	if err != nil && len(head) == 0 {
		return r.fileError(in.Name, err)
	}
	var format parsers.Format
	if r.cfg.Format == "" || r.cfg.Format == "auto" {
		var ok bool
		format, ok = parsers.Detect(r.cfg.Formats, head)
		if !ok {
			if len(head) == 0 {
				return nil // empty file: nothing to say
			}
			if in.Found {
				// met in a directory: other logs, READMEs... are noted, not errors
				r.report.Skip(in.Name, "not a log format bouncescan reads")
				return nil
			}
			return r.fileError(in.Name, fmt.Errorf("%s: %w: no parser recognises its first lines (use --format to force one; `bouncescan formats` lists them)", in.Name, bouncescan.ErrUnknownFormat))
		}
	} else {
		var ok bool
		format, ok = parsers.Lookup(r.cfg.Formats, r.cfg.Format)
		if !ok {
			return fmt.Errorf("unknown --format %q", r.cfg.Format)
		}
	}
	fs.Format = format.Name
	p := r.parser(format)
	p.Begin(parsekit.File{Name: in.Name, ModTime: rd.ModTime(), Fingerprint: rd.Fingerprint()})

	var lines int64
	for rd.Next() {
		lines++
		if rd.Truncated() {
			fs.Truncated++
			r.report.Input.Truncated++
			if r.cfg.Strict {
				return fmt.Errorf("%w: %s: %w (longer than %d bytes; raise --max-line)", ErrStrict, rd.Pos(), bouncescan.ErrLineTooLong, r.cfg.MaxLine)
			}
		}
		if err := r.parseLine(p, rd.Line(), rd.Pos()); err != nil {
			var pe *bouncescan.ParseError
			switch {
			case errors.As(err, &pe) && errors.Is(err, bouncescan.ErrNotMine):
				r.report.Foreign(fs)
			case errors.As(err, &pe):
				r.report.Unparsed(fs, pe.Reason)
				if r.cfg.Strict {
					return fmt.Errorf("%w: %w", ErrStrict, err)
				}
			default:
				r.report.Unparsed(fs, err.Error())
				if r.cfg.Strict {
					return fmt.Errorf("%w: %s: %w", ErrStrict, rd.Pos(), err)
				}
			}
		}
		if r.stop == nil && r.sink.stopped() {
			r.stop = r.sink.err
		}
		if r.stop != nil {
			return r.stop
		}
		if r.cfg.Progress != nil && lines&0x3fff == 0 {
			r.cfg.Progress(r.done+rd.BytesRead(), r.total)
		}
	}
	fs.Lines += lines
	fs.Bytes += rd.BytesRead()
	r.report.Input.Lines += lines
	r.report.Input.Bytes += rd.BytesRead()
	r.done += rd.BytesRead()
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.done, r.total)
	}
	if err := rd.Err(); err != nil {
		return r.fileError(in.Name, err)
	}
	return nil
}

// parseLine gives one line to the parser. A panic in a parser (a bug, met
// on some hostile line) becomes an unparsed line naming file:line, so
// that one bad line never loses the rest of the run.
func (r *runner) parseLine(p parsers.Parser, line []byte, pos bouncescan.Pos) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = bouncescan.NewParseError(pos, fmt.Errorf("%w: parser failure: %v", bouncescan.ErrUnparsed, v), "parser failure (a bug: please report the line)", line)
		}
	}()
	return p.Parse(line, pos, r.emit)
}

// emit handles one event from a parser (first stage): the time window,
// the file's count, then the sink.
func (r *runner) emit(e *bouncescan.Event) {
	if r.stop != nil {
		return
	}
	if r.sink.stopped() {
		r.stop = r.sink.err
		return
	}
	if !e.Time.IsZero() && (!r.cfg.Since.IsZero() && e.Time.Before(r.cfg.Since) || !r.cfg.Until.IsZero() && !e.Time.Before(r.cfg.Until)) {
		r.report.Input.OutOfRange++
		return
	}
	if r.cur != nil && r.cur.Name == e.Source {
		r.cur.Events++
	} else {
		r.report.File(e.Source).Events++
	}
	r.sink.put(e)
}
