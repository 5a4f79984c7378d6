// Package parsers holds the Parser interface every log format implements,
// the explicit list of built-in formats, and format detection.
package parsers

import (
	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Parser turns the lines of one log format into Events. A Parser is
// stateful (it joins the lines of one message by queue id) and is used by
// one goroutine. The same Parser sees all files of its format in time order,
// so that a message which starts in mail.log.1 and ends in mail.log is still
// joined; Begin announces each new file.
type Parser interface {
	// Begin announces the next input file (name, modification time, stable
	// fingerprint). Timestamps without a year are resolved against it.
	Begin(f parsekit.File)
	// Parse reads one line (without its line terminator). It calls emit for
	// every Event the line completes; the Event is only valid during the
	// call (copy it to keep it). It returns nil for lines it understood or
	// deliberately ignores, and a *bouncescan.ParseError wrapping
	// bouncescan.ErrUnparsed or bouncescan.ErrNotMine otherwise.
	Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error
	// Flush is called at the end of all input: the parser emits anything it
	// still holds that is an outcome on its own and frees its state.
	Flush(emit func(*bouncescan.Event))
	// Stats reports the parser's bounded-state counters.
	Stats() parsekit.Stats
	// Watermark is the Mark (File.Seq of Begin, byte offset of the line)
	// of the oldest line whose content the parser still holds in any
	// state that can influence a later event: open messages, remembered
	// deferrals, rejections kept to drop their copies in another file,
	// SMTP sessions, the header layout of the current file. ok is false
	// when it holds nothing. A restart that gives a fresh parser the same
	// Files (each with its year state restored to what it was at the
	// watermark line) and every line from the watermark on, suppressing
	// the events of the lines read before the stop, gets the same events
	// as the uninterrupted run, field by field, as long as no bounded
	// state was dropped (Stats: Evicted, Expired). It may take O(state)
	// time: call it at checkpoints, not per line.
	Watermark() (parsekit.Mark, bool)
}

// Format describes one built-in log format.
type Format struct {
	Name     string   // "postfix", "exim", …: the --format value and Event.MTA
	Variants []string // human description of the variants it reads
	Example  string   // one example line
	// Detect looks at the first lines of a file (at most 50, without
	// terminators) and says how sure it is that they are this format:
	// 0 = not mine, 1..100 = confidence.
	Detect func(lines [][]byte) int
	// New makes a parser.
	New func(opts parsekit.Options) Parser
}
