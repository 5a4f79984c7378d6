package exim

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestCorpus parses every Exim file of the shared corpus (and the real-MTA
// Exim logs): no crash, and pinned counts of lines, events, unparsed lines
// and lines that are not Exim's.
func TestCorpus(t *testing.T) {
	type counts struct{ lines, events, unparsed, notMine int }
	want := map[string]counts{
		// rejected RCPT (RBL, unknown user, sender verify, AUTH required) and
		// a temporarily rejected connection; authenticator failures and
		// "sender verify fail for" (the rejection follows) give none
		"exim/crowdsec-exim-logs.log":        {12, 5, 0, 0},
		"exim/crowdsec-exim-syslog-logs.log": {11, 5, 0, 0},
		// the test suite's expected mainlogs: every delivery, deferral,
		// failure and rejection (also of EXPN, VRFY, ATRN and STARTTLS);
		// "******** SERVER ********" separators,
		// the server side's protocol traces and blank lines are not Exim's
		"exim/exim-testsuite-mainlog-0000-3999.log": {9045, 3319, 0, 358},
		"exim/exim-testsuite-mainlog-5000-5999.log": {4377, 650, 0, 404},
		// reject lines, each followed by its header dump (not Exim's lines)
		"exim/exim-testsuite-rejectlog-0000-5999.log": {1440, 343, 0, 944},
		// 2 rejected RCPT, a synchronization error and 2 relay denials;
		// auth failures, protocol errors, DROP in ACL give none
		"exim/fail2ban-exim.log":                    {51, 6, 0, 0},
		"exim/grok-exporter-exim-rejected-rcpt.log": {2206, 2206, 0, 0},
		"exim/wazuh-exim-rules-tests.log":           {5, 0, 0, 0},
		// the testbed: 168 outcomes (the truth rows); "Suggested action"
		// continuation lines are not Exim's
		"real-mta/mainlog":   {481, 168, 0, 53},
		"real-mta/rejectlog": {7, 7, 0, 0},
	}
	root := shared(t, "corpus")
	files, err := filepath.Glob(filepath.Join(root, "exim", "*"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root, "real-mta", "mainlog"), filepath.Join(root, "real-mta", "rejectlog"))
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		w, ok := want[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("%s: new corpus file, pin its counts", rel)
			continue
		}
		got := parseFile(t, f)
		c := counts{lines: got.Lines, events: len(got.Events)}
		for _, err := range got.Errs {
			switch {
			case errors.Is(err, bouncescan.ErrUnparsed):
				c.unparsed++
			case errors.Is(err, bouncescan.ErrNotMine):
				c.notMine++
			default:
				t.Errorf("%s: unexpected error %v", rel, err)
			}
		}
		if c != w {
			t.Errorf("%s: lines/events/unparsed/not-mine = %d/%d/%d/%d, want %d/%d/%d/%d", rel,
				c.lines, c.events, c.unparsed, c.notMine, w.lines, w.events, w.unparsed, w.notMine)
			for _, e := range got.Errs {
				if errors.Is(e, bouncescan.ErrUnparsed) {
					t.Log(e)
				}
			}
		}
	}
}

// TestDetectCorpus runs Detect on the head of every corpus file and
// sample: Exim files score, every other MTA's file (Postfix, Sendmail,
// Exchange, Courier, Domino, the real Postfix log) scores 0.
func TestDetectCorpus(t *testing.T) {
	for _, f := range parsekittest.DetectFiles(t, "../../samples/*/*") {
		score := Detect(parsekittest.HeadLines(t, f, 50))
		base, dir := filepath.Base(f), filepath.Base(filepath.Dir(f))
		mine := dir == "exim" || dir == "real-mta" && (base == "mainlog" || base == "rejectlog")
		switch {
		case mine && score == 0:
			t.Errorf("%s: Exim file scored 0", f)
		case !mine && score != 0:
			t.Errorf("%s: not Exim, scored %d", f, score)
		}
	}
}
