// Following one log path forever, as `tail -F` does.
//
// Why not github.com/hpcloud/tail (or its fork github.com/nxadm/tail)?
// The design card names it, with the rule "if it loses or repeats lines in
// the rotation tests, switch and say which test failed". Both were tried
// (hpcloud/tail v1.0.0, nxadm/tail v1.4.11 with Config{Follow, ReOpen,
// CompleteLines, MaxLineSize}, polling and inotify) on the scenarios of
// follow_test.go:
//
//   - TestFollowRotateAllAtOnce / TestFollowRotateCreate (while the tailer
//     is idle at end of file: a line appended, mail.log renamed to
//     mail.log.1, a line appended to mail.log.1, a new mail.log written):
//     both libraries LOSE the two lines of the old file, polling and
//     inotify alike (their watcher sees the path name another inode and
//     reopens at once, closing the old descriptor unread); nxadm/tail with
//     inotify once also REPEATED the first line of the new file.
//     TestFollowRotateWriterLate (the new file is created empty, a line
//     still goes to the old one, then the writer moves): both lose that
//     line, polling and inotify alike.
//   - TestFollowTruncateRegrow (copytruncate, then the file regrows past the
//     old offset before the next poll): both continue at the old offset and
//     hand out the fragment "g-line" of a new line, losing its start.
//   - TestFollowOffsets / TestFollowLongLine: Line.SeekInfo is the offset
//     AFTER the line, "\r" is kept, and MaxLineSize splits a long line into
//     several lines that all carry the same SeekInfo (and the whole line is
//     held in memory first), so exact per-line offsets cannot be derived.
//   - House rules: the poll interval is a package variable set in init()
//     (no injected waker), and a failed stat calls os.Exit via util.Fatal.
//
// So the follower is written here, in the manner of mtail's logstream:
// os.Stat polling, rotation = the path names another file than the open
// descriptor (os.SameFile), truncation = size < bytes read, plus a check of
// the start of the file against the segment's identity after every idle
// wait, for a truncation that regrew past the old offset. The old
// descriptor is kept open and read to its end before moving on.

package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// DefaultPoll is how often a Follower looks for growth, rotation and
// truncation when it has nothing to read, when FollowOptions.Poll is 0.
const DefaultPoll = 250 * time.Millisecond

// maxHeadBytes bounds the leading header lines a content identity may
// need: a file with more header bytes than this before its first data
// line is an error.
const maxHeadBytes = 1 << 20

// ErrResumeMismatch says that FollowOptions.Start does not describe the
// file now at the path: another content (the file was rotated, truncated
// or replaced while nothing was following it), an offset past its end, or
// an offset that is not the start of a line. FollowOptions.Mismatch says
// what to do instead of failing. A caller that wants to finish a rotated
// file first can look for the checkpoint's identity among the rotated
// generations (mail.log.1, …), read it with Open, then follow the path from
// its start.
var ErrResumeMismatch = errors.New("checkpoint does not match the file")

// Position is where reading stopped: what a checkpoint saves and what
// FollowOptions.Start resumes from.
type Position struct {
	Identity uint64 // content identity of the segment (Segment.Identity)
	Offset   int64  // byte offset of the next line to read in that content
	// Line is the 1-based number of the line starting at Offset. 0 means
	// unknown: the Follower then counts the lines before Offset by reading
	// the file up to it (fast, but it reads the whole prefix).
	Line int64
}

// Mismatch says what Follow does when FollowOptions.Start does not match
// the file at the path.
type Mismatch int

// The choices for a Start that does not match.
const (
	MismatchFail  Mismatch = iota // Follow returns an error wrapping ErrResumeMismatch (the default)
	MismatchStart                 // read the current file from its start
	MismatchEnd                   // read only lines written after Follow, as FromEnd
)

