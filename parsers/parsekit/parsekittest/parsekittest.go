// Package parsekittest holds what the parsers' tests share: finding the
// shared data, running a parser over a file or a list of lines the way the
// pipeline does, and rendering events for golden files. It is imported by
// tests only.
package parsekittest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// Parser is the part of parsers.Parser the helpers use (that package
// cannot be imported from the parsers' own tests).
type Parser interface {
	Begin(f parsekit.File)
	Parse(line []byte, pos bouncescan.Pos, emit func(*bouncescan.Event)) error
	Flush(emit func(*bouncescan.Event))
	Watermark() (parsekit.Mark, bool)
}

// Shared is rel inside ../shared beside the module root, seen from a
// package two levels down (parsers/NAME). Tests that need it are skipped
// when it is absent (a user's fresh clone).
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not available: %v", err)
	}
	return p
}

// Parsed is what a parser made of some lines.
type Parsed struct {
	Events []bouncescan.Event // copies, in emit order
	Errs   []error            // one per line the parser refused
	Lines  int
}

// ParseReader runs p over every line of r as the pipeline does: Begin
// with the name and fingerprint 1, lines without their "\n", positions
// with line numbers and byte offsets. It does not call Flush.
func ParseReader(t testing.TB, p Parser, name string, r io.Reader) Parsed {
	t.Helper()
	p.Begin(parsekit.File{Name: name, Fingerprint: 1})
	var out Parsed
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var off int64
	for n := int64(1); sc.Scan(); n++ {
		line := sc.Bytes()
		out.Lines++
		if err := p.Parse(line, bouncescan.Pos{Source: name, Line: n, Offset: off}, func(e *bouncescan.Event) {
			out.Events = append(out.Events, *e)
		}); err != nil {
			out.Errs = append(out.Errs, err)
		}
		off += int64(len(line)) + 1
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ParseFile runs p over the file at path (named by its base name) and
// flushes it.
func ParseFile(t testing.TB, p Parser, path string) Parsed {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := ParseReader(t, p, filepath.Base(path), f)
	p.Flush(func(e *bouncescan.Event) { out.Events = append(out.Events, *e) })
	return out
}

// ParseLines runs p over the lines (as a file "test.log") and flushes it.
func ParseLines(t testing.TB, p Parser, lines ...string) ([]bouncescan.Event, []error) {
	t.Helper()
	out := ParseReader(t, p, "test.log", strings.NewReader(strings.Join(lines, "\n")+"\n"))
	p.Flush(func(e *bouncescan.Event) { out.Events = append(out.Events, *e) })
	return out.Events, out.Errs
}

// NDJSON renders events one JSON object a line.
func NDJSON(t testing.TB, evs []bouncescan.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range evs {
		if err := enc.Encode(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// Golden parses every sample in ../../samples/FORMAT (README files aside)
// with a fresh parser and compares the events (NDJSON) and the refused
// lines ("error: …") with testdata/<file>.golden; with update it rewrites
// them. A sample may hold lines that are not the format's (ErrNotMine),
// but an unparsed line fails the test.
func Golden(t *testing.T, format string, newParser func() Parser, update bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "samples", format, "*"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := ParseFile(t, newParser(), f)
			var buf bytes.Buffer
			buf.Write(NDJSON(t, got.Events))
			for _, e := range got.Errs {
				buf.WriteString("error: " + e.Error() + "\n")
				if errors.Is(e, bouncescan.ErrUnparsed) {
					t.Errorf("sample %s has an unparsed line: %v", f, e)
				}
			}
			golden := filepath.Join("testdata", filepath.Base(f)+".golden")
			if update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parsers/%s/ -update)", err, format)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s; run with -update and review the diff:\n%s", f, golden, buf.Bytes())
			}
		})
	}
	if n == 0 {
		t.Fatalf("no samples in samples/%s", format)
	}
}

// Reasons checks that every error is a *bouncescan.ParseError and returns
// their reasons, in order.
func Reasons(t testing.TB, errs []error) []string {
	t.Helper()
	var reasons []string
	for _, err := range errs {
		var pe *bouncescan.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is not a *ParseError", err)
		}
		reasons = append(reasons, pe.Reason)
	}
	return reasons
}

