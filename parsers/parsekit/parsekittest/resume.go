package parsekittest

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// ResumeResult is what ResumeCheck tried.
type ResumeResult struct {
	Lines       int // lines of all files
	Positions   int // stop positions tried
	Events      int // events compared, all positions together
	Differences int // events that differed (missing, extra or another field)
}

// resumeLine is one line of a ResumeCheck run.
type resumeLine struct {
	file  int
	text  []byte
	pos   bouncescan.Pos
	years parsekit.YearsState // the file's year state before the line
}

// resumeEvent is an event with the global index of the line that emitted
// it (len(lines) for Flush).
type resumeEvent struct {
	at int
	ev bouncescan.Event
}

// resumeRef is the year reference of ResumeCheck's files: a fixed time,
// so that runs do not depend on modification times.
func resumeRef() time.Time { return time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC) }

// ResumeCheck checks a parser's Watermark: it reads files (in order, as
// one run: Seq 0, 1, …, a fixed distinct fingerprint per file, each with
// its own year state from parsekit.NewYears(0, a fixed time)) with one
// parser, then for positions distinct stop positions (seeded, the same
// on every run; every line when there are fewer) it stops after that line, takes
// the watermark, and resumes the way a restart would: a fresh parser gets
// the same Files from the watermark's file on, each with its year state
// restored to what it was at the watermark line, and every line from the
// watermark on; the events of lines up to the stop are suppressed (they
// were delivered). What it emits from there on, Flush included, must be
// the events of the uninterrupted run, field by field. A watermark that
// names no line of the run, or a line after the stop, is an error.
func ResumeCheck(t *testing.T, newParser func() Parser, files []string, positions int) ResumeResult {
	t.Helper()
	var lines []resumeLine
	starts := map[parsekit.Mark]int{} // line start → global index
	first := make([]int, len(files))  // first global index of each file
	for i, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		first[i] = len(lines)
		base := filepath.Base(name)
		var off int64
		for n := int64(1); len(data) > 0; n++ {
			text := data
			adv := len(data)
			if j := bytes.IndexByte(data, '\n'); j >= 0 {
				text, adv = data[:j], j+1
			}
			text = bytes.TrimSuffix(text, []byte("\r"))
			starts[parsekit.Mark{Seq: i, Offset: off}] = len(lines)
			lines = append(lines, resumeLine{file: i, text: text, pos: bouncescan.Pos{Source: base, Line: n, Offset: off}})
			off += int64(adv)
			data = data[adv:]
		}
	}
	fileOf := func(i int, years *parsekit.Years) parsekit.File {
		return parsekit.File{Name: filepath.Base(files[i]), Seq: i, Fingerprint: 0x5eed0000 + uint64(i), Years: years}
	}

	// the uninterrupted run, with the watermark after every line
	p := newParser()
	var all []resumeEvent
	wm := make([]int, len(lines)) // global index to resume from after line k
	var years *parsekit.Years
	for k := range lines {
		l := &lines[k]
		if k == first[l.file] {
			years = parsekit.NewYears(0, resumeRef())
			p.Begin(fileOf(l.file, years))
		}
		l.years = years.State()
		_ = p.Parse(l.text, l.pos, func(e *bouncescan.Event) { all = append(all, resumeEvent{k, *e}) })
		m, ok := p.Watermark()
		switch g, known := starts[m]; {
		case !ok:
			wm[k] = k + 1
		case !known:
			t.Fatalf("after %s: watermark %+v names no line", l.pos, m)
		case g > k:
			t.Fatalf("after %s: watermark %+v is in the future", l.pos, m)
		default:
			wm[k] = g
		}
	}
	p.Flush(func(e *bouncescan.Event) { all = append(all, resumeEvent{len(lines), *e}) })

	res := ResumeResult{Lines: len(lines)}
	stops := make([]int, 0, positions)
	if len(lines) <= positions {
		for k := range lines {
			stops = append(stops, k)
		}
	} else {
		rnd := rand.New(rand.NewPCG(9, uint64(len(lines))))
		stops = append(stops, rnd.Perm(len(lines))[:positions]...)
	}
	for _, k := range stops {
		res.Positions++
		from := wm[k]
		var want []bouncescan.Event
		for _, e := range all {
			if e.at > k {
				want = append(want, e.ev)
			}
		}
		q := newParser()
		var got []bouncescan.Event
		emit := func(at int) func(*bouncescan.Event) {
			return func(e *bouncescan.Event) {
				if at > k {
					got = append(got, *e)
				}
			}
		}
		for g := from; g < len(lines); g++ {
			l := &lines[g]
			if g == from || g == first[l.file] {
				y := parsekit.NewYears(0, resumeRef())
				y.Restore(l.years)
				q.Begin(fileOf(l.file, y))
			}
			_ = q.Parse(l.text, l.pos, emit(g))
		}
		q.Flush(emit(len(lines)))
		res.Events += len(want)
		if diff := cmp.Diff(want, got); diff != "" {
			n := 0
			for i := 0; i < max(len(want), len(got)); i++ {
				if i >= len(want) || i >= len(got) || !cmp.Equal(want[i], got[i]) {
					n++
				}
			}
			res.Differences += n
			stop := lines[k].pos
			t.Errorf("stopped after %s, resumed from line %d (%s): %d events differ (-uninterrupted +resumed):\n%s",
				stop, from, lineName(lines, from), n, diff)
		}
	}
	return res
}

func lineName(lines []resumeLine, g int) string {
	if g >= len(lines) {
		return "end"
	}
	return lines[g].pos.String()
}

// ResumeSet is one run of ResumeCheck: files read in order by one parser.
// Files of a Shared set are relative to ../shared (see Shared); the set is
// skipped when it is absent. Other files are relative to the test's
// package.
type ResumeSet struct {
	Name   string
	Shared bool
	Files  []string
}

// Resume runs ResumeCheck with 20 stop positions for every set (one
// subtest each) and logs the figures of each set and their total.
// BOUNCESCAN_RESUME_POSITIONS=N tries N positions instead (a large N:
// every line).
func Resume(t *testing.T, newParser func() Parser, sets []ResumeSet) ResumeResult {
	t.Helper()
	positions := 20
	if n, err := strconv.Atoi(os.Getenv("BOUNCESCAN_RESUME_POSITIONS")); err == nil && n > 0 {
		positions = n
	}
	var total ResumeResult
	for _, s := range sets {
		t.Run(s.Name, func(t *testing.T) {
			files := s.Files
			if s.Shared {
				files = make([]string, len(s.Files))
				for i, f := range s.Files {
					files[i] = Shared(t, f)
				}
			}
			r := ResumeCheck(t, newParser, files, positions)
			t.Logf("%d lines: %d positions tried, %d events compared, %d differences", r.Lines, r.Positions, r.Events, r.Differences)
			total.Lines += r.Lines
			total.Positions += r.Positions
			total.Events += r.Events
			total.Differences += r.Differences
		})
	}
	t.Logf("resume total: %d positions tried, %d events compared, %d differences", total.Positions, total.Events, total.Differences)
	return total
}
