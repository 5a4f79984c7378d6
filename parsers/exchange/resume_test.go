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
		{Name: "documented", Files: documentedFiles(t)},
		{Name: "corpus", Shared: true, Files: []string{
			"corpus/exchange/artefacts-help-msgtrk.log",
			"corpus/exchange/elastic-smtp-protocol.log",
			"corpus/exchange/crowdsec-exchange-smtp-bf.log",
			"corpus/exchange/artefacts-help-agentlog.log",
		}},
	})
}

// documentedFiles lists the logs of testdata/documented.
func documentedFiles(t *testing.T) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join("testdata", "documented", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		if ext := filepath.Ext(f); ext != ".tsv" && ext != ".py" {
			out = append(out, f)
		}
	}
	return out
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

// TestResumeHandOff: SEND rows held for their continuation are state the
// watermark covers: stopped anywhere and resumed, the hops and outcomes
// are those of the uninterrupted run (held, released as hop, or released
// as the outcome at the end).
func TestResumeHandOff(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "MSGTRK2026112206-1.LOG")
	const intra = "Intra-Organization SMTP Send Connector"
	log := strings.Join([]string{
		"#Fields: date-time,event-id,source,connector-id,client-ip,server-ip,message-id,recipient-address,recipient-status,sender-address",
		"2026-11-22T06:00:00Z,SEND,SMTP," + intra + ",10.0.0.5,10.0.0.6,<h1@contoso.test>,a@contoso.test,250 2.1.5 Recipient OK,s@contoso.test",
		"2026-11-22T06:00:01Z,SEND,SMTP," + intra + ",10.0.0.5,10.0.0.6,<h2@contoso.test>,b@contoso.test,250 2.1.5 Recipient OK,s@contoso.test",
		"2026-11-22T06:00:02Z,DELIVER,STOREDRIVER,,,,<h1@contoso.test>,a@contoso.test,,s@contoso.test",
		"2026-11-22T06:00:03Z,FAIL,SMTP,,,,<h3@contoso.test>,c@example.com,550 5.1.1 User unknown,s@contoso.test",
		"2026-11-22T06:00:04Z,SEND,SMTP," + intra + ",10.0.0.5,10.0.0.6,<h3@contoso.test>,d@contoso.test,250 2.1.5 Recipient OK,s@contoso.test",
		"2026-11-22T06:00:05Z,DELIVER,STOREDRIVER,,,,<h3@contoso.test>,d@contoso.test,,s@contoso.test",
	}, "\r\n") + "\r\n"
	if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	out := parsekittest.ParseFile(t, New(parsekit.Options{Location: time.UTC}), file)
	hops := 0
	for _, e := range out.Events {
		if e.Hop {
			hops++
		}
	}
	if len(out.Events) != 6 || hops != 2 {
		t.Fatalf("%d events, %d hops; want 6 and 2 (a and d handed off, b's SEND its outcome)", len(out.Events), hops)
	}
	r := parsekittest.ResumeCheck(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, []string{file}, 100)
	if r.Positions != 7 || r.Events == 0 {
		t.Errorf("tried %+v", r)
	}
}