// FollowOptions tune a Follower. The zero value follows the whole file,
// polling every DefaultPoll.
type FollowOptions struct {
	// MaxLine cuts longer lines to this many bytes (the rest of the line
	// is skipped, Truncated reports it, offsets stay exact); 0 means
	// DefaultMaxLine.
	MaxLine int
	// Poll is how long to wait before looking again when there is nothing
	// to read; 0 means DefaultPoll.
	Poll time.Duration
	// Wait waits d or until ctx is done, returning ctx.Err() then. Tests
	// inject their own waker; nil means a timer.
	Wait func(ctx context.Context, d time.Duration) error
	// FromEnd starts after the last complete line of the file as it is
	// when Follow is called: only lines completed later are handed out (a
	// line being written at that moment is handed out whole). A file that
	// appears later, or replaces this one, is read from its start.
	FromEnd bool
	// Start resumes at a checkpoint: if the file at the path holds the
	// content with Start.Identity, reading starts at Start.Offset. If it
	// does not, Mismatch decides. Start takes precedence over FromEnd.
	Start *Position
	// Mismatch says what to do when Start does not match the file.
	Mismatch Mismatch
	// OnDeleted, if set, is given a file that was deleted (or replaced by
	// a new one after being unlinked) once it was read to its end, before
	// it is closed: the last moment its content can be kept (the tail
	// command copies it, so that a restart can read it again for the
	// messages still open in it). It runs on Next's goroutine.
	OnDeleted func(file *os.File, seg *Segment)
	// OnNotice, if set, is told of rotations, truncations, deletions,
	// appearances and resumes. It is called synchronously from Follow and
	// Next, on their goroutine.
	OnNotice func(Notice)
}

// NoticeKind names what a Notice reports.
type NoticeKind int

// The kinds of notice.
const (
	// NoticeAppeared: the path exists and was opened, after it did not
	// exist (at Follow or after a deletion).
	NoticeAppeared NoticeKind = iota + 1
	// NoticeRotated: the path names a new file and the old one was renamed
	// (logrotate create); the old one was read to its end first.
	NoticeRotated
	// NoticeTruncated: the content was replaced in place (copytruncate).
	// Lines written between the last read and the truncation are lost: no
	// follower can see them. A truncation followed by regrowth past the
	// old offset is found by comparing the identity of the start of the
	// file after each idle wait; one that happens while the follower reads
	// without pausing is found only at its next pause, and a new content
	// whose identity equals the old one (same header and first data line)
	// is not found at all. A file cut to a shorter size that keeps its
	// start is a new segment too, read from 0 with the same identity: its
	// first lines come again with the same identity and offsets (so the
	// same event ids, for downstream deduplication).
	NoticeTruncated
	// NoticeDeleted: the file was removed from the path (read to its end
	// first). A file recreated at the path gives NoticeAppeared next.
	NoticeDeleted
	// NoticeResumed: reading starts at FollowOptions.Start.
	NoticeResumed
	// NoticeMismatch: FollowOptions.Start did not match the file; reading
	// starts as FollowOptions.Mismatch says. Notice.Err says why.
	NoticeMismatch
	// NoticeMissed: a rotated generation of the path (Notice.Name) that
	// was created and rotated away while the follower was busy with an
	// older file is read before going on to the new file.
	NoticeMissed
)

var noticeNames = [...]string{
	NoticeAppeared:  "appeared",
	NoticeRotated:   "rotated",
	NoticeTruncated: "truncated",
	NoticeDeleted:   "deleted",
	NoticeResumed:   "resumed",
	NoticeMismatch:  "checkpoint mismatch",
	NoticeMissed:    "reading a generation rotated away meanwhile",
}

func (k NoticeKind) String() string {
	if k > 0 && int(k) < len(noticeNames) {
		return noticeNames[k]
	}
	return fmt.Sprintf("NoticeKind(%d)", int(k))
}

// Notice reports a change of the followed file.
type Notice struct {
	Kind NoticeKind
	Name string // the path as given to Follow
	// Prev is the segment that ended (rotated, truncated, deleted), nil if
	// none had started.
	Prev *Segment
	// Offset is, for a segment that ended, the offset after its last line
	// handed out; for NoticeResumed and NoticeMismatch, the offset where
	// reading starts.
	Offset int64
	// Dropped counts bytes of the ended content that were not handed out:
	// an unterminated last line, or all of a file that ended before its
	// first data line was complete (its identity never known).
	Dropped int64
	Err     error // NoticeMismatch: why the checkpoint did not match
}

func (n Notice) String() string {
	s := fmt.Sprintf("%s: %s", n.Name, n.Kind)
	if n.Prev != nil {
		s += fmt.Sprintf(" (segment %d, %016x, ended at byte %d)", n.Prev.Seq, n.Prev.Identity, n.Offset)
	} else if n.Kind == NoticeResumed || n.Kind == NoticeMismatch {
		s += fmt.Sprintf(" at byte %d", n.Offset)
	}
	if n.Dropped > 0 {
		s += fmt.Sprintf(", %d bytes dropped", n.Dropped)
	}
	if n.Err != nil {
		s += ": " + n.Err.Error()
	}
	return s
}

