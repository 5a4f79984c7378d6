package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// toy is a format for tests: "T <unix seconds> <status> <rcpt>" lines; a
// line "boom" makes the parser panic, "?" is unparsed, "#" not its own.
type toy struct{ files []parsekit.File }

func (t *toy) Begin(f parsekit.File)         { t.files = append(t.files, f) }
func (t *toy) Flush(func(*bouncescan.Event)) {}
func (t *toy) Stats() parsekit.Stats         { return parsekit.Stats{Duplicates: 1} }

// Watermark: the toy joins nothing, it never holds state.
func (t *toy) Watermark() (parsekit.Mark, bool) { return parsekit.Mark{}, false }
func (t *toy) Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error {
	f := strings.Fields(string(line))
	switch {
	case len(f) == 1 && f[0] == "boom":
		panic("toy parser: boom")
	case len(f) == 1 && f[0] == "?":
		return bouncescan.NewParseError(pos, bouncescan.ErrUnparsed, "odd line", line)
	case len(f) > 0 && f[0] == "#":
		return bouncescan.NewParseError(pos, bouncescan.ErrNotMine, "not mine", line)
	case len(f) == 4 && f[0] == "T":
		sec, _ := time.Parse("2006-01-02T15:04", f[1])
		st, _ := bouncescan.ParseStatus(f[2])
		emit(&bouncescan.Event{ID: pos.String(), Time: sec, MTA: "toy", Source: pos.Source, Line: pos.Line, Status: st, Recipient: f[3], Domain: f[3][strings.IndexByte(f[3], '@')+1:]})
	}
	return nil
}

func toyFormats(p *toy) []parsers.Format {
	return []parsers.Format{{
		Name: "toy", Example: "T 2026-11-22T10:00 sent a@b",
		Detect: func(head [][]byte) int {
			for _, l := range head {
				if bytes.HasPrefix(l, []byte("T ")) {
					return 1
				}
			}
			return 0
		},
		New: func(parsekit.Options) parsers.Parser { return p },
	}}
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	a := write(t, dir, "a.log", "T 2026-11-22T10:00 sent x@one.example\nboom\n?\n# other\nT 2026-11-22T12:00 bounced y@two.example\n")
	b := write(t, dir, "b.log", "T 2026-11-22T13:00 deferred z@two.example\n")
	readme := write(t, dir, "README", "hello\n")
	p := &toy{}
	var seen []string
	rep := aggregate.New(aggregate.Limits{})
	cfg := Config{Formats: toyFormats(p), Format: "auto", Since: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC),
		Consumers: []Consumer{ReportConsumer{rep}, EventFunc(func(e *bouncescan.Event) error { seen = append(seen, e.Recipient); return nil })}}
	in := []source.Input{{Name: a, Path: a}, {Name: b, Path: b}, {Name: readme, Path: readme, Found: true}}
	if err := Run(context.Background(), cfg, in, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "y@two.example,z@two.example" {
		t.Errorf("events %v (the 10:00 one is before --since)", seen)
	}
	if rep.Events != 2 || rep.Input.OutOfRange != 1 || rep.Input.Unparsed != 2 || rep.Input.Foreign != 1 || rep.Input.Lines != 6 || rep.Input.Skipped != 1 || rep.Input.FileErrors != 0 || rep.Input.Duplicates != 1 {
		t.Errorf("input %+v, events %d", rep.Input, rep.Events)
	}
	if rep.Input.UnparsedBy["parser failure (a bug: please report the line)"] != 1 {
		t.Errorf("the panic is not an unparsed line: %v", rep.Input.UnparsedBy)
	}
	if len(p.files) != 2 || p.files[0].Fingerprint == 0 || p.files[0].ModTime.IsZero() {
		t.Errorf("Begin calls %+v", p.files)
	}

	// strict: the panic line is fatal and named
	p = &toy{}
	cfg = Config{Formats: toyFormats(p), Strict: true}
	err := Run(context.Background(), cfg, in[:1], aggregate.New(aggregate.Limits{}))
	if !errors.Is(err, ErrStrict) || !strings.Contains(err.Error(), a+":2") {
		t.Errorf("strict: %v", err)
	}

	// a named file no format recognises is a file error
	rep = aggregate.New(aggregate.Limits{})
	var fileErrs []error
	cfg = Config{Formats: toyFormats(&toy{}), OnFileError: func(err error) { fileErrs = append(fileErrs, err) }}
	if err := Run(context.Background(), cfg, []source.Input{{Name: readme, Path: readme}}, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Input.FileErrors != 1 || len(fileErrs) != 1 || !errors.Is(fileErrs[0], bouncescan.ErrUnknownFormat) {
		t.Errorf("unknown format: %+v %v", rep.Input, fileErrs)
	}

	// a consumer failing stops the run
	stop := errors.New("disk full")
	cfg = Config{Formats: toyFormats(&toy{}), Consumers: []Consumer{EventFunc(func(*bouncescan.Event) error { return stop })}}
	if err := Run(context.Background(), cfg, in[:2], aggregate.New(aggregate.Limits{})); !errors.Is(err, stop) {
		t.Errorf("consumer error: %v", err)
	}
}

// A file of blank lines, even one named explicitly, is an empty log: noted,
// not an error.
func TestBlankFile(t *testing.T) {
	p := write(t, t.TempDir(), "blank.log", "\n   \n\t\n\n")
	rep := aggregate.New(aggregate.Limits{})
	if err := Run(context.Background(), Config{Formats: toyFormats(&toy{})}, []source.Input{{Name: p, Path: p}}, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Input.FileErrors != 0 || rep.File(p).Note != "only blank lines" {
		t.Errorf("blank file: %+v %+v", rep.Input, rep.File(p))
	}
}

// Events more than a minute earlier than the one before them are counted
// per file (the log went back in time); small disorder is not.
func TestBackwards(t *testing.T) {
	p := write(t, t.TempDir(), "a.log", "T 2026-11-22T10:00 sent a@x.example\nT 2026-11-22T09:00 sent b@x.example\nT 2026-11-22T09:00 sent c@x.example\nT 2026-11-22T09:30 sent d@x.example\n")
	rep := aggregate.New(aggregate.Limits{})
	if err := Run(context.Background(), Config{Formats: toyFormats(&toy{}), Consumers: []Consumer{ReportConsumer{rep}}}, []source.Input{{Name: p, Path: p}}, rep); err != nil {
		t.Fatal(err)
	}
	if f := rep.File(p); f.Backwards != 1 || f.Events != 4 {
		t.Errorf("backwards %d, events %d; want 1, 4", f.Backwards, f.Events)
	}
}