// Feed runs p over lines as one file ("bench", fingerprint 1) and flushes
// it: the loop of the parsers' benchmarks.
func Feed(p Parser, lines [][]byte, emit func(*bouncescan.Event)) {
	p.Begin(parsekit.File{Name: "bench", Fingerprint: 1})
	var off int64
	for i, l := range lines {
		_ = p.Parse(l, bouncescan.Pos{Source: "bench", Line: int64(i + 1), Offset: off}, emit)
		off += int64(len(l)) + 1
	}
	p.Flush(emit)
}

// HeadLines returns copies of the first n lines of the file at path.
func HeadLines(t testing.TB, path string, n int) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for len(out) < n && sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// DetectFiles lists the files a detection test scores: every file one
// folder down in the shared corpus, plus the files matching samples (a
// glob), without READMEs, truth tables and scripts.
func DetectFiles(t testing.TB, samples string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(Shared(t, "corpus"), "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(samples)
	var out []string
	for _, f := range append(files, more...) {
		if ext := filepath.Ext(f); ext == ".md" || ext == ".tsv" || ext == ".sh" {
			continue
		}
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		t.Fatal("no files")
	}
	return out
}

// SampleSeeds adds every sample of samples/FORMAT, whole and line by
// line, to the fuzz corpus.
func SampleSeeds(f *testing.F, format string) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "samples", format, "*"))
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(l) > 0 {
				f.Add(l)
			}
		}
	}
}

// FuzzLines is the body of the parsers' FuzzParse: data, split into lines,
// goes through p (a fresh parser), which must finish within 3 s, emit
// events of mta carrying their line, refuse lines only with a ParseError
// wrapping ErrUnparsed or ErrNotMine, and leave its input alone. p is
// flushed at the end.
func FuzzLines(t *testing.T, p Parser, mta string, data []byte) {
	wd := time.AfterFunc(3*time.Second, func() { panic(fmt.Sprintf("WATCHDOG %q", data)) })
	defer wd.Stop()
	p.Begin(parsekit.File{Name: "fuzz", Fingerprint: 1})
	var off int64
	for n, line := range bytes.Split(data, []byte("\n")) {
		keep := string(line)
		err := p.Parse(line, bouncescan.Pos{Source: "fuzz", Line: int64(n + 1), Offset: off}, func(e *bouncescan.Event) {
			if e.MTA != mta || e.Line != int64(n+1) {
				t.Fatalf("bad event position %+v", e)
			}
		})
		if err != nil {
			var pe *bouncescan.ParseError
			if !errors.As(err, &pe) || !(errors.Is(err, bouncescan.ErrUnparsed) || errors.Is(err, bouncescan.ErrNotMine) || errors.Is(err, bouncescan.ErrNotice)) {
				t.Fatalf("error %v is not a ParseError with a sentinel", err)
			}
		}
		if string(line) != keep {
			t.Fatalf("Parse modified its input line")
		}
		off += int64(len(line)) + 1
	}
	p.Flush(func(*bouncescan.Event) {})
}

// CheckCase compares what a table test case gave with what it wants:
// the events (ignoring ID, Source and Offset) and the reasons of the
// refused lines. A wanted event without Attempt wants Attempt 1 (the
// first attempt, what most cases are), so that cases spell out only the
// other counts.
func CheckCase(t *testing.T, want, got []bouncescan.Event, wantErrs []string, errs []error) {
	t.Helper()
	want = FirstAttempt(want)
	ignorePos := cmpopts.IgnoreFields(bouncescan.Event{}, "ID", "Source", "Offset")
	if diff := cmp.Diff(want, got, ignorePos, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantErrs, Reasons(t, errs), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// FirstAttempt returns a copy of want in which events without Attempt
// have Attempt 1, for tests that spell out only the other counts.
func FirstAttempt(want []bouncescan.Event) []bouncescan.Event {
	want = append([]bouncescan.Event(nil), want...)
	for i := range want {
		if want[i].Attempt == 0 {
			want[i].Attempt = 1
		}
	}
	return want
}

// TruthRow is one row of a testbed truth file (truth-postfix.tsv,
// truth-exim.tsv), as the parsers' truth tests compare it with events.
type TruthRow struct {
	File, LogLine, Scenario    string
	QueueID, Recipient, Status string
	Enhanced, Stage            string // stage "ehlo" is read as helo
	Code                       int
	// the verdict the truth expects, "class/subject/reason" (empty when
	// the file has no expected_class column)
	Verdict string
}

// TruthRows reads a truth file.
func TruthRows(t testing.TB, path string) []TruthRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	col := map[string]int{}
	for i, h := range strings.Split(rows[0], "\t") {
		col[h] = i
	}
	var out []TruthRow
	for _, row := range rows[1:] {
		f := strings.Split(row, "\t")
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(f) {
				return f[i]
			}
			return ""
		}
		r := TruthRow{File: get("log_file"), LogLine: get("log_line"), Scenario: get("scenario_id"),
			QueueID: get("queue_id"), Recipient: get("recipient"), Status: get("expected_status"),
			Enhanced: get("enhanced_code"), Stage: get("stage")}
		if c := get("reply_code"); c != "" {
			r.Code, _ = strconv.Atoi(c)
		}
		if r.Stage == "ehlo" {
			r.Stage = "helo"
		}
		if c := get("expected_class"); c != "" {
			r.Verdict = c + "/" + get("expected_subject") + "/" + get("expected_reason")
		}
		out = append(out, r)
	}
	return out
}

