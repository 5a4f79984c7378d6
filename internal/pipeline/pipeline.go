// Package pipeline runs source → parser → classifier → consumers: the job
// behind `bouncescan scan`, shared with the commands that follow logs and
// export them, which differ only in their inputs and their consumers. It
// streams: memory is bounded by the parsers' state and the consumers'
// limits, never by the input size.
//
// How a line flows: the first stage (the caller's goroutine) reads a line
// from a source.Reader, hands it to the parser of the file's format, and
// puts each event the parser emits into a batch (events outside
// --since/--until, and events a resumed run already delivered, are counted
// and dropped here). The second stage (the sink's goroutine) classifies
// the batch and gives it to every Consumer in order, then any checkpoint
// that travelled with it to the Checkpointers.
//
// Where state lives: the parsers hold per-message state (bounded, see
// parsekit.Table); the year of yearless syslog stamps belongs to each file
// (parsekit.Years, kept with its changes here so that a checkpoint can give
// it back as of any line); what was read and how far is the runner's
// (files, marks), and becomes a Checkpoint on request and at the end.
package pipeline

import (
	"bytes"
	"context"
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

// DetectMoreLines is how far detection reads when DetectLines lines are
// claimed by no format (at most 1 MiB, see source.Reader.Head).
const DetectMoreLines = 1000

// pollEvery is how many lines pass between looks at the context and at
// checkpoint requests.
const pollEvery = 256

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
	// Rewrite, if set, is applied to every event after classification and
	// before the consumers (e.g. redaction: it may change the event and
	// its verdict in place).
	Rewrite func(e *bouncescan.Event)
	// Consumers receive every classified event inside [Since, Until), in
	// input order (see Consumer); an error from one stops the run.
	Consumers []Consumer
	// Resume, if set, is the checkpoint of an earlier run over these logs:
	// the run goes on where that one stopped (see Checkpoint).
	Resume *Checkpoint
	// CheckpointNow, if set, asks for a checkpoint: one is taken at the next
	// line boundary after a value arrives (within pollEvery lines) and
	// handed to the Checkpointers. One is always taken at the end of a run.
	CheckpointNow <-chan struct{}
	// OnFileError is told about each file that could not be read (fully),
	// as it happens, e.g. to print it.
	OnFileError func(err error)
	// Progress, if set, is called now and then with the compressed bytes
	// read so far and the total size of all inputs (0 if unknown).
	Progress func(done, total int64)
}

// ErrStrict wraps the error that stopped a --strict run.
var ErrStrict = errors.New("strict mode")

// ErrInterrupted is returned when the context ended the run: what was read
// until then has been given to the consumers, and the report is marked
// partial.
var ErrInterrupted = errors.New("interrupted")

// Run reads the inputs in order into report and the consumers. It returns
// a non-nil error only when the run had to stop (strict mode, a consumer
// failing, the context done: ErrInterrupted); files that cannot be read
// are recorded in the report and the run goes on.
func Run(ctx context.Context, cfg Config, inputs []source.Input, report *aggregate.Report) error {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &runner{ctx: ctx, cfg: cfg, report: report, parsers: map[string]parsers.Parser{},
		resume: newResumer(cfg.Resume), bySeq: map[int]*fileRun{}, byIdentity: map[uint64]*fileRun{}}
	for _, in := range inputs {
		r.total += in.Size
	}
	r.sink = newSink(cfg)
	err := r.inputs(inputs)
	if serr := r.sink.close(); serr != nil {
		return serr // the sink stopped first: the reason the run ended
	}
	for _, name := range r.order {
		st := r.parsers[name].Stats()
		report.Dropped.State += st.Evicted + st.Expired
		report.Dropped.Rewound += st.Rewound
		report.Input.Duplicates += st.Duplicates
	}
	if errors.Is(err, ErrInterrupted) {
		report.Partial = "interrupted: the report holds what was read until then"
	}
	return err
}

