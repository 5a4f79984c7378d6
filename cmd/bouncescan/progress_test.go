package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// On a terminal, the bar names the current file and counts lines and
// events, for files (sized) and for standard input (indeterminate); its
// rate is never that of a bar created after the bytes were read.
func TestProgressBar(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"file", "", []string{filepath.Join("..", "..", "samples", "postfix", "mail.log")}, "mail.log: 641 lines, "},
		{"stdin", string(sample), []string{"-"}, "-: 641 lines, "},
	} {
		var out, errb bytes.Buffer
		app := &App{Stdin: strings.NewReader(tc.stdin), Stdout: &out, Stderr: &errb, StderrIsTerminal: true,
			Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}
		code := run(append([]string{"scan", "--tz", "UTC", "--year", "2026"}, tc.args...), app)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", tc.name, code, errb.String())
		}
		frames := errb.String()
		if !strings.Contains(frames, tc.want) {
			t.Errorf("%s: the bar does not say %q:\n%q", tc.name, tc.want, frames)
		}
		if m := regexp.MustCompile(`\(([0-9.]+) ([KMGT]?B)/s\)`).FindStringSubmatch(frames); m != nil && (m[2] == "GB" || m[2] == "TB") {
			t.Errorf("%s: rate %s %s/s", tc.name, m[1], m[2])
		}
	}
}
