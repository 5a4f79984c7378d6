package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// collector keeps copies of the events and the last checkpoint.
type collector struct {
	events []bouncescan.Event
	cp     *Checkpoint
}

func (c *collector) Consume(evs []bouncescan.Event) error {
	for _, e := range evs {
		e.Verdict = nil
		c.events = append(c.events, e)
	}
	return nil
}

func (c *collector) Checkpoint(cp *Checkpoint) error {
	// through JSON, as a checkpoint file would be
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	c.cp = new(Checkpoint)
	return json.Unmarshal(b, c.cp)
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }

// runFiles scans paths with the built-in formats and returns what a
// collector got, and the report.
func runFiles(t *testing.T, paths []string, resume *Checkpoint) (*collector, *aggregate.Report) {
	t.Helper()
	var in []source.Input
	for _, p := range paths {
		in = append(in, source.Input{Name: p, Path: p})
	}
	c := &collector{}
	rep := aggregate.New(aggregate.Limits{})
	cfg := Config{Formats: parsers.Builtin(), Parser: parsekit.Options{Location: time.UTC, Now: fixedNow},
		Consumers: []Consumer{ReportConsumer{rep}, c}, Resume: resume}
	if resume != nil {
		if err := resume.Validate(); err != nil {
			t.Fatalf("checkpoint: %v", err)
		}
	}
	if err := Run(context.Background(), cfg, in, rep); err != nil {
		t.Fatal(err)
	}
	if c.cp == nil {
		t.Fatal("no checkpoint at the end of the run")
	}
	return c, rep
}

// copyTo copies src (the first n lines of it, n < 0 for all) to dst with
// the same modification time (the year of yearless stamps comes from it).
func copyTo(t *testing.T, src, dst string, n int) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n >= 0 {
		lines := bytes.SplitAfter(data, []byte("\n"))
		if n < len(lines) {
			data = bytes.Join(lines[:n], nil)
		}
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(dst, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
}

func countLines(t *testing.T, p string) int {
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}

// TestResume stops a scan of each format's samples at 20 random line
// positions (the files as they were when the first run read them: a prefix
// of the whole set), resumes from the checkpoint over the whole files, and
// compares every event, field by field, with one uninterrupted run.
func TestResume(t *testing.T) {
	sets := map[string][]string{
		"postfix":  {"postfix/mail.log"},
		"exim":     {"exim/mainlog", "exim/rejectlog", "exim/variants.log"},
		"exchange": {"exchange/MSGTRK2026112203-1.LOG", "exchange/SEND2026112203-1.LOG", "exchange/RECV2026112204-1.LOG", "exchange/messagetrace.csv", "exchange/messagetrace-detail.csv"},
		"sendmail": {"sendmail/maillog", "sendmail/expiry.log"},
	}
	for _, name := range []string{"postfix", "exim", "exchange", "sendmail"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var full []string
			var sizes []int
			total := 0
			for _, rel := range sets[name] {
				dst := filepath.Join(dir, filepath.Base(rel))
				copyTo(t, filepath.Join("..", "..", "samples", rel), dst, -1)
				full = append(full, dst)
				n := countLines(t, dst)
				sizes = append(sizes, n)
				total += n
			}
			want, _ := runFiles(t, full, nil)
			if len(want.events) == 0 {
				t.Fatal("no events")
			}
			rng := rand.New(rand.NewPCG(7, uint64(len(name))))
			tried, compared, diffs := 0, 0, 0
			for range 20 {
				k := 1 + rng.IntN(total-1)
				// the first run sees the files up to line k of the whole set
				pdir := t.TempDir()
				var prefix []string
				left := k
				for i, p := range full {
					if left <= 0 {
						break
					}
					dst := filepath.Join(pdir, filepath.Base(p))
					copyTo(t, p, dst, min(left, sizes[i]))
					prefix = append(prefix, dst)
					left -= sizes[i]
				}
				first, _ := runFiles(t, prefix, nil)
				// the rest: the same content, in other files (grown, renamed)
				second, rep := runFiles(t, full, first.cp)
				got := append(append([]bouncescan.Event(nil), first.events...), second.events...)
				for i := range got {
					got[i].Source = filepath.Base(got[i].Source)
				}
				exp := append([]bouncescan.Event(nil), want.events...)
				for i := range exp {
					exp[i].Source = filepath.Base(exp[i].Source)
				}
				tried++
				compared += len(exp)
				if d := cmp.Diff(exp, got); d != "" {
					diffs++
					t.Errorf("stopped after line %d of %d (resumed %d): events differ (-uninterrupted +resumed):\n%s", k, total, rep.Input.Resumed, d)
				}
			}
			t.Logf("%s: %d stop positions, %d events compared each time (%d in all), %d runs with differences", name, tried, len(want.events), compared, diffs)
		})
	}
}

