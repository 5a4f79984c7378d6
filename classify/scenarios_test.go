package classify

import (
	"fmt"
	"path/filepath"
	"sort"
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
		e := scenarioEvent(r)
		text := e.Text
		v := c.Classify(e)
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

// The Postfix run of scenarios-postfix.tsv (a second table written from
// the providers' published code lists, other codes and texts than
// scenarios.tsv and the shared testbed; the note column names each
// source). The classifier's rules are not fitted to it: the tests report
// the verdict accuracy and keep it from dropping below the floor it has
// reached (a ratchet; raise the floor when the rules get better).
const (
	postfixScenarioFloor = 48  // of 50 replies agree (2026-12-02 round c; 47 round b, 40 before issue 13 round b)
	postfixTruthFloor    = 240 // of 243 rows agree (2026-12-02 round c; 233 round b, 209 before)
)

// TestScenarioRepliesPostfix classifies each reply of scenarios-postfix.tsv
// as the sink sends it, at its stage.
func TestScenarioRepliesPostfix(t *testing.T) {
	rows, err := readTSVFile(filepath.Join("testdata", "testbed", "scenarios-postfix.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok, n := 0, 0
	for _, r := range rows {
		if r["stage"] == "success" || strings.HasPrefix(r["reply"], "DROP") || strings.HasPrefix(r["reply"], "SLEEP") {
			continue // no reply text: the MTA's own words are in the truth test
		}
		n++
		e := scenarioEvent(r)
		text := e.Text
		v := c.Classify(e)
		want := r["expected_class"] + "/" + r["expected_subject"] + "/" + r["expected_reason"]
		if got := v.Class.String() + "/" + v.Subject.String() + "/" + v.Reason; got != want {
			t.Logf("%s: got %s (rule %s), want %s\n  %s", r["id"], got, v.Rule, want, text)
			continue
		}
		ok++
	}
	t.Logf("scenarios-postfix.tsv: %d/%d replies agree (%.1f%%)", ok, n, 100*float64(ok)/float64(n))
	if n < 45 {
		t.Errorf("only %d scenarios with a reply", n)
	}
	if ok < postfixScenarioFloor {
		t.Errorf("%d/%d replies agree, below the floor of %d", ok, n, postfixScenarioFloor)
	}
}

// TestRepoTestbedPostfix classifies every row of the truth of the real
// Postfix run of scenarios-postfix.tsv (testdata/testbed/postfix) the way
// TestTestbedTruth does for the shared runs.
func TestRepoTestbedPostfix(t *testing.T) {
	rows := readTSV(t, filepath.Join("testdata", "testbed", "postfix", "truth-postfix.tsv"))
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	lastDefer := map[string]map[string]string{}
	for _, r := range rows {
		if r["expected_status"] == "deferred" {
			lastDefer[r["queue_id"]] = r
		}
	}
	ok := 0
	wrong := map[string]string{}
	for _, r := range rows {
		st, _ := bouncescan.ParseStatus(r["expected_status"])
		stage, _ := bouncescan.ParseStage(r["stage"])
		code, _ := strconv.Atoi(r["reply_code"])
		line := r["log_line"]
		if st == bouncescan.StatusExpired {
			if d := lastDefer[r["queue_id"]]; d != nil {
				line = d["log_line"]
			}
		}
		e := &bouncescan.Event{MTA: r["mta"], Status: st, Stage: stage, ReplyCode: code,
			EnhancedCode: r["enhanced_code"], Text: replyText(line), Relay: "127.0.0.1"}
		if m := reDSN.FindStringSubmatch(line); m != nil {
			e.DSN = m[1]
		}
		if i := strings.LastIndexByte(r["recipient"], '@'); i >= 0 {
			e.Domain = r["recipient"][i+1:]
		}
		v := c.Classify(e)
		if v.Class.String() != r["expected_class"] || v.Subject.String() != r["expected_subject"] || v.Reason != r["expected_reason"] {
			wrong[r["scenario_id"]+" "+r["expected_status"]] = fmt.Sprintf("got %s/%s/%s (rule %s), want %s/%s/%s: %q",
				v.Class, v.Subject, v.Reason, v.Rule, r["expected_class"], r["expected_subject"], r["expected_reason"], e.Text)
			continue
		}
		ok++
	}
	keys := make([]string, 0, len(wrong))
	for k := range wrong {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%s: %s", k, wrong[k])
	}
	t.Logf("postfix/truth-postfix.tsv: %d/%d rows agree (%.1f%%)", ok, len(rows), 100*float64(ok)/float64(len(rows)))
	if len(rows) < 200 {
		t.Errorf("only %d truth rows", len(rows))
	}
	if ok < postfixTruthFloor {
		t.Errorf("%d/%d rows agree, below the floor of %d", ok, len(rows), postfixTruthFloor)
	}
}

// scenarioReply is a scenario row's reply as the sink sends it: one line,
// the placeholders filled.
func scenarioReply(r map[string]string) string {
	text := strings.ReplaceAll(r["reply"], `\n`, " ")
	text = strings.ReplaceAll(text, "{rcpt}", "bob@example.test")
	return strings.ReplaceAll(text, "{sender}", "alice@sender.test")
}

// scenarioEvent is the event of a scenario row's reply: bounced, or
// deferred for a 4xx, at the row's stage.
func scenarioEvent(r map[string]string) *bouncescan.Event {
	text := scenarioReply(r)
	code, _ := strconv.Atoi(text[:min(3, len(text))])
	stage, _ := bouncescan.ParseStage(r["stage"])
	st := bouncescan.StatusBounced
	if code/100 == 4 {
		st = bouncescan.StatusDeferred
	}
	return &bouncescan.Event{Status: st, Stage: stage, Text: text}
}

// TestPublishedReplies classifies each reply of scenarios-published.tsv:
// replies taken from Google's Gmail SMTP error list and Microsoft's
// Exchange Online NDR list (and the Outlook.com postmaster codes quoted
// by third parties), each with the reason its list gives it. The note
// column names the page. Every row must agree: the table is what the
// provider rules were checked against.
func TestPublishedReplies(t *testing.T) {
	rows, err := readTSVFile(filepath.Join("testdata", "testbed", "scenarios-published.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 100 {
		t.Fatalf("only %d rows", len(rows))
	}
	for _, r := range rows {
		e := scenarioEvent(r)
		v := c.Classify(e)
		want := r["expected_class"] + "/" + r["expected_subject"] + "/" + r["expected_reason"]
		if got := v.Class.String() + "/" + v.Subject.String() + "/" + v.Reason; got != want {
			t.Errorf("%s: got %s (rule %s, evidence %q), want %s\n  %s", r["id"], got, v.Rule, v.Evidence, want, e.Text)
		}
	}
}
