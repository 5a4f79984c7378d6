package exchange

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// Logs of one server in Microsoft's documented layouts: a Send protocol
// log with a refused greeting and a failed connection, and a message
// tracking log whose DEFER rows (source SMTP) name the recipients.
const (
	joinSend = "#Software: Microsoft Exchange Server\r\n" +
		"#Version: 15.02.1544.004\r\n" +
		"#Log-type: SMTP Send Protocol Log\r\n" +
		"#Date: 2026-11-22T09:00:00.000Z\r\n" +
		"#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n" +
		"2026-11-22T09:00:00.000Z,To Internet,08DE00000000B001,0,,203.0.113.25:25,*,,attempting to connect\r\n" +
		"2026-11-22T09:00:00.050Z,To Internet,08DE00000000B001,1,10.0.0.5:50001,203.0.113.25:25,+,,\r\n" +
		"2026-11-22T09:00:00.100Z,To Internet,08DE00000000B001,2,10.0.0.5:50001,203.0.113.25:25,<,421 4.3.2 Service not available,\r\n" +
		"2026-11-22T09:00:00.110Z,To Internet,08DE00000000B001,3,10.0.0.5:50001,203.0.113.25:25,-,,Remote\r\n" +
		"2026-11-22T09:10:00.000Z,To Internet,08DE00000000B002,0,,198.51.100.7:25,*,,attempting to connect\r\n" +
		"2026-11-22T09:10:21.000Z,To Internet,08DE00000000B002,1,,198.51.100.7:25,*,,\"Failed to connect. Winsock error code: 10061, Win32 error code: 10061.\"\r\n" +
		"2026-11-22T09:20:00.000Z,To Internet,08DE00000000B003,0,,192.0.2.99:25,*,,\"Failed to connect. Winsock error code: 10060, Win32 error code: 10060.\"\r\n"
	joinFields = "date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version"
	joinTrack  = "#Software: Microsoft Exchange Server\r\n" +
		"#Version: 15.02.1544.004\r\n" +
		"#Log-type: Message Tracking Log\r\n" +
		"#Date: 2026-11-22T09:00:00.000Z\r\n" +
		"#Fields: " + joinFields + "\r\n" +
		// server-ip names the destination
		"2026-11-22T09:00:01.000Z,10.0.0.5,EX01.contoso.test,203.0.113.25,mx.example.com,,To Internet,SMTP,DEFER,5001,<j1@contoso.test>,0f1e2d3c-0000-4000-8000-000000000001,ann@example.com;ben@example.com,\"451 4.4.0 Primary target IP address responded with: \"\"421 4.3.2 Service not available.\"\"\",1000,2,,,Hi,alice@contoso.test,alice@contoso.test,,Originating,,,,,Email,,15.02.1544.004\r\n" +
		// no server-ip, no connector-id: the {IP=} of recipient-status
		"2026-11-22T09:11:00.000Z,,,,EX01,,,SMTP,DEFER,5002,<j2@contoso.test>,0f1e2d3c-0000-4000-8000-000000000002,cid@example.org,\"[{LED=441 4.4.1 Error encountered while communicating with primary target IP address: \"\"Failed to connect. Winsock error code: 10061, Win32 error code: 10061.\"\"};{MSG=};{FQDN=mx.example.org};{IP=198.51.100.7};{LRT=11/22/2026 9:10:21 AM}]\",2000,1,,,Re,bob@contoso.test,bob@contoso.test,,Originating,,,,,Email,,15.02.1544.004\r\n" +
		// a mailbox deferral of another message: not a Send session's
		"2026-11-22T09:20:01.000Z,,,192.0.2.99,EX02,,,STOREDRIVER,DEFER,5003,<j3@contoso.test>,0f1e2d3c-0000-4000-8000-000000000003,dee@contoso.test,432 4.3.2 STOREDRV.Deliver; mailbox database thread limit exceeded,3000,1,,,Fw,eve@contoso.test,eve@contoso.test,,Incoming,,,,,Email,,15.02.1544.004\r\n" +
		"2026-11-22T10:00:00.000Z,,,,EX01,,,SMTP,DELIVER,5004,<j4@contoso.test>,0f1e2d3c-0000-4000-8000-000000000004,fay@contoso.test,,100,1,,,x,eve@contoso.test,eve@contoso.test,,Incoming,,,,,Email,,15.02.1544.004\r\n"
)

