package sendmail

import (
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestCorpus parses every Sendmail file of the shared corpus: no crash,
// and pinned counts of lines, events and unparsed lines.
func TestCorpus(t *testing.T) {
	dir := shared(t, "corpus/sendmail")
	want := map[string]struct{ lines, events, unparsed int }{
		// 24 check_rcpt/check_relay rejects, 6 "<x>... No such user here"
		// and 1 "User unknown" refused RCPTs, 2 pre-greeting; EXPN/VRFY,
		// "did not issue MAIL", "lost input channel" give none
		"fail2ban-sendmail-reject.log": {45, 29, 0},
		// 8 recipients of 6 to= lines (two with two recipients)
		"fluent-plugin-sendmail-data.log": {10, 8, 0},
		// 116 stat=Sent; daemon start, load-average chatter give none
		"parse-syslog-mail-sendmail-plain.log":   {270, 116, 0},
		"parse-syslog-mail-sendmail-ruleset.log": {3, 3, 0},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: new corpus file, pin its counts", name)
			continue
		}
		got := parseFile(t, f)
		if got.Lines != w.lines || len(got.Events) != w.events || len(got.Errs) != w.unparsed {
			t.Errorf("%s: lines/events/unparsed = %d/%d/%d, want %d/%d/%d", name, got.Lines, len(got.Events), len(got.Errs), w.lines, w.events, w.unparsed)
			for _, e := range got.Errs {
				t.Log(e)
			}
		}
	}
}

// TestDetectCorpus runs Detect on the head of every corpus file and
// sample: Sendmail files score, every other MTA's file (Postfix, Exim,
// Exchange, Courier, Domino, the real-MTA logs) scores 0.
func TestDetectCorpus(t *testing.T) {
	for _, f := range parsekittest.DetectFiles(t, "../../samples/*/*") {
		head := parsekittest.HeadLines(t, f, 50)
		score := Detect(head)
		mine := filepath.Base(filepath.Dir(f)) == "sendmail"
		switch {
		case mine && score == 0:
			t.Errorf("%s: Sendmail file scored 0", f)
		case !mine && score != 0:
			t.Errorf("%s: not Sendmail, scored %d", f, score)
		}
	}
}
