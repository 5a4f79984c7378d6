package exchange

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestResume: stopped at 20 random lines and resumed from the watermark,
// the parser emits what an uninterrupted run emits, field by field. The
// samples are one run: tracking, protocol and message trace files, each
// with its own header, so that a watermark must also cover the header of
// the file being read.
func TestResume(t *testing.T) {
	parsekittest.Resume(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, []parsekittest.ResumeSet{
		{Name: "samples", Files: []string{
			"../../samples/exchange/MSGTRK2026112203-1.LOG",
			"../../samples/exchange/SEND2026112203-1.LOG",
			"../../samples/exchange/RECV2026112204-1.LOG",
			"../../samples/exchange/messagetrace.csv",
			"../../samples/exchange/messagetrace-detail.csv",
			"../../samples/exchange/summary-report.csv",
		}},
		{Name: "corpus", Shared: true, Files: []string{
			"corpus/exchange/artefacts-help-msgtrk.log",
			"corpus/exchange/elastic-smtp-protocol.log",
			"corpus/exchange/crowdsec-exchange-smtp-bf.log",
			"corpus/exchange/artefacts-help-agentlog.log",
		}},
	})
}

// TestResumeHeader: rows that leave no message or session state still
// need the #Fields line of their file: the watermark covers it.
func TestResumeHeader(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "MSGTRK2026112205-1.LOG")
	log := strings.Join([]string{
		"#Software: Microsoft Exchange Server",
		"#Log-type: Message Tracking Log",
		"#Fields: event-id,recipient-address,recipient-status,date-time,source",
		"FAIL,a@example.com,550 5.1.1 User unknown,2026-11-22T05:00:00Z,SMTP",
		"DELIVER,b@example.com,250 2.0.0 OK,2026-11-22T05:00:01Z,STOREDRIVER",
		"FAIL,c@example.com,550 5.7.1 Denied,2026-11-22T05:00:02Z,SMTP",
	}, "\r\n") + "\r\n"
	if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	p := New(parsekit.Options{Location: time.UTC})
	out := parsekittest.ParseFile(t, p, file)
	if len(out.Events) != 3 {
		t.Fatalf("%d events, want 3", len(out.Events))
	}
	r := parsekittest.ResumeCheck(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, []string{file}, 100)
	if r.Positions != 6 || r.Events == 0 {
		t.Errorf("tried %+v", r)
	}
}
