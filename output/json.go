package output

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// JSON writes the report as one indented JSON document.
func JSON(w io.Writer, r *aggregate.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Events writes events as NDJSON: one JSON object per line, flushed by
// Close. Not safe for concurrent use.
type Events struct {
	bw  *bufio.Writer
	enc *json.Encoder
	err error
}

// NewEvents makes an NDJSON event writer on w.
func NewEvents(w io.Writer) *Events {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Events{bw: bw, enc: enc}
}

// Write encodes one event; the first error sticks and is returned again.
func (e *Events) Write(ev *bouncescan.Event) error {
	if e.err == nil {
		e.err = e.enc.Encode(ev)
	}
	return e.err
}

// Close flushes buffered events.
func (e *Events) Close() error {
	if e.err != nil {
		return e.err
	}
	return e.bw.Flush()
}
