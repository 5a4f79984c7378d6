package source

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// seen is what a Lines gives: every line with all it tells of it, then
// its error and where it ended.
type seen struct {
	lines []string
	err   error
	end   bouncescan.Pos
	next  int64
}

func drainLines(t *testing.T, l Lines, stopAfter int) seen {
	t.Helper()
	var s seen
	for l.Next(context.Background()) {
		s.lines = append(s.lines, fmt.Sprintf("%q trunc=%v pos=%+v next=%d", l.Line(), l.Truncated(), l.Pos(), l.NextOffset()))
		if len(s.lines) == stopAfter {
			break
		}
	}
	s.err, s.end, s.next = l.Err(), l.Pos(), l.NextOffset()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Prefetch gives exactly what the Reader gives: the same lines, cut
// flags, positions, next offsets and errors, on plain, compressed,
// damaged, CR-only and long-line inputs, and on inputs bigger than a batch.
func TestPrefetchLikeReader(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	var big strings.Builder
	for i := 0; i < 30000; i++ {
		n := rng.IntN(200)
		if i%5000 == 0 {
			n = 3000 // longer than --max-line below: cut
		}
		fmt.Fprintf(&big, "%d %s\n", i, strings.Repeat("x", n))
	}
	many := strings.Repeat("Nov 22 03:14:15 mx postfix/smtp[1]: ABC: to=<a@b.example>, status=sent\n", 20000)
	gz := gzipBytes(t, many)
	files := map[string][]byte{
		"big.log":     []byte(big.String()),
		"many.log.gz": gz,
		"cut.log.gz":  gz[:len(gz)/2],
		"cr.log":      []byte("one\rtwo\rthree"),
		"empty.log":   nil,
		"one.log":     []byte("no newline at the end"),
	}
	for name, data := range files {
		p := writeFile(t, dir, name, data)
		for _, stopAfter := range []int{0, 1, 4097} {
			open := func() *Reader {
				r, err := Open(Input{Name: name, Path: p}, Options{MaxLine: 1000})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			want := drainLines(t, open().Lines(), stopAfter)
			got := drainLines(t, Prefetch(open().Lines()), stopAfter)
			if len(got.lines) != len(want.lines) {
				t.Fatalf("%s (stop %d): %d lines, reader %d", name, stopAfter, len(got.lines), len(want.lines))
			}
			for i := range want.lines {
				if got.lines[i] != want.lines[i] {
					t.Fatalf("%s line %d: %s, reader %s", name, i, got.lines[i], want.lines[i])
				}
			}
			if stopAfter == 0 && (fmt.Sprint(got.err) != fmt.Sprint(want.err) || got.end != want.end || got.next != want.next) {
				t.Errorf("%s end: err %v pos %+v next %d; reader: err %v pos %+v next %d", name, got.err, got.end, got.next, want.err, want.end, want.next)
			}
		}
	}
	if !errors.Is(drainLines(t, Prefetch(mustOpen(t, dir, "cut.log.gz").Lines()), 0).err, bouncescan.ErrCorrupt) {
		t.Error("a damaged input's error is not given after its lines")
	}
}

func mustOpen(t *testing.T, dir, name string) *Reader {
	t.Helper()
	r, err := Open(Input{Name: name, Path: dir + "/" + name}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Closing a Prefetch that stopped early leaves no goroutine behind.
func TestPrefetchCloseStops(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "m.log", []byte(strings.Repeat("a line of a log\n", 200000)))
	before := runtime.NumGoroutine()
	for range 20 {
		l := Prefetch(mustOpen(t, dir, "m.log").Lines())
		if !l.Next(context.Background()) {
			t.Fatal("no line")
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	noGoroutinesLeft(t, before)
}

// BenchmarkPrefetch reads a 100 000-line file through Prefetch (compare
// BenchmarkReader: the reading moves to another goroutine).
func BenchmarkPrefetch(b *testing.B) {
	dir := b.TempDir()
	data := strings.Repeat("Nov 22 03:14:15 mx1 postfix/smtp[4242]: 4F1A2B3C4D: to=<bob@example.com>, relay=mx.example.com[192.0.2.10]:25, delay=1.2, dsn=2.0.0, status=sent (250 ok)\n", 100000)
	p := dir + "/m.log"
	if err := writeFileErr(p, []byte(data)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(Input{Name: p, Path: p}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		l := Prefetch(r.Lines())
		for l.Next(context.Background()) {
		}
		l.Close()
	}
}

func writeFileErr(p string, data []byte) error { return os.WriteFile(p, data, 0o644) }
