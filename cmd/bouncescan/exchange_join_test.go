package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestExchangeJoinDirectory: a directory scan of one Exchange server's
// logs, laid out as Exchange writes them (Logs\Hub\ProtocolLog\SmtpSend
// sorts before Logs\MessageTracking: the protocol log is read first),
// gives a refused greeting the recipients of the tracking log's DEFER
// row for the same destination; a failure nothing matches keeps no
// recipient.
func TestExchangeJoinDirectory(t *testing.T) {
	dir, err := os.MkdirTemp("", "exchange13-join")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	send := filepath.Join(dir, "Logs", "Hub", "ProtocolLog", "SmtpSend", "SEND20261122-1.LOG")
	trk := filepath.Join(dir, "Logs", "MessageTracking", "MSGTRK20261122-1.LOG")
	files := map[string][]string{
		send: {
			"#Software: Microsoft Exchange Server",
			"#Version: 15.02.1544.004",
			"#Log-type: SMTP Send Protocol Log",
			"#Date: 2026-11-22T09:00:00.000Z",
			"#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context",
			"2026-11-22T09:00:00.050Z,To Internet,08DE00000000C001,0,10.0.0.5:50001,203.0.113.25:25,+,,",
			"2026-11-22T09:00:00.100Z,To Internet,08DE00000000C001,1,10.0.0.5:50001,203.0.113.25:25,<,421 4.3.2 Service not available,",
			"2026-11-22T09:00:00.110Z,To Internet,08DE00000000C001,2,10.0.0.5:50001,203.0.113.25:25,-,,Remote",
			`2026-11-22T09:20:00.000Z,To Internet,08DE00000000C002,0,,192.0.2.99:25,*,,"Failed to connect. Winsock error code: 10060, Win32 error code: 10060."`,
		},
		trk: {
			"#Software: Microsoft Exchange Server",
			"#Version: 15.02.1544.004",
			"#Log-type: Message Tracking Log",
			"#Date: 2026-11-22T09:00:00.000Z",
			"#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version",
			`2026-11-22T09:00:01.000Z,10.0.0.5,EX01.contoso.test,203.0.113.25,mx.example.com,,To Internet,SMTP,DEFER,5001,<j1@contoso.test>,0f1e2d3c-0000-4000-8000-000000000001,ann@example.com;ben@example.com,"451 4.4.0 Primary target IP address responded with: ""421 4.3.2 Service not available.""",1000,2,,,Hi,alice@contoso.test,alice@contoso.test,,Originating,,,,,Email,,15.02.1544.004`,
		},
	}
	for path, lines := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	events := filepath.Join(t.TempDir(), "events.ndjson")
	_, errOut, code := runCLI(t, "", scanArgs("--events", events, filepath.Join(dir, "Logs"))...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	f, err := os.Open(events)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e struct {
			Source, Stage, Status, Recipient string
			MessageID                        string `json:"message_id"`
			IP                               string `json:"relay_ip"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(e.Source), "SEND") {
			got = append(got, e.IP+" "+e.Status+" "+e.Stage+" <"+e.Recipient+"> "+e.MessageID)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(got)
	want := []string{
		"192.0.2.99 deferred connect <> ",
		"203.0.113.25 deferred connect <ann@example.com> j1@contoso.test",
		"203.0.113.25 deferred connect <ben@example.com> j1@contoso.test",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Send protocol log events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
