package exim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// logFile is one input of a multi-file run.
type logFile struct {
	name  string
	lines []string
}

// parseRun feeds the files through one parser, in order, as the pipeline
// does (Begin per file, Flush at the end).
func parseRun(t testing.TB, files ...logFile) (*Parser, []bouncescan.Event) {
	t.Helper()
	p := New(testOpts())
	var events []bouncescan.Event
	for _, f := range files {
		out := parseReader(t, p, f.name, strings.NewReader(strings.Join(f.lines, "\n")+"\n"))
		events = append(events, out.Events...)
	}
	p.Flush(func(e *bouncescan.Event) { events = append(events, *e) })
	return p, events
}

// where lists the events as "source:line status".
func where(evs []bouncescan.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("%s:%d %s", e.Source, e.Line, e.Status))
	}
	return out
}

func TestDuplicateRejections(t *testing.T) {
	const (
		rcpt     = "2026-11-22 03:00:00 H=(client.example) [192.0.2.7] F=<a@example.org> rejected RCPT <victim@elsewhere.example>: relay not permitted"
		rcpt2    = "2026-11-22 03:00:05 H=(client.example) [192.0.2.7] F=<a@example.org> rejected RCPT <victim@elsewhere.example>: relay not permitted"
		ehlo     = "2026-11-22 03:00:01 rejected EHLO from [192.0.2.8]: syntactically invalid argument(s): bad_helo!"
		afterDat = "2026-11-22 03:00:02 1tXyZb-000124-CD H=(client.example) [192.0.2.7] F=<a@example.org> rejected after DATA: 550 5.7.1 content rejected"
		pid1     = "2026-11-22 03:00:03 [101] H=(client.example) [192.0.2.9] F=<b@example.org> rejected RCPT <c@example.com>: Unrouteable address"
		pid2     = "2026-11-22 03:00:03 [102] H=(client.example) [192.0.2.9] F=<b@example.org> rejected RCPT <c@example.com>: Unrouteable address"
	)
	sent := l("03:00:04", `=> a@example.net R=r T=t H=mx.example.net [192.0.2.20] C="250 OK"`)
	mainlog := logFile{"mainlog", []string{arrive, rcpt, ehlo, afterDat, pid1, pid2, sent, l("03:00:04", "Completed")}}
	rejectlog := logFile{"rejectlog", []string{rcpt, ehlo, afterDat,
		"Envelope-from: <a@example.org>", "Envelope-to: <b@example.com>", "P Received: from [192.0.2.7]", "\tby mx.example.com",
		pid1, pid2}}

	tests := []struct {
		name  string
		files []logFile
		want  []string
		dups  int64
	}{{
		name:  "mainlog then rejectlog: the rejectlog adds nothing",
		files: []logFile{mainlog, rejectlog},
		want:  []string{"mainlog:2 rejected", "mainlog:3 rejected", "mainlog:4 rejected", "mainlog:5 rejected", "mainlog:6 rejected", "mainlog:7 sent"},
		dups:  5,
	}, {
		name:  "rejectlog then mainlog: the rejectlog's copies win",
		files: []logFile{rejectlog, mainlog},
		want:  []string{"rejectlog:1 rejected", "rejectlog:2 rejected", "rejectlog:3 rejected", "rejectlog:8 rejected", "rejectlog:9 rejected", "mainlog:7 sent"},
		dups:  5,
	}, {
		name:  "a rejectlog alone gives all its events",
		files: []logFile{rejectlog},
		want:  []string{"rejectlog:1 rejected", "rejectlog:2 rejected", "rejectlog:3 rejected", "rejectlog:8 rejected", "rejectlog:9 rejected"},
	}, {
		name:  "the same line twice in one file is two rejections",
		files: []logFile{{"mainlog", []string{rcpt, rcpt}}},
		want:  []string{"mainlog:1 rejected", "mainlog:2 rejected"},
	}, {
		name:  "twins in both files: two rejections, two duplicates",
		files: []logFile{{"mainlog", []string{rcpt, rcpt}}, {"rejectlog", []string{rcpt, rcpt}}},
		want:  []string{"mainlog:1 rejected", "mainlog:2 rejected"},
		dups:  2,
	}, {
		name:  "more copies in the later file than in the first: the extra one is a rejection",
		files: []logFile{{"mainlog", []string{rcpt}}, {"rejectlog", []string{rcpt, rcpt}}},
		want:  []string{"mainlog:1 rejected", "rejectlog:2 rejected"},
		dups:  1,
	}, {
		name:  "same words at another second are another rejection",
		files: []logFile{{"mainlog", []string{rcpt}}, {"rejectlog", []string{rcpt2}}},
		want:  []string{"mainlog:1 rejected", "rejectlog:1 rejected"},
	}, {
		name:  "lines without a time (message-only syslog) are never duplicates",
		files: []logFile{{"a.log", []string{"mx1 exim[7]: " + rcpt[20:]}}, {"b.log", []string{"mx1 exim[7]: " + rcpt[20:]}}},
		want:  []string{"a.log:1 rejected", "b.log:1 rejected"},
	}, {
		name: "rotated generations in any order",
		files: []logFile{
			{"rejectlog.1", []string{rcpt}}, {"mainlog.1", []string{rcpt, ehlo}},
			{"mainlog", []string{rcpt2}}, {"rejectlog", []string{ehlo, rcpt2}}},
		want: []string{"rejectlog.1:1 rejected", "mainlog.1:2 rejected", "mainlog:1 rejected"},
		dups: 3,
	}, {
		name: "a file is known by its name: coming back to the mainlog, its twin is a rejection",
		files: []logFile{
			{"mainlog", []string{rcpt}}, {"rejectlog", []string{rcpt}},
			{"mainlog", []string{rcpt}}, {"rejectlog", []string{rcpt}}},
		want: []string{"mainlog:1 rejected", "mainlog:1 rejected"},
		dups: 2,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, got := parseRun(t, tt.files...)
			if diff := cmp.Diff(tt.want, where(got)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if d := p.Duplicates(); d != tt.dups {
				t.Errorf("Duplicates() = %d, want %d", d, tt.dups)
			}
		})
	}
}

