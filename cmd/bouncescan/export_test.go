package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const postfixSample = "../../samples/postfix/mail.log"

func TestRedactNeedsKey(t *testing.T) {
	t.Setenv("BOUNCESCAN_REDACT_KEY", "")
	for _, cmd := range []string{"scan", "export"} {
		args := []string{cmd, "--redact", "--progress=false", postfixSample}
		if cmd == "export" {
			args = append(args, "--to", t.TempDir())
		}
		_, errOut, code := runCLI(t, "", args...)
		if code != exitFailure || !strings.Contains(errOut, "BOUNCESCAN_REDACT_KEY") {
			t.Errorf("%s --redact without a key: exit %d, %q", cmd, code, errOut)
		}
	}
}

func TestScanRedact(t *testing.T) {
	t.Setenv("BOUNCESCAN_REDACT_KEY", "k")
	plain, _, _ := runCLI(t, "", "scan", "--progress=false", "--events", "-", postfixSample)
	red, _, code := runCLI(t, "", "scan", "--progress=false", "--redact", "--events", "-", postfixSample)
	if code != exitOK || len(red) == 0 {
		t.Fatalf("exit %d", code)
	}
	// a recipient of the plain output that must not survive redaction
	i := strings.Index(plain, `"recipient":"`)
	rcpt := plain[i+13 : i+13+strings.IndexByte(plain[i+13:], '"')]
	if !strings.Contains(rcpt, "@") || strings.Contains(red, `"`+rcpt+`"`) || strings.Contains(red, "<"+rcpt+">") {
		t.Errorf("recipient %q is still in the redacted events", rcpt)
	}
	report, _, _ := runCLI(t, "", "scan", "--progress=false", "--redact", "-o", "json", postfixSample)
	if strings.Contains(report, "<"+rcpt+">") {
		t.Errorf("recipient %q is in the redacted report", rcpt)
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	notLog := filepath.Join(dir, "notes.txt")
	os.WriteFile(notLog, []byte("hello\nthis is not a mail log\n"), 0o644)
	to := filepath.Join(dir, "out")
	_, errOut, code := runCLI(t, "", "export", "--progress=false", notLog, "--to", to)
	if code != exitPartial || !strings.Contains(errOut, "notes.txt") {
		t.Errorf("not a log: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Errorf("not a log: %s was created", to)
	}
	_, errOut, code = runCLI(t, "", "export", "--progress=false", postfixSample, "--to", filepath.Join(notLog, "sub"))
	if code != exitFailure || !strings.Contains(errOut, "notes.txt") {
		t.Errorf("--to below a file: exit %d, %q", code, errOut)
	}
	out, _, code := runCLI(t, "", "export", "--progress=false", "--format", "ndjson", postfixSample, "--to", to)
	if code != exitOK || !strings.HasPrefix(out, "exported ") {
		t.Fatalf("export: exit %d, %q", code, out)
	}
	_, errOut, code = runCLI(t, "", "export", "--progress=false", "-o", "csv", postfixSample, "--to", to)
	if code != exitFailure || !strings.Contains(errOut, "--output ndjson") {
		t.Errorf("another layout: exit %d, %q", code, errOut)
	}
}
