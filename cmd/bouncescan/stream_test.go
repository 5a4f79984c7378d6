package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain removes the binary buildBinary made.
func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(filepath.Dir(binaryPath()))
	os.Exit(code)
}

// binaryPath is where buildBinary puts the binary: one per test process
// (tests of this package do not run in parallel).
func binaryPath() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("bouncescan-cmdtest-%d", os.Getpid()), "bouncescan")
}

// buildBinary builds bouncescan once per test process, for the tests that
// run the real binary (signals, terminals, another user, exit codes).
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := binaryPath()
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", bin+".tmp", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Rename(bin+".tmp", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// An interrupted scan (SIGINT or SIGTERM, here while it waits on a
// standard input that never ends) writes the report of what it read,
// marked partial, leaves only complete lines in --events, and exits 128+n.
func TestScanInterrupted(t *testing.T) {
	bin := buildBinary(t)
	sample, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			events := filepath.Join(t.TempDir(), "events.ndjson")
			cmd := exec.Command(bin, scanArgs("-o", "json", "--events", events, "-")...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			w, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(sample); err != nil {
				t.Fatal(err)
			}
			// the pipe stays open: bouncescan waits for more; give it time
			// to read what is there, then interrupt it
			time.Sleep(500 * time.Millisecond)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatal("bouncescan did not stop within 10 s of the signal")
			}
			w.Close()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("exit: %v, want code %d; stderr %q", err, tc.code, stderr.String())
			}
			var rep struct {
				Partial string `json:"partial"`
				Events  int    `json:"events"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout.String())
			}
			if !strings.Contains(rep.Partial, "interrupted") || rep.Events != 197 {
				t.Errorf("report partial %q, events %d (want 197: every line written was read)", rep.Partial, rep.Events)
			}
			if !strings.Contains(stderr.String(), "interrupted by") {
				t.Errorf("stderr: %q", stderr.String())
			}
			f, err := os.Open(events)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			data, _ := os.ReadFile(events)
			if len(data) == 0 || data[len(data)-1] != '\n' {
				t.Fatalf("--events does not end with a complete line (%d bytes)", len(data))
			}
			n := 0
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				n++
				if !json.Valid(sc.Bytes()) {
					t.Fatalf("events line %d is not JSON: %q", n, sc.Text())
				}
			}
			if n != rep.Events {
				t.Errorf("%d event lines, report says %d", n, rep.Events)
			}
		})
	}
}

// --events naming one of the inputs (by any path) is refused before
// anything is opened for writing.
func TestScanEventsNeverOverInput(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(dir, "victim.log")
	os.WriteFile(victim, sample, 0o644)
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--events", victim, victim},
		{"--events", link, victim},
		{"--events", victim, dir},
		{"--events", filepath.Join(dir, ".", "victim.log"), "other-missing.log", victim},
	} {
		_, errOut, code := runCLI(t, "", scanArgs(args...)...)
		if code != exitFailure || !strings.Contains(errOut, "refusing to write over a log") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
		if got, _ := os.ReadFile(victim); !bytes.Equal(got, sample) {
			t.Fatalf("%q: the input was changed", args)
		}
	}
	// a new file is fine
	out := filepath.Join(dir, "events.ndjson")
	if _, errOut, code := runCLI(t, "", scanArgs("--events", out, victim)...); code != exitOK {
		t.Errorf("new events file: exit %d %q", code, errOut)
	}
}

// The same outcome read from two files counts once: an identical
// mail.info beside mail.log, one file named by relative and absolute path.
func TestScanCopiesCountOnce(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "mail.log"), sample, 0o644)
	os.WriteFile(filepath.Join(dir, "mail.info"), sample, 0o644)
	type report struct {
		Events int `json:"events"`
		Input  struct {
			Duplicates int `json:"duplicates"`
		} `json:"input"`
	}
	get := func(args ...string) report {
		t.Helper()
		out, errOut, code := runCLI(t, "", scanArgs(append([]string{"-o", "json"}, args...)...)...)
		if code != exitOK {
			t.Fatalf("%q: exit %d %s", args, code, errOut)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := get(dir); r.Events != 197 || r.Input.Duplicates != 197 {
		t.Errorf("dir with mail.log + mail.info: %+v, want 197 events and 197 duplicates", r)
	}
	t.Chdir(dir)
	if r := get("mail.log", filepath.Join(dir, "mail.log")); r.Events != 197 {
		t.Errorf("relative + absolute path: %+v", r)
	}
	if r := get(".", "mail.log"); r.Events != 197 {
		t.Errorf("directory + file in it: %+v", r)
	}
}

// With --redact, an error quoting a log line masks its addresses too.
func TestRedactErrorMessages(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mail.log")
	os.WriteFile(p, []byte("Nov 22 03:14:16 mx1 postfix/qmgr[4242]: 4F1A2B3C4E: from=<alice.secret@example.com\n"), 0o644)
	t.Setenv("BOUNCESCAN_REDACT_KEY", "k")
	_, errOut, code := runCLI(t, "", scanArgs("--strict", "--redact", p)...)
	if code != exitFailure || !strings.Contains(errOut, "@example.com") || strings.Contains(errOut, "alice.secret") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