// Segment is one content read at the path: the file as first opened, and
// each new file or truncated content after it. A new Segment (a new
// pointer) starts when its identity is known, before its first line.
type Segment struct {
	Name     string    // the path as given to Follow
	Seq      int       // 0 for the first content, one more for each new one
	Identity uint64    // content identity (see IdentityHash), as Reader.Fingerprint computes it
	ModTime  time.Time // the file's modification time when the segment started (zero before 1990: see Reader.ModTime)
}

// FollowStats counts what a Follower did.
type FollowStats struct {
	Lines    int64 // lines handed out
	Cut      int64 // lines cut at MaxLine
	Segments int64 // segments started
	Dropped  int64 // bytes not handed out (see Notice.Dropped)
}

type drain int

const (
	drainNone      drain = iota
	drainRotated         // path names another file, old one still linked
	drainDeleted         // old file unlinked, path missing
	drainRecreated       // old file unlinked, path names a new file
)

// Follower hands out the complete lines of the file at one path, forever,
// across rotation, truncation, deletion and recreation. It reads with
// pread at explicit offsets, keeps nothing but 80 KiB of buffers and at most
// one MaxLine-sized line, and allocates nothing per line. A Follower is
// used from one goroutine; Close must not run concurrently with Next
// (cancel Next's context first).
type Follower struct {
	path     string
	maxLine  int
	poll     time.Duration
	wait     func(context.Context, time.Duration) error
	onNotice func(Notice)
	onIdle   func()
	onDelete func(*os.File, *Segment)
	queue    []queued      // rotated files to read before the pending new one
	seen     []os.FileInfo // the last files read

	// reading state: the open file and the segment being read
	file      *os.File
	info      os.FileInfo
	next      *os.File // the new file at the path, waiting for its first data line
	nextInfo  os.FileInfo
	seg       *Segment // nil while the identity is not known
	nextSeq   int
	startOff  int64  // where the pending segment's first line starts
	startLine int64  // lines before startOff; -1 = count them
	expect    uint64 // the identity a resumed first segment must have
	expectSet bool
	readOff   int64 // file offset of buf[hi]
	rnext     int64 // file offset of the next line to cut
	rline     int64 // lines cut in the segment
	buf       []byte
	lo, hi    int
	long      []byte // kept bytes of a line longer than buf
	longN     int64  // bytes of that line consumed so far
	longCR    bool   // its last consumed byte is '\r'
	inLong    bool
	draining  drain
	lookNow   bool   // look at the path before the next wait
	announce  bool   // the path was missing: announce NoticeAppeared at open
	headLine  []byte // scratch for headIdentity
	scratch   []byte // reads that must not touch buf: head, counting, end

	// the current line
	cur       *Segment
	line      []byte
	truncated bool
	pos       bouncescan.Pos
	nextOff   int64

	stats  FollowStats
	err    error
	hard   bool // err ends the Follower
	closed bool
}

// Follow starts following path. It opens the file if it exists (a missing
// path is waited for), and checks FollowOptions.Start against it: errors
// are of type *Error, a checkpoint that does not match wraps
// ErrResumeMismatch. Follow does not block; Next does the reading.
func Follow(path string, opts FollowOptions) (*Follower, error) {
	f := &Follower{
		path:     path,
		maxLine:  opts.MaxLine,
		poll:     opts.Poll,
		wait:     opts.Wait,
		onNotice: opts.OnNotice,
		onDelete: opts.OnDeleted,
		buf:      make([]byte, bufSize),
	}
	if f.maxLine <= 0 {
		f.maxLine = DefaultMaxLine
	}
	if f.poll <= 0 {
		f.poll = DefaultPoll
	}
	if f.wait == nil {
		f.wait = sleep
	}
	file, info, err := f.openFile()
	if err != nil {
		return nil, err
	}
	f.file, f.info = file, info
	f.announce = file == nil
	switch {
	case opts.Start != nil:
		why, err := f.resume(*opts.Start)
		if err != nil {
			f.Close()
			return nil, f.fail(err, -1)
		}
		if why != nil {
			n := Notice{Kind: NoticeMismatch, Name: path, Err: why}
			switch opts.Mismatch {
			case MismatchStart:
				f.startOff, f.startLine = 0, 0
			case MismatchEnd:
				if err := f.seekEnd(); err != nil {
					f.Close()
					return nil, err
				}
			default:
				f.Close()
				return nil, &Error{Name: path, Offset: -1, Err: fmt.Errorf("%w: %v; remove the checkpoint or say where to start (from start or end)", ErrResumeMismatch, why)}
			}
			n.Offset = f.startOff
			f.notify(n)
		} else {
			f.notify(Notice{Kind: NoticeResumed, Name: path, Offset: f.startOff})
		}
	case opts.FromEnd:
		if err := f.seekEnd(); err != nil {
			f.Close()
			return nil, err
		}
	}
	f.readOff, f.rnext = f.startOff, f.startOff
	return f, nil
}

