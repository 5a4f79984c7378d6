package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verdictKeys are the keys of every `classify --format json` line, in order.
var verdictKeys = []string{"class", "subject", "reason", "enhanced_code", "reply_code", "description", "provider", "rule", "evidence", "flags"}

// jsonLines decodes one JSON object per line and checks its keys, in order.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var objs []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		dec := json.NewDecoder(strings.NewReader(line))
		tok, err := dec.Token()
		if err != nil || tok != json.Delim('{') {
			t.Fatalf("line %d is not a JSON object: %q", i+1, line)
		}
		var keys []string
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
			keys = append(keys, k.(string))
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatalf("line %d: %v", i+1, err)
			}
		}
		if strings.Join(keys, ",") != strings.Join(verdictKeys, ",") {
			t.Errorf("line %d keys = %v, want %v", i+1, keys, verdictKeys)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		objs = append(objs, m)
	}
	return objs
}

func TestClassifyJSONArgs(t *testing.T) {
	out, errOut, code := runCLI(t, "", "classify", "-o", "json",
		"550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address",
		"Connection timed out",
		"")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	objs := jsonLines(t, out)
	if len(objs) != 3 {
		t.Fatalf("got %d objects, want 3:\n%s", len(objs), out)
	}
	want := []struct{ class, subject, reason string }{
		{"permanent", "addressing", "userunknown"},
		{"transient", "network", "expired"}, // no code, no status: a connection failure is transient; in a report (no MTA status) a timeout is why the MTA gave up
		{"unknown", "other", "undefined"},
	}
	for i, w := range want {
		o := objs[i]
		if o["class"] != w.class || o["subject"] != w.subject || o["reason"] != w.reason {
			t.Errorf("object %d = %v/%v/%v, want %s/%s/%s", i+1, o["class"], o["subject"], o["reason"], w.class, w.subject, w.reason)
		}
	}
	if objs[0]["reply_code"] != float64(550) || objs[0]["enhanced_code"] != "5.1.1" || objs[0]["provider"] != "" {
		t.Errorf("codes of object 1: %v", objs[0])
	}
	if objs[1]["reply_code"] != nil {
		t.Errorf("reply_code without a code should be null, got %v", objs[1]["reply_code"])
	}
	if fl, ok := objs[2]["flags"].([]any); !ok || len(fl) != 0 {
		t.Errorf("flags should be an empty list, got %#v", objs[2]["flags"])
	}
}

