package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusUndefinedCeiling is the ratchet of issue 13's `undefined` target
// (≤ 5 % of failures): of the 4135 failures, deferrals, rejections and
// expiries in ../shared/corpus, 177 were `undefined` after round m (4.3 %:
// Sendmail's 'pre-greeting traffic' is an early talker, syntaxerror; 179
// after round h, 185 after round g, 254 before it). Lower it when rules get
// better; never raise it to make a change pass.
const corpusUndefinedCeiling = 177

// TestCorpusUndefined scans every public real log in ../shared/corpus, as a
// user would, and counts the outcomes (sent and discarded excluded) whose
// reason is `undefined`.
func TestCorpusUndefined(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skip("../shared/corpus absent")
	}
	events := filepath.Join(t.TempDir(), "events.ndjson")
	if _, stderr, code := runCLI(t, "", "scan", corpus, "--events", events, "-o", "json"); code != 0 {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	f, err := os.Open(events)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var failures, undefined int
	byText := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e struct {
			Status  string `json:"status"`
			Text    string `json:"text"`
			Verdict struct {
				Reason string `json:"reason"`
			} `json:"verdict"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Status == "sent" || e.Status == "discarded" {
			continue
		}
		failures++
		if e.Verdict.Reason == "undefined" {
			undefined++
			byText[e.Status+": "+e.Text]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if failures < 4000 {
		t.Fatalf("only %d failures read from the corpus: the scan lost events", failures)
	}
	t.Logf("undefined: %d of %d failures (%.1f%%)", undefined, failures, 100*float64(undefined)/float64(failures))
	if undefined > corpusUndefinedCeiling || undefined*20 > failures {
		var texts []string
		for k, n := range byText {
			if n > 1 {
				texts = append(texts, k)
			}
		}
		t.Errorf("undefined: %d of %d failures, ceiling %d (5%% is %d); repeated texts: %s", undefined, failures, corpusUndefinedCeiling, failures/20, strings.Join(texts, " | "))
	}
}
