package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// fixed makes reports independent of the machine: stamps in UTC, the year
// of yearless syslog stamps given, no progress bar.
var fixed = []string{"--tz", "UTC", "--year", "2026", "--progress=false"}

func scanArgs(extra ...string) []string {
	return append(append([]string{"scan"}, fixed...), extra...)
}

func TestScanSamplesGolden(t *testing.T) {
	// from the repository root, as the README runs it
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	out, errOut, code := runCLI(t, "", scanArgs("samples/")...)
	jsonOut, _, jsonCode := runCLI(t, "", scanArgs("-o", "json", "samples/")...)
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	golden(t, "scan-samples.txt", out)
	if jsonCode != exitOK {
		t.Fatalf("json: exit %d", jsonCode)
	}
	out = jsonOut
	golden(t, "scan-samples.json", out)
	var rep struct {
		Events int64 `json:"events"`
		Input  struct {
			Files   int `json:"files"`
			Skipped int `json:"skipped"`
		} `json:"input"`
		ByMTA map[string]int64 `json:"by_mta"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Events == 0 || rep.Input.Skipped == 0 || rep.ByMTA["postfix"] != 197 {
		t.Errorf("json report: %+v", rep)
	}
}

func TestScanEventsNDJSON(t *testing.T) {
	dir := t.TempDir()
	evPath := filepath.Join(dir, "events.ndjson")
	out, _, code := runCLI(t, "", scanArgs("-o", "json", "--events", evPath, "../../samples/postfix/mail.log")...)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Events int64 `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(evPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if int64(len(lines)) != rep.Events || rep.Events != 197 {
		t.Fatalf("%d event lines, report says %d (want 197)", len(lines), rep.Events)
	}
	ids := map[string]bool{}
	for i, l := range lines {
		var e struct {
			ID        string `json:"id"`
			Status    string `json:"status"`
			Recipient string `json:"recipient"`
			Verdict   *struct {
				Class  string `json:"class"`
				Reason string `json:"reason"`
				Rule   string `json:"rule"`
			} `json:"verdict"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if e.ID == "" || ids[e.ID] || e.Status == "" || e.Verdict == nil || e.Verdict.Class == "" || e.Verdict.Reason == "" || e.Verdict.Rule == "" {
			t.Errorf("line %d: incomplete or duplicate event %s", i+1, l)
		}
		ids[e.ID] = true
	}

	// --events - writes only the events on stdout
	out, _, code = runCLI(t, "", scanArgs("--events", "-", "../../samples/postfix/mail.log")...)
	if code != exitOK || out != string(data) {
		t.Errorf("--events -: exit %d, %d bytes (want the same %d bytes as the file)", code, len(out), len(data))
	}
}

// gzippedSample is the Postfix sample log, gzipped.
func gzippedSample(t *testing.T) *bytes.Buffer {
	t.Helper()
	plain, err := os.ReadFile("../../samples/postfix/mail.log")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &gz
}

func TestScanStdinCompressed(t *testing.T) {
	gz := gzippedSample(t)
	out, _, code := runCLI(t, gz.String(), scanArgs("-o", "json", "-")...)
	if code != exitOK || !strings.Contains(out, `"events": 197,`) || !strings.Contains(out, `"name": "-"`) {
		t.Errorf("stdin: exit %d\n%s", code, out[:min(len(out), 400)])
	}
}

func TestScanErrorsKeepGoing(t *testing.T) {
	dir := t.TempDir()
	gz := gzippedSample(t)
	broken := filepath.Join(dir, "mail.log.2.gz")
	os.WriteFile(broken, gz.Bytes()[:gz.Len()/2], 0o644)
	notalog := filepath.Join(dir, "notes.txt")
	os.WriteFile(notalog, []byte("hello\nworld\n"), 0o644)
	missing := filepath.Join(dir, "missing.log")

	out, errOut, code := runCLI(t, "", scanArgs(missing, broken, notalog, "../../samples/postfix/mail.log")...)
	if code != exitPartial {
		t.Errorf("exit %d, want %d", code, exitPartial)
	}
	for _, want := range []string{
		missing + ": no such file or directory",
		broken + ": at uncompressed byte ",
		"corrupt",
		notalog + ": unknown log format",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if n := strings.Count(strings.TrimSpace(errOut), "\n") + 1; n != 3 {
		t.Errorf("want one line per bad file, got %d:\n%s", n, errOut)
	}
	if !strings.Contains(out, "FILE ERRORS 3") || !strings.Contains(out, "samples/postfix/mail.log") {
		t.Errorf("report does not show the errors and the good file:\n%s", out)
	}

	// --strict: the first bad file is fatal
	_, errOut, code = runCLI(t, "", scanArgs("--strict", broken, "../../samples/postfix/mail.log")...)
	if code != exitFailure || !strings.Contains(errOut, broken) {
		t.Errorf("--strict: exit %d, stderr %q", code, errOut)
	}
}

func TestScanStrictBadLine(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	log := "Nov 22 10:00:00 mx postfix/smtp[1]: 4ABCDEF: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" +
		"Nov 22 10:00:01 mx postfix/smtp[1]: 4ABCDEF: to=<b@example.com>, status=\n"
	os.WriteFile(p, []byte(log), 0o644)
	out, _, code := runCLI(t, "", scanArgs(p)...)
	if code != exitOK || !strings.Contains(out, "unparsed lines 1") {
		t.Fatalf("without --strict: exit %d\n%s", code, out)
	}
	_, errOut, code := runCLI(t, "", scanArgs("--strict", p)...)
	if code != exitFailure || !strings.Contains(errOut, p+":2") {
		t.Errorf("--strict: exit %d, stderr %q (want file:line)", code, errOut)
	}
}

func TestScanLongLinesAndTimeWindow(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mail.log")
	long := "Nov 22 10:00:00 mx postfix/smtpd[9]: connect from " + strings.Repeat("x", 5000) + "\n"
	log := long +
		"Nov 22 10:00:00 mx postfix/smtp[1]: 4ABCDEF: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" +
		"Nov 22 12:00:00 mx postfix/smtp[1]: 4ABCDEF: to=<b@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"
	os.WriteFile(p, []byte(log), 0o644)
	out, _, code := runCLI(t, "", scanArgs("--max-line", "1KiB", p)...)
	if code != exitOK || !strings.Contains(out, "cut long lines 1") || !strings.Contains(out, "events 2") {
		t.Errorf("--max-line: exit %d\n%s", code, out)
	}
	_, errOut, code := runCLI(t, "", scanArgs("--strict", "--max-line", "1KiB", p)...)
	if code != exitFailure || !strings.Contains(errOut, p+":1") {
		t.Errorf("--strict long line: exit %d %q", code, errOut)
	}
	out, _, code = runCLI(t, "", scanArgs("--since", "2026-11-22 11:00", p)...)
	if code != exitOK || !strings.Contains(out, "events 1,") || !strings.Contains(out, "outside --since/--until 1") || !strings.Contains(out, "userunknown") {
		t.Errorf("--since: exit %d\n%s", code, out)
	}
	out, _, _ = runCLI(t, "", scanArgs("--until", "2026-11-22T11:00:00Z", p)...)
	if !strings.Contains(out, "events 1,") || strings.Contains(out, "userunknown") {
		t.Errorf("--until:\n%s", out)
	}
	_, errOut, code = runCLI(t, "", scanArgs("--since", "yesterday", p)...)
	if code != exitFailure || !strings.Contains(errOut, "--since") {
		t.Errorf("bad --since: exit %d %q", code, errOut)
	}
}

func TestFormatsCommand(t *testing.T) {
	out, _, code := runCLI(t, "", "formats")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"postfix", "exchange", "sendmail"} {
		if !strings.Contains(out, name) {
			t.Errorf("formats lacks %s:\n%s", name, out)
		}
	}
}

func TestScanNothingToRead(t *testing.T) {
	out, errOut, code := runCLI(t, "", scanArgs(filepath.Join(t.TempDir(), "none.log"))...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, "nothing to read") || !strings.Contains(errOut, "none.log: no such file") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestScanMixedDirectory: Postfix, Exim, Exchange and Sendmail logs in one
// directory (compressed or not, under any name) give one report, each file
// read by its own parser, the MTA as a breakdown.
func TestScanMixedDirectory(t *testing.T) {
	dir := t.TempDir()
	copyTo := func(src, dst string, compress bool) {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if compress {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write(data)
			w.Close()
			data = b.Bytes()
		}
		p := filepath.Join(dir, dst)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyTo("../../samples/postfix/mail.log", "mx1/mail.log.1", true)
	copyTo("../../samples/exim/mainlog", "mx2/exim4/mainlog", false)
	copyTo("../../samples/exchange/MSGTRK2026112203-1.LOG", "ex01/tracking.log", false)
	copyTo("../../samples/sendmail/maillog", "old/maillog", false)
	copyTo("../../samples/postfix/README.md", "notes.md", false)

	out, errOut, code := runCLI(t, "", scanArgs("-o", "json", dir)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Events int64            `json:"events"`
		ByMTA  map[string]int64 `json:"by_mta"`
		Files  []struct {
			Name    string `json:"name"`
			Format  string `json:"format"`
			Events  int64  `json:"events"`
			Skipped string `json:"skipped"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mx1/mail.log.1": "postfix", "mx2/exim4/mainlog": "exim", "ex01/tracking.log": "exchange", "old/maillog": "sendmail", "notes.md": ""}
	var sum int64
	for _, f := range rep.Files {
		rel, _ := filepath.Rel(dir, f.Name)
		if w, ok := want[rel]; !ok || f.Format != w {
			t.Errorf("%s read as %q, want %q", rel, f.Format, w)
		}
		if rel == "notes.md" && f.Skipped == "" {
			t.Errorf("notes.md not marked skipped")
		}
		sum += f.Events
	}
	if len(rep.Files) != len(want) {
		t.Errorf("%d files in the report, want %d", len(rep.Files), len(want))
	}
	for _, mta := range []string{"postfix", "exim", "exchange", "sendmail"} {
		if rep.ByMTA[mta] == 0 {
			t.Errorf("no %s events: %v", mta, rep.ByMTA)
		}
	}
	if rep.ByMTA["postfix"] != 197 || rep.ByMTA["exim"] != 168 || sum != rep.Events {
		t.Errorf("by MTA %v, file events sum %d, events %d", rep.ByMTA, sum, rep.Events)
	}
}

// TestScanEximRejectlogOnce: Exim logs each rejection in mainlog and
// rejectlog; a scan of both counts it once and shows the copies.
func TestScanEximRejectlogOnce(t *testing.T) {
	type rep struct {
		Events int64 `json:"events"`
		Input  struct {
			Duplicates int64 `json:"duplicates"`
		} `json:"input"`
		ByStatus map[string]int64 `json:"by_status"`
	}
	scan := func(files ...string) rep {
		out, errOut, code := runCLI(t, "", scanArgs(append([]string{"-o", "json"}, files...)...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r rep
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	main := scan("../../samples/exim/mainlog")
	both := scan("../../samples/exim/mainlog", "../../samples/exim/rejectlog")
	reverse := scan("../../samples/exim/rejectlog", "../../samples/exim/mainlog")
	// the rejectlog adds one hand-written rejection the mainlog lacks
	for _, r := range []rep{both, reverse} {
		if r.Events != main.Events+1 || r.ByStatus["rejected"] != main.ByStatus["rejected"]+1 || r.Input.Duplicates != 7 {
			t.Errorf("mainlog alone %+v; with the rejectlog %+v", main, r)
		}
	}
}