// Match finds the first event not yet used among those logged on the
// row's line that has the row's queue id, recipient (case aside; the
// original recipient when the event was redirected), status and reply
// code, and, unless the row is a delivery (whose enhanced code the truth
// does not record), its enhanced code and stage. An event without
// recipient matches when the line names none (rcptNamed is false): a
// refusal before RCPT, for which the truth names the planned recipient.
// When nothing matches it returns nil and a description of the events it
// tried.
func (w TruthRow) Match(events []*bouncescan.Event, used map[*bouncescan.Event]bool, rcptNamed bool) (*bouncescan.Event, []string) {
	var near []string
	for _, e := range events {
		if used[e] {
			continue
		}
		rcpt := strings.ToLower(e.Recipient)
		if e.OrigRecipient != "" && !strings.EqualFold(e.Recipient, w.Recipient) {
			rcpt = strings.ToLower(e.OrigRecipient)
		}
		rcptOK := rcpt == w.Recipient || rcpt == "" && !rcptNamed
		ok := e.QueueID == w.QueueID && rcptOK && e.Status.String() == w.Status && e.ReplyCode == w.Code
		if w.Status != "sent" {
			ok = ok && e.EnhancedCode == w.Enhanced && e.Stage.String() == w.Stage
		}
		if ok {
			return e, nil
		}
		near = append(near, e.QueueID+" "+rcpt+" "+e.Status.String()+" "+strconv.Itoa(e.ReplyCode)+" "+e.EnhancedCode+" "+e.Stage.String())
	}
	return nil, near
}

func (w TruthRow) String() string {
	return fmt.Sprintf("%s %s %s %d %q %q (scenario %s)", w.QueueID, w.Recipient, w.Status, w.Code, w.Enhanced, w.Stage, w.Scenario)
}

// GeneratedLog returns the lines of a log made by the shared generator
// (../shared/bench/genmaillog.py --format format --lines n --seed 1), or
// ok false when python3 or the script is not there.
func GeneratedLog(b *testing.B, format string, n int) (lines [][]byte, ok bool) {
	b.Helper()
	script := filepath.Join("..", "..", "..", "shared", "bench", "genmaillog.py")
	py, err := exec.LookPath("python3")
	if _, serr := os.Stat(script); serr != nil || err != nil {
		return nil, false
	}
	cmd := exec.Command(py, script, "--format", format, "--lines", strconv.Itoa(n), "--seed", "1")
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")), true
}

// PostfixKnowable adjusts a Postfix truth row to what a Postfix log can
// tell, and reports whether it had to guess: NOQUEUE is no queue id; and
// Postfix writes a 4xx reply to EHLO exactly as a 4xx greeting ("host …
// refused to talk to me: 421 …", smtp_proto.c uses one text for both), so
// the parser says connect, the common case (421 too many connections) —
// and the expiry of such a message carries that stage too (greeting
// remembers those messages across rows).
func (w *TruthRow) PostfixKnowable(greeting map[string]bool) (guessed bool) {
	if w.QueueID == "NOQUEUE" {
		w.QueueID = ""
	}
	if w.Stage == "helo" && (strings.Contains(w.LogLine, " refused to talk to me: 4") || w.Status == "expired" && greeting[w.QueueID]) {
		w.Stage = "connect"
		greeting[w.QueueID] = true
		return true
	}
	return false
}