func TestClassifyStdinOrderAndFlags(t *testing.T) {
	in := "550 5.0.0 Requested action not taken: mailbox full\n" +
		"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints\r\n" +
		"\n" +
		"250 5.1.1 odd but seen\n" +
		"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org\n"
	out, errOut, code := runCLI(t, in, "classify", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	objs := jsonLines(t, out)
	if len(objs) != 5 {
		t.Fatalf("one object per input line: got %d, want 5", len(objs))
	}
	reasons := []string{"mailboxfull", "ratelimited", "undefined", "", "blocked"}
	for i, r := range reasons {
		if r != "" && objs[i]["reason"] != r {
			t.Errorf("line %d reason = %v, want %s", i+1, objs[i]["reason"], r)
		}
	}
	if objs[1]["provider"] != "yahoo" {
		t.Errorf("TSS04 provider = %v, want yahoo", objs[1]["provider"])
	}
	hasFlag := func(o map[string]any, f string) bool {
		l, _ := o["flags"].([]any)
		for _, x := range l {
			if x == f {
				return true
			}
		}
		return false
	}
	if !hasFlag(objs[0], "text-over-weak-code") {
		t.Errorf("550 5.0.0 mailbox full: flags %v, want text-over-weak-code", objs[0]["flags"])
	}
	if !hasFlag(objs[3], "reply-class-differs-from-enhanced") {
		t.Errorf("250 5.1.1: flags %v, want reply-class-differs-from-enhanced", objs[3]["flags"])
	}
	if objs[4]["evidence"] != "spamhaus" || objs[4]["rule"] == "" {
		t.Errorf("spamhaus line: rule %v evidence %v", objs[4]["rule"], objs[4]["evidence"])
	}
}

func TestClassifyTSV(t *testing.T) {
	in := "reply_code\tenhanced_code\tcommand\tdiagnostic\n" +
		"550\t5.1.1\tRCPT\tUser unknown\n" +
		"550\t\tDATA\tUser unknown\n" +
		"\t\t\t\n" +
		"452\t4.2.2\trcpt to\tThe email account that you tried to reach is over quota\n" +
		"550\t5.7.1\tEHLO\t\n" +
		"250\t\tRCPT\tOk\n"
	out, errOut, code := runCLI(t, in, "classify", "--input", "tsv", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	objs := jsonLines(t, out)
	want := []struct{ class, subject, reason string }{
		{"permanent", "addressing", "userunknown"},
		{"permanent", "mailbox", "filtered"}, // refused in reply to DATA: a filter
		{"unknown", "other", "undefined"},
		{"transient", "mailbox", "mailboxfull"},
		{"permanent", "security", "blocked"},
		{"success", "other", "delivered"},
	}
	if len(objs) != len(want) {
		t.Fatalf("got %d objects, want %d (header skipped):\n%s", len(objs), len(want), out)
	}
	for i, w := range want {
		o := objs[i]
		if o["class"] != w.class || o["subject"] != w.subject || o["reason"] != w.reason {
			t.Errorf("row %d = %v/%v/%v (rule %v), want %s/%s/%s", i+1, o["class"], o["subject"], o["reason"], o["rule"], w.class, w.subject, w.reason)
		}
	}
}

func TestClassifyTSVErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"550\t5.1.1\tRCPT\tok\n55\t\t\tx\n", "stdin:2: column 1 (reply_code)"},
		{"550\t5.1.1\tRCPT\tok\n550\t5.1.1\tRCPT\tok\n550\t5.9.1\tRCPT\tx\n", "stdin:3: column 2 (enhanced_code)"},
		{"550\tfoo\tRCPT\tx\n", "stdin:1: column 2 (enhanced_code)"},
		{"550\t\tHELLO\tx\n", "stdin:1: column 3 (command)"},
	} {
		out, errOut, code := runCLI(t, tc.in, "classify", "-f", "tsv", "-o", "json")
		if code != exitFailure || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 1 and %q", tc.in, code, errOut, tc.want)
		}
		// the lines before the bad one were classified
		if n := strings.Count(tc.in, "\n") - 1; strings.Count(out, "\n") != n {
			t.Errorf("%q: %d lines written before the error, want %d", tc.in, strings.Count(out, "\n"), n)
		}
	}
	// TSV given as arguments is checked too
	_, errOut, code := runCLI(t, "", "classify", "-f", "tsv", "550\t\t\tok", "abc\t\t\tx")
	if code != exitFailure || !strings.Contains(errOut, "argument 2: column 1 (reply_code)") {
		t.Errorf("bad TSV argument: exit %d, stderr %q", code, errOut)
	}
}

func TestClassifyTable(t *testing.T) {
	out, errOut, code := runCLI(t, "", "classify", "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "CLASS") || !strings.Contains(lines[0], "EVIDENCE") {
		t.Fatalf("table:\n%s", out)
	}
	for _, w := range []string{"permanent", "security", "policyviolation", "550", "5.7.26"} {
		if !strings.Contains(lines[1], w) {
			t.Errorf("row %q lacks %q", lines[1], w)
		}
	}
}