// TestDuplicateKeepsEvent: the event kept is the one a single file gives
// (the after-DATA rejection still joins its message when the mainlog
// comes first).
func TestDuplicateKeepsEvent(t *testing.T) {
	line := "2026-11-22 03:00:02 " + qid + " H=(client.example) [192.0.2.7] F=<alice@example.org> rejected after DATA: 550 5.7.1 content rejected"
	_, one := parseRun(t, logFile{"mainlog", []string{arrive, line}})
	_, two := parseRun(t, logFile{"mainlog", []string{arrive, line}}, logFile{"rejectlog", []string{line, "Envelope-from: <alice@example.org>"}})
	if diff := cmp.Diff(one, two); diff != "" {
		t.Errorf("(-mainlog alone +mainlog and rejectlog):\n%s", diff)
	}
}

// readLines reads a file as lines (without the final empty one).
func readLines(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}

// TestDuplicateTestbed reads the real Exim's mainlog and rejectlog through
// one parser, in both orders: the rejectlog's rejections all repeat the
// mainlog's, so the run gives exactly the mainlog's events.
func TestDuplicateTestbed(t *testing.T) {
	dir := shared(t, "testbed/logs")
	mainlog := logFile{"mainlog", readLines(t, filepath.Join(dir, "mainlog"))}
	rejectlog := logFile{"rejectlog", readLines(t, filepath.Join(dir, "rejectlog"))}
	_, alone := parseRun(t, mainlog)
	_, rejOnly := parseRun(t, rejectlog)
	if len(alone) != 168 || len(rejOnly) != 7 {
		t.Fatalf("mainlog alone %d events, rejectlog alone %d; want 168 and 7", len(alone), len(rejOnly))
	}

	p, got := parseRun(t, mainlog, rejectlog)
	if diff := cmp.Diff(alone, got); diff != "" {
		t.Errorf("mainlog+rejectlog differs from the mainlog alone (-want +got):\n%s", diff)
	}
	if p.Duplicates() != 7 {
		t.Errorf("Duplicates() = %d, want 7", p.Duplicates())
	}

	// the other order: the 7 rejections come from the rejectlog, the rest
	// from the mainlog, same count
	p, got = parseRun(t, rejectlog, mainlog)
	fromRej := 0
	for _, e := range got {
		if e.Source == "rejectlog" {
			fromRej++
		}
	}
	if len(got) != 168 || fromRej != 7 || p.Duplicates() != 7 {
		t.Errorf("rejectlog then mainlog: %d events, %d from the rejectlog, %d duplicates; want 168, 7, 7", len(got), fromRej, p.Duplicates())
	}
}

// TestDuplicateSamples: samples/exim/rejectlog is the testbed's 7 lines
// plus a hand-written after-DATA rejection that is not in the mainlog: only
// that one is added to the mainlog's events.
func TestDuplicateSamples(t *testing.T) {
	mainlog := logFile{"mainlog", readLines(t, "../../samples/exim/mainlog")}
	rejectlog := logFile{"rejectlog", readLines(t, "../../samples/exim/rejectlog")}
	for _, order := range [][]logFile{{mainlog, rejectlog}, {rejectlog, mainlog}} {
		p, got := parseRun(t, order...)
		var fromRej []string
		for _, e := range got {
			if e.Source == "rejectlog" {
				fromRej = append(fromRej, fmt.Sprintf("%d %s", e.Line, e.Status))
			}
		}
		want := []string{"8 rejected"}
		if order[0].name == "rejectlog" {
			want = []string{"1 rejected", "2 rejected", "3 rejected", "4 rejected", "5 rejected", "6 rejected", "7 rejected", "8 rejected"}
		}
		if len(got) != 169 || p.Duplicates() != 7 {
			t.Errorf("%s first: %d events, %d duplicates; want 169, 7", order[0].name, len(got), p.Duplicates())
		}
		if diff := cmp.Diff(want, fromRej); diff != "" {
			t.Errorf("%s first: rejectlog events (-want +got):\n%s", order[0].name, diff)
		}
	}
}

// TestDuplicateAllocs pins that a rejection dropped as a duplicate
// allocates nothing.
func TestDuplicateAllocs(t *testing.T) {
	line := []byte("2026-11-22 03:00:00 H=(client.example) [192.0.2.7] F=<a@example.org> rejected RCPT <victim@elsewhere.example>: relay not permitted")
	p := New(testOpts())
	emit := func(*bouncescan.Event) {}
	p.Begin(parsekit.File{Name: "mainlog", Fingerprint: 1})
	for i := 0; i < 102; i++ { // AllocsPerRun(100) calls 101 times
		_ = p.Parse(line, bouncescan.Pos{Source: "mainlog", Line: int64(i + 1)}, emit)
	}
	p.Begin(parsekit.File{Name: "rejectlog", Fingerprint: 2})
	n := 0
	count := func(*bouncescan.Event) { n++ }
	if a := testing.AllocsPerRun(100, func() { _ = p.Parse(line, bouncescan.Pos{Source: "rejectlog", Line: 1}, count) }); a != 0 {
		t.Errorf("%.1f allocs for a duplicate", a)
	}
	if n != 0 || p.Duplicates() != 101 {
		t.Errorf("%d events, %d duplicates; want 0, 101", n, p.Duplicates())
	}
}
