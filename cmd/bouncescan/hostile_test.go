package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// hostileCase is one input of issue 15's table, run with the real binary.
type hostileCase struct {
	name  string
	setup func(t *testing.T, dir string) []string // files to create; returns the arguments
	code  int
	// stderr must contain each of these; once names texts that must be
	// printed exactly once
	stderr []string
	once   string
	// events, if >= 0, is the number of events the JSON report on stdout
	// must hold (-o json is added)
	events int
	check  func(t *testing.T, stdout, stderr string)
	asUser bool // run as an unprivileged user when the test runs as root
}

func hostileSample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func put(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mkfifo(t *testing.T, path string) string {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	return path
}

// sampleEvents is what samples/postfix/mail.log gives.
const sampleEvents = 197

const postfixBounce = " mta postfix/smtp[1]: 58D21C807E: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/0, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))\n"

// Every input of issue 15's table (and the list under it) has one
// deliberate outcome: an exit code, one clear message naming the file
// and what to do, the rest of the input still read and reported.
func TestHostileInputs(t *testing.T) {
	bin := buildBinary(t)
	sample := hostileSample(t)
	cases := []hostileCase{
		{name: "stamp past 9999", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "y10k.log", append(append([]byte(nil), sample...), "9999-12-31T23:59:59-05:00"+postfixBounce...))}
		}, check: func(t *testing.T, out, _ string) {
			if !strings.Contains(out, `"unparsed": 1`) {
				t.Errorf("the line with the stamp past 9999 is not counted unparsed")
			}
		}},
		{name: "journal stamp past 9999", events: 1, setup: func(t *testing.T, d string) []string {
			line := func(us string) string {
				return `{"__REALTIME_TIMESTAMP":"` + us + `","_HOSTNAME":"mta","SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"1","MESSAGE":"58D21C807E: to=<a@b.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/0, dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 no such user (in reply to RCPT TO command))"}` + "\n"
			}
			return []string{put(t, d, "journal.json", []byte(line("1764000000000000")+line("999999999999999999")))}
		}},
		{name: "--year 10000", code: exitFailure, events: -1, stderr: []string{"--year 10000: use a year from 1970 to 9999"}, setup: func(t *testing.T, d string) []string {
			return []string{"--year", "10000", put(t, d, "mail.log", sample)}
		}},
		{name: "FIFO named", code: exitFailure, events: -1, stderr: []string{"named pipe (FIFO)", "bouncescan scan - <"}, setup: func(t *testing.T, d string) []string {
			return []string{mkfifo(t, filepath.Join(d, "fifo"))}
		}},
		{name: "FIFO named beside a log", code: exitPartial, events: sampleEvents, stderr: []string{"fifo: not a regular file"}, setup: func(t *testing.T, d string) []string {
			return []string{mkfifo(t, filepath.Join(d, "fifo")), put(t, d, "mail.log", sample)}
		}},
		{name: "glob matching a FIFO", code: exitFailure, events: -1, stderr: []string{"named pipe"}, setup: func(t *testing.T, d string) []string {
			mkfifo(t, filepath.Join(d, "fifo"))
			return []string{filepath.Join(d, "fi*")}
		}},
		{name: "/dev/zero", code: exitFailure, events: -1, stderr: []string{"/dev/zero: not a regular file: it is a character device"}, setup: func(t *testing.T, d string) []string {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip("no /dev/zero")
			}
			return []string{"/dev/zero"}
		}},
		{name: "directory with a FIFO", code: exitOK, events: sampleEvents, stderr: []string{"fifo: skipped"}, setup: func(t *testing.T, d string) []string {
			put(t, d, "logs/mail.log", sample)
			mkfifo(t, filepath.Join(d, "logs", "fifo"))
			return []string{filepath.Join(d, "logs")}
		}},
		{name: "--max-line 3GiB", code: exitFailure, events: -1, stderr: []string{"--max-line 3GiB: use a size from 256 bytes to 256MiB"}, setup: func(t *testing.T, d string) []string {
			return []string{"--max-line", "3GiB", put(t, d, "mail.log", sample)}
		}},
		{name: "--max-line 4MB", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{"--max-line", "4MB", put(t, d, "mail.log", sample)}
		}},
		{name: "--max-line 10k", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{"--max-line", "10k", put(t, d, "mail.log", sample)}
		}},
		{name: "--max-line 10 bytes", code: exitFailure, events: -1, stderr: []string{"--max-line 10: use a size from 256 bytes"}, setup: func(t *testing.T, d string) []string {
			return []string{"--max-line", "10", put(t, d, "mail.log", sample)}
		}},
		{name: "--top 0", code: exitFailure, events: -1, stderr: []string{"--top 0"}, setup: func(t *testing.T, d string) []string {
			return []string{"--top", "0", put(t, d, "mail.log", sample)}
		}},
		{name: "--since after --until", code: exitFailure, events: -1, stderr: []string{"is not before --until"}, setup: func(t *testing.T, d string) []string {
			return []string{"--since", "2026-11-23", "--until", "2026-11-22", put(t, d, "mail.log", sample)}
		}},
		{name: "gzip + zero padding", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "mail.log.gz", append(gz(t, sample), make([]byte, 4096)...))}
		}},
		{name: "gzip + trailing garbage", code: exitPartial, events: sampleEvents, stderr: []string{"mail.log.gz: at uncompressed byte", "trailing data"}, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "mail.log.gz", append(gz(t, sample), "not gzip at all"...))}
		}},
		{name: "gzip magic + garbage", code: exitPartial, events: sampleEvents, stderr: []string{"bad.gz", "corrupt input: gzip header"}, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "bad.gz", append([]byte{0x1f, 0x8b}, "garbage that is no gzip header"...)), put(t, d, "mail.log", sample)}
		}},
		{name: "flipped byte in deflate data", code: exitPartial, events: -1, stderr: []string{"flip.gz: at uncompressed byte", "corrupt input"}, setup: func(t *testing.T, d string) []string {
			z := gz(t, sample)
			z[len(z)/2] ^= 0x10
			return []string{put(t, d, "flip.gz", z)}
		}},
		{name: "truncated gzip", code: exitPartial, events: -1, stderr: []string{"trunc.gz: at uncompressed byte", "gzip data ends early (truncated file?)"}, setup: func(t *testing.T, d string) []string {
			z := gz(t, sample)
			return []string{put(t, d, "trunc.gz", z[:len(z)*2/3])}
		}},
		{name: "--strict, truncated gzip", code: exitFailure, events: -1, once: "gzip data ends early (truncated file?)", setup: func(t *testing.T, d string) []string {
			z := gz(t, sample)
			return []string{"--strict", put(t, d, "trunc.gz", z[:len(z)*2/3])}
		}},
		{name: "--strict, missing first file", code: exitFailure, events: -1, once: "missing.log: no such file or directory", setup: func(t *testing.T, d string) []string {
			return []string{"--strict", filepath.Join(d, "missing.log"), put(t, d, "mail.log", sample)}
		}, check: func(t *testing.T, out, _ string) {
			if out != "" {
				t.Errorf("--strict read on after the missing file: %q", out)
			}
		}},
		{name: "missing file", code: exitPartial, events: sampleEvents, stderr: []string{"missing.log: no such file or directory"}, setup: func(t *testing.T, d string) []string {
			return []string{filepath.Join(d, "missing.log"), put(t, d, "mail.log", sample)}
		}},
		{name: "permission denied", code: exitPartial, events: sampleEvents, asUser: true, stderr: []string{"secret.log: permission denied"}, setup: func(t *testing.T, d string) []string {
			p := put(t, d, "secret.log", sample)
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			return []string{p, put(t, d, "mail.log", sample)}
		}},
		{name: "directory without logs", events: 0, setup: func(t *testing.T, d string) []string {
			put(t, d, "docs/README", []byte("hello\n"))
			return []string{filepath.Join(d, "docs")}
		}, check: func(t *testing.T, out, _ string) {
			if !strings.Contains(out, "not a log format") {
				t.Errorf("the README is not listed as skipped")
			}
		}},
		{name: "binary garbage named", code: exitPartial, events: sampleEvents, stderr: []string{"garbage.bin: unknown log format", "--format"}, setup: func(t *testing.T, d string) []string {
			junk := make([]byte, 20000)
			for i := range junk {
				junk[i] = byte(i*7919 + i>>3)
			}
			return []string{put(t, d, "garbage.bin", junk), put(t, d, "mail.log", sample)}
		}},
		{name: "unknown format in a mixed directory", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			put(t, d, "logs/mail.log", sample)
			put(t, d, "logs/other.log", []byte("2026-11-22 some other program wrote this\n"))
			return []string{filepath.Join(d, "logs")}
		}},
		{name: "NUL bytes", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "nul.log", append(append([]byte("\x00\x00\x00\x00\n"), sample...), "\x00\x00garbage\x00\n"...))}
		}},
		{name: "50 MB line without newline", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			data := append(bytes.Repeat([]byte("x"), 50<<20), '\n')
			return []string{put(t, d, "long.log", append(append([]byte(nil), sample...), data...))}
		}, check: func(t *testing.T, out, _ string) {
			if !strings.Contains(out, `"truncated": 1`) {
				t.Errorf("the cut line is not counted")
			}
		}},
		{name: "CR-only line ends", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			return []string{put(t, d, "cr.log", bytes.ReplaceAll(sample, []byte("\n"), []byte("\r")))}
		}},
		{name: "the same file twice", events: sampleEvents, setup: func(t *testing.T, d string) []string {
			p := put(t, d, "mail.log", sample)
			return []string{p, p, filepath.Join(d, ".", "mail.log")}
		}},
		{name: "rules without conditions", code: exitFailure, events: -1, stderr: []string{"rules.toml:1: rule \"all\": rule has no condition"}, setup: func(t *testing.T, d string) []string {
			return []string{"--rules", put(t, d, "rules.toml", []byte("[[rule]]\nid = \"all\"\nreason = \"blocked\"\n")), put(t, d, "mail.log", sample)}
		}},
		{name: "-o json -e -", code: exitFailure, events: -1, stderr: []string{"--events - writes the events to standard output"}, setup: func(t *testing.T, d string) []string {
			return []string{"-o", "json", "-e", "-", put(t, d, "mail.log", sample)}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"scan", "--progress=false", "--tz", "UTC", "--year", "2026"}, tc.setup(t, dir)...)
			if tc.events >= 0 {
				args = append(args, "-o", "json")
			}
			out, errOut, code := runBinary(t, bin, dir, tc.asUser, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr does not say %q:\n%s", s, errOut)
				}
			}
			if tc.once != "" && strings.Count(errOut, tc.once) != 1 {
				t.Errorf("%q printed %d times:\n%s", tc.once, strings.Count(errOut, tc.once), errOut)
			}
			if tc.events >= 0 {
				var rep struct {
					Events int `json:"events"`
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("no JSON report on stdout: %v\n%.300s\nstderr: %s", err, out, errOut)
				}
				if rep.Events != tc.events {
					t.Errorf("%d events, want %d", rep.Events, tc.events)
				}
			}
			if tc.check != nil {
				tc.check(t, out, errOut)
			}
		})
	}
}

