package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
)

// Ranges of the flags checked before anything is read (README: When
// things go wrong).
const (
	minMaxLine = 256       // --max-line: shorter caps cut every log line
	maxMaxLine = 256 << 20 // --max-line: the reader holds one line this long
	minYear    = 1970      // --year and the years of --since/--until
	maxYear    = 9999
	maxTop     = 100000 // --top
)

// ByteSize is a size flag: plain bytes (65536, 64B) or a number with a
// unit: KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024), or
// K, M, G (powers of 1024, as GNU tools read them). Units are read without
// regard to case; a fraction is allowed (1.5MiB).
type ByteSize int64

// UnmarshalText reads a size (see ByteSize).
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := parseSize(string(text))
	if err != nil {
		return err
	}
	*b = ByteSize(n)
	return nil
}

// String prints the size as it would be given (1MiB, 4000000).
func (b ByteSize) String() string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b > 0 && int64(b)%u.mult == 0 {
			return fmt.Sprintf("%d%s", int64(b)/u.mult, u.name)
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// parseSize reads a size with an optional unit (see ByteSize).
func parseSize(text string) (int64, error) {
	s := strings.TrimSpace(text)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	bad := func() (int64, error) {
		return 0, fmt.Errorf("invalid size %q: use a positive number of bytes with an optional unit: KB, MB, GB (1000), KiB, MiB, GiB or K, M, G (1024), e.g. 4MiB", text)
	}
	if num == "" || strings.Count(num, ".") > 1 {
		return bad()
	}
	var mult float64
	switch strings.ToLower(unit) {
	case "", "b":
		mult = 1
	case "kb":
		mult = 1e3
	case "mb":
		mult = 1e6
	case "gb":
		mult = 1e9
	case "k", "kib":
		mult = 1 << 10
	case "m", "mib":
		mult = 1 << 20
	case "g", "gib":
		mult = 1 << 30
	default:
		return bad()
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 {
		return bad()
	}
	v *= mult
	if v >= math.MaxInt64/2 {
		return 0, fmt.Errorf("invalid size %q: too large", text)
	}
	if v < 1 {
		return bad()
	}
	return int64(v), nil
}

// checkMaxLine range-checks a --max-line value.
func checkMaxLine(b ByteSize) error {
	if b < minMaxLine || b > maxMaxLine {
		return fmt.Errorf("--max-line %s: use a size from %d bytes to %s (a line is held in memory whole up to the cap)", b, minMaxLine, ByteSize(maxMaxLine))
	}
	return nil
}

// Validate range-checks the input flags before anything is read (kong
// calls it for every command that embeds them).
func (f *InputFlags) Validate() error {
	if f.Year != 0 && (f.Year < minYear || f.Year > maxYear) {
		return fmt.Errorf("--year %d: use a year from %d to %d (or leave it out: the year then comes from each file's modification time)", f.Year, minYear, maxYear)
	}
	if err := checkMaxLine(f.MaxLine); err != nil {
		return err
	}
	loc, err := loadLocation(f.TZ)
	if err != nil {
		return err
	}
	since, err := checkWhen(f.Since, loc, "--since")
	if err != nil {
		return err
	}
	until, err := checkWhen(f.Until, loc, "--until")
	if err != nil {
		return err
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return fmt.Errorf("--since %s is not before --until %s: no event could be kept (the window is [since, until))", f.Since, f.Until)
	}
	return nil
}

// checkWhen parses a --since/--until value and checks its year.
func checkWhen(s string, loc *time.Location, flag string) (time.Time, error) {
	t, err := parseWhen(s, loc, flag)
	if err != nil || t.IsZero() {
		return t, err
	}
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		return t, fmt.Errorf("%s %q: use a time from %d to %d", flag, s, minYear, maxYear)
	}
	return t, nil
}

// Validate checks what the scan flags mean together.
func (c *ScanCmd) Validate() error {
	if c.Top < 1 || c.Top > maxTop {
		return fmt.Errorf("--top %d: use a number of rows from 1 to %d", c.Top, maxTop)
	}
	if c.Events == "-" && c.Output != "table" {
		return fmt.Errorf("--events - writes the events to standard output, where the -o %s report goes too: give --events a file name (--events events.ndjson), or leave out -o %s (the table report then goes to standard error)", c.Output, c.Output)
	}
	return nil
}

// expandInputs expands the command-line files. It prints each problem
// once on stderr and returns the failures (which make the run partial)
// apart from the notes (a FIFO or device met in a directory, listed as
// skipped). Under --strict the first failure is fatal before anything is
// read.
func expandInputs(app *App, files []string, strict bool) (inputs []source.Input, failures []error, skipped []error, err error) {
	inputs, errs := source.Expand(files)
	for _, e := range errs {
		if errors.Is(e, source.ErrSkipped) {
			skipped = append(skipped, e)
		} else {
			failures = append(failures, e)
		}
	}
	if strict && len(failures) > 0 {
		return nil, nil, nil, fmt.Errorf("%w: %w (nothing was read)", pipeline.ErrStrict, failures[0])
	}
	for _, e := range errs {
		fmt.Fprintf(app.Stderr, "bouncescan: %v\n", e)
	}
	if len(inputs) == 0 {
		return nil, nil, nil, fmt.Errorf("nothing to read: no argument names a file that can be read (%s)", strings.Join(quoteAll(files), ", "))
	}
	return inputs, failures, skipped, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = strconv.Quote(x)
	}
	return out
}