func TestClassifyRulesFile(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "rules.toml")
	yml := filepath.Join(dir, "rules.yaml")
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(toml, []byte(`# ours
[[rule]]
id = "acme.quota"
text = ["acme storage says no"]
reason = "mailboxfull"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(yml, []byte(`rules:
  - id: acme.blocked
    reply: 550
    text: [user unknown]
    reason: blocked
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("[[rule]]\nid = \"x\"\n\n[[rule]]\nid = \"y\"\nreason = \"nosuchreason\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "classify", "-o", "json", "--rules", toml, "550 acme storage says no")
	if code != 0 || !strings.Contains(out, `"rule":"acme.quota"`) || !strings.Contains(out, `"reason":"mailboxfull"`) {
		t.Errorf("TOML rules: exit %d, out %q, stderr %q", code, out, errOut)
	}
	// user rules run before the built-in ones
	out, errOut, code = runCLI(t, "", "classify", "-o", "json", "--rules", yml, "550 5.1.1 User unknown")
	if code != 0 || !strings.Contains(out, `"rule":"acme.blocked"`) {
		t.Errorf("YAML rules: exit %d, out %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = runCLI(t, "", "classify", "--rules", bad, "x")
	if code != exitFailure || !strings.Contains(errOut, bad+":1") {
		t.Errorf("bad rules file: exit %d, stderr %q; want the file and line 1 named", code, errOut)
	}
	_, errOut, code = runCLI(t, "", "classify", "--rules", filepath.Join(dir, "missing.toml"), "x")
	if code != exitFailure || !strings.Contains(errOut, "missing.toml") {
		t.Errorf("missing rules file: exit %d, stderr %q", code, errOut)
	}
}

func TestClassifyHelp(t *testing.T) {
	out, _, code := runCLI(t, "", "classify", "--help")
	if code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, w := range []string{"Examples:", "--output", "--format", "--rules", "reply_code", "flags"} {
		if !strings.Contains(out, w) {
			t.Errorf("classify --help lacks %q:\n%s", w, out)
		}
	}
	_, errOut, code := runCLI(t, "", "classify", "--format", "xml", "x")
	if code != exitFailure || !strings.Contains(errOut, "xml") {
		t.Errorf("bad --format: exit %d, stderr %q", code, errOut)
	}
}

// TestClassifyLongStdin checks that many lines come out in order, one each.
func TestClassifyLongStdin(t *testing.T) {
	var in bytes.Buffer
	texts := []string{"550 5.1.1 User unknown", "452 4.2.2 Mailbox full", "421 Too many connections", "554 5.7.1 Relay access denied"}
	for i := 0; i < 1000; i++ {
		in.WriteString(texts[i%len(texts)] + "\n")
	}
	out, errOut, code := runCLI(t, in.String(), "classify", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1000 {
		t.Fatalf("%d lines out, want 1000", len(lines))
	}
	want := []string{"userunknown", "mailboxfull", "toomanyconn", "norelaying"}
	for i, l := range lines {
		if !strings.Contains(l, `"reason":"`+want[i%4]+`"`) {
			t.Fatalf("line %d = %s, want reason %s", i+1, l, want[i%4])
		}
	}
}

func TestClassifyTaxonomy(t *testing.T) {
	out, errOut, code := runCLI(t, "", "classify", "-o", "json", "--taxonomy", "552 5.3.4 Error: message file too big")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var o map[string]any
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if o["reason"] != "emailtoolarge" || o["sisimai4_reason"] != "mesgtoobig" || o["bounce_category"] != "content-related" || o["rule"] == nil {
		t.Errorf("taxonomy: %v", o)
	}
}

// The flags are named as in scan (-f input format, -o output); the old
// spellings still work, with a note naming the new one.
func TestClassifyFlagNames(t *testing.T) {
	const text = "550 5.1.1 <bob@example.com>: User unknown"
	out, errOut, code := runCLI(t, "", "classify", "-o", "json", text)
	if code != 0 || errOut != "" || !strings.HasPrefix(out, `{"class":"permanent"`) {
		t.Fatalf("-o json: exit %d, stderr %q, out %q", code, errOut, out)
	}
	old, oldErr, code := runCLI(t, "", "classify", "-f", "json", text)
	if code != 0 || old != out || !strings.Contains(oldErr, "-f json is read as -o json") {
		t.Fatalf("-f json: exit %d, stderr %q, out %q", code, oldErr, old)
	}
	tsv, tsvErr, code := runCLI(t, "550\t5.1.1\tRCPT\tUser unknown\n", "classify", "-i", "tsv", "-o", "json")
	if code != 0 || !strings.Contains(tsvErr, "-i tsv is read as -f tsv") || !strings.Contains(tsv, `"reply_code":550`) {
		t.Fatalf("-i tsv: exit %d, stderr %q, out %q", code, tsvErr, tsv)
	}
	_, errOut, code = runCLI(t, "", "classify", "-f", "yaml", text)
	if code == 0 || !strings.Contains(errOut, "text") {
		t.Fatalf("-f yaml: exit %d, stderr %q", code, errOut)
	}
	ex, exErr, code := runCLI(t, "", "explain", "-f", "json", "550")
	if code != 0 || !strings.Contains(exErr, "read as -o json") || !strings.HasPrefix(ex, "{") {
		t.Fatalf("explain -f json: exit %d, stderr %q, out %q", code, exErr, ex)
	}
}