// inputs runs the first stage: every file, a last checkpoint, then every
// parser's Flush.
func (r *runner) inputs(inputs []source.Input) error {
	for _, in := range inputs {
		if err := r.file(in); err != nil {
			if errors.Is(err, ErrInterrupted) {
				r.sink.checkpoint(r.checkpoint())
			}
			return err
		}
	}
	// the last checkpoint holds the state before Flush (so that a later
	// run, over the grown files, rebuilds it) and goes to the consumers
	// after Flush's events, marked as having given them
	cp := r.checkpoint()
	r.line = nil // Flush's events are of no line being read
	for _, name := range r.order {
		r.parsers[name].Flush(r.emit)
	}
	cp.Flushed = true
	r.sink.checkpoint(cp)
	return r.stop
}

type runner struct {
	// flushedUpTo: by file name, the offset before which every event was
	// given by the flushed run this one resumes (see noteSuppress)
	flushedUpTo map[string]int64
	ctx         context.Context
	cfg         Config
	report      *aggregate.Report
	parsers     map[string]parsers.Parser
	order       []string
	cur         *aggregate.File
	sink        *sink
	done        int64 // bytes of finished files
	total       int64
	stop        error

	resume     *resumer
	files      []*fileRun // read in this run, in reading order
	bySeq      map[int]*fileRun
	byIdentity map[uint64]*fileRun
	line       *fileRun // the file of the line being parsed
	lineOff    int64    // its offset
	// keepFiles bounds the files a checkpoint lists (Follow; 0: all)
	keepFiles int
	seqs      int // Seq of the next file
	// emitFn is r.emit, bound once: a method value made per line would be
	// allocated per line (it escapes into the Parser interface call)
	emitFn func(*bouncescan.Event)
}

// newSeq numbers the next file read (never reused, also when old files
// are forgotten).
func (r *runner) newSeq() int {
	r.seqs++
	return r.seqs - 1
}

// fileRun is what the runner knows of one file content (identity) read in
// this run.
type fileRun struct {
	seq      int
	name     string
	input    source.Input
	identity uint64
	format   string
	years    yearsTrack
	next     int64     // offset of the next line
	lines    int64     // lines before next
	suppress int64     // events of lines before this were delivered by an earlier run
	skip     int64     // lines before this were read already in this run (a followed file truncated to its own start): not parsed again
	last     time.Time // time of the last event, to see the log go back in time
}

// backwardsTolerance is how far back an event's time may be from the one
// before it before the file is said to go back in time (processes write
// syslog lines slightly out of order).
const backwardsTolerance = time.Minute

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

// interrupted reports whether the context ended the run.
func (r *runner) interrupted() error {
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(r.ctx))
	}
	return nil
}

func (r *runner) file(in source.Input) error {
	if err := r.interrupted(); err != nil {
		return err
	}
	rd, err := source.Open(in, source.Options{MaxLine: r.cfg.MaxLine, Stdin: r.cfg.Stdin, Context: r.ctx})
	if err != nil {
		return r.fileError(in.Name, err)
	}
	defer rd.Close()
	fs := r.report.File(in.Name)
	r.cur = fs

	head, err := rd.Head(DetectLines)
	if err != nil && len(head) == 0 {
		if ierr := r.interrupted(); ierr != nil {
			return ierr
		}
		return r.fileError(in.Name, err)
	}
	identity := rd.Fingerprint()
	plan, resumed := r.resume.plan(formatIdentity(identity))
	format, err := r.format(head, plan, resumed)
	if err != nil {
		return err
	}
	if format.New == nil && len(head) >= DetectLines {
		// a full head that no format claims may still be a log that
		// begins inside a long block of other lines (an Exim rejectlog
		// rotated in a header dump): look further before giving up
		if more, _ := rd.Head(DetectMoreLines); len(more) > len(head) {
			if format, err = r.format(more, plan, resumed); err != nil {
				return err
			}
			head = more
		}
	}
	if format.New == nil {
		if blank(head) {
			if len(head) > 0 {
				r.report.Note(in.Name, "only blank lines")
			}
			return nil // empty file: nothing to say
		}
		if in.Found {
			// met in a directory: other logs, READMEs... are noted, not errors
			r.report.Skip(in.Name, "not a log format bouncescan reads")
			return nil
		}
		return r.fileError(in.Name, fmt.Errorf("%s: %w: no parser recognises its first lines (use --format to force one; `bouncescan formats` lists them)", in.Name, bouncescan.ErrUnknownFormat))
	}
	fs.Format = format.Name
	p := r.parser(format)

	fr, skip, err := r.begin(in, rd, identity, format, plan, resumed)
	if err != nil || skip {
		return err
	}
	p.Begin(parsekit.File{Name: in.Name, ModTime: rd.ModTime(), Fingerprint: fr.identity, Seq: fr.seq, Years: fr.years.years})
	src := rd.Lines()
	if !in.Stdin {
		// reading on a goroutine of its own (a read of standard input
		// may block until input comes: it is read in line)
		src = source.Prefetch(src)
		defer src.Close() // before rd.Close: stops the goroutine reading rd
	}
	err = r.lines(src, fs, fr, p, func() int64 { return r.done + rd.BytesRead() })
	fs.Bytes += rd.BytesRead()
	r.report.Input.Bytes += rd.BytesRead()
	r.done += rd.BytesRead()
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.done, r.total)
	}
	return err
}

