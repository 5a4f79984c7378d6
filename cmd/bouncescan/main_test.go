package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runCLI runs the command in-process with a fixed clock and no terminal.
func runCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Now:    func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
	code = run(args, app)
	return out.String(), errb.String(), code
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/bouncescan -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "bouncescan ") {
		t.Errorf("version: code %d, out %q", code, out)
	}
	out, _, code = runCLI(t, "", "scan", "--help")
	if code != 0 || !strings.Contains(out, "--strict") || !strings.Contains(out, "Exit status") {
		t.Errorf("scan --help: code %d, out %q", code, out)
	}
	_, errOut, code := runCLI(t, "", "scan", "--output", "xml", "x")
	if code != exitFailure || !strings.Contains(errOut, "xml") {
		t.Errorf("bad --output: code %d, stderr %q", code, errOut)
	}
}
