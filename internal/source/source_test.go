package source

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/bouncescan/bouncescan"
)

// plainWant is what testdata/plain.txt holds, line by line.
var plainWant = []string{"line one", "line two \xff\xfe invalid utf-8", "line three without newline"}

func readAll(t *testing.T, in Input, opts Options) ([]string, []bouncescan.Pos, *Reader, error) {
	t.Helper()
	r, err := Open(in, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	defer r.Close()
	var lines []string
	var pos []bouncescan.Pos
	for r.Next() {
		lines = append(lines, string(r.Line()))
		pos = append(pos, r.Pos())
	}
	return lines, pos, r, r.Err()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
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

func gzipBytes(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts { // one member per part: concatenated gzip
		w := gzip.NewWriter(&buf)
		w.Write([]byte(p))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestCompressionByMagic(t *testing.T) {
	plain, err := os.ReadFile("testdata/plain.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var xzBuf, zstBuf bytes.Buffer
	xw, _ := xz.NewWriter(&xzBuf)
	xw.Write(plain)
	xw.Close()
	zw, _ := zstd.NewWriter(&zstBuf)
	zw.Write(plain)
	zw.Close()
	bz, err := os.ReadFile("testdata/plain.txt.bz2")
	if err != nil {
		t.Fatal(err)
	}
	half := len(plain) / 2
	cases := []struct {
		name string
		data []byte
		want Compression
	}{
		{"plain.log", plain, None},
		// names say nothing: the content decides
		{"gz-named.log", gzipBytes(t, string(plain)), Gzip},
		{"multi-member", gzipBytes(t, string(plain[:half]), string(plain[half:])), Gzip},
		{"bz.txt", bz, Bzip2},
		{"x.gz", xzBuf.Bytes(), XZ},
		{"z", zstBuf.Bytes(), Zstd},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, c.name, c.data)
			lines, pos, r, err := readAll(t, Input{Name: p, Path: p}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Compression() != c.want {
				t.Errorf("compression %q, want %q", r.Compression(), c.want)
			}
			if !reflect.DeepEqual(lines, plainWant) {
				t.Errorf("lines %q, want %q", lines, plainWant)
			}
			wantOff := []int64{0, 10, 10 + int64(len(plainWant[1])) + 1}
			for i, p := range pos {
				if p.Line != int64(i+1) || p.Offset != wantOff[i] {
					t.Errorf("line %d pos %+v, want line %d offset %d", i, p, i+1, wantOff[i])
				}
			}
			if r.BytesRead() != int64(len(c.data)) {
				t.Errorf("BytesRead %d, want %d", r.BytesRead(), len(c.data))
			}
		})
	}
}

func TestStdin(t *testing.T) {
	lines, pos, _, err := readAll(t, Input{Name: "-", Stdin: true}, Options{Stdin: bytes.NewReader(gzipBytes(t, "a\nb\n"))})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(lines, []string{"a", "b"}) || pos[1].Source != "-" || pos[1].Offset != 2 {
		t.Errorf("got %q %+v", lines, pos)
	}
}

func TestLongLinesAreCutAndCounted(t *testing.T) {
	long := strings.Repeat("x", 3*bufSize+17)
	input := "short\n" + long + "\r\nafter\n" + strings.Repeat("y", 20) + "\n"
	for _, max := range []int{10, bufSize + 5, DefaultMaxLine} {
		lines, pos, r, err := func() ([]string, []bouncescan.Pos, *Reader, error) {
			r, err := Open(Input{Name: "-", Stdin: true}, Options{MaxLine: max, Stdin: strings.NewReader(input)})
			if err != nil {
				return nil, nil, nil, err
			}
			var lines []string
			var pos []bouncescan.Pos
			var cut []bool
			for r.Next() {
				lines = append(lines, string(r.Line()))
				pos = append(pos, r.Pos())
				cut = append(cut, r.Truncated())
			}
			wantCut := []bool{false, len(long) > max, false, 20 > max}
			if !reflect.DeepEqual(cut, wantCut) {
				t.Errorf("max %d: truncated %v, want %v", max, cut, wantCut)
			}
			return lines, pos, r, r.Err()
		}()
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 4 {
			t.Fatalf("max %d: %d lines, want 4", max, len(lines))
		}
		wantLong := long
		if len(long) > max {
			wantLong = long[:max]
		}
		if lines[1] != wantLong || lines[2] != "after" {
			t.Errorf("max %d: long line has %d bytes (want %d), next %q", max, len(lines[1]), len(wantLong), lines[2])
		}
		if pos[2].Offset != int64(6+len(long)+2) || pos[3].Line != 4 {
			t.Errorf("max %d: positions after a long line %+v", max, pos)
		}
		_ = r
	}
}

func TestCorruptAndTruncated(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("Nov 22 03:14:15 mx postfix/smtp[1]: ABC: to=<a@b.example>, status=sent\n", 2000)
	gz := gzipBytes(t, body)
	truncated := writeFile(t, dir, "mail.log.2.gz", gz[:len(gz)/2])
	lines, _, _, err := readAll(t, Input{Name: truncated, Path: truncated}, Options{})
	if !errors.Is(err, bouncescan.ErrCorrupt) {
		t.Fatalf("truncated gzip: err %v, want ErrCorrupt", err)
	}
	var se *Error
	if !errors.As(err, &se) || se.Name != truncated || se.Offset <= 0 || !strings.Contains(err.Error(), "mail.log.2.gz: at uncompressed byte") {
		t.Errorf("error %q does not name the file and offset", err)
	}
	if len(lines) == 0 {
		t.Errorf("no lines kept before the damage")
	}

	bad := append([]byte(nil), gz...)
	bad[len(bad)-6] ^= 0xff // CRC32
	p := writeFile(t, dir, "crc.gz", bad)
	if _, _, _, err := readAll(t, Input{Name: p, Path: p}, Options{}); !errors.Is(err, bouncescan.ErrCorrupt) {
		t.Errorf("bad checksum: err %v, want ErrCorrupt", err)
	}

	p = writeFile(t, dir, "hdr.gz", []byte{0x1f, 0x8b, 0x99, 0x00})
	if _, err := Open(Input{Name: p, Path: p}, Options{}); !errors.Is(err, bouncescan.ErrCorrupt) || ErrorPath(err) != p {
		t.Errorf("bad header: err %v", err)
	}

	if _, err := Open(Input{Name: "missing.log", Path: filepath.Join(dir, "missing.log")}, Options{}); err == nil || err.Error() != "missing.log: no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

func TestHeadDoesNotConsume(t *testing.T) {
	r, err := Open(Input{Name: "-", Stdin: true}, Options{Stdin: strings.NewReader("1\n2\n3\n4\n5\n")})
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Head(3)
	if err != nil || len(head) != 3 || string(head[2]) != "3" {
		t.Fatalf("head %q %v", head, err)
	}
	var got []string
	var offs []int64
	for r.Next() {
		got = append(got, string(r.Line()))
		offs = append(offs, r.Pos().Offset)
		if r.Pos().Line != int64(len(got)) {
			t.Errorf("line number %d for %q", r.Pos().Line, r.Line())
		}
	}
	if !reflect.DeepEqual(got, []string{"1", "2", "3", "4", "5"}) || !reflect.DeepEqual(offs, []int64{0, 2, 4, 6, 8}) {
		t.Errorf("after Head: %q %v", got, offs)
	}
	// asking for more lines than there are
	r2, _ := Open(Input{Name: "-", Stdin: true}, Options{Stdin: strings.NewReader("only\n")})
	head, err = r2.Head(50)
	if err != nil || len(head) != 1 || !r2.Next() || string(r2.Line()) != "only" || r2.Next() {
		t.Errorf("short head: %q %v", head, err)
	}
}

func TestFingerprint(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "mail.log", []byte("first line\nsecond\n"))
	fp := func(p string) uint64 {
		r, err := Open(Input{Name: p, Path: p}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		return r.Fingerprint()
	}
	before := fp(a)
	b := filepath.Join(dir, "mail.log.1")
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	gz := writeFile(t, dir, "mail.log.2.gz", gzipBytes(t, "first line\nsecond\nmore\n"))
	other := writeFile(t, dir, "other", []byte("another first line\n"))
	if before == 0 || fp(b) != before || fp(gz) != before || fp(other) == before {
		t.Errorf("fingerprints: %x renamed %x gzipped %x other %x", before, fp(b), fp(gz), fp(other))
	}
	// Fingerprint after reading through Next gives the same value
	r, _ := Open(Input{Name: b, Path: b}, Options{})
	for r.Next() {
	}
	if r.Fingerprint() != before {
		t.Errorf("fingerprint after Next differs")
	}
	r.Close()
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{
		"var/mail.log", "var/mail.log.1", "var/mail.log.2.gz", "var/mail.log.10.gz", "var/mail.log.3.gz",
		"var/exim/mainlog-20261121.gz", "var/exim/mainlog", "var/exim/mainlog-20261120",
		"var/.hidden", "var/.git/config", "var/a.log",
	} {
		writeFile(t, dir, n, []byte("x\n"))
	}
	v := filepath.Join(dir, "var")
	names := func(in []Input) []string {
		var out []string
		for _, x := range in {
			if x.Stdin {
				out = append(out, "-")
				continue
			}
			rel, _ := filepath.Rel(v, x.Path)
			out = append(out, rel)
		}
		return out
	}
	in, errs := Expand([]string{v})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want := []string{"a.log", "exim/mainlog-20261120", "exim/mainlog-20261121.gz", "exim/mainlog",
		"mail.log.10.gz", "mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log"}
	if got := names(in); !reflect.DeepEqual(got, want) {
		t.Errorf("directory:\n got %q\nwant %q", got, want)
	}
	if in[0].Size != 2 {
		t.Errorf("size %d", in[0].Size)
	}

	// the shell's order for mail.log* is put into rotation order; the
	// other log keeps its place; a duplicate is read once; - is stdin
	in, errs = Expand([]string{filepath.Join(v, "a.log"), filepath.Join(v, "mail.log*"), "-", filepath.Join(v, "mail.log")})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want = []string{"a.log", "mail.log.10.gz", "mail.log.3.gz", "mail.log.2.gz", "mail.log.1", "mail.log", "-"}
	if got := names(in); !reflect.DeepEqual(got, want) {
		t.Errorf("glob:\n got %q\nwant %q", got, want)
	}

	in, errs = Expand([]string{filepath.Join(v, "nope.log"), filepath.Join(v, "*.nothing"), filepath.Join(v, "a.log")})
	if len(in) != 1 || len(errs) != 2 {
		t.Fatalf("inputs %v errors %v", in, errs)
	}
	if ErrorPath(errs[0]) != filepath.Join(v, "nope.log") || !strings.HasSuffix(errs[0].Error(), "nope.log: no such file or directory") {
		t.Errorf("missing file error %q", errs[0])
	}
	if !errors.Is(errs[1], ErrNoMatch) {
		t.Errorf("empty glob error %v", errs[1])
	}
}

func TestGeneration(t *testing.T) {
	for _, c := range []struct {
		path string
		base string
		kind int
		age  int64
	}{
		{"/var/log/mail.log", "/var/log/mail.log", 0, 0},
		{"/var/log/mail.log.1", "/var/log/mail.log", 2, 1},
		{"/var/log/mail.log.12.gz", "/var/log/mail.log", 2, 12},
		{"maillog-20261121.xz", "maillog", 1, 20261121},
		{"MSGTRK2026112203-1.LOG", "MSGTRK2026112203-1.LOG", 0, 0},
		{"mail.log.gz", "mail.log", 0, 0},
	} {
		b, k, a := Generation(c.path)
		if b != c.base || k != c.kind || a != c.age {
			t.Errorf("Generation(%q) = %q %d %d, want %q %d %d", c.path, b, k, a, c.base, c.kind, c.age)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	line := "Nov 22 03:14:15 mx1 postfix/smtp[2345]: 4Xb2Zk1Qwz: to=<user@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)\n"
	data := []byte(strings.Repeat(line, 10000))
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := Open(Input{Name: "-", Stdin: true}, Options{Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		if n != 10000 {
			b.Fatalf("%d lines", n)
		}
	}
}