// resume checks a checkpoint against the open file and, if it matches,
// sets the start. why says why it does not match; err is a failure to
// read.
func (f *Follower) resume(p Position) (why, err error) {
	if f.file == nil {
		return fmt.Errorf("the file does not exist (checkpoint for content %016x)", p.Identity), nil
	}
	id, ok, err := f.headIdentity(f.file)
	if err != nil {
		return nil, err
	}
	if !ok {
		return fmt.Errorf("the file has no complete first data line, the checkpoint is for content %016x", p.Identity), nil
	}
	if id != p.Identity {
		return fmt.Errorf("the file holds content %016x, the checkpoint is for %016x (rotated or replaced while not followed?)", id, p.Identity), nil
	}
	info, err := f.file.Stat()
	if err != nil {
		return nil, err
	}
	if p.Offset < 0 || p.Offset > info.Size() {
		return fmt.Errorf("checkpoint offset %d is outside the file (%d bytes)", p.Offset, info.Size()), nil
	}
	if p.Offset > 0 {
		var b [1]byte
		if _, err := f.file.ReadAt(b[:], p.Offset-1); err != nil {
			return nil, err
		}
		if b[0] != '\n' {
			return fmt.Errorf("checkpoint offset %d is not the start of a line", p.Offset), nil
		}
	}
	f.startOff, f.startLine = p.Offset, p.Line-1
	if p.Line <= 0 {
		f.startLine = -1
		if p.Offset == 0 {
			f.startLine = 0
		}
	}
	f.expect, f.expectSet = id, true
	return nil, nil
}