// blank reports whether lines (a file's head) hold nothing but white space.
func blank(lines [][]byte) bool {
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) > 0 {
			return false
		}
	}
	return true
}

// format chooses the parser of a file from its first lines: the one the
// checkpoint names, the one --format names, or the one detection picks.
// A zero Format (nil New) means that none recognises the lines.
func (r *runner) format(head [][]byte, plan resumePlan, resumed bool) (parsers.Format, error) {
	name := r.cfg.Format
	if resumed && plan.format != "" {
		name = plan.format
	}
	if name == "" || name == "auto" {
		f, _ := parsers.Detect(r.cfg.Formats, head)
		return f, nil
	}
	f, ok := parsers.Lookup(r.cfg.Formats, name)
	if !ok {
		return f, fmt.Errorf("unknown format %q (the checkpoint or --format names it; `bouncescan formats` lists them)", name)
	}
	return f, nil
}

// begin finds the fileRun of a file: a new one, the one of an identical
// copy read earlier in this run (whose lines are then skipped: skip tells
// that nothing is left), or one a checkpoint knows.
func (r *runner) begin(in source.Input, rd *source.Reader, identity uint64, format parsers.Format, plan resumePlan, resumed bool) (fr *fileRun, skip bool, err error) {
	if prev := r.byIdentity[identity]; prev != nil {
		same, err := source.SamePrefix(prev.input, in, prev.next, source.Options{MaxLine: r.cfg.MaxLine})
		if err != nil {
			return nil, false, r.fileError(in.Name, err)
		}
		if same {
			return r.copyOf(prev, in, rd, format)
		}
		// the same beginning, other content: it needs an identity of its own
		for r.byIdentity[identity] != nil {
			identity = identity*0x100000001b3 ^ 0x9e3779b97f4a7c15
		}
		r.report.Note(in.Name, fmt.Sprintf("begins like %s but differs later: its events get identity %016x", prev.name, identity))
	}
	years := parsekit.NewYears(r.cfg.Parser.Year, r.yearRef(rd, in.Name))
	fr = &fileRun{seq: r.newSeq(), name: in.Name, input: in, identity: identity, format: format.Name}
	if resumed {
		if plan.years != (parsekit.YearsState{}) { // a checkpoint made before reading knows none
			years.Restore(plan.years)
		}
		fr.suppress = plan.suppress
		r.noteSuppress(fr)
		// the lines before start were read by the earlier run
		for rd.NextOffset() < plan.start && rd.Next() {
		}
		if rd.NextOffset() != plan.start {
			return nil, true, r.fileError(in.Name, fmt.Errorf("%s: %w: the checkpoint says a line starts at byte %d, but the file ends or has no line there (changed under the checkpoint?); not read (remove the checkpoint to read it whole)", in.Name, bouncescan.ErrCorrupt, plan.start))
		}
		fr.next, fr.lines = rd.NextOffset(), rd.Pos().Line
	}
	fr.years = newYearsTrack(years)
	r.files = append(r.files, fr)
	r.bySeq[fr.seq] = fr
	r.byIdentity[identity] = fr
	return fr, false, nil
}

