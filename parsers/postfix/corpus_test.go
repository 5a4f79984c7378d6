package postfix

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// corpusWant pins, per corpus file, what the parser makes of it: lines,
// events, unparsed lines (ErrUnparsed) and lines of other programs
// (ErrNotMine). Change a figure only after looking at the lines behind it.
var corpusWant = map[string]struct{ lines, events, unparsed, notMine int }{
	"postfix/crowdsec-postfix-logs.log":                                                       {7, 4, 0, 0},
	"postfix/fail2ban-postfix.log":                                                            {63, 26, 0, 0},
	"postfix/lightmeter-10_pickup.log":                                                        {20, 2, 0, 9},
	"postfix/lightmeter-11_single_successful_delivery.log":                                    {17, 2, 0, 0},
	"postfix/lightmeter-12_two_independent_deliveries_in_the_same_smtpd_process_in_order.log": {35, 4, 0, 1},
	"postfix/lightmeter-12_two_independent_deliveries_in_the_same_smtpd_process_mixed.log":    {38, 4, 0, 4},
	"postfix/lightmeter-14_reuse_of_queueid.log":                                              {603, 67, 0, 63},
	"postfix/lightmeter-15_milter-reject.log":                                                 {5, 2, 0, 0},
	"postfix/lightmeter-17-smtpd-reject.log":                                                  {4, 1, 0, 1},
	"postfix/lightmeter-18_pickup2.log":                                                       {5, 1, 0, 0},
	"postfix/lightmeter-19_postfix_version.log":                                               {4, 0, 0, 0},
	"postfix/lightmeter-1_bounce_simple.log":                                                  {28, 3, 0, 6},
	"postfix/lightmeter-20_rejected.log":                                                      {6, 1, 0, 0},
	"postfix/lightmeter-21_deliveries_with_local_daemon.log":                                  {62, 5, 0, 17},
	"postfix/lightmeter-25_authclean_cleanup.log":                                             {10, 1, 0, 0},
	"postfix/lightmeter-26_two_recipients.log":                                                {9, 2, 0, 1},
	"postfix/lightmeter-28_received_bounce.log":                                               {14, 1, 0, 3},
	"postfix/lightmeter-29_inbound_relayed_message_server_1.log":                              {10, 1, 0, 1},
	"postfix/lightmeter-30_in_reply_to_header.log":                                            {10, 1, 0, 3},
	"postfix/lightmeter-31_inbound_reply.log":                                                 {30, 2, 0, 13},
	"postfix/lightmeter-33_delivery_with_remote_id.log":                                       {8, 1, 0, 1},
	"postfix/lightmeter-3_local_delivery.log":                                                 {27, 2, 0, 11},
	"postfix/lightmeter-4_lost_queue.log":                                                     {66, 8, 0, 0},
	"postfix/lightmeter-7_only_connections_and_disconnections.log":                            {7, 0, 0, 1},
	"postfix/lightmeter-8_weird_log_file.log":                                                 {17, 2, 0, 1},
	"postfix/lightmeter-9_mixed_messages.log":                                                 {61, 14, 0, 6},
	// error-level mail.err: opendkim only
	"postfix/lightmeter-complete-mail.err.log": {6, 0, 0, 6},
	// Debian mail.log: dovecot, opendkim, amavis interleaved
	"postfix/lightmeter-complete-mail.log.1.log": {5282, 261, 0, 2935},
	// 2 of the events are status=deliverable probes; amavis/dovecot/policyd lines are not mine
	"postfix/modoboa-maillog-test.log":            {519, 28, 0, 188},
	"postfix/parse-syslog-mail-cpan-rt-28807.log": {2, 2, 0, 0},
	"postfix/pixelpark-logsums-mail.log":          {37703, 309, 0, 176},
	"postfix/wazuh-postfix-rules-tests.log":       {2, 2, 0, 0},
	// message-only lines (syslog prefix stripped upstream): not our format;
	// the 9 that mention "postfix" count as unparsed (bad syslog header)
	"postfix/whyscream-grok-test-messages.log": {191, 0, 9, 182},
	// the testbed log (same as testbed/logs/postfix.log)
	"real-mta/postfix.log": {641, 197, 0, 0},
}

