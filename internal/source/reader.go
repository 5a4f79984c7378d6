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
	"sync/atomic"
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
	rawModTime  time.Time
	maxLine     int

	line      []byte
	long      []byte // assembly buffer for lines longer than bufSize
	truncated bool
	delim     byte // what ends a line: '\n' (LF, CRLF) or '\r' (CR only); 0 until the first line
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
	n atomic.Int64 // read by the progress bar while a readAhead reads
	// tail, if set, keeps the last two non-zero bytes read in last (xz:
	// a complete stream ends with "YZ", then zero padding)
	tail bool
	last [2]byte
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if c.tail {
		found := 0
		for i := n - 1; i >= 0 && found < 2; i-- {
			if p[i] != 0 {
				if found == 0 {
					c.last[0], c.last[1] = c.last[1], p[i]
				} else {
					c.last[0] = p[i]
				}
				found++
			}
		}
	}
	return n, err
}

// xzStream is an xz reader that reports a truncated stream: the xz
// package takes an input ending inside a block header or the index for a
// clean end, so an end of data is checked against the footer magic.
type xzStream struct {
	x *xz.Reader
	c *countingReader
}

func (s *xzStream) Read(p []byte) (int, error) {
	n, err := s.x.Read(p)
	if err == io.EOF && s.c.last != [2]byte{'Y', 'Z'} {
		err = io.ErrUnexpectedEOF
	}
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
		// Stat first: opening a FIFO without a writer blocks in open(2),
		// and a device never ends (/dev/zero).
		info, err := os.Stat(in.Path)
		if err != nil {
			return nil, &Error{Name: in.Name, Offset: -1, Err: unwrapPathError(err)}
		}
		if err := checkRegular(in.Name, info); err != nil {
			return nil, err
		}
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, &Error{Name: in.Name, Offset: -1, Err: unwrapPathError(err)}
		}
		if info, err = f.Stat(); err != nil {
			f.Close()
			return nil, &Error{Name: in.Name, Offset: -1, Err: unwrapPathError(err)}
		}
		if err := checkRegular(in.Name, info); err != nil { // replaced between Stat and Open
			f.Close()
			return nil, err
		}
		r.file, r.modTime, r.rawModTime = f, yearRef(info.ModTime()), info.ModTime()
		raw = f
	}
	r.counter.r, r.counter.tail = raw, true // the tail costs a byte or two per read
	peek := bufio.NewReaderSize(&r.counter, 4096)
	magic, _ := peek.Peek(6)
	var dec io.Reader = peek
	var err error
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		r.compression = Gzip
		var g *gzipStream
		g, err = newGzipStream(peek, &r.counter)
		if err == nil {
			dec = g
			r.closeDec = func() { g.z.Close() }
		}
	case bytes.HasPrefix(magic, []byte("BZh")):
		r.compression = Bzip2
		dec = bzip2.NewReader(peek)
	case bytes.HasPrefix(magic, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		r.compression = XZ
		var x *xz.Reader
		x, err = xz.NewReader(peek)
		if err == nil {
			dec = &xzStream{x: x, c: &r.counter}
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
	if r.compression != "" {
		ra := newReadAhead(dec)
		dec = ra
		closeDec, stdin := r.closeDec, in.Stdin
		r.closeDec = func() {
			ra.Close(!stdin)
			if closeDec != nil && !stdin {
				closeDec()
			}
		}
	}
	r.br = bufio.NewReaderSize(dec, bufSize)
	return r, nil
}

// Compression is the container found by magic bytes ("" for plain text).
func (r *Reader) Compression() Compression { return r.compression }

// ModTime is the file's modification time, the reference of the year of
// yearless stamps: zero for stdin, and for a time before 1990 (set by an
// archive tool or a reset clock; it says nothing of the stamps' year), so
// that the caller takes the clock instead.
func (r *Reader) ModTime() time.Time { return r.modTime }

// RawModTime is the file's modification time as stored (zero for stdin),
// also before 1990: what a warning about an implausible one names.
func (r *Reader) RawModTime() time.Time { return r.rawModTime }

// BytesRead is how many bytes (compressed, as stored) have been consumed.
func (r *Reader) BytesRead() int64 { return r.counter.n.Load() }

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
	if r.delim == 0 {
		r.delim = r.lineEnd()
	}
	r.truncated = false
	r.offset = r.next
	data, err := r.br.ReadSlice(r.delim)
	n := int64(len(data))
	if err == bufio.ErrBufferFull {
		data, n, err = r.readLong(data)
	}
	r.next += n
	if err != nil {
		r.eof = true
		if err != io.EOF {
			r.err = r.readError(err)
			if !errors.Is(r.err, ErrTrailingData) {
				// the bytes before damage are no line: never an event
				data = nil
			}
		}
		if len(data) == 0 {
			r.line = nil
			return false
		}
	}
	if len(data) > 0 && data[len(data)-1] == r.delim {
		data = data[:len(data)-1]
		if r.delim == '\n' && len(data) > 0 && data[len(data)-1] == '\r' {
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

// lineEnd decides, before the first line, what ends a line: LF (and
// CRLF), or CR alone when the first block (bufSize bytes, or the whole
// input if it is shorter) holds a CR and no LF at all (old Mac line ends,
// some Windows tools' exports). The block is read whole, whatever sizes
// the reads under it return (found by FuzzReader: a first read of 4 KiB
// and a CR after it made the decision depend on the read sizes); on a
// pipe this waits for the first 64 KiB or the end of the input. A block
// cut short by damage (a truncated or corrupt compressed stream) is no
// evidence that the input has no LF: LF then (found by FuzzCompressedReader:
// "\r00\n" cut after "\r0" gave an empty CR-ended line).
func (r *Reader) lineEnd() byte {
	buf, err := r.br.Peek(bufSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return '\n'
	}
	if bytes.IndexByte(buf, '\n') < 0 {
		if i := bytes.IndexByte(buf, '\r'); i >= 0 && i+1 < len(buf) {
			return '\r'
		}
	}
	return '\n'
}

// readLong assembles a line longer than the read buffer, keeping at most
// maxLine bytes (plus the newline) and skipping the rest. It returns the
// kept bytes, the number of bytes consumed and the terminating error.
func (r *Reader) readLong(first []byte) ([]byte, int64, error) {
	r.long = append(r.long[:0], first...)
	n := int64(len(first))
	for {
		data, err := r.br.ReadSlice(r.delim)
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
			if r.truncated && err == nil && r.long[len(r.long)-1] != r.delim {
				r.long = append(r.long, r.delim) // the line did end
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
	if errors.Is(err, ErrTrailingData) {
		return &Error{Name: r.name, Offset: r.next, Err: err}
	}
	if r.compression != None {
		if trailingAfterStream(err) {
			return &Error{Name: r.name, Offset: r.next, Err: fmt.Errorf("%w: the %s stream is complete, but the bytes after it do not start another one: ignored (every line before them was read)", ErrTrailingData, r.compression)}
		}
		if errors.Is(err, gzip.ErrChecksum) {
			return &Error{Name: r.name, Offset: r.next, Err: fmt.Errorf("%w: gzip checksum mismatch at the end of a member: the data is damaged somewhere before this offset (gzip cannot tell where; compare the lines with a good copy)", bouncescan.ErrCorrupt)}
		}
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

// ErrNotRegular is wrapped by the error about an input that is neither a
// regular file nor a directory (a FIFO, a device, a socket): reading one
// could wait forever (a FIFO without a writer) or never end (/dev/zero).
// Standard input ("-") is read whatever it is.
var ErrNotRegular = errors.New("not a regular file")

// ErrTrailingData is wrapped by the error that ends a compressed input
// whose complete stream is followed by bytes that are neither another
// stream nor zero padding: every line before them has been read.
var ErrTrailingData = errors.New("trailing data after the compressed stream")

// checkRegular refuses what is not a regular file, naming what it is.
func checkRegular(name string, info os.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	if m.IsDir() {
		return &Error{Name: name, Offset: -1, Err: errors.New("is a directory")}
	}
	return &Error{Name: name, Offset: -1, Err: fmt.Errorf("%w: it is %s, which may never end or wait forever for a writer; not read (to read it anyway: bouncescan scan - < %s)", ErrNotRegular, fileKind(m), name)}
}

// fileKind names a mode that is not a regular file.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// gzipStream reads the members of a gzip file one after the other, as
// `gzip -d` does. Zero bytes after a member are padding (tape and block
// devices pad; gzip -t accepts them) and end the input cleanly; other
// bytes that do not start a new member end it with ErrTrailingData,
// after all the data before them.
type gzipStream struct {
	src     *bufio.Reader
	counter *countingReader
	z       *gzip.Reader
	members int
	err     error
}

func newGzipStream(src *bufio.Reader, counter *countingReader) (*gzipStream, error) {
	z, err := gzip.NewReader(src)
	if err != nil {
		return nil, err
	}
	z.Multistream(false)
	return &gzipStream{src: src, counter: counter, z: z, members: 1}, nil
}

func (g *gzipStream) Read(p []byte) (int, error) {
	for g.err == nil {
		n, err := g.z.Read(p)
		if err == io.EOF {
			if next := g.nextMember(); next != nil {
				g.err = next
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
	return 0, g.err
}

// nextMember skips zero padding and starts the next member, if any.
func (g *gzipStream) nextMember() error {
	for {
		b, err := g.src.Peek(1)
		if len(b) == 0 {
			if err == nil || err == io.EOF {
				return io.EOF
			}
			return err
		}
		if b[0] != 0 {
			break
		}
		buf, _ := g.src.Peek(g.src.Buffered())
		zeros := 0
		for zeros < len(buf) && buf[zeros] == 0 {
			zeros++
		}
		g.src.Discard(zeros)
	}
	at := g.counter.n.Load() - int64(g.src.Buffered()) // compressed offset of what follows
	if magic, _ := g.src.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		if err := g.z.Reset(g.src); err != nil {
			return fmt.Errorf("%w: gzip member %d at compressed byte %d: bad header: %v", bouncescan.ErrCorrupt, g.members+1, at, err)
		}
		g.z.Multistream(false)
		g.members++
		return nil
	}
	return fmt.Errorf("%w: at compressed byte %d, after %d complete gzip member(s), the bytes are neither gzip data nor zero padding: ignored (every line before them was read)", ErrTrailingData, at, g.members)
}

// trailingAfterStream reports whether a decompressor's error says that a
// complete stream was followed by something that is not another one.
// These errors only come after a first stream: its magic was checked.
func trailingAfterStream(err error) bool {
	switch {
	case errors.Is(err, zstd.ErrMagicMismatch):
		return true
	case errors.Is(err, bzip2.StructuralError("bad magic value in continuation file")):
		return true
	}
	return err != nil && err.Error() == "xz: invalid header magic bytes"
}

// yearRef is a modification time as the reference of yearless stamps:
// zero when it is before 1990 (see parsekit.PlausibleRef, which the
// caller uses to refuse one in the future against its clock).
func yearRef(t time.Time) time.Time {
	if t.Unix() < 631152000 { // 1990-01-01T00:00:00Z
		return time.Time{}
	}
	return t
}
