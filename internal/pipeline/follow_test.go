package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// waiting counts events and says when n have come.
type waiting struct {
	collector
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func (w *waiting) Consume(evs []bouncescan.Event) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.collector.Consume(evs)
	if len(w.events) >= w.n && w.done != nil {
		close(w.done)
		w.done = nil
	}
	return nil
}

// TestFollowEqualsScan follows a Postfix log that grows and is rotated
// (logrotate create: rename, new file) and checks that the events, ids
// included, are those a scan of the two files gives afterwards.
func TestFollowEqualsScan(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	partA, partB := bytes.Join(lines[:320], nil), bytes.Join(lines[320:], nil)
	dir := t.TempDir()
	live := filepath.Join(dir, "mail.log")
	os.WriteFile(live, partA[:len(partA)/2], 0o644)

	opts := parsekit.Options{Year: 2026, Location: time.UTC}
	// what a scan says afterwards
	sdir := t.TempDir()
	old, cur := filepath.Join(sdir, "mail.log.1"), filepath.Join(sdir, "mail.log")
	os.WriteFile(old, partA, 0o644)
	os.WriteFile(cur, partB, 0o644)
	want := scanFiles(t, opts, old, cur)
	run := startFollow(t, opts, len(want.events), live)
	// the rest of part A, in two writes cutting a line, then the rotation
	time.Sleep(20 * time.Millisecond)
	rest := partA[len(partA)/2:]
	appendTo(t, live, rest[:7])
	time.Sleep(10 * time.Millisecond)
	appendTo(t, live, rest[7:])
	time.Sleep(20 * time.Millisecond)
	if err := os.Rename(live, filepath.Join(dir, "mail.log.1")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(live, partB, 0o644)
	if err := run.wait(t); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Follow ended with %v", err)
	}
	got, frep := run.got, run.rep
	norm := func(evs []bouncescan.Event) []bouncescan.Event {
		out := append([]bouncescan.Event(nil), evs...)
		for i := range out {
			out[i].Source = ""
			out[i].Verdict = nil
		}
		return out
	}
	if d := cmp.Diff(norm(want.events), norm(got.events)); d != "" {
		t.Errorf("followed events differ from the scan's (-scan +follow):\n%s", d)
	}
	if frep.Input.Lines != int64(len(lines)-1) {
		t.Errorf("followed %d lines, want %d", frep.Input.Lines, len(lines)-1)
	}
	if got.cp == nil || len(got.cp.Files) != 2 {
		t.Errorf("last checkpoint %+v", got.cp)
	}
}

// scanFiles is what one Run over the files gives.
func scanFiles(t *testing.T, opts parsekit.Options, paths ...string) *collector {
	t.Helper()
	want := &collector{}
	var in []source.Input
	for _, p := range paths {
		in = append(in, source.Input{Name: p, Path: p})
	}
	if err := Run(context.Background(), Config{Formats: parsers.Builtin(), Parser: opts, Consumers: []Consumer{want}}, in, aggregate.New(aggregate.Limits{})); err != nil {
		t.Fatal(err)
	}
	return want
}

// followRun is a Follow over some paths on its own goroutine.
type followRun struct {
	got    *waiting
	done   chan struct{}
	rep    *aggregate.Report
	cancel context.CancelFunc
	res    chan error
}