// copyOf handles a file whose lines up to prev.next are those of a file
// read earlier in the run (mail.log and an identical mail.info, a copy):
// they are skipped, their events counted as duplicates across files, and
// what comes after them is read as the continuation of prev.
func (r *runner) copyOf(prev *fileRun, in source.Input, rd *source.Reader, format parsers.Format) (*fileRun, bool, error) {
	counter := format.New(r.cfg.Parser)
	counter.Begin(parsekit.File{Name: in.Name, Fingerprint: prev.identity, Years: parsekit.NewYears(r.cfg.Parser.Year, r.yearRef(rd, in.Name))})
	var dups int64
	count := func(*bouncescan.Event) { dups++ }
	var lines int64
	for rd.NextOffset() < prev.next && rd.Next() {
		lines++
		_ = counter.Parse(rd.Line(), rd.Pos(), count)
	}
	r.report.Input.Duplicates += dups
	f := r.report.File(in.Name)
	f.Lines += lines
	f.Duplicates += dups
	f.CopyOf = prev.name
	r.report.Input.Lines += lines
	if err := rd.Err(); err != nil {
		return nil, true, r.fileError(in.Name, err)
	}
	prev.input, prev.name = in, in.Name
	return prev, false, nil
}

// yearRef is the reference time of a file's yearless stamps. A
// modification time before 1990 or more than a day ahead of the clock
// says nothing of the stamps' year: the clock is used and the report says
// so (unless --year gives the year).
func (r *runner) yearRef(rd *source.Reader, name string) time.Time {
	if raw := rd.RawModTime(); !raw.IsZero() && r.cfg.Parser.Year == 0 {
		now := r.timeRef(time.Time{})
		if !parsekit.PlausibleRef(raw, now) {
			r.report.Note(name, parsekit.RefNote(raw, now))
			return now
		}
	}
	return r.timeRef(rd.ModTime())
}

// timeRef is the reference time of yearless stamps: the file's
// modification time, or the clock.
func (r *runner) timeRef(ref time.Time) time.Time {
	if ref.IsZero() {
		if r.cfg.Parser.Now != nil {
			ref = r.cfg.Parser.Now()
		} else {
			ref = time.Now()
		}
	}
	loc := r.cfg.Parser.Location
	if loc == nil {
		loc = time.Local
	}
	return ref.In(loc)
}

// lines parses the rest of a source. A followed source starts a new
// segment at each rotation or truncation: a new file content, begun with
// the parser like a new file. done, if set, gives the bytes read so far
// for the progress bar.
func (r *runner) lines(src source.Lines, fs *aggregate.File, fr *fileRun, p parsers.Parser, done func() int64) error {
	var lines int64
	seg := src.Segment()
	for src.Next(r.ctx) {
		lines++
		fs.Lines++
		r.report.Input.Lines++
		if s := src.Segment(); s != seg {
			seg = s
			fr = r.segment(s, fr.format)
			p.Begin(parsekit.File{Name: s.Name, ModTime: s.ModTime, Fingerprint: fr.identity, Seq: fr.seq, Years: fr.years.years})
		}
		if err := r.handle(fs, fr, p, src.Line(), src.Truncated(), src.Pos(), src.NextOffset()); err != nil {
			return err
		}
		if lines%pollEvery == 0 {
			if err := r.poll(); err != nil {
				return err
			}
			if done != nil && r.cfg.Progress != nil && lines&0x3fff == 0 {
				r.cfg.Progress(done(), r.total)
			}
		}
		if r.stop == nil && r.sink.stopped() {
			r.stop = r.sink.err
		}
		if r.stop != nil {
			return r.stop
		}
	}
	if ierr := r.interrupted(); ierr != nil {
		return ierr
	}
	if err := src.Err(); err != nil {
		return r.fileError(fs.Name, err)
	}
	return nil
}