// seekEnd makes the pending segment start after the last complete line.
func (f *Follower) seekEnd() error {
	f.startOff, f.startLine = 0, 0
	if f.file == nil {
		return nil
	}
	info, err := f.file.Stat()
	if err != nil {
		return f.fail(err, -1)
	}
	end := info.Size()
	buf := f.scratchBuf()
	for end > 0 {
		n := int64(len(buf))
		if n > end {
			n = end
		}
		if _, err := f.file.ReadAt(buf[:n], end-n); err != nil {
			return f.fail(err, end-n)
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			f.startOff, f.startLine = end-n+int64(i)+1, -1
			return nil
		}
		end -= n
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Next advances to the next complete line (one that ends with "\n"),
// waiting for it as long as it takes. It returns false when ctx is done
// (Err is then ctx.Err(), and Next may be called again with another
// context) or on an error that ends the Follower (see Err).
func (f *Follower) Next(ctx context.Context) bool {
	if f.closed {
		f.err, f.hard = &Error{Name: f.path, Offset: -1, Err: os.ErrClosed}, true
	}
	if f.hard {
		return false
	}
	f.err = nil
	for {
		if err := ctx.Err(); err != nil {
			f.err = err
			return false
		}
		if f.file == nil {
			if err := f.open(); err != nil {
				return false
			}
			if f.file == nil {
				if !f.pause(ctx) {
					return false
				}
				continue
			}
		}
		if f.seg == nil {
			ok, err := f.identify(ctx)
			if err != nil {
				if !f.hard {
					f.err = err
				}
				return false
			}
			if !ok {
				if f.draining != drainNone {
					f.endFile()
					continue
				}
				if !f.idle(ctx) {
					return false
				}
				continue
			}
		}
		if f.cut() {
			f.cur = f.seg
			f.stats.Lines++
			if f.truncated {
				f.stats.Cut++
			}
			return true
		}
		n, err := f.fill()
		if err != nil {
			return false
		}
		if n > 0 {
			continue
		}
		if f.draining != drainNone {
			f.endFile()
			continue
		}
		if !f.idle(ctx) {
			return false
		}
	}
}

// pause waits one poll interval; false when ctx is done.
func (f *Follower) pause(ctx context.Context) bool {
	if err := f.wait(ctx, f.poll); err != nil {
		f.err = err
		return false
	}
	return true
}

// idle runs at the end of what can be read: it waits, then looks at the
// path (rotation, deletion, truncation by size) and checks that the start
// of the file still is the segment's content (truncation that regrew past
// the offset). Looking after the wait, before reading on, means a file
// that left the path is read once more after it was seen to leave: lines
// written to it before that are not lost.
func (f *Follower) idle(ctx context.Context) bool {
	if f.onIdle != nil {
		f.onIdle()
	}
	if f.lookNow {
		f.lookNow = false // just switched files: the path may have moved on
	} else if !f.pause(ctx) {
		return false
	}
	changed, err := f.look()
	if err != nil {
		return false
	}
	if changed || f.seg == nil {
		return true
	}
	id, ok, err := f.headIdentity(f.file)
	if err != nil {
		f.fail(err, 0)
		return false
	}
	if !ok || id != f.seg.Identity {
		f.truncate()
	}
	return true
}

// look compares the path with the open file. It reports true when
// something changed that the read loop must act on.
//
// When the path names a new file, the old one is still read until the new
// one's first data line is complete: logrotate creates the new file before
// its postrotate script makes the writer reopen, and until then the lines
// still go to the old file. A writer that writes both files at once (not
// one after the other) can lose the lines it writes to the old file after
// that.
func (f *Follower) look() (bool, error) {
	fi, err := os.Stat(f.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return false, f.fail(err, -1)
		}
		if f.next != nil { // the new file left too: on to it
			f.draining = drainRotated
			return true, nil
		}
		// Gone from the path: renamed (a new file may follow; lines may
		// still be written to the old one) or deleted.
		if n, ok := f.links(); ok && n == 0 {
			f.draining = drainDeleted
			return true, nil
		}
		return false, nil
	}
	if os.SameFile(f.info, fi) {
		if fi.Size() < f.readOff {
			f.truncate()
			return true, nil
		}
		return false, nil
	}
	if f.next != nil && !os.SameFile(f.nextInfo, fi) {
		f.draining = drainRotated // rotated again: on to the pending file
		return true, nil
	}
	if f.next == nil {
		file, info, err := f.openFile()
		if err != nil {
			return false, f.fail(err, -1)
		}
		if file == nil {
			return false, nil // gone again
		}
		if !os.SameFile(info, fi) {
			file.Close() // changed between stat and open: next time
			return false, nil
		}
		f.next, f.nextInfo = file, info
	}
	if _, ok, err := f.headIdentity(f.next); err != nil {
		return false, f.fail(err, 0)
	} else if !ok {
		// the writer has not moved yet, unless the old file was rotated
		// further meanwhile: then the files between are read first
		cur := f.info
		if fi, err := f.file.Stat(); err == nil {
			cur = fi
		}
		if q := f.missed(cur); len(q) > 0 {
			f.queue = append(f.queue, q...)
			f.draining = drainRotated
			return true, nil
		}
		return false, nil
	}
	f.draining = drainRotated
	if n, ok := f.links(); ok && n == 0 {
		f.draining = drainRecreated
	}
	return true, nil
}

// links is the open file's link count; false if unknown.
func (f *Follower) links() (uint64, bool) {
	info, err := f.file.Stat()
	if err != nil {
		return 0, false
	}
	return linkCount(info)
}

// truncate ends the segment: the file's content was replaced in place.
func (f *Follower) truncate() {
	f.notify(Notice{Kind: NoticeTruncated, Name: f.path, Prev: f.seg, Offset: f.rnext, Dropped: f.dropped()})
	f.resetSegment()
}

// endFile ends the segment of a file that left the path, after it was read
// to its end, closes it and goes on with the pending new file if any.
func (f *Follower) endFile() {
	n := Notice{Kind: NoticeRotated, Name: f.path, Prev: f.seg, Offset: f.rnext, Dropped: f.dropped()}
	if f.draining != drainRotated {
		n.Kind = NoticeDeleted
		f.announce = true
	}
	f.notify(n)
	if n.Kind == NoticeDeleted && f.onDelete != nil && f.seg != nil {
		f.onDelete(f.file, f.seg)
	}
	old := f.info
	if fi, err := f.file.Stat(); err == nil {
		old = fi // its last write: when it was rotated away
	}
	f.file.Close()
	f.remember(old)
	if f.draining == drainRotated || f.draining == drainRecreated {
		f.queue = append(f.queue, f.missed(old)...)
	}
	if len(f.queue) > 0 {
		// a file rotated away between two looks: read it before going on
		q := f.queue[0]
		f.queue = f.queue[1:]
		f.file, f.info = q.file, q.info
		f.draining = drainRotated
		f.resetSegment()
		f.notify(Notice{Kind: NoticeMissed, Name: q.name})
		return
	}
	f.file, f.info = f.next, f.nextInfo
	f.next, f.nextInfo = nil, nil
	f.lookNow = true
	f.draining = drainNone
	f.resetSegment()
	if f.file != nil && f.announce {
		f.announce = false
		f.notify(Notice{Kind: NoticeAppeared, Name: f.path})
	}
}

// queued is a rotated file to read before going on.
type queued struct {
	name string
	file *os.File
	info os.FileInfo
}

// remember keeps the last files read, so that none is read twice.
func (f *Follower) remember(info os.FileInfo) {
	if info == nil {
		return
	}
	f.seen = append(f.seen, info)
	if len(f.seen) > 16 {
		f.seen = f.seen[len(f.seen)-16:]
	}
}

// missed lists the rotated generations of the path (path.N, path-DATE;
// not compressed) that were written after old and are neither a file read
// before nor the pending new one: files created and rotated away between
// two looks of a busy follower. Oldest (least recently written) first.
func (f *Follower) missed(old os.FileInfo) []queued {
	if old == nil {
		return nil
	}
	var in []Input
	for _, pat := range []string{f.path + ".*", f.path + "-*"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if b, kind, _ := Generation(p); kind == 0 || b != f.path {
				continue
			}
			in = append(in, Input{Name: p, Path: p})
		}
	}
	RotationOrder(in)
	var out []queued
	for _, x := range in {
		if isCompressedName(x.Path) {
			continue
		}
		info, err := os.Stat(x.Path)
		if err != nil || !info.Mode().IsRegular() || info.ModTime().Before(old.ModTime()) {
			continue
		}
		if f.nextInfo != nil && os.SameFile(info, f.nextInfo) || f.info != nil && os.SameFile(info, f.info) || f.wasSeen(info) {
			continue
		}
		file, err := os.Open(x.Path)
		if err != nil {
			continue
		}
		f.remember(info)
		out = append(out, queued{name: x.Path, file: file, info: info})
	}
	// the order they were written in: by last write (names only break
	// ties, since not every rotation numbers newest first)
	sort.SliceStable(out, func(i, j int) bool { return out[i].info.ModTime().Before(out[j].info.ModTime()) })
	return out
}

