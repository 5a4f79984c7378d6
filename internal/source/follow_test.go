package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fwScript is a waker for tests: each time the Follower waits (it has read
// all it can), the next step runs and the wait returns; when no step is
// left the context is cancelled. Everything happens on the test's
// goroutine, so the order of writes and reads is fixed.
type fwScript struct {
	t      *testing.T
	steps  []func()
	cancel context.CancelFunc
	waits  int
}

func (s *fwScript) wait(ctx context.Context, d time.Duration) error {
	s.waits++
	if s.waits > 10000 {
		s.t.Fatalf("Follower waits forever")
	}
	if len(s.steps) == 0 {
		s.cancel()
		return ctx.Err()
	}
	step := s.steps[0]
	s.steps = s.steps[1:]
	step()
	return nil
}

// got is a line as handed out.
type fwLine struct {
	Seg  int // Segment().Seq
	Text string
	Num  int64 // Pos().Line
	Off  int64 // Pos().Offset
	Next int64 // NextOffset()
	Cut  bool
}

type fwRun struct {
	lines   []fwLine
	at      []int // per line: how many waits (steps) had run when it was handed out
	noticed []int // the same per notice
	notices []Notice
	f       *Follower
	waits   int
}

// follow runs a Follower on path with the steps as its waker until the
// steps are done, and returns what it handed out.
func fwFollow(t *testing.T, path string, opts FollowOptions, steps ...func()) fwRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &fwScript{t: t, steps: steps, cancel: cancel}
	var r fwRun
	opts.Wait = s.wait
	opts.OnNotice = func(n Notice) {
		r.notices = append(r.notices, n)
		r.noticed = append(r.noticed, s.waits)
	}
	f, err := Follow(path, opts)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	defer f.Close()
	r.f = f
	var seg *Segment
	for f.Next(ctx) {
		if f.Segment() == nil {
			t.Fatalf("line %q without a segment", f.Line())
		}
		if seg != nil && f.Segment() != seg && f.Segment().Seq == seg.Seq {
			t.Errorf("segment pointer changed, Seq stayed %d", seg.Seq)
		}
		seg = f.Segment()
		if seg.Name != path {
			t.Errorf("Segment().Name = %q, want %q", seg.Name, path)
		}
		p := f.Pos()
		if p.Source != path {
			t.Errorf("Pos().Source = %q, want %q", p.Source, path)
		}
		r.at = append(r.at, s.waits)
		r.lines = append(r.lines, fwLine{Seg: seg.Seq, Text: string(f.Line()), Num: p.Line, Off: p.Offset, Next: f.NextOffset(), Cut: f.Truncated()})
	}
	if !errors.Is(f.Err(), context.Canceled) {
		t.Fatalf("Next ended with %v, want context.Canceled", f.Err())
	}
	if len(s.steps) > 0 {
		t.Fatalf("%d steps not run", len(s.steps))
	}
	r.waits = s.waits
	return r
}

func fwWrite(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func fwAppend(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func fwRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// lines makes the expected lines of one segment from its LF-terminated
// content, numbering from line 1 at offset 0.
func fwLines(seg int, content string) []fwLine {
	var out []fwLine
	var off int64
	for i, l := range strings.SplitAfter(content, "\n") {
		if l == "" {
			break
		}
		out = append(out, fwLine{Seg: seg, Text: strings.TrimSuffix(l, "\n"), Num: int64(i + 1), Off: off, Next: off + int64(len(l))})
		off += int64(len(l))
	}
	return out
}

func fwKinds(ns []Notice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind.String())
	}
	return out
}

func fwCheckLines(t *testing.T, got, want []fwLine) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("lines (-want +got):\n%s", d)
	}
}

func fwCheckNotices(t *testing.T, got []Notice, want ...string) {
	t.Helper()
	if d := cmp.Diff(want, fwKinds(got)); d != "" {
		t.Errorf("notices (-want +got):\n%s", d)
	}
}

