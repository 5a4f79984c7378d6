package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

// FuzzWriters: a report built from events with hostile texts (control
// bytes, escape sequences, markup, quotes, invalid UTF-8) is written by
// every format without error or panic; JSON stays valid JSON, CSV parses
// back, and HTML never carries the text's markup unescaped.
func FuzzWriters(f *testing.F) {
	f.Add("550 5.1.1 <bob@example.com>: User unknown", "bob@example.com", "mx.example.com[192.0.2.1]:25")
	f.Add("\x1b]0;owned\x07 \x1b[31mred\x1b[0m", "a\"b,c@x.test", "<script>alert(1)</script>")
	f.Add("\xff\xfe\x00 \r\n line", "=cmd|' /C calc'!A0@x", "")
	build := func(text, rcpt, relay string) *aggregate.Report {
		r := aggregate.New(aggregate.Limits{})
		at := time.Date(2026, 11, 22, 3, 14, 15, 0, time.UTC)
		for i, st := range []bouncescan.Status{bouncescan.StatusBounced, bouncescan.StatusDeferred, bouncescan.StatusSent} {
			e := bouncescan.Event{Time: at.Add(time.Duration(i) * time.Minute), Source: "fuzz.log", Line: int64(i + 1), MTA: "postfix",
				Status: st, ReplyCode: 550, EnhancedCode: "5.1.1", Text: text, Recipient: rcpt, Domain: rcpt, Relay: relay, Sender: rcpt}
			e.Verdict = &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Reason: "userunknown", Rule: "fuzz"}
			r.Add(&e)
		}
		r.Finish()
		return r
	}
	// each text goes in between two marks the page never holds, so that a
	// match is the text itself, not the text's end followed by the page's
	// own markup (its <script>, <svg>, </text> …)
	const open, shut = "Qz9", "9zQ"
	f.Fuzz(func(t *testing.T, text, rcpt, relay string) {
		text, rcpt, relay = open+text+shut, open+rcpt+shut, open+relay+shut
		r := build(text, rcpt, relay)
		for _, f := range Builtin() {
			var buf bytes.Buffer
			if err := f.Write(&buf, r, Options{}); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			out := buf.Bytes()
			switch f.Name {
			case "json":
				if !json.Valid(out) {
					t.Fatalf("json: not valid JSON")
				}
			case "csv":
				if _, err := csv.NewReader(bytes.NewReader(out)).ReadAll(); err != nil {
					t.Fatalf("csv: does not parse back: %v", err)
				}
			case "html":
				for _, s := range []string{text, rcpt, relay} {
					if strings.ContainsAny(s, "<>") && bytes.Contains(out, []byte(s)) {
						t.Fatalf("html: %q written unescaped", s)
					}
				}
			}
		}
	})
}
