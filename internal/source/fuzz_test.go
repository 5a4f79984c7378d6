package source

import (
	"bytes"
	"testing"
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