// TestEventIDsStable: the same line has the same id whether the file is
// read whole, read while it had only some lines, renamed, or compressed;
// and two Exchange files that share their header block share no id.
func TestEventIDsStable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "samples", "postfix", "mail.log")
	live := filepath.Join(dir, "mail.log")
	copyTo(t, src, live, -1)
	whole, _ := runFiles(t, []string{live}, nil)
	ids := map[string]string{}
	for _, e := range whole.events {
		key := fmt.Sprintf("%d/%s/%s", e.Offset, e.Recipient, e.Status)
		if prev, ok := ids[e.ID]; ok && prev != key {
			t.Fatalf("id %s for %s and %s", e.ID, prev, key)
		}
		ids[e.ID] = key
	}
	idsOf := func(c *collector) []string {
		var out []string
		for _, e := range c.events {
			out = append(out, e.ID)
		}
		return out
	}
	// a short copy (the file as first seen): its ids are a prefix
	short := filepath.Join(t.TempDir(), "mail.log")
	copyTo(t, src, short, 40)
	s, _ := runFiles(t, []string{short}, nil)
	if got, all := idsOf(s), idsOf(whole); len(got) == 0 || !cmp.Equal(got, all[:len(got)]) {
		t.Errorf("ids of the first 40 lines differ from the whole file's: %v", got)
	}
	// rotated and compressed: the same ids
	rotated := filepath.Join(dir, "mail.log.1")
	if err := os.Rename(live, rotated); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(rotated)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	gzPath := filepath.Join(t.TempDir(), "mail.log.2.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{rotated, gzPath} {
		c, _ := runFiles(t, []string{p}, nil)
		if !cmp.Equal(idsOf(c), idsOf(whole)) {
			t.Errorf("%s: ids differ from the live file's", filepath.Base(p))
		}
	}

	// two message tracking logs with one header block, other data
	trk := filepath.Join("..", "..", "samples", "exchange", "MSGTRK2026112203-1.LOG")
	orig, err := os.ReadFile(trk)
	if err != nil {
		t.Fatal(err)
	}
	other := strings.NewReplacer("@contoso.test", "@fabrikam.test", "2026-11-22T03:14", "2026-11-22T05:14").Replace(string(orig))
	exdir := t.TempDir()
	a, b := filepath.Join(exdir, "MSGTRK2026112203-1.LOG"), filepath.Join(exdir, "MSGTRK2026112205-1.LOG")
	os.WriteFile(a, orig, 0o644)
	os.WriteFile(b, []byte(other), 0o644)
	c, _ := runFiles(t, []string{a, b}, nil)
	seen := map[string]bool{}
	for _, e := range c.events {
		if seen[e.ID] {
			t.Errorf("id %s given to two events", e.ID)
		}
		seen[e.ID] = true
	}
	if len(c.events) < 20 {
		t.Errorf("only %d events from two tracking logs", len(c.events))
	}
}

