package source

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"

	"github.com/bouncescan/bouncescan"
)

// DefaultMaxLine is the line cap when Options.MaxLine is 0.
const DefaultMaxLine = 1 << 20

// bufSize is the read buffer: lines up to this length are handed out
// without copying.
const bufSize = 64 << 10

// headBudget bounds the bytes Head keeps in memory.
const headBudget = 1 << 20

// Options tune a Reader.
type Options struct {
	MaxLine int       // longer lines are cut to this many bytes; 0 = DefaultMaxLine
	Stdin   io.Reader // what "-" reads; nil = os.Stdin
	// Context, if set, ends a read that waits on standard input, a FIFO or a
	// device (which can block forever) when it is done: Next then reports
	// false and Err is the context's error. Regular files never wait.
	Context context.Context
}

// Compression names the container a Reader found.
type Compression string

// The compressions recognised by magic bytes.
const (
	None  Compression = ""
	Gzip  Compression = "gzip"
	Bzip2 Compression = "bzip2"
	XZ    Compression = "xz"
	Zstd  Compression = "zstd"
)

// Reader hands out the lines of one input. Line's result is valid until
// the next call to Next. It allocates nothing per line.
type Reader struct {
	name        string
	file        *os.File
	counter     countingReader
	closeDec    func()
	br          *bufio.Reader
	compression Compression
	modTime     time.Time
	maxLine     int

	line      []byte
	long      []byte // assembly buffer for lines longer than bufSize
	truncated bool
	lineNo    int64
	offset    int64 // uncompressed offset of the current line
	next      int64 // uncompressed offset of the next line read from the stream
	after     int64 // uncompressed offset of the line after the current one
	err       error
	eof       bool

	head    []headLine // lines read ahead by Head, not yet handed out
	headPos int

	ident IdentityHash
}

type headLine struct {
	data      []byte
	truncated bool
	offset    int64
	next      int64
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Open opens an input and looks at its first bytes to choose a
// decompressor. Errors are of type *Error.
func Open(in Input, opts Options) (*Reader, error) {
	r := &Reader{name: in.Name, maxLine: opts.MaxLine}
	if r.maxLine <= 0 {
		r.maxLine = DefaultMaxLine
	}
	var raw io.Reader
	if in.Stdin {
		raw = opts.Stdin
		if raw == nil {
			raw = os.Stdin
		}
		if r.name == "" {
			r.name = "-"
		}
		if opts.Context != nil {
			raw = newCtxReader(opts.Context, raw)
		}
	} else {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, &Error{Name: in.Name, Offset: -1, Err: unwrapPathError(err)}
		}
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, &Error{Name: in.Name, Offset: -1, Err: unwrapPathError(err)}
		}
		if info.IsDir() {
			f.Close()
			return nil, &Error{Name: in.Name, Offset: -1, Err: errors.New("is a directory")}
		}
		r.file, r.modTime = f, info.ModTime()
		raw = f
		if opts.Context != nil && !info.Mode().IsRegular() {
			raw = newCtxReader(opts.Context, f)
		}
	}
	r.counter.r = raw
	peek := bufio.NewReaderSize(&r.counter, 4096)
	magic, _ := peek.Peek(6)
	var dec io.Reader = peek
	var err error
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		r.compression = Gzip
		var z *gzip.Reader
		z, err = gzip.NewReader(peek)
		if err == nil {
			dec = z
			r.closeDec = func() { z.Close() }
		}
	case bytes.HasPrefix(magic, []byte("BZh")):
		r.compression = Bzip2
		dec = bzip2.NewReader(peek)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		r.compression = XZ
		var x *xz.Reader
		x, err = xz.NewReader(peek)
		if err == nil {
			dec = x
		}
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		r.compression = Zstd
		var z *zstd.Decoder
		z, err = zstd.NewReader(peek, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err == nil {
			dec = z
			r.closeDec = z.Close
		}
	}
	if err != nil {
		r.Close()
		return nil, &Error{Name: in.Name, Offset: 0, Err: fmt.Errorf("%w: %s header: %v", bouncescan.ErrCorrupt, r.compression, err)}
	}
	r.br = bufio.NewReaderSize(dec, bufSize)
	return r, nil
}

// Compression is the container found by magic bytes ("" for plain text).
func (r *Reader) Compression() Compression { return r.compression }

// ModTime is the file's modification time (zero for stdin).
func (r *Reader) ModTime() time.Time { return r.modTime }

// BytesRead is how many bytes (compressed, as stored) have been consumed.
func (r *Reader) BytesRead() int64 { return r.counter.n }

// Line is the current line without its line ending (LF or CRLF), at most
// MaxLine bytes.
func (r *Reader) Line() []byte { return r.line }

// Truncated reports whether the current line was cut at MaxLine.
func (r *Reader) Truncated() bool { return r.truncated }

// NextOffset is the uncompressed offset of the line after the current
// one: where a reader that stops now would go on.
func (r *Reader) NextOffset() int64 { return r.after }

// Pos locates the current line.
func (r *Reader) Pos() bouncescan.Pos {
	return bouncescan.Pos{Source: r.name, Line: r.lineNo, Offset: r.offset}
}