// handle parses one line of fr (first stage): the work per line, for
// files read to their end and followed ones alike.
func (r *runner) handle(fs *aggregate.File, fr *fileRun, p parsers.Parser, line []byte, truncated bool, pos bouncescan.Pos, next int64) error {
	if pos.Offset < fr.skip {
		r.report.Input.Repeated++
		return nil
	}
	if truncated {
		fs.Truncated++
		r.report.Input.Truncated++
		if r.cfg.Strict {
			return fmt.Errorf("%w: %s: %w (longer than %d bytes; raise --max-line)", ErrStrict, pos, bouncescan.ErrLineTooLong, r.cfg.MaxLine)
		}
	}
	r.line, r.lineOff = fr, pos.Offset
	if err := r.parseLine(p, line, pos); err != nil {
		if err := r.badLine(fs, pos, err); err != nil {
			return err
		}
	}
	fr.years.observe(pos.Offset)
	fr.next, fr.lines = next, pos.Line
	return nil
}

// segment starts the fileRun of a new content of a followed source.
func (r *runner) segment(s *source.Segment, format string) *fileRun {
	years := parsekit.NewYears(r.cfg.Parser.Year, r.timeRef(s.ModTime))
	fr := &fileRun{seq: r.newSeq(), name: s.Name, identity: s.Identity, format: format}
	if prev := r.byIdentity[s.Identity]; prev != nil {
		// the same content again (truncated, then written with the same
		// first lines): what was read of it is not read twice
		fr.skip = prev.next
	}
	if plan, ok := r.resume.plan(formatIdentity(s.Identity)); ok {
		// the caller started the follower where the plan says
		if plan.years != (parsekit.YearsState{}) { // a checkpoint made before reading knows none
			years.Restore(plan.years)
		}
		fr.suppress = plan.suppress
		r.noteSuppress(fr)
	}
	fr.years = newYearsTrack(years)
	r.files = append(r.files, fr)
	r.bySeq[fr.seq] = fr
	r.byIdentity[fr.identity] = fr
	return fr
}

// poll looks at the context and at checkpoint requests.
func (r *runner) poll() error {
	if err := r.interrupted(); err != nil {
		return err
	}
	if r.cfg.CheckpointNow != nil {
		select {
		case <-r.cfg.CheckpointNow:
			r.sink.checkpoint(r.checkpoint())
		default:
		}
	}
	return nil
}

// badLine counts a line the parser refused; with --strict it is fatal.
func (r *runner) badLine(fs *aggregate.File, pos bouncescan.Pos, err error) error {
	var pe *bouncescan.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(err, bouncescan.ErrNotMine):
		r.report.Foreign(fs)
	case errors.As(err, &pe) && errors.Is(err, bouncescan.ErrNotice):
		r.report.Notice(pe.Reason, pe.Text)
	case errors.As(err, &pe):
		r.report.UnparsedLine(fs, pe.Reason, pos, unparsedText(pe.Text, r.cfg.Rewrite != nil))
		if r.cfg.Strict {
			return fmt.Errorf("%w: %w", ErrStrict, err)
		}
	default:
		r.report.UnparsedLine(fs, err.Error(), pos, "")
		if r.cfg.Strict {
			return fmt.Errorf("%w: %s: %w", ErrStrict, pos, err)
		}
	}
	return nil
}

// unparsedText is the text of an unparsed line shown in the report: none
// when events are rewritten (--redact), as the line is not.
func unparsedText(text string, redacted bool) string {
	if redacted {
		return "(line not shown: --redact)"
	}
	return text
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
	if r.emitFn == nil {
		r.emitFn = r.emit
	}
	return p.Parse(line, pos, r.emitFn)
}