func (f *Follower) wasSeen(info os.FileInfo) bool {
	for _, s := range f.seen {
		if os.SameFile(s, info) {
			return true
		}
	}
	return false
}

func isCompressedName(p string) bool {
	lower := strings.ToLower(p)
	for _, ext := range compressionExts {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// dropped counts the bytes of the ending segment that were not handed out.
func (f *Follower) dropped() int64 {
	var n int64
	if f.seg == nil {
		if info, err := f.file.Stat(); err == nil {
			n = info.Size() - f.startOff
		}
	} else {
		n = f.readOff - f.rnext
	}
	if n < 0 {
		n = 0
	}
	f.stats.Dropped += n
	return n
}

func (f *Follower) resetSegment() {
	f.seg = nil
	f.startOff, f.startLine = 0, 0
	f.readOff, f.rnext, f.rline = 0, 0, 0
	f.lo, f.hi = 0, 0
	f.long, f.longN, f.longCR, f.inLong = f.long[:0], 0, false, false
}

// openFile opens the path; a missing path is (nil, nil, nil).
func (f *Follower) openFile() (*os.File, os.FileInfo, error) {
	file, err := os.Open(f.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		return nil, nil, &Error{Name: f.path, Offset: -1, Err: unwrapPathError(err)}
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, nil, &Error{Name: f.path, Offset: -1, Err: unwrapPathError(err)}
	}
	if info.IsDir() {
		file.Close()
		return nil, nil, &Error{Name: f.path, Offset: -1, Err: errors.New("is a directory")}
	}
	return file, info, nil
}

// open opens the path if it exists, announcing it if it was missing.
func (f *Follower) open() error {
	file, info, err := f.openFile()
	if err != nil {
		f.err, f.hard = err, true
		return err
	}
	if file == nil {
		f.announce = true
		return nil
	}
	f.file, f.info = file, info
	f.resetSegment()
	if f.announce {
		f.announce = false
		f.notify(Notice{Kind: NoticeAppeared, Name: f.path})
	}
	return nil
}

// identify starts the segment once its identity is known.
func (f *Follower) identify(ctx context.Context) (bool, error) {
	id, ok, err := f.headIdentity(f.file)
	if err != nil {
		return false, f.fail(err, 0)
	}
	if !ok {
		return false, nil
	}
	if f.expectSet && id != f.expect {
		// Replaced in place between Follow and now: the checkpoint's
		// offset means nothing in this content.
		f.expectSet = false
		f.truncate()
		return f.identify(ctx)
	}
	f.expectSet = false
	if f.startLine < 0 {
		n, err := f.countLines(ctx, f.startOff)
		if err != nil {
			return false, err
		}
		f.startLine = n
	}
	var mod time.Time
	if info, err := f.file.Stat(); err == nil {
		mod = yearRef(info.ModTime())
	}
	f.seg = &Segment{Name: f.path, Seq: f.nextSeq, Identity: id, ModTime: mod}
	f.nextSeq++
	f.stats.Segments++
	f.readOff, f.rnext, f.rline = f.startOff, f.startOff, f.startLine
	f.lo, f.hi = 0, 0
	return true, nil
}

// countLines counts the newlines before off.
func (f *Follower) countLines(ctx context.Context, off int64) (int64, error) {
	var n, at int64
	for at < off {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		buf := f.scratchBuf()
		size := int64(len(buf))
		if off-at < size {
			size = off - at
		}
		m, err := f.file.ReadAt(buf[:size], at)
		n += int64(bytes.Count(buf[:m], []byte{'\n'}))
		at += int64(m)
		if err != nil && (err != io.EOF || m == 0) {
			return 0, f.fail(err, at)
		}
	}
	return n, nil
}

// headIdentity computes the content identity of a file (see
// IdentityHash) from its head lines, each fed as Reader feeds it: without
// its line ending, cut at MaxLine. It is not known (false) while the first
// data line is not complete.
func (f *Follower) headIdentity(file *os.File) (uint64, bool, error) {
	var h IdentityHash
	keep := min(f.maxLine, IdentityLineBytes)
	line := f.headLine[:0]
	var (
		at      int64 // file offset of buf[0]
		lineLen int   // bytes of the current line so far
		lastCR  bool
	)
	defer func() { f.headLine = line[:0] }()
	for at < maxHeadBytes {
		buf := f.scratchBuf()
		n, err := file.ReadAt(buf, at)
		chunk := buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			part := chunk
			if i >= 0 {
				part = chunk[:i]
			}
			if room := keep + 1 - len(line); room > 0 {
				line = append(line, part[:min(room, len(part))]...)
			}
			lineLen += len(part)
			if len(part) > 0 {
				lastCR = part[len(part)-1] == '\r'
			}
			if i < 0 {
				break
			}
			chunk = chunk[i+1:]
			content := lineLen
			if lastCR {
				content--
			}
			if h.Add(line[:min(len(line), content, keep)]) {
				return h.Sum(), true, nil
			}
			line, lineLen, lastCR = line[:0], 0, false
		}
		at += int64(n)
		if err != nil {
			if err == io.EOF {
				return 0, false, nil
			}
			return 0, false, err
		}
	}
	return 0, false, fmt.Errorf("more than %d bytes of header lines before the first data line: cannot identify the content", maxHeadBytes)
}

// fill reads more of the file into the buffer; 0 at its current end.
func (f *Follower) fill() (int, error) {
	if f.lo > 0 {
		f.hi = copy(f.buf, f.buf[f.lo:f.hi])
		f.lo = 0
	}
	n, err := f.file.ReadAt(f.buf[f.hi:], f.readOff)
	f.hi += n
	f.readOff += int64(n)
	if err != nil && err != io.EOF {
		return n, f.fail(err, f.readOff)
	}
	return n, nil
}

// cut takes the next complete line out of the buffer.
func (f *Follower) cut() bool {
	data := f.buf[f.lo:f.hi]
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		if f.inLong || (f.lo == 0 && f.hi == len(f.buf)) {
			f.addLong(data)
			f.lo, f.hi = 0, 0
		}
		return false
	}
	var (
		line  []byte
		total int64
		cr    bool
	)
	if f.inLong {
		cr = f.longCR
		if i > 0 {
			cr = data[i-1] == '\r'
		}
		f.addLong(data[:i+1])
		total = f.longN
		content := total - 1
		if cr {
			content--
		}
		line = f.long
		if int64(len(line)) > content {
			line = line[:content]
		}
		f.truncated = content > int64(f.maxLine)
		f.inLong, f.longN = false, 0
	} else {
		line = data[:i]
		total = int64(i + 1)
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		f.truncated = len(line) > f.maxLine
		if f.truncated {
			line = line[:f.maxLine]
		}
	}
	f.lo += i + 1
	f.line = line
	f.rline++
	f.pos = bouncescan.Pos{Source: f.path, Line: f.rline, Offset: f.rnext}
	f.rnext += total
	f.nextOff = f.rnext
	return true
}