// TestCopiesAcrossFiles: mail.log and an identical mail.info count once,
// the copy's events shown as duplicates across files; a copy that goes on
// past the original is read for the rest only.
func TestCopiesAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "samples", "postfix", "mail.log")
	a, b := filepath.Join(dir, "mail.log"), filepath.Join(dir, "mail.info")
	copyTo(t, src, a, -1)
	copyTo(t, src, b, -1)
	one, _ := runFiles(t, []string{a}, nil)
	both, rep := runFiles(t, []string{a, b}, nil)
	if len(both.events) != len(one.events) || rep.Input.Duplicates != int64(len(one.events)) {
		t.Errorf("mail.log + identical mail.info: %d events (one file: %d), duplicates %d", len(both.events), len(one.events), rep.Input.Duplicates)
	}
	if f := rep.File(b); f.CopyOf != a || f.Duplicates != int64(len(one.events)) {
		t.Errorf("copy not shown: %+v", f)
	}
	// a shorter first file: the longer copy adds only its rest
	short := filepath.Join(dir, "short.log")
	copyTo(t, src, short, 300)
	grown, rep := runFiles(t, []string{short, a}, nil)
	if !cmp.Equal(grown.events, renamedTo(one.events, short, 300, a)) {
		t.Errorf("short + full copy: %d events, want %d (duplicates %d)", len(grown.events), len(one.events), rep.Input.Duplicates)
	}
	// same first line, other content later: both read whole, distinct ids
	data, _ := os.ReadFile(src)
	lines := bytes.SplitAfter(data, []byte("\n"))
	diff := filepath.Join(dir, "other.log")
	os.WriteFile(diff, append(append([]byte(nil), lines[0]...), bytes.Join(lines[1:200], nil)...), 0o644)
	c, rep := runFiles(t, []string{a, diff}, nil)
	ids := map[string]bool{}
	for _, e := range c.events {
		if ids[e.ID] {
			t.Fatalf("id %s twice: a file that starts like another kept its identity", e.ID)
		}
		ids[e.ID] = true
	}
	if rep.File(diff).Note == "" || len(c.events) <= len(one.events) {
		t.Errorf("a different file with the same first line: %d events, note %q", len(c.events), rep.File(diff).Note)
	}
}

// renamedTo is events as read from short (its first n lines) and then
// full: the events of lines past short's end are full's.
func renamedTo(evs []bouncescan.Event, short string, n int64, full string) []bouncescan.Event {
	out := append([]bouncescan.Event(nil), evs...)
	for i := range out {
		if out[i].Line <= n {
			out[i].Source = short
		} else {
			out[i].Source = full
		}
	}
	return out
}

// Events a parser holds until the end of the input (an Exchange Send
// session that failed, waiting for the tracking log's recipients) are
// given by Flush, after the run's last checkpoint. A run resumed from
// that checkpoint reads the held lines again to rebuild the state, and
// must not give those events a second time; lines appended since give
// theirs.
func TestResumeAfterFlush(t *testing.T) {
	src := filepath.Join("..", "..", "..", "shared", "corpus", "exchange", "elastic-smtp-protocol.log")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skip("no ../shared corpus:", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "SEND20261122-1.LOG")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	first, _ := runFiles(t, []string{p}, nil)
	if len(first.events) == 0 || first.cp == nil {
		t.Fatalf("first run: %d events, checkpoint %v: the test needs a held event", len(first.events), first.cp)
	}
	again, rep := runFiles(t, []string{p}, first.cp)
	if len(again.events) != 0 {
		t.Errorf("resumed over the same file: %d events again (%s), want 0", len(again.events), again.events[0].ID)
	}
	if rep.Input.Resumed == 0 {
		t.Errorf("resumed run counted no event as given already")
	}
	// lines appended since: their events, and only those
	// (the same sessions an hour later, with other session ids)
	var body []byte
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if len(l) > 0 && l[0] != '#' {
			l = bytes.ReplaceAll(l, []byte("2024-01-25T15:"), []byte("2024-01-25T16:"))
			body = append(body, bytes.ReplaceAll(l, []byte("08DC1DB8591B2"), []byte("08DC1DB8591B3"))...)
		}
	}
	grown := filepath.Join(dir, "grown", "SEND20261122-1.LOG")
	if err := os.MkdirAll(filepath.Dir(grown), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(grown, append(append([]byte(nil), data...), body...), 0o644); err != nil {
		t.Fatal(err)
	}
	more, _ := runFiles(t, []string{grown}, first.cp)
	if len(more.events) != len(first.events) || len(more.events) > 0 && more.events[0].Offset < int64(len(data)) {
		t.Errorf("resumed over the grown file: %d events, want %d of the appended lines", len(more.events), len(first.events))
	}
	// an interrupted run gives no Flush events: its checkpoint does not
	// hide them from the run that resumes it
	interrupted := *first.cp
	interrupted.Flushed = false
	after, _ := runFiles(t, []string{p}, &interrupted)
	if len(after.events) != len(first.events) {
		t.Errorf("resumed from a checkpoint taken before a Flush that did not run: %d events, want %d", len(after.events), len(first.events))
	}
}
