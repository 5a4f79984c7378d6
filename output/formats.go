package output

import (
	"io"
	"strings"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// Options are what every report format may use.
type Options = TableOptions

// Format is one report format: `scan --output NAME`.
type Format struct {
	Name  string
	Help  string
	Write func(w io.Writer, r *aggregate.Report, o Options) error
}

// Builtin lists the report formats, the first being the default. Adding a
// format is one file in this package and one entry here: the command line
// takes its names from this list.
func Builtin() []Format {
	return []Format{
		{Name: "table", Help: "aligned text for a terminal", Write: Table},
		{Name: "json", Help: "one JSON document (the Report's fields)", Write: func(w io.Writer, r *aggregate.Report, _ Options) error { return JSON(w, r) }},
	}
}

// Lookup returns the report format called name.
func Lookup(formats []Format, name string) (Format, bool) {
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// Names lists the format names, comma-separated (for flag help and enums).
func Names(formats []Format) string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return strings.Join(names, ",")
}

// Consume makes Events a pipeline consumer: each event of the batch is
// encoded at once (the batch is not kept).
func (e *Events) Consume(events []bouncescan.Event) error {
	for i := range events {
		if err := e.Write(&events[i]); err != nil {
			return err
		}
	}
	return nil
}