// addLong keeps the first MaxLine bytes of a line longer than the buffer.
func (f *Follower) addLong(p []byte) {
	if !f.inLong {
		f.inLong = true
		f.longN = 0
		if cap(f.long) > 4*bufSize {
			f.long = nil
		}
		f.long = f.long[:0]
	}
	if room := f.maxLine - len(f.long); room > 0 {
		f.long = append(f.long, p[:min(room, len(p))]...)
	}
	f.longN += int64(len(p))
	if len(p) > 0 {
		f.longCR = p[len(p)-1] == '\r'
	}
}

// scratchBuf is a read buffer apart from the line buffer.
func (f *Follower) scratchBuf() []byte {
	if f.scratch == nil {
		f.scratch = make([]byte, 16<<10)
	}
	return f.scratch
}

// fail records an error that ends the Follower and returns it.
func (f *Follower) fail(err error, off int64) error {
	var e *Error
	if !errors.As(err, &e) {
		err = &Error{Name: f.path, Offset: off, Err: unwrapPathError(err)}
	}
	f.err, f.hard = err, true
	return err
}

func (f *Follower) notify(n Notice) {
	if f.onNotice != nil {
		f.onNotice(n)
	}
}

// OnIdle sets a function called, on Next's goroutine, each time the
// Follower has read all there is and is about to wait: the moment for a
// caller to hand on what it has gathered (the pipeline's partial batch).
func (f *Follower) OnIdle(fn func()) { f.onIdle = fn }