// emit handles one event from a parser (first stage): events an earlier
// run delivered, the time window, the file's count, then the sink.
func (r *runner) emit(e *bouncescan.Event) {
	if r.stop != nil {
		return
	}
	if r.sink.stopped() {
		r.stop = r.sink.err
		return
	}
	if r.line != nil && r.lineOff < r.line.suppress {
		r.report.Input.Resumed++
		return
	}
	if r.flushedUpTo != nil && e.Offset < r.flushedUpTo[e.Source] { // only when resuming a flushed run
		r.report.Input.Resumed++
		return
	}
	if !e.Time.IsZero() && (!r.cfg.Since.IsZero() && e.Time.Before(r.cfg.Since) || !r.cfg.Until.IsZero() && !e.Time.Before(r.cfg.Until)) {
		r.report.Input.OutOfRange++
		return
	}
	fs := r.cur
	if fs == nil || fs.Name != e.Source {
		fs = r.report.File(e.Source)
	}
	fs.Events++
	if r.line != nil && !e.Time.IsZero() {
		if !r.line.last.IsZero() && e.Time.Before(r.line.last.Add(-backwardsTolerance)) {
			fs.Backwards++
		}
		r.line.last = e.Time
	}
	r.sink.put(e)
}

// checkpoint describes the run at the current line boundary (first stage).
// noteSuppress remembers, when the run resumes from a flushed checkpoint,
// up to where fr's events were given: every event of a line before that
// was given by the earlier run, while it read the line or by its Flush —
// also one that the parser gives again now while it reads a later line
// (a held Exchange SEND that a DELIVER appended since continues).
func (r *runner) noteSuppress(fr *fileRun) {
	if !r.resume.flushed() || fr.suppress <= 0 {
		return
	}
	if r.flushedUpTo == nil {
		r.flushedUpTo = map[string]int64{}
	}
	r.flushedUpTo[fr.name] = fr.suppress
}

func (r *runner) checkpoint() *Checkpoint {
	cp := &Checkpoint{Version: CheckpointVersion}
	cp.Stats = &RunStats{Lines: make(map[string]int64, len(r.report.Files)), Unparsed: make(map[string]int64, len(r.report.Input.UnparsedBy)), Parsers: map[string]parsekit.Stats{}}
	for _, f := range r.report.Files {
		cp.Stats.Lines[f.Name] += f.Lines
	}
	for k, v := range r.report.Input.UnparsedBy {
		cp.Stats.Unparsed[k] = v
	}
	needed := map[int]bool{} // files of a watermark
	for _, name := range r.order {
		cp.Stats.Parsers[name] = r.parsers[name].Stats()
		m, ok := r.parsers[name].Watermark()
		if !ok {
			continue
		}
		f := r.bySeq[m.Seq]
		if f == nil {
			continue
		}
		needed[f.seq] = true
		cp.Parsers = append(cp.Parsers, ParserState{Format: name, Identity: formatIdentity(f.identity), Offset: m.Offset, Years: f.years.at(m.Offset)})
	}
	r.forget(needed)
	read := map[string]bool{}
	for _, f := range r.files {
		read[formatIdentity(f.identity)] = true
	}
	if r.cfg.Resume != nil {
		carried := r.cfg.Resume.Files
		if r.keepFiles > 0 && len(carried) > r.keepFiles {
			carried = carried[len(carried)-r.keepFiles:]
		}
		for _, f := range carried {
			if !read[f.Identity] {
				cp.Files = append(cp.Files, f)
			}
		}
	}
	for _, f := range r.files {
		cp.Files = append(cp.Files, FileState{Name: f.name, Identity: formatIdentity(f.identity), Format: f.format,
			Offset: f.next, Lines: f.lines, Years: f.years.years.State(), YearsStart: f.years.start})
	}
	return cp
}

// forget drops, in a run that follows files for months, the oldest
// contents read beyond keepFiles that no parser state needs: a rotated
// generation is not read again after a restart unless the checkpoint names
// it (or it was written after the checkpoint), so what is forgotten is
// only what will not be needed. Run (scan, export) keeps every file: an
// incremental export must recognise every file it exported.
func (r *runner) forget(needed map[int]bool) {
	if r.keepFiles <= 0 || len(r.files) <= r.keepFiles {
		return
	}
	cut := len(r.files) - r.keepFiles
	kept := r.files[:0]
	for i, f := range r.files {
		if i >= cut || needed[f.seq] {
			kept = append(kept, f)
			continue
		}
		delete(r.bySeq, f.seq)
		if r.byIdentity[f.identity] == f {
			delete(r.byIdentity, f.identity)
		}
	}
	clear(r.files[len(kept):])
	r.files = kept
}