// A line written in pieces is handed out once, whole, after its newline;
// CRLF is stripped and counted in the offsets.
func TestFollowLinesInPieces(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\nhal")
	r := fwFollow(t, p, FollowOptions{},
		func() { fwAppend(t, p, "f") },
		func() { fwAppend(t, p, "\nb") },
		func() { fwAppend(t, p, "2\r") },
		func() { fwAppend(t, p, "\n") },
		func() { fwAppend(t, p, "\r\n") },
	)
	fwCheckLines(t, r.lines, []fwLine{
		{Text: "a1", Num: 1, Off: 0, Next: 3},
		{Text: "half", Num: 2, Off: 3, Next: 8},
		{Text: "b2", Num: 3, Off: 8, Next: 12},
		{Text: "", Num: 4, Off: 12, Next: 14},
	})
	if d := cmp.Diff([]int{0, 2, 4, 5}, r.at); d != "" {
		t.Errorf("steps run before each line (-want +got):\n%s", d)
	}
	fwCheckNotices(t, r.notices)
}

// Over a segment, Line()+"\n" reproduces the file's bytes; every offset
// is the line's byte offset, NextOffset is offset + length + terminator,
// with the file written in chunks of random sizes.
func TestFollowOffsets(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		t.Run(fmt.Sprintf("%q", eol), func(t *testing.T) {
			rng := rand.New(rand.NewSource(1))
			var content strings.Builder
			content.WriteString("first data line" + eol)
			for i := 0; i < 3000; i++ {
				content.WriteString(strings.Repeat("x", rng.Intn(200)))
				content.WriteString(fmt.Sprint(i))
				content.WriteString(eol)
			}
			all := content.String()
			p := filepath.Join(t.TempDir(), "mail.log")
			fwWrite(t, p, "")
			var steps []func()
			for rest := all; len(rest) > 0; {
				n := min(1+rng.Intn(100000), len(rest))
				chunk := rest[:n]
				rest = rest[n:]
				steps = append(steps, func() { fwAppend(t, p, chunk) })
			}
			r := fwFollow(t, p, FollowOptions{}, steps...)
			var rebuilt bytes.Buffer
			var off int64
			for i, l := range r.lines {
				if l.Off != off || l.Num != int64(i+1) || l.Seg != 0 {
					t.Fatalf("line %d: %+v, want offset %d", i+1, l, off)
				}
				if l.Next != l.Off+int64(len(l.Text)+len(eol)) {
					t.Fatalf("line %d: NextOffset %d, want %d", i+1, l.Next, l.Off+int64(len(l.Text)+len(eol)))
				}
				rebuilt.WriteString(l.Text + eol)
				off = l.Next
			}
			if rebuilt.String() != all {
				t.Fatalf("lines do not rebuild the file: %d bytes, want %d", rebuilt.Len(), len(all))
			}
			if r.f.Stats().Lines != int64(len(r.lines)) || r.f.Stats().Cut != 0 {
				t.Errorf("Stats = %+v", r.f.Stats())
			}
		})
	}
}

// A line longer than MaxLine is cut, the rest skipped, Truncated set, and
// the offsets stay exact: below and above the 64 KiB read buffer, written
// in pieces, with LF and CRLF, and a line of exactly MaxLine bytes is not
// cut.
func TestFollowLongLine(t *testing.T) {
	for _, max := range []int{10, 100000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			long := strings.Repeat("L", 2*max+bufSize)
			exact := strings.Repeat("E", max)
			p := filepath.Join(t.TempDir(), "mail.log")
			fwWrite(t, p, "first\n")
			r := fwFollow(t, p, FollowOptions{MaxLine: max},
				func() { fwAppend(t, p, long[:len(long)/3]) },
				func() { fwAppend(t, p, long[len(long)/3:]) },
				func() { fwAppend(t, p, "\r") },
				func() { fwAppend(t, p, "\n"+exact+"\r\n"+exact+"\n") },
				func() { fwAppend(t, p, long+"\nshort\n") },
			)
			o2 := int64(6)
			o3 := o2 + int64(len(long)) + 2
			o4 := o3 + int64(max) + 2
			o5 := o4 + int64(max) + 1
			o6 := o5 + int64(len(long)) + 1
			fwCheckLines(t, r.lines, []fwLine{
				{Text: "first"[:min(5, max)], Num: 1, Off: 0, Next: o2},
				{Text: long[:max], Num: 2, Off: o2, Next: o3, Cut: true},
				{Text: exact, Num: 3, Off: o3, Next: o4},
				{Text: exact, Num: 4, Off: o4, Next: o5},
				{Text: long[:max], Num: 5, Off: o5, Next: o6, Cut: true},
				{Text: "short", Num: 6, Off: o6, Next: o6 + 6},
			})
			if c := r.f.Stats().Cut; c != 2 {
				t.Errorf("Stats().Cut = %d, want 2", c)
			}
		})
	}
}

