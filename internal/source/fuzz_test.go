package source

import (
	"bytes"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// FuzzReader: any bytes, any line cap: no panic, and the lines handed out
// are the input split at LF, with one CR before the LF dropped and each
// line cut at the cap (or split at CR when the first block holds a CR and
// no LF: CR-only line ends); offsets point at each line's first byte.
func FuzzReader(f *testing.F) {
	f.Add([]byte("a\r\nb\n\nc"), 4)
	f.Add([]byte("\x1f\x8b\x08\x00garbage"), 10)
	f.Add([]byte("BZh9"), 1)
	f.Add(bytes.Repeat([]byte("x"), 3*bufSize), bufSize+1)
	f.Add([]byte("a\rb\r\rc"), 4)
	f.Add([]byte("a\rb\nc\r"), 4)
	f.Add([]byte("\x00\x00a\x00\n"), 4)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		if max <= 0 || max > 4*bufSize {
			max = DefaultMaxLine
		}
		r, err := Open(Input{Name: "-", Stdin: true}, Options{MaxLine: max, Stdin: bytes.NewReader(data)})
		if err != nil {
			return // a compressed header that does not parse
		}
		defer r.Close()
		if r.Compression() != None {
			return // decompressors are the libraries' business; see TestCorruptAndTruncated
		}
		r.Head(3)
		delim := byte('\n')
		if first := data[:min(len(data), bufSize)]; bytes.IndexByte(first, '\n') < 0 {
			if i := bytes.IndexByte(first, '\r'); i >= 0 && i+1 < len(first) {
				delim = '\r'
			}
		}
		var n int64
		for r.Next() {
			n++
			p := r.Pos()
			if p.Line != n {
				t.Fatalf("line number %d, want %d", p.Line, n)
			}
			rest := data[p.Offset:]
			want := rest
			if i := bytes.IndexByte(rest, delim); i >= 0 {
				want = rest[:i]
				if delim == '\n' && len(want) > 0 && want[len(want)-1] == '\r' {
					want = want[:len(want)-1]
				}
			}
			if len(want) > max {
				want = want[:max]
				if !r.Truncated() {
					t.Fatalf("line %d: cut but not marked truncated", n)
				}
			}
			if !bytes.Equal(r.Line(), want) {
				t.Fatalf("line %d at %d: got %q, want %q", n, p.Offset, r.Line(), want)
			}
		}
		if r.Err() != nil {
			t.Fatalf("plain input: %v", r.Err())
		}
		if want := int64(bytes.Count(data, []byte{delim})); len(data) > 0 && data[len(data)-1] != delim {
			if n != want+1 {
				t.Fatalf("%d lines, want %d", n, want+1)
			}
		} else if n != want {
			t.Fatalf("%d lines, want %d", n, want)
		}
	})
}

// FuzzCompressedReader: any text, compressed as gzip, xz or zstd, then
// cut short or with one byte changed: no panic; intact, the lines are
// those of the text; damaged, the lines handed out are a prefix of the
// text's lines (never a partial line at the damage) or the damage is
// reported (an error), unless the damage changed nothing the data depends
// on.
func FuzzCompressedReader(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), uint8(0), uint16(0), uint8(0))
	f.Add([]byte("line one\nline two\nlast without newline"), uint8(1), uint16(20), uint8(0))
	f.Add(bytes.Repeat([]byte("Nov 22 03:14:15 mx postfix/smtp[1]: ABC: status=sent\n"), 200), uint8(2), uint16(300), uint8(0x55))
	f.Add([]byte("x\r\ny\r\n"), uint8(0), uint16(9), uint8(1))
	f.Fuzz(func(t *testing.T, text []byte, kind uint8, at uint16, flip uint8) {
		var buf bytes.Buffer
		switch kind % 3 {
		case 0:
			w := gzip.NewWriter(&buf)
			w.Write(text)
			w.Close()
		case 1:
			w, _ := xz.NewWriter(&buf)
			w.Write(text)
			w.Close()
		case 2:
			w, _ := zstd.NewWriter(&buf)
			w.Write(text)
			w.Close()
		}
		z := buf.Bytes()
		want := fuzzLines(t, text)
		damaged := false
		if pos := int(at); pos >= 6 && pos < len(z) { // (shorter, the magic is cut: plain text)
			damaged = true
			if flip == 0 {
				z = z[:pos] // truncated
			} else {
				z[pos] ^= flip
			}
		}
		got, err := fuzzRead(z)
		if !damaged {
			if err != nil || !equalLines(got, want) {
				t.Fatalf("intact: %d lines, err %v; want %d lines", len(got), err, len(want))
			}
			return
		}
		if flip == 0 { // truncated: always said, and only whole lines before it
			if err == nil {
				t.Fatalf("truncated at %d of %d: no error", at, len(buf.Bytes()))
			}
			if len(got) > len(want) || !equalLines(got, want[:len(got)]) {
				t.Fatalf("truncated: the lines handed out are not a prefix of the text's: %q of %q", got, want)
			}
		}
	})
}

func fuzzLines(t *testing.T, text []byte) [][]byte {
	t.Helper()
	lines, err := fuzzRead(text)
	if err != nil {
		if len(text) >= 2 && (text[0] == 0x1f || text[0] == 'B' || text[0] == 0xfd || text[0] == 0x28) {
			t.Skip("the text itself looks compressed")
		}
		t.Fatalf("plain text: %v", err)
	}
	return lines
}

func fuzzRead(data []byte) ([][]byte, error) {
	r, err := Open(Input{Name: "-", Stdin: true}, Options{Stdin: bytes.NewReader(data)})
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var lines [][]byte
	for r.Next() {
		lines = append(lines, append([]byte(nil), r.Line()...))
	}
	return lines, r.Err()
}

func equalLines(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
