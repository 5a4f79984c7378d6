package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An Exim rejectlog that begins inside a long header dump (rotated in the
// middle of one): its first 50 lines hold no stamped line, so detection
// reads further (up to 1000 lines) and finds the rejections; a file of
// other lines is still skipped in a directory scan.
func TestDetectReadsFurther(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for k := range 60 {
		fmt.Fprintf(&b, "        by mx.example.com with esmtp (Exim 4.96) id 1tXyZa-000100-AB-%d\n", k)
	}
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&b, "2026-11-22 03:14:%02d 1tXyZa-0001%02d-AB H=(spam.example) [203.0.113.%d] F=<s%d@spam.example> rejected after DATA: Your message looks like spam\n", i, i, i, i)
		b.WriteString("Envelope-from: <s@spam.example>\nEnvelope-to: <bob@example.com>\nP Received: from [203.0.113.9] (helo=spam.example)\n")
		for k := range 70 {
			fmt.Fprintf(&b, "        by mx.example.com with esmtp (Exim 4.96) id 1tXyZa-0001%02d-AB-%d\n", i, k)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "rejectlog"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var nums strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&nums, "%d\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "numbers.txt"), []byte(nums.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "", "scan", "--progress=false", "-o", "json", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Events int64
		Totals struct{ Rejected int64 }
		Files  []struct{ Name, Format, Skipped string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Events != 4 || rep.Totals.Rejected != 4 {
		t.Errorf("events %d, rejected %d, want 4 and 4", rep.Events, rep.Totals.Rejected)
	}
	for _, f := range rep.Files {
		switch filepath.Base(f.Name) {
		case "rejectlog":
			if f.Format != "exim" {
				t.Errorf("rejectlog: format %q, skipped %q", f.Format, f.Skipped)
			}
		case "numbers.txt":
			if f.Skipped == "" {
				t.Errorf("numbers.txt read as %q", f.Format)
			}
		}
	}
}