// logrotate create: mail.log is renamed to mail.log.1 and a new mail.log
// created. The rest of the old file — a line written just before the
// rename and one written to it after the rename, before the new file
// appeared — is read before the new file, which is a new segment with its
// own identity, offsets and line numbers from 0 and 1.
func TestFollowRotateCreate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	fwWrite(t, p, "a1\na2\n")
	r := fwFollow(t, p, FollowOptions{},
		func() {
			fwAppend(t, p, "a3\n")
			fwRename(t, p, p+".1")
			fwAppend(t, p+".1", "a4\n")
		},
		func() { fwAppend(t, p+".1", "a5\n") }, // path still missing
		func() { fwWrite(t, p, "b1\n") },
		func() { fwAppend(t, p, "b2\n") },
	)
	fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\na3\na4\na5\n"), fwLines(1, "b1\nb2\n")...))
	fwCheckNotices(t, r.notices, "rotated")
	n := r.notices[0]
	if n.Prev == nil || n.Prev.Seq != 0 || n.Offset != 15 || n.Dropped != 0 || n.Name != p {
		t.Errorf("rotation notice %v", n)
	}
	if id, _ := Identity([][]byte{[]byte("b1")}); r.f.Segment().Identity != id || n.Prev.Identity == id {
		t.Errorf("identities: old %016x new %016x, want new %016x", n.Prev.Identity, r.f.Segment().Identity, id)
	}
}

// Everything between two looks: lines appended to the old file, rename,
// more lines to the old file, new file created and written. The old file
// comes first, completely; an unterminated last line of the old file is
// dropped and counted.
func TestFollowRotateAllAtOnce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\n")
	r := fwFollow(t, p, FollowOptions{},
		func() {
			fwAppend(t, p, "a2\n")
			fwRename(t, p, p+".1")
			fwAppend(t, p+".1", "a3\npartial")
			fwWrite(t, p, "b1\nb2\n")
		},
	)
	fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\na3\n"), fwLines(1, "b1\nb2\n")...))
	fwCheckNotices(t, r.notices, "rotated")
	if d := r.notices[0].Dropped; d != int64(len("partial")) {
		t.Errorf("Dropped = %d, want %d", d, len("partial"))
	}
}

// logrotate create with a writer that reopens late (postrotate HUP): the
// new file is created empty and the writer goes on writing the old one
// for a while; the old one is read until the new one has its first data
// line, so those lines are not lost. Also when the pending new file is
// rotated away in its turn before it got a data line.
func TestFollowRotateWriterLate(t *testing.T) {
	t.Run("late", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "mail.log")
		fwWrite(t, p, "a1\n")
		r := fwFollow(t, p, FollowOptions{},
			func() {
				fwRename(t, p, p+".1")
				fwWrite(t, p, "")
			},
			func() { fwAppend(t, p+".1", "a2\n") },
			func() { fwAppend(t, p, "#header\n") },
			func() { fwAppend(t, p+".1", "a3\n") },
			func() { fwAppend(t, p, "b2\n") },
		)
		fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\na3\n"), fwLines(1, "#header\nb2\n")...))
		fwCheckNotices(t, r.notices, "rotated")
		if d := cmp.Diff([]int{5}, r.noticed); d != "" {
			t.Errorf("steps run before the notice (-want +got):\n%s", d)
		}
	})
	t.Run("rotated again", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "mail.log")
		fwWrite(t, p, "a1\n")
		r := fwFollow(t, p, FollowOptions{},
			func() {
				fwRename(t, p, p+".1")
				fwWrite(t, p, "#only a header\n")
			},
			func() { fwAppend(t, p+".1", "a2\n") },
			func() {
				fwRename(t, p+".1", p+".2")
				fwRename(t, p, p+".1")
				fwWrite(t, p, "c1\n")
			},
		)
		fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\n"), fwLines(1, "c1\n")...))
		fwCheckNotices(t, r.notices, "rotated", "rotated")
		if n := r.notices[1]; n.Prev != nil || n.Dropped != int64(len("#only a header\n")) {
			t.Errorf("second notice %v, want no segment and the header dropped", n)
		}
	})
}

