package source

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/bouncescan/bouncescan"
)

const hostileLine = "Nov 22 03:14:15 mx postfix/smtp[1]: ABC: to=<a@b.example>, status=sent"

// compressors make each compressed format of body.
func compressors(t *testing.T) map[string]func(body string) []byte {
	t.Helper()
	return map[string]func(string) []byte{
		"gzip": func(body string) []byte { return gzipBytes(t, body) },
		"bzip2": func(body string) []byte {
			// Go has no bzip2 writer: the bzip2 tool, if installed
			cmd := exec.Command("bzip2", "-c", "-1")
			cmd.Stdin = strings.NewReader(body)
			out, err := cmd.Output()
			if err != nil {
				t.Skip("bzip2 tool:", err)
			}
			return out
		},
		"xz": func(body string) []byte {
			var buf bytes.Buffer
			w, _ := xz.NewWriter(&buf)
			w.Write([]byte(body))
			w.Close()
			return buf.Bytes()
		},
		"zstd": func(body string) []byte {
			var buf bytes.Buffer
			w, _ := zstd.NewWriter(&buf)
			w.Write([]byte(body))
			w.Close()
			return buf.Bytes()
		},
	}
}

func readBytes(t *testing.T, data []byte) ([]string, error) {
	t.Helper()
	r, err := Open(Input{Name: "x", Stdin: true}, Options{Stdin: bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var lines []string
	for r.Next() {
		lines = append(lines, string(r.Line()))
	}
	return lines, r.Err()
}

func TestTrailingDataAndPadding(t *testing.T) {
	body := strings.Repeat(hostileLine+"\n", 50)
	for name, compress := range compressors(t) {
		z := compress(body)
		// gzip and xz accept zero padding as their tools do
		if name == "gzip" || name == "xz" {
			lines, err := readBytes(t, append(append([]byte(nil), z...), make([]byte, 1024)...))
			if err != nil || len(lines) != 50 {
				t.Errorf("%s + zero padding: %d lines, err %v; want 50, nil", name, len(lines), err)
			}
		}
		lines, err := readBytes(t, append(append([]byte(nil), z...), "garbage after the stream\n"...))
		if !errors.Is(err, ErrTrailingData) || len(lines) != 50 {
			t.Errorf("%s + garbage: %d lines, err %v; want 50 and ErrTrailingData", name, len(lines), err)
		}
		if err != nil && !strings.Contains(err.Error(), "x: at uncompressed byte") {
			t.Errorf("%s + garbage: %q does not name the input and offset", name, err)
		}
	}
	// gzip members separated by padding: all read
	z := append(append(gzipBytes(t, "a\n"), make([]byte, 512)...), gzipBytes(t, "b\n")...)
	if lines, err := readBytes(t, z); err != nil || strings.Join(lines, ",") != "a,b" {
		t.Errorf("padded members: %q, %v", lines, err)
	}
	// a last line without newline before trailing garbage is complete data
	z = append(gzipBytes(t, "a\nlast"), "junk"...)
	if lines, err := readBytes(t, z); !errors.Is(err, ErrTrailingData) || strings.Join(lines, ",") != "a,last" {
		t.Errorf("unterminated last line + garbage: %q, %v", lines, err)
	}
}

// Truncated or damaged compressed data: an error naming the corruption,
// the lines before it kept, and never the partial line at the damage.
func TestDamagedCompressedNeverHandsOutAPartialLine(t *testing.T) {
	body := strings.Repeat(hostileLine+"\n", 20000)
	for name, compress := range compressors(t) {
		z := compress(body)
		for _, cut := range []int{len(z) / 3, len(z) / 2, len(z) - 10} {
			lines, err := readBytes(t, z[:cut])
			if !errors.Is(err, bouncescan.ErrCorrupt) {
				t.Errorf("%s cut at %d: err %v, want ErrCorrupt", name, cut, err)
			}
			for i, l := range lines {
				if l != hostileLine {
					t.Fatalf("%s cut at %d: line %d is %q: a partial line was handed out", name, cut, i+1, l)
				}
			}
			if cut == len(z)/2 && len(lines) == 0 && name != "xz" {
				t.Errorf("%s cut in half: no line kept before the damage", name)
			}
		}
		bad := append([]byte(nil), z...)
		bad[len(bad)/2] ^= 0x55
		lines, err := readBytes(t, bad)
		if err == nil {
			t.Errorf("%s with a flipped byte: no error (%d lines)", name, len(lines))
		}
	}
	// xz cut after its stream header or inside its index: the xz package
	// takes both for a clean end (found by FuzzCompressedReader)
	z := compressors(t)["xz"](body)
	for _, cut := range []int{12, 15, 21, len(z) - 20, len(z) - 1} {
		if _, err := readBytes(t, z[:cut]); !errors.Is(err, bouncescan.ErrCorrupt) {
			t.Errorf("xz cut at %d of %d: err %v, want ErrCorrupt", cut, len(z), err)
		}
	}
	p := writeFile(t, t.TempDir(), "magic.gz", append([]byte{0x1f, 0x8b}, "garbage, not gzip"...))
	_, err := Open(Input{Name: p, Path: p}, Options{})
	if !errors.Is(err, bouncescan.ErrCorrupt) || !strings.Contains(err.Error(), "gzip") {
		t.Errorf("gzip magic + garbage: %v, want a corrupt gzip header", err)
	}
}

func TestNonRegularFilesRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	writeFile(t, dir, "mail.log", []byte(hostileLine+"\n"))
	done := make(chan error, 1)
	go func() {
		_, err := Open(Input{Name: fifo, Path: fifo}, Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a FIFO without a writer hangs")
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := Open(Input{Name: "/dev/zero", Path: "/dev/zero"}, Options{}); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "character device") {
			t.Errorf("/dev/zero: %v", err)
		}
	}
	// named (directly or by a glob): an error; met in a directory: skipped, said
	for _, arg := range []string{fifo, filepath.Join(dir, "fi*")} {
		in, errs := Expand([]string{arg})
		if len(in) != 0 || len(errs) != 1 || !errors.Is(errs[0], ErrNotRegular) {
			t.Errorf("Expand(%s): %v, %v", arg, in, errs)
		}
	}
	in, errs := Expand([]string{dir})
	if len(in) != 1 || len(errs) != 1 || !errors.Is(errs[0], ErrSkipped) || ErrorPath(errs[0]) != fifo {
		t.Errorf("Expand(dir): %v, %v; want mail.log and the FIFO skipped", in, errs)
	}
}

func TestCROnlyLineEnds(t *testing.T) {
	lines, err := readBytes(t, []byte("one\rtwo\r\rfour"))
	if err != nil || strings.Join(lines, "|") != "one|two||four" {
		t.Errorf("CR-only: %q, %v", lines, err)
	}
	// CRLF stays CRLF; a CR inside an LF file is data
	lines, _ = readBytes(t, []byte("a\r\nb\rc\n"))
	if strings.Join(lines, "|") != "a|b\rc" {
		t.Errorf("CRLF with a lone CR: %q", lines)
	}
	gz := gzipBytes(t, strings.ReplaceAll(strings.Repeat(hostileLine+"\n", 3), "\n", "\r"))
	if lines, err := readBytes(t, gz); err != nil || len(lines) != 3 || lines[2] != hostileLine {
		t.Errorf("gzipped CR-only: %q, %v", lines, err)
	}
}

func TestNULBytesAreData(t *testing.T) {
	lines, err := readBytes(t, []byte("a\x00b\n\x00\x00\x00\nc\n"))
	if err != nil || len(lines) != 3 || lines[0] != "a\x00b" || lines[1] != "\x00\x00\x00" {
		t.Errorf("NUL bytes: %q, %v", lines, err)
	}
}

// zeroReader is an endless stream of one byte: a 50 MB line without
// newline, and more.
type byteReader struct {
	b byte
	n int64
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	n := int64(len(p))
	if n > r.n {
		n = r.n
	}
	for i := range p[:n] {
		p[i] = r.b
	}
	r.n -= n
	return int(n), nil
}

func TestHugeLineWithoutNewlineIsBounded(t *testing.T) {
	const size = 50 << 20
	r, err := Open(Input{Name: "-", Stdin: true}, Options{MaxLine: 1 << 20, Stdin: io.MultiReader(&byteReader{'x', size}, strings.NewReader("\nnext\n"))})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Next() || len(r.Line()) != 1<<20 || !r.Truncated() {
		t.Fatalf("first line: %d bytes, truncated %v", len(r.Line()), r.Truncated())
	}
	if cap(r.long) > 2<<20 {
		t.Errorf("the reader holds %d bytes for a capped line", cap(r.long))
	}
	if !r.Next() || string(r.Line()) != "next" || r.Pos().Offset != size+1 {
		t.Errorf("line after: %q at %d", r.Line(), r.Pos().Offset)
	}
}