// startFollow follows the paths until stop; wait returns once n events came.
func startFollow(t *testing.T, opts parsekit.Options, n int, paths ...string) *followRun {
	t.Helper()
	var srcs []source.Lines
	for _, p := range paths {
		f, err := source.Follow(p, source.FollowOptions{Poll: 2 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		srcs = append(srcs, f)
	}
	r := &followRun{got: &waiting{n: n, done: make(chan struct{})}, rep: aggregate.New(aggregate.Limits{}), res: make(chan error, 1)}
	r.done = r.got.done
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	t.Cleanup(cancel)
	go func() {
		r.res <- Follow(ctx, Config{Formats: parsers.Builtin(), Parser: opts, Consumers: []Consumer{ReportConsumer{r.rep}, r.got}}, srcs, nil, r.rep)
	}()
	return r
}

// wait waits for the events, then stops the run and returns how it ended.
func (r *followRun) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.got.mu.Lock()
		n := len(r.got.events)
		r.got.mu.Unlock()
		t.Fatalf("followed %d events, want %d", n, r.got.n)
	}
	time.Sleep(30 * time.Millisecond) // nothing more may come
	r.cancel()
	return <-r.res
}

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// A followed file truncated and written again with the same first lines
// (the same identity) is not parsed twice: only what is new is read.
func TestFollowSameContentAgain(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	first := bytes.Join(lines[:300], nil)
	dir := t.TempDir()
	live := filepath.Join(dir, "mail.log")
	os.WriteFile(live, first, 0o644)
	opts := parsekit.Options{Year: 2026, Location: time.UTC}
	want := scanFiles(t, opts, filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	run := startFollow(t, opts, len(want.events), live)
	time.Sleep(30 * time.Millisecond)
	// truncated, then the whole log written again: the first 300 lines repeat
	if err := os.Truncate(live, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	appendTo(t, live, data)
	run.wait(t)
	got, frep := run.got, run.rep
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.events) != len(want.events) || frep.Input.Repeated != 300 {
		t.Errorf("%d events (want %d), %d lines repeated (want 300)", len(got.events), len(want.events), frep.Input.Repeated)
	}
	ids := map[string]bool{}
	for _, e := range got.events {
		if ids[e.ID] {
			t.Fatalf("event %s given twice", e.ID)
		}
		ids[e.ID] = true
	}
}

// Two followed files of one format share a parser: Exim's mainlog and
// rejectlog, followed at once, give the events of one scan of both (as a
// multiset: lines of the two files meet in arrival order).
func TestFollowSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, n := range []string{"mainlog", "rejectlog"} {
		p := filepath.Join(dir, n)
		copyTo(t, filepath.Join("..", "..", "samples", "exim", n), p, -1)
		paths = append(paths, p)
	}
	opts := parsekit.Options{Year: 2026, Location: time.UTC}
	want := scanFiles(t, opts, paths...)
	run := startFollow(t, opts, len(want.events), paths...)
	run.wait(t)
	got := run.got
	// without position fields: a rejection logged in both files is one
	// event, with the position of whichever line came first
	key := func(evs []bouncescan.Event) map[string]int {
		m := map[string]int{}
		for _, e := range evs {
			e.ID, e.Source, e.Line, e.Offset, e.Verdict = "", "", 0, 0, nil
			b, _ := json.Marshal(e)
			m[string(b)]++
		}
		return m
	}
	got.mu.Lock()
	defer got.mu.Unlock()
	if d := cmp.Diff(key(want.events), key(got.events)); d != "" {
		t.Errorf("events differ (-scan +follow):\n%s", d)
	}
}

// A run that follows files for months lists a bounded number of them in
// its checkpoints: the oldest no parser state needs are forgotten, those a
// watermark is in are kept; file numbers are never reused.
func TestForgetOldFiles(t *testing.T) {
	r := &runner{keepFiles: 3, bySeq: map[int]*fileRun{}, byIdentity: map[uint64]*fileRun{}}
	for i := range 10 {
		f := &fileRun{seq: r.newSeq(), identity: uint64(100 + i)}
		r.files = append(r.files, f)
		r.bySeq[f.seq], r.byIdentity[f.identity] = f, f
	}
	r.forget(map[int]bool{1: true})
	var seqs []int
	for _, f := range r.files {
		seqs = append(seqs, f.seq)
	}
	if !cmp.Equal(seqs, []int{1, 7, 8, 9}) || len(r.bySeq) != 4 || len(r.byIdentity) != 4 {
		t.Errorf("kept %v (%d by seq, %d by identity)", seqs, len(r.bySeq), len(r.byIdentity))
	}
	if s := r.newSeq(); s != 10 {
		t.Errorf("next seq %d, want 10", s)
	}
}