// runBinary runs bin with a deadline (a hang is a failure), as an
// unprivileged user if asked and the test runs as root.
func runBinary(t *testing.T, bin, dir string, asUser bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if asUser && os.Geteuid() == 0 {
		// root reads any file: run as nobody, who must reach the binary and the files
		for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), dir, filepath.Dir(dir)} {
			os.Chmod(d, 0o755)
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after 60 s (hangs?)", args)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errb.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), 0
}

// -e - writes the events to stdout and the table report to stderr,
// never dropping it.
func TestEventsToStdoutKeepTheReport(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	p := put(t, dir, "mail.log", hostileSample(t))
	out, errOut, code := runBinary(t, bin, dir, false, "scan", "--progress=false", "--tz", "UTC", "--year", "2026", "-e", "-", p)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "\n"); n != sampleEvents || !strings.HasPrefix(out, "{") {
		t.Errorf("stdout: %d lines, want %d NDJSON events", n, sampleEvents)
	}
	if !strings.Contains(errOut, "bouncescan report") {
		t.Errorf("the report is not on stderr:\n%.500s", errOut)
	}
}

// bouncescan alone shows the help; --version and version print the
// version and the VCS revision (or why there is none).
func TestHelpAndVersionBinary(t *testing.T) {
	bin := buildBinary(t)
	out, _, code := runBinary(t, bin, t.TempDir(), false)
	if code != exitOK || !strings.Contains(out, "Usage: bouncescan <command>") || !strings.Contains(out, "scan") {
		t.Errorf("bouncescan alone: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, _, code := runBinary(t, bin, t.TempDir(), false, args...)
		if code != exitOK || !strings.HasPrefix(out, "bouncescan ") || !strings.Contains(out, "revision") {
			t.Errorf("%v: exit %d, %q", args, code, out)
		}
	}
}
