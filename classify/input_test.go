package classify

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

func TestParseTSV(t *testing.T) {
	for _, tc := range []struct {
		line  string
		reply int
		enh   string
		stage bouncescan.Stage
		text  string
	}{
		{"550\t5.1.1\tRCPT\tUser unknown", 550, "5.1.1", bouncescan.StageRcpt, "User unknown"},
		{"\t\t\t", 0, "", bouncescan.StageUnknown, ""},
		{"", 0, "", bouncescan.StageUnknown, ""},
		{"421", 421, "", bouncescan.StageUnknown, ""},
		{" 452 \t 4.02.002 \t rcpt to: \tover quota\r\n", 452, "4.2.2", bouncescan.StageRcpt, "over quota"},
		{"554\t\tEOD\ttab\tinside", 554, "", bouncescan.StageEndOfData, "tab\tinside"},
		{"550\t\tend of data\tx", 550, "", bouncescan.StageEndOfData, "x"},
		{"550\t\tehlo\tx", 550, "", bouncescan.StageHelo, "x"},
		{"550\t\tVRFY\tx", 550, "", bouncescan.StageUnknown, "x"},
		{"220\t\tCONNECT\thello", 220, "", bouncescan.StageConnect, "hello"},
	} {
		e, err := ParseTSV(tc.line, 1)
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if e.ReplyCode != tc.reply || e.EnhancedCode != tc.enh || e.Stage != tc.stage || e.Text != tc.text {
			t.Errorf("%q: got %d %q %v %q", tc.line, e.ReplyCode, e.EnhancedCode, e.Stage, e.Text)
		}
	}
	for _, tc := range []struct {
		line string
		col  int
	}{
		{"5500\t\t\t", 1},
		{"650\t\t\t", 1},
		{"abc\t\t\t", 1},
		{"550\t5.1\t\t", 2},
		{"550\t5.8.1\t\t", 2},
		{"550\t3.1.1\t\t", 2},
		{"550\t\tPOST\t", 3},
	} {
		_, err := ParseTSV(tc.line, 7)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Line != 7 || ie.Column != tc.col || !errors.Is(err, ErrBadInput) {
			t.Errorf("%q: error %v, want line 7 column %d wrapping ErrBadInput", tc.line, err, tc.col)
			continue
		}
		if !strings.Contains(err.Error(), "line 7, column") || !strings.Contains(err.Error(), tsvColumns[tc.col-1]) {
			t.Errorf("%q: message %q should name line, column and field", tc.line, err)
		}
	}
	if !IsTSVHeader("reply_code\tenhanced_code\tcommand\tdiagnostic") || IsTSVHeader("550\t5.1.1\tRCPT\tx") {
		t.Error("IsTSVHeader")
	}
}

func TestRecordAndWriters(t *testing.T) {
	c := newTest(t)
	var js, tab bytes.Buffer
	jw, tw := NewJSONWriter(&js), NewTableWriter(&tab)
	for _, text := range []string{"550 5.1.1 <a@example.com>: User unknown", "", "452 4.2.2 Mailbox full, over quota " + strings.Repeat("x", 100)} {
		v := c.Classify(EventFromText(text))
		if err := jw.Write(v); err != nil {
			t.Fatal(err)
		}
		if err := tw.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d JSON lines", len(lines))
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[1]), &r); err != nil {
		t.Fatal(err)
	}
	if r.ReplyCode != nil || r.Flags == nil || r.Reason != "undefined" {
		t.Errorf("empty line: %+v", r)
	}
	tl := strings.Split(strings.TrimSpace(tab.String()), "\n")
	if len(tl) != 4 || !strings.HasPrefix(tl[0], "#") || !strings.Contains(tl[1], "userunknown") {
		t.Errorf("table:\n%s", tab.String())
	}
}

func TestExplain(t *testing.T) {
	c := newTest(t)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"5.7.26", []string{"Multiple authentication checks failed", "RFC 7372", "security", "RCPT", "authfailure"}},
		{"550", []string{"mailbox unavailable", "RFC 5321", "permanent", "MAIL", "RCPT", "VRFY", "causes"}},
		{"421 4.7.0", []string{"421", "any command", "4.7.0", "transient", "security"}},
		{"5.7.606", []string{"banned sending IP", "microsoft", "550"}},
		{"5.7.649", []string{"banned sending IP"}},
		{"4.7.651", []string{"reputation"}},
		{"5.7.20", []string{"DKIM"}},
		{"5.7.30", []string{"REQUIRETLS"}},
		{"5.1.10", []string{"RecipientNotFound"}},
		{"x.2.2", []string{"X.2.2", "Mailbox full", "any class"}},
		{"354", []string{"intermediate", "DATA"}},
		{"502", []string{"TURN", "HELP"}},
		{"250 5.1.1", []string{"disagree"}},
		{"421-4.7.0", []string{"421", "4.7.0"}},
		{"#5.1.1", []string{"Bad destination mailbox address"}},
		{"(5.7.1).", []string{"Delivery not authorized"}},
		{"550, 5.1.1", []string{"550", "5.1.1"}},
	} {
		ex, err := c.Explain(tc.q)
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		var b strings.Builder
		if err := ex.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("explain %s lacks %q:\n%s", tc.q, w, b.String())
			}
		}
	}
	for _, q := range []string{"", "999", "5.9.1", "6.1.1", "5.7.60", "550 421", "5.1.1 5.1.2", "a b c", "hello"} {
		if _, err := c.Explain(q); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("explain %q: error %v, want ErrUnknownCode", q, err)
		}
	}
}

// TestReplyTable checks the per-command table against RFC 5321 4.3.2 for a
// few well-known facts, and that every command of the issue is there.
func TestReplyTable(t *testing.T) {
	c := newTest(t)
	var names []string
	for _, cmd := range c.t.commands {
		names = append(names, cmd.Name)
	}
	for _, n := range []string{"CONNECT", "HELO", "EHLO", "MAIL", "RCPT", "DATA", "end of data", "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "TURN", "SEND", "SOML", "SAML"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+n+" ") {
			t.Errorf("command %s missing from replycodes.toml", n)
		}
	}
	for _, tc := range []struct {
		code  int
		stage bouncescan.Stage
		valid bool
	}{
		{220, bouncescan.StageConnect, true},
		{554, bouncescan.StageConnect, true},
		{550, bouncescan.StageConnect, false},
		{251, bouncescan.StageRcpt, true},
		{551, bouncescan.StageRcpt, true},
		{551, bouncescan.StageMail, false},
		{354, bouncescan.StageData, true},
		{354, bouncescan.StageRcpt, false},
		{421, bouncescan.StageRcpt, true},
		{552, bouncescan.StageEndOfData, true},
	} {
		valid, known := c.t.validForStage(tc.code, tc.stage)
		if !known || valid != tc.valid {
			t.Errorf("%d at %s: valid %v known %v, want %v", tc.code, tc.stage, valid, known, tc.valid)
		}
	}
}