func corpusFiles(t *testing.T) []string {
	dir := shared(t, "corpus/postfix")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	return append(files, shared(t, "corpus/real-mta/postfix.log"))
}

func corpusKey(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}

// TestCorpus parses every Postfix corpus file: no panic, and the pinned
// counts.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	seen := map[string]bool{}
	var tl, te, tu, tn int
	for _, f := range files {
		key := corpusKey(f)
		seen[key] = true
		got := parseFile(t, f, parsekit.Options{Year: 2026, Location: time.UTC})
		un, nm, no := 0, 0, 0
		for _, err := range got.errs {
			var pe *bouncescan.ParseError
			if !errors.As(err, &pe) {
				t.Errorf("%s: error %v is not a *ParseError", key, err)
			}
			switch {
			case errors.Is(err, bouncescan.ErrUnparsed):
				un++
			case errors.Is(err, bouncescan.ErrNotMine):
				nm++
			case errors.Is(err, bouncescan.ErrNotice):
				no++
			default:
				t.Errorf("%s: unexpected error %v", key, err)
			}
		}
		t.Logf("%-95s lines %6d events %4d unparsed %3d not-mine %5d notices %4d", key, len(got.lines), len(got.events), un, nm, no)
		tl, te, tu, tn = tl+len(got.lines), te+len(got.events), tu+un, tn+nm
		want, ok := corpusWant[key]
		if !ok {
			t.Errorf("%s: not in corpusWant: {%d, %d, %d, %d}", key, len(got.lines), len(got.events), un, nm)
			continue
		}
		if want.lines != len(got.lines) || want.events != len(got.events) || want.unparsed != un || want.notMine != nm {
			t.Errorf("%s: lines/events/unparsed/not-mine = %d/%d/%d/%d, want %d/%d/%d/%d",
				key, len(got.lines), len(got.events), un, nm, want.lines, want.events, want.unparsed, want.notMine)
		}
		for _, e := range got.events {
			if e.MTA != Name || e.Line < 1 || e.Status == bouncescan.StatusUnknown || e.Time.IsZero() {
				t.Errorf("%s:%d: incomplete event %+v", key, e.Line, e)
			}
		}
	}
	for key := range corpusWant {
		if !seen[key] {
			t.Errorf("%s: pinned but not found", key)
		}
	}
	t.Logf("total: %d files, %d lines, %d events, %d unparsed, %d not mine", len(files), tl, te, tu, tn)
}

// TestDetect scores the head of every corpus file: > 0 for Postfix
// syslog files, 0 for every other MTA's.
func TestDetect(t *testing.T) {
	root := shared(t, "corpus")
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || strings.HasSuffix(path, ".md") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		head := parsekittest.HeadLines(t, path, 50)
		score := Detect(head)
		mta := strings.Split(rel, string(filepath.Separator))[0]
		isPostfix := mta == "postfix" || rel == filepath.Join("real-mta", "postfix.log")
		t.Logf("%-100s %3d", rel, score)
		switch {
		case !isPostfix && score != 0:
			t.Errorf("%s: score %d for another MTA's file, want 0", rel, score)
		case isPostfix && score == 0 && !detectZero[filepath.Base(path)]:
			t.Errorf("%s: score 0 for a Postfix file", rel)
		case isPostfix && score > 0 && detectZero[filepath.Base(path)]:
			t.Errorf("%s: score %d, want 0", rel, score)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// detectZero are Postfix corpus files without a syslog header in their
// head: message-only lines and a file whose head is dovecot/amavis only.
var detectZero = map[string]bool{
	"whyscream-grok-test-messages.log": true, // message-only lines
	"lightmeter-complete-mail.err.log": true, // opendkim lines only
}
