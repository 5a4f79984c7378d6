package pipeline

import (
	"fmt"
	"strconv"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// CheckpointVersion is the version of the Checkpoint layout.
const CheckpointVersion = 1

// Checkpoint says how far a run got, so that another run over the same
// logs (renamed, compressed, grown since) goes on exactly there: no event
// given twice to the consumers, none missing, and every event field by
// field what one uninterrupted run gives. It is plain data (JSON).
//
// A resumed run skips what every file's Offset says was delivered, except
// that each parser with open state reads again from its watermark (the
// oldest line whose content it still held) with the events of those lines
// suppressed, so that messages open at the checkpoint are joined as
// before. Files are matched by content identity, not by name.
type Checkpoint struct {
	Version int           `json:"version"`
	Files   []FileState   `json:"files"`             // every file read, in reading order
	Parsers []ParserState `json:"parsers,omitempty"` // the parsers with open state
	// Flushed: the run read its inputs to the end, and after this state
	// the parsers' Flush gave (and the consumers got) the events they still
	// held. A run resuming from it rebuilds that state from the files but
	// does not give those events again: an event a Flush gives of a line
	// before its file's Offset is suppressed, as an event of a line read
	// again is.
	Flushed bool `json:"flushed,omitempty"`
	// Stats is how the run stands when the checkpoint was taken, for
	// live metrics (not saved).
	Stats *RunStats `json:"-"`
}

// RunStats are counters of a run, taken with a checkpoint.
type RunStats struct {
	Lines    map[string]int64          // lines read, by file name
	Unparsed map[string]int64          // unparsed lines by reason
	Parsers  map[string]parsekit.Stats // per format: messages held, evictions
}

// FileState is how far one file was read.
type FileState struct {
	Name     string `json:"name"`     // as last read (informative: files are matched by Identity)
	Identity string `json:"identity"` // source identity, hex
	Format   string `json:"format,omitempty"`
	Offset   int64  `json:"offset"` // uncompressed offset of the next line: the events of all lines before it were delivered
	Lines    int64  `json:"lines"`  // lines before Offset
	// Years is the year state for yearless stamps at Offset, YearsStart at
	// the start of the file.
	Years      parsekit.YearsState `json:"years"`
	YearsStart parsekit.YearsState `json:"years_start"`
}

// ParserState is where a parser's open state begins.
type ParserState struct {
	Format   string              `json:"format"`
	Identity string              `json:"identity"` // the file of the watermark
	Offset   int64               `json:"offset"`   // the watermark line's offset in it
	Years    parsekit.YearsState `json:"years"`    // that file's year state as of that line
}

// formatIdentity writes an identity as Checkpoint keeps it.
func formatIdentity(id uint64) string { return fmt.Sprintf("%016x", id) }

// StartAt is the FileState of a content nothing of which was read yet,
// to be read from offset (a follower starting at the end of a file): a
// checkpoint of such states, written before the first line, lets a
// restart go on from the same places.
func StartAt(name string, identity uint64, offset int64) FileState {
	return FileState{Name: name, Identity: formatIdentity(identity), Offset: offset}
}

// Validate checks a checkpoint read from a file.
func (c *Checkpoint) Validate() error {
	if c.Version != CheckpointVersion {
		return fmt.Errorf("checkpoint version %d, this bouncescan reads version %d", c.Version, CheckpointVersion)
	}
	seen := map[string]bool{}
	for i, f := range c.Files {
		if _, err := strconv.ParseUint(f.Identity, 16, 64); err != nil || len(f.Identity) != 16 {
			return fmt.Errorf("checkpoint file %d (%s): bad identity %q", i+1, f.Name, f.Identity)
		}
		if f.Offset < 0 || f.Lines < 0 || f.Lines > f.Offset {
			return fmt.Errorf("checkpoint file %d (%s): bad offset %d / lines %d", i+1, f.Name, f.Offset, f.Lines)
		}
		seen[f.Identity] = true
	}
	for _, p := range c.Parsers {
		if !seen[p.Identity] || p.Offset < 0 {
			return fmt.Errorf("checkpoint parser %s: watermark in unknown file %q at %d", p.Format, p.Identity, p.Offset)
		}
	}
	return nil
}

// yearsTrack keeps a file's year states, each with the offset after which
// it holds, so that the state as of any line can be given back.
type yearsTrack struct {
	years   *parsekit.Years
	start   parsekit.YearsState
	changes uint64
	snaps   []yearsSnap
}

type yearsSnap struct {
	after int64 // the state holds for lines after this offset
	state parsekit.YearsState
}

func newYearsTrack(y *parsekit.Years) yearsTrack {
	return yearsTrack{years: y, start: y.State(), changes: y.Changes()}
}

// observe is called after the line at off: it keeps a changed state.
func (t *yearsTrack) observe(off int64) {
	if c := t.years.Changes(); c != t.changes {
		t.changes = c
		t.snaps = append(t.snaps, yearsSnap{after: off, state: t.years.State()})
	}
}

// at is the state in effect for the line at off.
func (t *yearsTrack) at(off int64) parsekit.YearsState {
	st := t.start
	for _, s := range t.snaps {
		if s.after >= off {
			break
		}
		st = s.state
	}
	return st
}

// resumePlan is what a checkpoint says about one file of the new run.
type resumePlan struct {
	format   string
	start    int64               // read from this offset (lines before are skipped unparsed)
	suppress int64               // events of lines before this offset were delivered already
	years    parsekit.YearsState // year state at start
}

// resumer answers, per file identity, where to start.
type resumer struct {
	cp      *Checkpoint
	index   map[string]int         // identity → position in cp.Files
	parsers map[string]ParserState // format → watermark
}

// flushed tells whether the checkpoint was taken with a Flush after it.
func (r *resumer) flushed() bool { return r.cp != nil && r.cp.Flushed }

func newResumer(cp *Checkpoint) *resumer {
	r := &resumer{cp: cp, index: map[string]int{}, parsers: map[string]ParserState{}}
	if cp == nil {
		return r
	}
	for i, f := range cp.Files {
		r.index[f.Identity] = i
	}
	for _, p := range cp.Parsers {
		r.parsers[p.Format] = p
	}
	return r
}

// plan says how to read the file of identity id; ok is false for a file
// the checkpoint does not know (read it whole).
func (r *resumer) plan(id string) (resumePlan, bool) {
	i, ok := r.index[id]
	if !ok {
		return resumePlan{}, false
	}
	f := r.cp.Files[i]
	p := resumePlan{format: f.Format, start: f.Offset, suppress: f.Offset, years: f.Years}
	ps, open := r.parsers[f.Format]
	if !open {
		return p, true
	}
	switch w := r.index[ps.Identity]; {
	case i < w: // before the oldest open state: nothing to read again
	case i == w:
		p.start, p.years = ps.Offset, ps.Years
	default: // after it: the parser's state needs the whole file again
		p.start, p.years = 0, f.YearsStart
	}
	return p, true
}

// Start says where a reader of the content with this identity should
// begin so that a run resumed from c loses and repeats nothing: the
// parser's watermark or the delivered offset (the run suppresses what
// was delivered). known is false for a content c does not list (read it
// whole).
func (c *Checkpoint) Start(identity uint64) (offset int64, known bool) {
	p, ok := newResumer(c).plan(formatIdentity(identity))
	return p.start, ok
}

// Delivered is the offset up to which the events of that content were
// delivered (0 when c does not know it).
func (c *Checkpoint) Delivered(identity uint64) int64 {
	id := formatIdentity(identity)
	for _, f := range c.Files {
		if f.Identity == id {
			return f.Offset
		}
	}
	return 0
}
