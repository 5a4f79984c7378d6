package output

import (
	"io"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// Options are what every report format may use.
type Options struct {
	Top   int            // rows per breakdown (0 = 10)
	Width int            // line width of the table (0 = 100)
	Loc   *time.Location // for times (nil = UTC)
	Wide  bool           // table: full diagnostic texts, not cut to the width
	// Bucket is the time series' bucket (0: chosen for about 24 rows in the
	// table, 60 in HTML).
	Bucket time.Duration
	// Table is the CSV table to write (see CSVTables; "" = the groups of
	// --group-by, else the recipient domains).
	Table string
}

// TableOptions is the former name of Options.
type TableOptions = Options

func (o Options) defaults() Options {
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Width <= 0 {
		o.Width = 100
	}
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	return o
}

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
		{Name: "json", Help: "one JSON document (the Report's fields: everything, mergeable)", Write: func(w io.Writer, r *aggregate.Report, _ Options) error { return JSON(w, r) }},
		{Name: "csv", Help: "one table as CSV (--table NAME)", Write: CSV},
		{Name: "html", Help: "one self-contained HTML page with charts", Write: HTML},
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
