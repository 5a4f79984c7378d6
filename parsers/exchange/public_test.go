package exchange

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/classify"
)

// TestPublicSamples parses testdata/public: Exchange log lines copied as
// found in public repositories (their sources are in the README there),
// not written by us. expected.tsv holds, written by hand from Microsoft's
// documentation of the fields and event types, every event each file must
// give, field by field (the columns of truth.tsv, plus the event time),
// and its verdict. Every line must be read, no event may be missing or
// extra, and every file listed in publicLines must be there with that
// many lines.
func TestPublicSamples(t *testing.T) {
	dir := filepath.Join("testdata", "public")
	// lines read per file: a file deleted or cut short fails here even
	// when it gives no event
	publicLines := map[string]int{
		"artefacts-help-RECV.LOG":          21,
		"beats-msgtrk-e14.LOG":             7,
		"elastic-integrations-RECV.LOG":    4,
		"elastic-integrations-SEND.LOG":    3,
		"elastic-integrations-msgtrk.LOG":  6,
		"kinesis-agent-windows-msgtrk.LOG": 7,
	}
	want := map[string]map[string]string{}
	for _, r := range readTSV(t, filepath.Join(dir, "expected.tsv")) {
		line, err := strconv.ParseInt(r["line"], 10, 64)
		if err != nil {
			t.Fatalf("expected.tsv: line %q: %v", r["line"], err)
		}
		k := truthKey(r["file"], line, r["recipient"])
		if _, dup := want[k]; dup {
			t.Fatalf("expected.tsv: duplicated key %s", k)
		}
		want[k] = r
	}
	cl, err := classify.New(classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cols := append([]string{"time"}, truthFieldCols...)
	seen := map[string]bool{}
	var fields, fieldsOK int
	for name, n := range publicLines {
		out := parseFile(t, filepath.Join(dir, name))
		if out.Lines != n {
			t.Errorf("%s: %d lines read, want %d", name, out.Lines, n)
		}
		for _, e := range out.Errs {
			var pe *bouncescan.ParseError
			if errors.As(e, &pe) {
				t.Errorf("%s:%d: refused line: %v", name, pe.Pos.Line, e)
				continue
			}
			t.Errorf("%s: %v", name, e)
		}
		for i := range out.Events {
			e := &out.Events[i]
			k := truthKey(name, e.Line, e.Recipient)
			w, ok := want[k]
			if !ok {
				t.Errorf("%s:%d: unexpected event %s %q (%d %s %q)", name, e.Line, e.Status, e.Recipient, e.ReplyCode, e.EnhancedCode, e.Text)
				continue
			}
			if seen[k] {
				t.Errorf("%s:%d: event for %q emitted twice", name, e.Line, e.Recipient)
				continue
			}
			seen[k] = true
			got := eventFields(e)
			got["time"] = e.Time.UTC().Format(time.RFC3339Nano)
			for _, c := range cols {
				fields++
				if got[c] == w[c] {
					fieldsOK++
					continue
				}
				t.Errorf("%s:%d %s: %s = %q, want %q", name, e.Line, e.Recipient, c, got[c], w[c])
			}
			if w["class"] == "" {
				continue
			}
			v := cl.Classify(e)
			if v.Class.String() != w["class"] || v.Reason != w["reason"] {
				t.Error(fmt.Sprintf("%s:%d %s: verdict %s/%s (rule %s), want %s/%s", name, e.Line, e.Recipient, v.Class, v.Reason, v.Rule, w["class"], w["reason"]))
			}
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("missing event %s", k)
			fields += len(cols)
		}
		if f, _, _ := strings.Cut(k, "|"); publicLines[f] == 0 {
			t.Errorf("expected.tsv names %s, not in publicLines", f)
		}
	}
	t.Logf("%d expected events; fields %d/%d", len(want), fieldsOK, fields)
}