// copytruncate: the file is truncated in place and written again: a new
// segment from offset 0.
func TestFollowCopyTruncate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1 long first line\na2 long second line\n")
	r := fwFollow(t, p, FollowOptions{},
		func() {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
		},
		func() { fwAppend(t, p, "b1\n") },
		func() { fwAppend(t, p, "b2\n") },
	)
	fwCheckLines(t, r.lines, append(fwLines(0, "a1 long first line\na2 long second line\n"), fwLines(1, "b1\nb2\n")...))
	fwCheckNotices(t, r.notices, "truncated")
	if n := r.notices[0]; n.Prev == nil || n.Prev.Seq != 0 || n.Offset != 39 {
		t.Errorf("truncation notice %v", n)
	}
}

// A truncation followed by regrowth past the old offset before the
// Follower looked: the start of the file no longer has the segment's
// identity, so the new content is read from 0, not from the old offset
// (which would hand out a fragment).
func TestFollowTruncateRegrow(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\na2\n")
	r := fwFollow(t, p, FollowOptions{},
		func() {
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
			fwAppend(t, p, "b1-long-line\nb2\n")
		},
		func() { fwAppend(t, p, "b3\n") },
	)
	fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\n"), fwLines(1, "b1-long-line\nb2\nb3\n")...))
	fwCheckNotices(t, r.notices, "truncated")
}

// A file cut to a shorter size that keeps its start (so the identity of
// its start is unchanged) is found by its size: a new segment from 0.
func TestFollowTruncateKeepsHead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\na2 long\na3 long\n")
	r := fwFollow(t, p, FollowOptions{},
		func() {
			if err := os.Truncate(p, 3); err != nil {
				t.Fatal(err)
			}
			fwAppend(t, p, "b2\n")
		},
	)
	fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2 long\na3 long\n"), fwLines(1, "a1\nb2\n")...))
	fwCheckNotices(t, r.notices, "truncated")
}

// Deleted, then recreated: the lines written before the deletion are
// read, then "deleted", "appeared" and the new file from its start; also
// when the deletion and the new file fall between two looks.
func TestFollowDeleteRecreate(t *testing.T) {
	t.Run("apart", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "mail.log")
		fwWrite(t, p, "a1\n")
		r := fwFollow(t, p, FollowOptions{},
			func() {
				fwAppend(t, p, "a2\n")
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			},
			func() {},
			func() { fwWrite(t, p, "b1\n") },
		)
		fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\n"), fwLines(1, "b1\n")...))
		fwCheckNotices(t, r.notices, "deleted", "appeared")
		if d := cmp.Diff([]int{1, 3}, r.noticed); d != "" {
			t.Errorf("steps run before each notice (-want +got):\n%s", d)
		}
	})
	t.Run("at once", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "mail.log")
		fwWrite(t, p, "a1\n")
		r := fwFollow(t, p, FollowOptions{},
			func() {
				fwAppend(t, p, "a2\n")
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				fwWrite(t, p, "b1\n")
			},
		)
		fwCheckLines(t, r.lines, append(fwLines(0, "a1\na2\n"), fwLines(1, "b1\n")...))
		fwCheckNotices(t, r.notices, "deleted", "appeared")
	})
}

// A path that does not exist yet is waited for and read from its start.
func TestFollowAppears(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	r := fwFollow(t, p, FollowOptions{FromEnd: true},
		func() {},
		func() { fwWrite(t, p, "a1\n") },
		func() { fwAppend(t, p, "a2\n") },
	)
	fwCheckLines(t, r.lines, fwLines(0, "a1\na2\n"))
	fwCheckNotices(t, r.notices, "appeared")
}

// FromEnd: only lines completed after Follow; a line being written at
// that moment is handed out whole; line numbers count the lines before.
func TestFollowFromEnd(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\na2\npar")
	r := fwFollow(t, p, FollowOptions{FromEnd: true},
		func() { fwAppend(t, p, "tial\na4\n") },
	)
	fwCheckLines(t, r.lines, fwLines(0, "a1\na2\npartial\na4\n")[2:])
	fwCheckNotices(t, r.notices)
}

