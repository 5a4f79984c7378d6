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
	tax aggregate.Taxonomy // --taxonomy, or nil
	te  TaxonomyEvent      // reused for each event when tax is set
}

// NewEvents makes an NDJSON event writer on w.
func NewEvents(w io.Writer) *Events {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Events{bw: bw, enc: enc}
}

// WithTaxonomy makes every event's verdict carry its reason's other names
// (sisimai4_reason, bounce_category: `--taxonomy`); without it, events are
// encoded as they are.
func (e *Events) WithTaxonomy(t aggregate.Taxonomy) *Events {
	e.tax = t
	return e
}

// Write encodes one event; the first error sticks and is returned again.
func (e *Events) Write(ev *bouncescan.Event) error {
	if e.err == nil {
		if e.tax != nil && ev.Verdict != nil {
			e.te.Set(ev, e.tax)
			e.err = e.enc.Encode(&e.te)
		} else {
			e.err = e.enc.Encode(ev)
		}
	}
	return e.err
}

// TaxonomyEvent encodes an event as bouncescan.Event does, with the
// verdict's reason also in the words of other tools: "sisimai4_reason"
// and "bounce_category" follow the verdict's own fields (omitted for a
// reason the taxonomy does not know). Set it for each event; the event is
// not copied.
type TaxonomyEvent struct {
	*bouncescan.Event
	Verdict TaxonomyVerdict `json:"verdict"` // hides Event.Verdict
}

// TaxonomyVerdict is a verdict with its reason's other names.
type TaxonomyVerdict struct {
	*bouncescan.Verdict
	Sisimai4Reason string `json:"sisimai4_reason,omitempty"`
	BounceCategory string `json:"bounce_category,omitempty"`
}

// Set points t at ev (which must have a verdict) and looks up its reason.
func (t *TaxonomyEvent) Set(ev *bouncescan.Event, tax aggregate.Taxonomy) {
	t.Event, t.Verdict.Verdict = ev, ev.Verdict
	t.Verdict.Sisimai4Reason, t.Verdict.BounceCategory = tax(ev.Verdict.Reason)
}

// Close flushes buffered events.
func (e *Events) Close() error {
	if e.err != nil {
		return e.err
	}
	return e.bw.Flush()
}