// Err is the error that ended reading, nil at a clean end of input.
func (r *Reader) Err() error { return r.err }

// Close releases the input.
func (r *Reader) Close() error {
	if r.closeDec != nil {
		r.closeDec()
		r.closeDec = nil
	}
	if r.file != nil {
		err := r.file.Close()
		r.file = nil
		return err
	}
	return nil
}

// Fingerprint is the identity of the content (see IdentityHash): the
// header block and the first data line. It reads ahead as far as needed
// (the lines read are handed out by Next as usual).
func (r *Reader) Fingerprint() uint64 {
	for n := DetectLinesHint; !r.ident.Done() && !r.eof; n *= 2 {
		before := len(r.head)
		r.Head(n)
		if len(r.head) == before {
			break // the read-ahead budget is spent
		}
	}
	return r.ident.Sum()
}

// DetectLinesHint is the read-ahead Fingerprint starts with.
const DetectLinesHint = 64

// Head returns up to n first lines (copies) without consuming them: the
// following calls to Next hand them out again. It stops early after 1 MiB.
// The error is the one that ended reading, if any.
func (r *Reader) Head(n int) ([][]byte, error) {
	budget := headBudget
	for _, h := range r.head {
		budget -= len(h.data)
	}
	for len(r.head) < n && budget > 0 && r.readLine() {
		h := headLine{data: append([]byte(nil), r.line...), truncated: r.truncated, offset: r.offset, next: r.next}
		budget -= len(h.data)
		r.head = append(r.head, h)
		r.ident.Add(h.data)
	}
	out := make([][]byte, 0, len(r.head))
	for _, h := range r.head[r.headPos:] {
		out = append(out, h.data)
	}
	if len(r.head) < n {
		return out, r.err
	}
	return out, nil
}

// Next advances to the next line. It returns false at the end of the
// input or on an error (see Err).
func (r *Reader) Next() bool {
	if r.headPos < len(r.head) {
		h := &r.head[r.headPos]
		r.headPos++
		r.line, r.truncated, r.offset, r.after = h.data, h.truncated, h.offset, h.next
		r.lineNo++
		if r.headPos == len(r.head) && r.eof { // nothing more to read
			r.head, r.headPos = nil, 0
		}
		return true
	}
	if len(r.head) > 0 {
		r.head, r.headPos = nil, 0
	}
	if !r.readLine() {
		return false
	}
	r.after = r.next
	r.lineNo++
	if !r.ident.done {
		r.ident.Add(r.line)
	}
	return true
}

// readLine reads one line from the stream into r.line, without counting
// it (Head and Next count).
func (r *Reader) readLine() bool {
	if r.eof {
		return false
	}
	r.truncated = false
	r.offset = r.next
	data, err := r.br.ReadSlice('\n')
	n := int64(len(data))
	if err == bufio.ErrBufferFull {
		data, n, err = r.readLong(data)
	}
	r.next += n
	if err != nil {
		r.eof = true
		if err != io.EOF {
			r.err = r.readError(err)
		}
		if len(data) == 0 {
			r.line = nil
			return false
		}
	}
	if len(data) > 0 && data[len(data)-1] == '\n' {
		data = data[:len(data)-1]
		if len(data) > 0 && data[len(data)-1] == '\r' {
			data = data[:len(data)-1]
		}
	}
	if len(data) > r.maxLine {
		data = data[:r.maxLine]
		r.truncated = true
	}
	r.line = data
	return true
}

// readLong assembles a line longer than the read buffer, keeping at most
// maxLine bytes (plus the newline) and skipping the rest. It returns the
// kept bytes, the number of bytes consumed and the terminating error.
func (r *Reader) readLong(first []byte) ([]byte, int64, error) {
	r.long = append(r.long[:0], first...)
	n := int64(len(first))
	for {
		data, err := r.br.ReadSlice('\n')
		n += int64(len(data))
		if room := r.maxLine + 1 - len(r.long); room > 0 {
			if len(data) <= room {
				r.long = append(r.long, data...)
			} else {
				r.long = append(r.long, data[:room]...)
				r.truncated = true
			}
		} else if len(data) > 0 {
			r.truncated = true
		}
		if err != bufio.ErrBufferFull {
			if r.truncated && err == nil && r.long[len(r.long)-1] != '\n' {
				r.long = append(r.long, '\n') // the line did end
			}
			if cap(r.long) > 4*bufSize && len(r.long) < bufSize {
				r.long = nil
			}
			return r.long, n, err
		}
	}
}

// readError turns a decompression or I/O error into an *Error.
func (r *Reader) readError(err error) error {
	if r.compression != None {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &Error{Name: r.name, Offset: r.next, Err: fmt.Errorf("%w: %s data ends early (truncated file?)", bouncescan.ErrCorrupt, r.compression)}
		}
		var pe *os.PathError
		if !errors.As(err, &pe) {
			return &Error{Name: r.name, Offset: r.next, Err: fmt.Errorf("%w: %s: %v", bouncescan.ErrCorrupt, r.compression, err)}
		}
	}
	return &Error{Name: r.name, Offset: r.next, Err: unwrapPathError(err)}
}
