package classify

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// identityGolden pins every verdict field of the classifier on a corpus of
// real texts, so that speed work cannot change a verdict unnoticed. The
// file holds the events themselves (one JSON object a line), so the check
// needs neither ../shared nor the parsers; -update rebuilds the corpus
// from its sources (see identityCorpus) and writes the verdicts of the
// current code.
const identityGolden = "testdata/identity.golden.jsonl"

// identityEvent is the part of an Event the classifier reads.
type identityEvent struct {
	MTA      string `json:"mta,omitempty"`
	Relay    string `json:"relay,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Stage    string `json:"stage,omitempty"`
	Status   string `json:"status,omitempty"`
	Reply    int    `json:"reply,omitempty"`
	Enhanced string `json:"enhanced,omitempty"`
	DSN      string `json:"dsn,omitempty"`
	Text     string `json:"text"`
}

func (ie identityEvent) event(t testing.TB) *bouncescan.Event {
	e := &bouncescan.Event{MTA: ie.MTA, Relay: ie.Relay, Domain: ie.Domain, ReplyCode: ie.Reply,
		EnhancedCode: ie.Enhanced, DSN: ie.DSN, Text: ie.Text}
	var ok bool
	if e.Stage, ok = bouncescan.ParseStage(ie.Stage); !ok && ie.Stage != "" {
		t.Fatalf("bad stage %q", ie.Stage)
	}
	if e.Status, ok = bouncescan.ParseStatus(ie.Status); !ok && ie.Status != "" {
		t.Fatalf("bad status %q", ie.Status)
	}
	return e
}

func identityOf(e *bouncescan.Event) identityEvent {
	ie := identityEvent{MTA: e.MTA, Relay: e.Relay, Domain: e.Domain, Reply: e.ReplyCode,
		Enhanced: e.EnhancedCode, DSN: e.DSN, Text: e.Text}
	if e.Stage != bouncescan.StageUnknown {
		ie.Stage = e.Stage.String()
	}
	if e.Status != bouncescan.StatusUnknown {
		ie.Status = e.Status.String()
	}
	return ie
}

// identityCase is one line of the golden file: the verdict of a Classifier
// with an empty cache, and, when it differs, the verdict of one Classifier
// that saw all the cases before in file order (a cache hit keeps the
// evidence of the first text of its template).
type identityCase struct {
	Src     string              `json:"src"`
	Event   identityEvent       `json:"event"`
	Verdict bouncescan.Verdict  `json:"verdict"`
	Cached  *bouncescan.Verdict `json:"cached,omitempty"`
}

// TestVerdictIdentity classifies every event of the golden corpus, with and
// without the cache, and compares every verdict field.
func TestVerdictIdentity(t *testing.T) {
	upd := *update
	var cases []identityCase
	if upd {
		cases = identityCorpus(t)
	} else {
		var err error
		if cases, err = readIdentityGolden(identityGolden); err != nil {
			t.Fatalf("%v (run go test ./classify -run TestVerdictIdentity -update)", err)
		}
	}
	base, err := New(Options{CacheSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	seq, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	bad := 0
	for i := range cases {
		c := &cases[i]
		e := c.Event.event(t)
		fresh := base.Clone().Classify(e)
		cached := seq.Classify(e)
		got := identityCase{Src: c.Src, Event: c.Event, Verdict: fresh}
		if !sameVerdict(fresh, cached) {
			got.Cached = &cached
		}
		line, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(line)
		out.WriteByte('\n')
		if upd {
			continue
		}
		want, _ := json.Marshal(c)
		if !bytes.Equal(line, want) {
			bad++
			if bad <= 20 {
				t.Errorf("%s: verdict changed\n  text: %q\n  got:  %s\n  want: %s", c.Src, c.Event.Text, line, want)
			}
		}
	}
	if upd {
		if err := os.WriteFile(identityGolden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d cases to %s", len(cases), identityGolden)
		return
	}
	if bad > 0 {
		t.Errorf("%d of %d verdicts differ from %s", bad, len(cases), identityGolden)
	}
	if len(cases) < 1000 {
		t.Errorf("only %d cases in %s", len(cases), identityGolden)
	}
}

func sameVerdict(a, b bouncescan.Verdict) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func readIdentityGolden(path string) ([]identityCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []identityCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var c identityCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// identityCorpus gathers the events of the golden file, each distinct one
// once, in a fixed order: the Sisimai dev set and the testbed truth files
// of ../shared (also with the address and IP variants the benchmarks use),
// the repository's testbed truth files and scenario tables, and every
// event the parsers read from samples/ and testdata/testbed logs.
func identityCorpus(t *testing.T) []identityCase {
	t.Helper()
	shared := filepath.Join("..", "..", "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Fatalf("-update needs %s: %v", shared, err)
	}
	var cases []identityCase
	seen := map[identityEvent]bool{}
	add := func(src string, e *bouncescan.Event) {
		ie := identityOf(e)
		if ie.Text == "" || seen[ie] {
			return
		}
		seen[ie] = true
		cases = append(cases, identityCase{Src: src, Event: ie})
	}
	var truth []string
	for _, f := range []string{
		filepath.Join(shared, "classify", "sisimai-dev.tsv"),
		filepath.Join(shared, "testbed", "truth-postfix.tsv"),
		filepath.Join(shared, "testbed", "truth-exim.tsv"),
		filepath.Join("testdata", "testbed", "postfix", "truth-postfix.tsv"),
		filepath.Join("testdata", "testbed", "exim", "truth-exim.tsv"),
	} {
		rows, err := readTSVFile(f)
		if err != nil {
			t.Fatal(err)
		}
		truth = append(truth, f)
		for n, r := range rows {
			for k, e := range identityTruthEvents(r) {
				add(fmt.Sprintf("%s:%d/%d", filepath.Base(f), n+2, k), e)
			}
		}
	}
	for _, f := range []string{"scenarios.tsv", "scenarios-postfix.tsv"} {
		rows, err := readTSVFile(filepath.Join("testdata", "testbed", f))
		if err != nil {
			t.Fatal(err)
		}
		for n, r := range rows {
			text := scenarioReply(r)
			stage, _ := bouncescan.ParseStage(r["stage"])
			for _, st := range []bouncescan.Status{bouncescan.StatusUnknown, bouncescan.StatusBounced, bouncescan.StatusDeferred} {
				add(fmt.Sprintf("%s:%d", f, n+2), &bouncescan.Event{Status: st, Stage: stage, Text: text})
			}
		}
	}
	logs, _ := filepath.Glob(filepath.Join("..", "samples", "*", "*"))
	for _, f := range []string{"postfix/postfix.log", "exim/mainlog", "exim/rejectlog"} {
		logs = append(logs, filepath.Join("testdata", "testbed", f))
	}
	for _, f := range logs {
		if filepath.Ext(f) == ".md" {
			continue
		}
		for n, e := range identityParse(t, f) {
			add(fmt.Sprintf("%s#%d", strings.TrimPrefix(f, "../"), n), e)
		}
	}
	if len(cases) < 1000 {
		t.Fatalf("only %d cases from %v and %v", len(cases), truth, logs)
	}
	return cases
}

// identityTruthEvents is a truth or dev-set row as the benchmarks see it:
// the event, then its variants with other addresses and IPs.
func identityTruthEvents(r map[string]string) []*bouncescan.Event {
	code, _ := strconv.Atoi(r["reply_code"])
	text := r["diagnostic"]
	st := stageOfCommand(r["command"])
	if text == "" && r["log_line"] != "" {
		text = replyText(r["log_line"])
		st, _ = bouncescan.ParseStage(r["stage"])
	}
	status, _ := bouncescan.ParseStatus(r["expected_status"])
	out := []*bouncescan.Event{{ReplyCode: code, EnhancedCode: r["enhanced_code"], Stage: st, Status: status, Text: text}}
	for k := 0; k < 4; k++ {
		c := *out[0]
		c.Status = bouncescan.StatusUnknown
		c.Text = strings.ReplaceAll(c.Text, "@", fmt.Sprintf("%d@", k))
		c.Text = strings.ReplaceAll(c.Text, "192.0.2.", fmt.Sprintf("198.51.%d.", 100+k))
		out = append(out, &c)
	}
	return out
}

// identityParse reads a log with the parser that detects it.
func identityParse(t *testing.T, path string) []*bouncescan.Event {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	formats := parsers.Builtin()
	f, ok := parsers.Detect(formats, lines[:min(len(lines), 50)])
	if !ok {
		t.Logf("%s: no parser claims it", path)
		return nil
	}
	p := f.New(parsekit.Options{Year: 2026, Location: time.UTC})
	p.Begin(parsekit.File{Name: path, ModTime: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	var out []*bouncescan.Event
	emit := func(e *bouncescan.Event) {
		c := *e
		out = append(out, &c)
	}
	var off int64
	for i, l := range lines {
		_ = p.Parse(bytes.TrimRight(l, "\r"), bouncescan.Pos{Line: int64(i + 1), Offset: off}, emit)
		off += int64(len(l)) + 1
	}
	p.Flush(emit)
	return out
}
