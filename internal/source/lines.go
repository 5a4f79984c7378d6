package source

import (
	"context"

	"github.com/bouncescan/bouncescan"
)

// Lines is one input read line by line, whatever it is: a file or
// standard input read to its end (Reader.Lines) or a path followed
// forever (Follower). The pipeline reads every input through it.
type Lines interface {
	// Next advances to the next line. It returns false at the end of the
	// input (never, for a Follower), when ctx is done, or on an error (Err).
	Next(ctx context.Context) bool
	// Line is the current line without its ending, valid until Next.
	Line() []byte
	// Truncated reports whether the current line was cut at the line cap.
	Truncated() bool
	// Pos locates the current line in its segment.
	Pos() bouncescan.Pos
	// NextOffset is where the line after the current one starts in the
	// current segment: what a checkpoint saves.
	NextOffset() int64
	// Segment is the content the current line belongs to: one for a file
	// read to its end; a new one (a new pointer) after each rotation or
	// truncation of a followed path.
	Segment() *Segment
	// Err is the error that ended reading (nil at a clean end).
	Err() error
	Close() error
}

// Lines makes the Reader a Lines: one segment, read to its end. The
// context of Next is not looked at (Options.Context ends waiting reads).
func (r *Reader) Lines() Lines {
	return &readerLines{r: r, seg: &Segment{Name: r.name, Identity: r.Fingerprint(), ModTime: r.modTime}}
}

type readerLines struct {
	r   *Reader
	seg *Segment
}

func (l *readerLines) Next(context.Context) bool { return l.r.Next() }
func (l *readerLines) Line() []byte              { return l.r.Line() }
func (l *readerLines) Truncated() bool           { return l.r.Truncated() }
func (l *readerLines) Pos() bouncescan.Pos       { return l.r.Pos() }
func (l *readerLines) NextOffset() int64         { return l.r.NextOffset() }
func (l *readerLines) Segment() *Segment         { return l.seg }
func (l *readerLines) Err() error                { return l.r.Err() }
func (l *readerLines) Close() error              { return l.r.Close() }

var (
	_ Lines = (*Follower)(nil)
	_ Lines = (*readerLines)(nil)
)
