package classify

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestScenarioReplies classifies each reply of the repository's own
// testbed scenario table (testdata/testbed/scenarios.tsv, written from the
// providers' published code lists; the note column names the source) as
// the sink sends it, at its stage. The real-MTA logs of the same table are
// checked in TestRepoTestbedTruth.
func TestScenarioReplies(t *testing.T) {
	rows, err := readTSVFile(filepath.Join("testdata", "testbed", "scenarios.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r["stage"] == "success" {
			continue
		}
		text := strings.ReplaceAll(r["reply"], `\n`, " ")
		text = strings.ReplaceAll(text, "{rcpt}", "bob@example.test")
		text = strings.ReplaceAll(text, "{sender}", "alice@sender.test")
		code, _ := strconv.Atoi(text[:3])
		stage, _ := bouncescan.ParseStage(r["stage"])
		st := bouncescan.StatusBounced
		if code/100 == 4 {
			st = bouncescan.StatusDeferred
		}
		v := c.Classify(&bouncescan.Event{Status: st, Stage: stage, Text: text})
		want := r["expected_class"] + "/" + r["expected_subject"] + "/" + r["expected_reason"]
		if got := v.Class.String() + "/" + v.Subject.String() + "/" + v.Reason; got != want {
			t.Errorf("%s: got %s (rule %s, evidence %q), want %s\n  %s", r["id"], got, v.Rule, v.Evidence, want, text)
		}
	}
}

// TestProviderSources: every provider rule and every vendor code of the
// built-in data names the published page it comes from.
func TestProviderSources(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	prefixes := []string{"gmail.", "microsoft.", "yahoo.", "aol.", "apple.", "gmx.", "mailru.", "yandex.", "mimecast.", "proofpoint.", "barracuda.", "cisco."}
	n := 0
	for _, r := range c.rules {
		for _, p := range prefixes {
			if strings.HasPrefix(r.id, p) {
				n++
				if !strings.HasPrefix(r.source, "https://") {
					t.Errorf("%s (%s): provider rule without a source URL", r.id, r.pos)
				}
			}
		}
	}
	for k, ci := range c.t.vendor {
		if !strings.HasPrefix(ci.Source, "https://") {
			t.Errorf("vendor code %s (%s): no source URL", k, ci.Vendor)
		}
	}
	if n < 30 {
		t.Errorf("only %d provider rules", n)
	}
}

func TestTaxonomy(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for reason, want := range map[string]Taxonomy{
		"emailtoolarge": {"mesgtoobig", "content-related"},
		"userunknown":   {"userunknown", "bad-mailbox"},
		"expired":       {"expired", "message-expired"},
		"greylisted":    {"undefined", "policy-related"},
	} {
		if got := c.Taxonomy(reason); got != want {
			t.Errorf("%s: %+v, want %+v", reason, got, want)
		}
	}
}