// Line is the current line without its line ending (LF or CRLF), at most
// MaxLine bytes. It is valid until the next call to Next.
func (f *Follower) Line() []byte { return f.line }

// Truncated reports whether the current line was cut at MaxLine.
func (f *Follower) Truncated() bool { return f.truncated }

// Pos locates the current line: Source is the path as given to Follow,
// Line its 1-based number and Offset its byte offset, both within the
// current segment's content.
func (f *Follower) Pos() bouncescan.Pos { return f.pos }

// NextOffset is the offset where the line after the current one starts
// in the current segment (Pos().Offset plus the line's length with its
// line ending): what a checkpoint saves.
func (f *Follower) NextOffset() int64 { return f.nextOff }

// Segment is the content the current line belongs to; the pointer changes
// when a new segment starts, so comparing it per line tells where one
// content ends. Nil before the first line.
func (f *Follower) Segment() *Segment { return f.cur }

// Checkpoint is the position after the current line, for
// FollowOptions.Start; false before the first line. After a rotation or
// truncation it names the old content until the first line of the new
// one.
func (f *Follower) Checkpoint() (Position, bool) {
	if f.cur == nil {
		return Position{}, false
	}
	return Position{Identity: f.cur.Identity, Offset: f.nextOff, Line: f.pos.Line + 1}, true
}

// Stats counts lines, cut lines, segments and dropped bytes so far.
func (f *Follower) Stats() FollowStats { return f.stats }

// Err is the reason the last Next returned false: the context's error, or
// an error (of type *Error) that ended the Follower.
func (f *Follower) Err() error { return f.err }

// Close releases the open file. Next then returns false.
func (f *Follower) Close() error {
	f.closed = true
	if f.next != nil {
		f.next.Close()
		f.next, f.nextInfo = nil, nil
	}
	if f.file == nil {
		return nil
	}
	err := f.file.Close()
	f.file, f.info = nil, nil
	return err
}