// reorder rewrites a tracking log with its columns in another order
// (the #Fields line says which).
func reorder(t *testing.T, log string) string {
	t.Helper()
	var out []string
	var perm []int
	for _, line := range strings.Split(strings.TrimSuffix(log, "\r\n"), "\r\n") {
		var f [][]byte
		switch {
		case strings.HasPrefix(line, "#Fields: "):
			names := strings.Split(line[len("#Fields: "):], ",")
			perm = make([]int, len(names))
			for i := range perm {
				perm[i] = len(names) - 1 - i
			}
			r := make([]string, len(names))
			for i, j := range perm {
				r[i] = names[j]
			}
			out = append(out, "#Fields: "+strings.Join(r, ","))
			continue
		case strings.HasPrefix(line, "#"):
			out = append(out, line)
			continue
		}
		f, ok := splitCSV([]byte(line), f, nil)
		if !ok || len(f) != len(perm) {
			t.Fatalf("bad row %q", line)
		}
		r := make([]string, len(perm))
		for i, j := range perm {
			v := string(f[j])
			if strings.ContainsAny(v, ",\"") {
				v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
			}
			r[i] = v
		}
		out = append(out, strings.Join(r, ","))
	}
	return strings.Join(out, "\r\n") + "\r\n"
}

func writeJoinFiles(t *testing.T, track string) (send, trk string) {
	t.Helper()
	dir := t.TempDir()
	send = filepath.Join(dir, "SEND20261122-1.LOG")
	trk = filepath.Join(dir, "MSGTRK20261122-1.LOG")
	if err := os.WriteFile(send, []byte(joinSend), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(trk, []byte(track), 0o644); err != nil {
		t.Fatal(err)
	}
	return send, trk
}

// connectFailures are the Send protocol log's connect-stage events.
func connectFailures(evs []bouncescan.Event) map[string][]string {
	m := map[string][]string{}
	for _, e := range evs {
		if e.MTA == Name && e.Stage == bouncescan.StageConnect && strings.HasPrefix(e.Source, "SEND") {
			m[e.RelayIP] = append(m[e.RelayIP], e.Recipient+"|"+e.MessageID+"|"+e.Sender)
		}
	}
	return m
}

// parseRun reads files as one run of one parser (Flush at the end only).
// stats, if not nil, is called after each file.
func parseRun(t *testing.T, p *Parser, stats func(i int), paths ...string) []bouncescan.Event {
	t.Helper()
	var evs []bouncescan.Event
	emit := func(e *bouncescan.Event) { evs = append(evs, *e) }
	for i, path := range paths {
		p.Begin(parsekit.File{Name: path, Seq: i, Fingerprint: uint64(i + 1)})
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var off int64
		for n, line := range strings.SplitAfter(string(data), "\n") {
			if line == "" {
				continue
			}
			if err := p.Parse([]byte(strings.TrimRight(line, "\r\n")), bouncescan.Pos{Source: filepath.Base(path), Line: int64(n + 1), Offset: off}, emit); err != nil {
				t.Errorf("%s:%d: %v", path, n+1, err)
			}
			off += int64(len(line))
		}
		if stats != nil {
			stats(i)
		}
	}
	p.Flush(emit)
	return evs
}

func parseFiles(t *testing.T, p *Parser, paths ...string) []bouncescan.Event {
	t.Helper()
	return parseRun(t, p, nil, paths...)
}

// TestJoinFailureRecipients: a refused greeting and a failed connection
// get the recipients of the DEFER row for the same destination address
// (server-ip, or recipient-status {IP=}), whichever file is read first,
// and with the tracking columns in another order; a failure no DEFER row
// matches (192.0.2.99: only a mailbox deferral names it) has no recipient.
func TestJoinFailureRecipients(t *testing.T) {
	want := map[string][]string{
		"203.0.113.25": {"ann@example.com|j1@contoso.test|alice@contoso.test", "ben@example.com|j1@contoso.test|alice@contoso.test"},
		"198.51.100.7": {"cid@example.org|j2@contoso.test|bob@contoso.test"},
		"192.0.2.99":   {"||"},
	}
	for _, tc := range []struct {
		name  string
		track string
	}{{"documented order", joinTrack}, {"columns reordered", reorder(t, joinTrack)}} {
		send, trk := writeJoinFiles(t, tc.track)
		for _, order := range [][]string{{send, trk}, {trk, send}} {
			t.Run(tc.name+"/"+filepath.Base(order[0])+" first", func(t *testing.T) {
				p := New(testOpts())
				evs := parseFiles(t, p, order...)
				got := connectFailures(evs)
				for ip, w := range want {
					if strings.Join(got[ip], " ") != strings.Join(w, " ") {
						t.Errorf("%s: recipients %q, want %q", ip, got[ip], w)
					}
				}
				ids := map[string]bool{}
				for _, e := range evs {
					if ids[e.ID] {
						t.Errorf("id %s twice", e.ID)
					}
					ids[e.ID] = true
					if e.Recipient != "" && e.Domain != parsekit.Domain(e.Recipient) {
						t.Errorf("%s: domain %q", e.Recipient, e.Domain)
					}
				}
				if s := p.Stats(); s.Messages != 0 || s.Evicted != 0 {
					t.Errorf("stats after Flush %+v", s)
				}
			})
		}
	}
}

// TestJoinOutsideWindow: a DEFER row more than joinWait away, or on
// another connector, does not join; alone, the protocol log gives the
// failure without a recipient, as it did before the join.
func TestJoinOutsideWindow(t *testing.T) {
	late := strings.Replace(joinTrack, "2026-11-22T09:00:01.000Z", "2026-11-22T09:05:01.000Z", 1)
	other := strings.Replace(joinTrack, ",To Internet,SMTP,DEFER,5001", ",EX01\\To Partner,SMTP,DEFER,5001", 1)
	same := strings.Replace(joinTrack, ",To Internet,SMTP,DEFER,5001", ",EX01\\to internet,SMTP,DEFER,5001", 1)
	for _, tc := range []struct {
		name, track string
		n           int // recipients joined to 203.0.113.25
	}{{"5 min later", late, 0}, {"another connector", other, 0}, {"same connector, server prefix and case", same, 2}} {
		send, trk := writeJoinFiles(t, tc.track)
		for _, order := range [][]string{{send, trk}, {trk, send}} {
			got := connectFailures(parseFiles(t, New(testOpts()), order...))["203.0.113.25"]
			n := 0
			for _, r := range got {
				if !strings.HasPrefix(r, "|") {
					n++
				}
			}
			if n != tc.n || tc.n == 0 && len(got) != 1 {
				t.Errorf("%s, %s first: %q, want %d recipients", tc.name, filepath.Base(order[0]), got, tc.n)
			}
		}
	}
	send, _ := writeJoinFiles(t, joinTrack)
	got := connectFailures(parseFiles(t, New(testOpts()), send))
	if len(got) != 3 || len(got["203.0.113.25"]) != 1 || got["203.0.113.25"][0] != "||" {
		t.Errorf("protocol log alone: %q", got)
	}
}

// TestJoinBound: failures held for a tracking log are bounded by
// MaxMessages; one dropped for room goes out without a recipient and is
// counted.
func TestJoinBound(t *testing.T) {
	send, trk := writeJoinFiles(t, joinTrack)
	opts := testOpts()
	opts.MaxMessages = 2
	p := New(opts)
	evs := parseFiles(t, p, send)
	if n := len(connectFailures(evs)); n != 3 {
		t.Fatalf("%d failures emitted, want 3 (Flush)", n)
	}
	// the same, with the tracking log after: the first failure was
	// dropped when the third was held
	p = New(opts)
	var stats parsekit.Stats
	held := 0
	all := parseRun(t, p, func(i int) {
		if i == 0 {
			stats, held = p.Stats(), p.join.fails.Len()
		}
	}, send, trk)
	if stats.Evicted != 1 || held != 2 {
		t.Errorf("after the protocol log: %d failures held, stats %+v; want 2 held and 1 evicted", held, stats)
	}
	got := connectFailures(all)
	if len(got["203.0.113.25"]) != 1 || got["203.0.113.25"][0] != "||" {
		t.Errorf("the dropped failure: %q, want it without a recipient", got["203.0.113.25"])
	}
	if len(got["198.51.100.7"]) != 1 || got["198.51.100.7"][0] != "cid@example.org|j2@contoso.test|bob@contoso.test" {
		t.Errorf("a held failure: %q, want joined", got["198.51.100.7"])
	}
}

// TestResumeJoin: held failures and kept DEFER rows are state the
// watermark covers: stopped anywhere and resumed, both file orders give
// the uninterrupted run's events.
func TestResumeJoin(t *testing.T) {
	send, trk := writeJoinFiles(t, joinTrack)
	for _, files := range [][]string{{send, trk}, {trk, send}} {
		r := parsekittest.ResumeCheck(t, func() parsekittest.Parser { return New(parsekit.Options{Location: time.UTC}) }, files, 100)
		if r.Events == 0 || r.Positions != r.Lines {
			t.Errorf("%s first: tried %+v", filepath.Base(files[0]), r)
		}
	}
}
