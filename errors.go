package bouncescan

import (
	"errors"
	"fmt"
)

// Sentinel errors. Wrap them with %w and a position; test with errors.Is.
var (
	// ErrUnparsed: a line looked like it belonged to the format but could not
	// be understood.
	ErrUnparsed = errors.New("unparsed line")
	// ErrNotMine: the line does not belong to the format at all (another
	// program's syslog line, a blank line).
	ErrNotMine = errors.New("line not in this format")
	// ErrNotice: a line the MTA wrote about itself or about a message but
	// not an outcome: a warning, error, fatal or panic message, or a
	// reject_warning (a restriction in warn-only mode). Not a problem of
	// the input: counted in the report by the ParseError's Reason (the
	// severity), never fatal with --strict.
	ErrNotice = errors.New("MTA notice")
	// ErrLineTooLong: a line was longer than the configured cap and was cut.
	ErrLineTooLong = errors.New("line too long")
	// ErrCorrupt: a compressed stream is damaged or truncated.
	ErrCorrupt = errors.New("corrupt input")
	// ErrUnknownFormat: no parser recognises a file.
	ErrUnknownFormat = errors.New("unknown log format")
)

// ParseError is a bad line: where it is, why it is bad, and the start of
// its text. Parsers return it; the pipeline counts it by Reason and, with
// --strict, stops on it.
type ParseError struct {
	Pos
	Reason string // short, stable, for counting: "bad timestamp", "truncated to= line", …
	Text   string // the start of the offending line (at most 200 bytes)
	Err    error  // ErrUnparsed, ErrLineTooLong, …
}

func (e *ParseError) Error() string {
	msg := e.Reason
	if e.Err != nil && e.Err.Error() != e.Reason {
		msg = e.Err.Error() + ": " + e.Reason
	}
	if e.Text != "" {
		return fmt.Sprintf("%s: %s: %q", e.Pos, msg, e.Text)
	}
	return fmt.Sprintf("%s: %s", e.Pos, msg)
}

// Unwrap gives the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// NewParseError builds a ParseError, keeping at most 200 bytes of the line.
func NewParseError(pos Pos, err error, reason string, line []byte) *ParseError {
	const max = 200
	if len(line) > max {
		line = line[:max]
	}
	return &ParseError{Pos: pos, Reason: reason, Text: string(line), Err: err}
}