// Resuming at a checkpoint continues exactly at the next line: the lines
// of the two runs together are those of one run, none lost or repeated,
// with the same numbers and offsets, whether the checkpoint has the line
// number or it is counted.
func TestFollowResume(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	all := "#Software: x\n#Fields: a b\nd1\nd2\nd3\n"
	fwWrite(t, p, all)
	first := fwFollow(t, p, FollowOptions{})
	cp, ok := first.f.Checkpoint()
	if !ok || cp.Offset != int64(len(all)) || cp.Line != 6 {
		t.Fatalf("Checkpoint() = %+v, %v", cp, ok)
	}
	fwAppend(t, p, "d4\nd5\n")
	second := fwFollow(t, p, FollowOptions{Start: &cp},
		func() { fwAppend(t, p, "d6\n") },
	)
	fwCheckLines(t, append(first.lines, second.lines...), fwLines(0, all+"d4\nd5\nd6\n"))
	fwCheckNotices(t, second.notices, "resumed")
	if n := second.notices[0]; n.Offset != cp.Offset {
		t.Errorf("resumed at %d, want %d", n.Offset, cp.Offset)
	}
	if second.f.Segment().Identity != first.f.Segment().Identity {
		t.Errorf("identity changed on resume")
	}

	// Without the line number: the lines before the offset are counted.
	cp2, _ := second.f.Checkpoint()
	cp2.Line = 0
	fwAppend(t, p, "d7\n")
	third := fwFollow(t, p, FollowOptions{Start: &cp2})
	all3 := append(append(first.lines, second.lines...), third.lines...)
	fwCheckLines(t, all3, fwLines(0, all+"d4\nd5\nd6\nd7\n"))
}

