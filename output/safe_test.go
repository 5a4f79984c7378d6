package output

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
)

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                  "plain text",
		"\x1b]0;pwned\x07title":       `\x1b]0;pwned\x07title`,
		"red \x1b[31malert\x1b[0m":    `red \x1b[31malert\x1b[0m`,
		"tab\there\r\n":               `tab\there\r\n`,
		"c1 \u009b31m":                `c1 \u009b31m`,
		"bidi \u202eevil":             `bidi \u202eevil`,
		"bad \xff byte":               `bad \xff byte`,
		"ünïcödé ok":                  "ünïcödé ok",
		"del\x7f":                     `del\x7f`,
		"zero\u200bwidth \ufeff mark": `zero\u200bwidth \ufeff mark`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostileReport has log texts that try to drive the terminal, a
// spreadsheet, and a browser.
func hostileReport() *aggregate.Report {
	r := aggregate.New(aggregate.Limits{})
	at := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	texts := []string{
		"\x1b]0;owned terminal title\x07 mailbox unavailable " + strings.Repeat("\x1b[31m", 30),
		"=HYPERLINK(\"http://evil.example/\",\"click\") user unknown",
		`<img src=x onerror="document.body.setAttribute('data-pwned','img')"> user unknown`,
		`<script>document.body.setAttribute('data-pwned','script')</script> rejected`,
	}
	for i, text := range texts {
		r.Add(&bouncescan.Event{ID: "x-" + string(rune('a'+i)), Time: at.Add(time.Duration(i) * time.Hour), MTA: "postfix", Host: "mx",
			QueueID: "Q" + string(rune('A'+i)), Recipient: "+cmd@evil.example", Domain: "<b>evil</b>.example", Status: bouncescan.StatusBounced,
			ReplyCode: 550, EnhancedCode: "5.1.1", Text: text, Sender: "@SUM(1+1)@x.test", Attempt: 1,
			Verdict: &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Subject: bouncescan.SubjectAddressing, Reason: "userunknown"}})
	}
	r.Add(&bouncescan.Event{ID: "x-ok", Time: at, MTA: "postfix", Recipient: "ok@good.example", Domain: "good.example", Status: bouncescan.StatusSent, Attempt: 1,
		Verdict: &bouncescan.Verdict{Class: bouncescan.ClassSuccess, Reason: "delivered"}})
	f := r.File("mail\x1b[2J.log")
	r.UnparsedLine(f, "bad line", bouncescan.Pos{Source: "mail.log", Line: 7}, "\x1b[2Jcleared screen <script>x</script>")
	r.Finish()
	return r
}

func TestTableIsTerminalSafe(t *testing.T) {
	r := hostileReport()
	for _, wide := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Table(&buf, r, Options{Wide: wide}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for i := 0; i < len(out); i++ {
			if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
				t.Fatalf("wide=%v: control byte %#x in the table at %d: %q", wide, c, i, out[max(0, i-40):min(len(out), i+40)])
			}
		}
		if !strings.Contains(out, `\x1b]0;owned terminal title\x07`) || !strings.Contains(out, `mail.log:7`) {
			t.Errorf("wide=%v: escapes not shown visibly:\n%s", wide, out)
		}
		if !wide {
			for i, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > 100 {
					t.Errorf("line %d has %d columns: %q", i+1, n, l)
				}
			}
		}
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	r := hostileReport()
	for _, table := range []string{"templates", "senders", "recipients", "domains", "unparsed"} {
		var buf bytes.Buffer
		if err := CSV(&buf, r, Options{Table: table}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if len(recs) < 2 {
			t.Fatalf("%s: %d records", table, len(recs))
		}
		for _, rec := range recs {
			if len(rec) != len(recs[0]) {
				t.Errorf("%s: ragged row %q", table, rec)
			}
			for _, c := range rec {
				if c != "" && strings.IndexByte("=+-@\t\r", c[0]) >= 0 {
					t.Errorf("%s: cell %q would run as a formula", table, c)
				}
			}
		}
	}
	var buf bytes.Buffer
	CSV(&buf, r, Options{Table: "templates"})
	if !strings.Contains(buf.String(), `'=HYPERLINK(`) {
		t.Errorf("formula not kept as text:\n%s", buf.String())
	}
	if err := CSV(&buf, r, Options{Table: "nosuch"}); err == nil || !strings.Contains(err.Error(), "templates") {
		t.Errorf("unknown table: %v", err)
	}
}

func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<img src=x") || strings.Contains(page, "<script>document.body") || strings.Contains(page, "<b>evil") {
		t.Errorf("log text reached the page as markup")
	}
	if !strings.Contains(page, "&lt;img src=x onerror=") {
		t.Errorf("log text not shown escaped")
	}
	for _, bad := range []string{"http://", "https://", "src=\"", "@import", "url("} {
		if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) && !strings.Contains(page, "evil.example/&#34;") {
			t.Errorf("page may fetch something: %q", bad)
		}
	}
	if strings.Count(page, "<script>") != 1 || !strings.Contains(page, "script-src 'sha256-") || strings.Count(page, "<svg") < 4 {
		t.Errorf("scripts %d, svg %d", strings.Count(page, "<script>"), strings.Count(page, "<svg"))
	}
}