// A checkpoint that does not match the file is a clear error naming the
// file and wrapping ErrResumeMismatch, unless Mismatch says where to start.
func TestFollowResumeMismatch(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	fwWrite(t, p, "a1\na2\n")
	id, _ := Identity([][]byte{[]byte("a1")})
	for _, tc := range []struct {
		name  string
		start Position
		path  string
		want  string
	}{
		{"other content", Position{Identity: id + 1, Offset: 3}, p, "holds content"},
		{"past the end", Position{Identity: id, Offset: 7}, p, "outside the file"},
		{"inside a line", Position{Identity: id, Offset: 4}, p, "not the start of a line"},
		{"no file", Position{Identity: id, Offset: 3}, filepath.Join(dir, "none.log"), "does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := tc.start
			_, err := Follow(tc.path, FollowOptions{Start: &start})
			if !errors.Is(err, ErrResumeMismatch) || ErrorPath(err) != tc.path || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Follow: %v, want ErrResumeMismatch naming %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
	t.Run("replaced after Follow", func(t *testing.T) {
		q := filepath.Join(dir, "replaced.log")
		fwWrite(t, q, "a1\na2\n")
		var notices []Notice
		f, err := Follow(q, FollowOptions{Start: &Position{Identity: id, Offset: 3}, OnNotice: func(n Notice) { notices = append(notices, n) }})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fwWrite(t, q, "b1 longer\nb2\n") // truncated and rewritten in place
		if !f.Next(context.Background()) || string(f.Line()) != "b1 longer" || f.Pos().Offset != 0 {
			t.Fatalf("first line %q at %v (%v), want b1 longer at 0", f.Line(), f.Pos(), f.Err())
		}
		fwCheckNotices(t, notices, "resumed", "truncated")
	})
	t.Run("from start", func(t *testing.T) {
		r := fwFollow(t, p, FollowOptions{Start: &Position{Identity: id + 1, Offset: 3}, Mismatch: MismatchStart})
		fwCheckLines(t, r.lines, fwLines(0, "a1\na2\n"))
		fwCheckNotices(t, r.notices, "checkpoint mismatch")
		if !strings.Contains(r.notices[0].Err.Error(), "holds content") {
			t.Errorf("notice %v", r.notices[0])
		}
	})
	t.Run("from end", func(t *testing.T) {
		r := fwFollow(t, p, FollowOptions{Start: &Position{Identity: id + 1, Offset: 3}, Mismatch: MismatchEnd},
			func() { fwAppend(t, p, "a3\n") })
		fwCheckLines(t, r.lines, fwLines(0, "a1\na2\na3\n")[2:])
		fwCheckNotices(t, r.notices, "checkpoint mismatch")
	})
}

// No line of a segment, header lines included, is handed out before its
// identity is known (first data line complete); the identity is the one
// plain reading gives (Reader.Fingerprint), also for CRLF files; two files
// with the same header block differ. A file rotated away while it held
// only header lines is dropped and counted.
func TestFollowIdentity(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ex.log")
	head := "#Software: Microsoft Exchange Server\r\n#Version: 15.0\r\n\r\n"
	fwWrite(t, p, head)
	r := fwFollow(t, p, FollowOptions{},
		func() { fwAppend(t, p, "2026-01-01T00:00:00Z,one") },
		func() {},
		func() { fwAppend(t, p, "\r\n2026-01-01T00:00:01Z,two\r\n") },
	)
	for i, at := range r.at {
		if at < 3 {
			t.Errorf("line %d handed out after %d steps, before the first data line was complete", i+1, at)
		}
	}
	want := []fwLine{
		{Text: "#Software: Microsoft Exchange Server", Num: 1, Off: 0, Next: 38},
		{Text: "#Version: 15.0", Num: 2, Off: 38, Next: 54},
		{Text: "", Num: 3, Off: 54, Next: 56},
		{Text: "2026-01-01T00:00:00Z,one", Num: 4, Off: 56, Next: 82},
		{Text: "2026-01-01T00:00:01Z,two", Num: 5, Off: 82, Next: 108},
	}
	fwCheckLines(t, r.lines, want)
	rd, err := Open(Input{Name: p, Path: p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if fp := rd.Fingerprint(); fp != r.f.Segment().Identity {
		t.Errorf("Follower identity %016x, Reader.Fingerprint %016x", r.f.Segment().Identity, fp)
	}

	// Lines cut at MaxLine count for the identity as Reader cuts them.
	c := filepath.Join(dir, "cut.log")
	fwWrite(t, c, "#h "+strings.Repeat("h", 50)+"\n"+strings.Repeat("d", 50)+"\n")
	rc := fwFollow(t, c, FollowOptions{MaxLine: 10})
	rdc, err := Open(Input{Name: c, Path: c}, Options{MaxLine: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer rdc.Close()
	if fp := rdc.Fingerprint(); fp != rc.f.Segment().Identity {
		t.Errorf("MaxLine 10: Follower identity %016x, Reader.Fingerprint %016x", rc.f.Segment().Identity, fp)
	}

	// Same header block, other first data line: other identity.
	q := filepath.Join(dir, "ex2.log")
	fwWrite(t, q, head+"2026-01-01T00:00:00Z,other\r\n")
	r2 := fwFollow(t, q, FollowOptions{})
	if r2.f.Segment().Identity == r.f.Segment().Identity {
		t.Errorf("same identity %016x for different contents", r2.f.Segment().Identity)
	}

	// A header-only file rotated away: nothing of it is handed out.
	h := filepath.Join(dir, "h.log")
	fwWrite(t, h, head)
	r3 := fwFollow(t, h, FollowOptions{},
		func() {
			fwRename(t, h, h+".1")
			fwWrite(t, h, "d1\n")
		},
	)
	fwCheckLines(t, r3.lines, fwLines(0, "d1\n"))
	fwCheckNotices(t, r3.notices, "rotated")
	if n := r3.notices[0]; n.Prev != nil || n.Dropped != int64(len(head)) {
		t.Errorf("notice %v, want no segment and %d bytes dropped", n, len(head))
	}
}

// A blocked Next returns promptly when its context is cancelled, with the
// default timer waker and a long poll; Next can be called again after.
func TestFollowCancel(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "a1\n")
	f, err := Follow(p, FollowOptions{Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancel(context.Background())
	if !f.Next(ctx) || string(f.Line()) != "a1" {
		t.Fatalf("first line: %q, %v", f.Line(), f.Err())
	}
	done := make(chan bool)
	go func() { done <- f.Next(ctx) }()
	time.Sleep(20 * time.Millisecond) // let Next block
	cancel()
	select {
	case ok := <-done:
		if ok || !errors.Is(f.Err(), context.Canceled) {
			t.Fatalf("Next = %v, Err = %v; want false, context.Canceled", ok, f.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
	fwAppend(t, p, "a2\n")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if !f.Next(ctx2) || string(f.Line()) != "a2" {
		t.Fatalf("after a cancelled Next: %q, %v", f.Line(), f.Err())
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Next(ctx2) || !errors.Is(f.Err(), os.ErrClosed) {
		t.Fatalf("Next after Close: %v", f.Err())
	}
}

// A writer appends numbered lines at full speed in another goroutine and
// rotates (rename + create, lines to the old file after the rename and
// after the new file was created, delete + recreate) while the Follower reads with the real timer: every
// line arrives exactly once, in order.
func TestFollowConcurrentRotation(t *testing.T) {
	const total = 20000
	p := filepath.Join(t.TempDir(), "mail.log")
	fwWrite(t, p, "")
	f, err := Follow(p, FollowOptions{Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var seen atomic.Int64
	werr := make(chan error, 1)
	go func() {
		werr <- func() error {
			rng := rand.New(rand.NewSource(2))
			w, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			for i := 0; i < total; i++ {
				if _, err := fmt.Fprintf(w, "line %d %s\n", i, strings.Repeat("x", rng.Intn(100))); err != nil {
					return err
				}
				if i%1000 != 999 {
					continue
				}
				// The Follower has opened this file before it goes: a
				// file that lives and leaves between two looks is never
				// seen by anyone following one path.
				for seen.Load() < int64(i-rng.Intn(50)) {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					time.Sleep(100 * time.Microsecond)
				}
				switch (i / 1000) % 3 {
				case 0, 1: // logrotate create, the writer reopens late and writes the old file meanwhile
					if err := os.Rename(p, fmt.Sprintf("%s.%d", p, i)); err != nil {
						return err
					}
					if (i/1000)%3 == 1 {
						if err := os.WriteFile(p, nil, 0o644); err != nil {
							return err
						}
					}
					for k := rng.Intn(4); k > 0 && i < total-1; k-- {
						i++
						if _, err := fmt.Fprintf(w, "line %d after rename\n", i); err != nil {
							return err
						}
					}
				case 2: // delete and recreate
					if err := os.Remove(p); err != nil {
						return err
					}
				}
				w.Close()
				if w, err = os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
					return err
				}
			}
			return w.Close()
		}()
	}()
	next := 0
	for next < total && f.Next(ctx) {
		var n int
		if _, err := fmt.Sscanf(string(f.Line()), "line %d", &n); err != nil || n != next {
			t.Fatalf("got %q at %v, want line %d", f.Line(), f.Pos(), next)
		}
		next++
		seen.Store(int64(next))
	}
	if next < total {
		t.Fatalf("stopped at line %d of %d: %v", next, total, f.Err())
	}
	if err := <-werr; err != nil {
		t.Fatal(err)
	}
	if s := f.Stats(); s.Lines != total || s.Segments != total/1000 || s.Dropped != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

// BenchmarkFollow reads a 16 MB file of mail-log-sized lines to its end.
func BenchmarkFollow(b *testing.B) {
	var content bytes.Buffer
	for i := 0; content.Len() < 16<<20; i++ {
		fmt.Fprintf(&content, "Nov 20 10:00:%02d mx postfix/smtp[%d]: 4Bc%05dZ: to=<user%d@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2, status=sent (250 2.0.0 Ok)\n", i%60, 1000+i%5000, i, i)
	}
	p := filepath.Join(b.TempDir(), "mail.log")
	if err := os.WriteFile(p, content.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	stop := func(ctx context.Context, d time.Duration) error { return context.Canceled }
	b.SetBytes(int64(content.Len()))
	b.ReportAllocs()
	for b.Loop() {
		f, err := Follow(p, FollowOptions{Wait: stop})
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for f.Next(context.Background()) {
			n += int64(len(f.Line())) + 1
		}
		if n != int64(content.Len()) {
			b.Fatalf("read %d bytes, want %d (%v)", n, content.Len(), f.Err())
		}
		f.Close()
	}
}

// A busy writer rotates twice between two looks: mail.log → .1 → .2 and
// a file that was the live one for a moment only is at .1 by the time the
// follower looks. It is read, in order, before the new live file; also
// when that new file has no line yet.
func TestFollowRotatedTwiceBetweenLooks(t *testing.T) {
	for _, last := range []string{"c1\n", ""} {
		p := filepath.Join(t.TempDir(), "mail.log")
		fwWrite(t, p, "a1\n")
		r := fwFollow(t, p, FollowOptions{},
			func() {
				fwAppend(t, p, "a2\n")
				fwRename(t, p, p+".1")
				fwWrite(t, p, "b1\nb2\n")
				fwRename(t, p+".1", p+".2")
				fwRename(t, p, p+".1")
				fwWrite(t, p, last)
			},
			func() {},
		)
		want := append(fwLines(0, "a1\na2\n"), fwLines(1, "b1\nb2\n")...)
		if last != "" {
			want = append(want, fwLines(2, last)...)
		}
		fwCheckLines(t, r.lines, want)
	}
}
