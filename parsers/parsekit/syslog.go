package parsekit

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Header is the syslog envelope of one line. Byte slices point into the
// line and are valid only until the next line is read.
type Header struct {
	Time time.Time
	Host []byte
	Prog []byte // e.g. "postfix/smtp", "postfix-out/smtp", "exim", "sm-mta"
	PID  int
	Msg  []byte // the program's message
	// HadYear is false for classic syslog stamps, whose year was inferred.
	HadYear bool
}

// Stamps parses the syslog styles seen in mail logs and keeps the year
// state for yearless ones. One Stamps per parser.
type Stamps struct {
	// Years is the year state of the file being read. It belongs to the
	// source (File.Years), so that switching between files, as a follower
	// of several logs does, never resets it; Stamps falls back to a state
	// of its own for a File without one.
	Years *Years
	own   Years
	Loc   *time.Location
	Fixed int
	Now   func() time.Time
	far   bool // the last stamp read was well formed but outside 1970-9999
	// the last classic stamp read ("Nov 22 03:14:15", no fraction) and its
	// time: consecutive lines mostly share their second (see Time)
	lastStamp [15]byte
	lastTime  time.Time
	lastOK    bool
	// the same for the last ISO stamp ("2026-11-22 03:14:15", with its
	// fraction and zone if it had them; lastISOLen 0: none)
	lastISO     [40]byte
	lastISOLen  int
	lastISOTime time.Time
}

// ReasonOutOfRange is the reason a parser gives for a line whose stamp
// names a time outside the years 1970-9999 (see OutOfRange).
const ReasonOutOfRange = "timestamp out of range (1970–9999)"

// OutOfRange reports whether the last Time or Syslog call failed because
// the stamp, well formed, names a time outside the years 1970-9999 (a
// year 10000, a journal stamp of 999999999999999999): the line is
// unparsed with ReasonOutOfRange rather than "bad timestamp".
func (s *Stamps) OutOfRange() bool { return s.far }

// NewStamps makes a Stamps from parser options.
func NewStamps(o Options) *Stamps {
	o = o.WithDefaults()
	s := &Stamps{Loc: o.Location, Fixed: o.Year, Now: o.Now}
	s.Years = &s.own
	return s
}

// Begin starts (or switches to) a file. A File with its own year state
// keeps it; otherwise the year of yearless stamps is anchored again from
// the file's modification time.
func (s *Stamps) Begin(f File) {
	s.lastOK, s.lastISOLen = false, 0
	if f.Years != nil {
		s.Years = f.Years
		return
	}
	s.Years = &s.own
	ref := f.ModTime
	if ref.IsZero() || ref.Unix() < earliestRef {
		// no mtime, or one set by an archive tool: the clock says more
		// (the caller that reads files checks the future with PlausibleRef
		// and says so)
		ref = s.Now()
	}
	s.Years.Begin(s.Fixed, ref.In(s.Loc))
}

// Time parses a timestamp of any supported style at the start of b.
func (s *Stamps) Time(b []byte) (t time.Time, n int, hadYear, ok bool) {
	s.far = false
	if len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		if n := s.lastISOLen; n > 0 && len(b) >= n && string(b[:n]) == string(s.lastISO[:n]) && isoEnd(b, n) {
			// the same stamp as the last line's: the same time, and the
			// year state has observed it already
			s.lastOK = false
			return s.lastISOTime, n, true, true
		}
		t, n, ok, s.far = isoTime(b, s.Loc)
		s.lastISOLen = 0
		if ok {
			s.Years.Observe(t.In(s.Loc))
			s.lastOK = false
			if n <= len(s.lastISO) && isoEnd(b, n) {
				s.lastISOLen, s.lastISOTime = copy(s.lastISO[:], b[:n]), t
			}
		}
		return t, n, true, ok
	}
	// the same classic stamp as the last line's: the same time (the year
	// state does not move on a repeated month and day, see Years.YearOf)
	if s.lastOK && len(b) > 15 && b[15] == ' ' && string(b[:15]) == string(s.lastStamp[:]) {
		return s.lastTime, 15, false, true
	}
	t, n, ok = SyslogTime(b, s.Years, s.Loc)
	if !ok && n > 0 {
		s.far = true
	}
	s.lastOK = ok && n == 15 && len(b) > 15 && b[15] == ' '
	if s.lastOK {
		copy(s.lastStamp[:], b[:15])
		s.lastTime = t
	}
	return t, n, false, ok
}

// isoEnd tells that an ISO stamp of n bytes at the start of b ends there
// whatever follows: at the end of b, or at a space not followed by a sign
// (which would make a zone of its own: "2026-11-22 03:14:15 -0500").
func isoEnd(b []byte, n int) bool {
	return len(b) == n || b[n] == ' ' && (len(b) == n+1 || b[n+1] != '+' && b[n+1] != '-')
}

// Syslog splits a syslog line: "[<pri>]STAMP host prog[pid]: message".
// STAMP is classic ("Nov 22 03:14:15"), RFC 3339 / rsyslog high precision,
// or journalctl -o short-iso. Lines of `journalctl -o json` are understood
// too. ok is false when the line is none of these.
func (s *Stamps) Syslog(line []byte, h *Header) bool {
	*h = Header{}
	s.far = false
	b := line
	if len(b) > 0 && b[0] == '{' {
		return s.journalJSON(b, h)
	}
	if len(b) > 2 && b[0] == '<' {
		if i := bytes.IndexByte(b[:min(len(b), 6)], '>'); i > 1 {
			b = b[i+1:]
		}
	}
	t, n, hadYear, ok := s.Time(b)
	if !ok || n >= len(b) || b[n] != ' ' {
		return false
	}
	h.Time, h.HadYear = t, hadYear
	b = bytes.TrimLeft(b[n:], " ")
	// host, unless the next token is already the tag
	sp := bytes.IndexByte(b, ' ')
	if sp < 0 {
		return false
	}
	tok := b[:sp]
	if tok[len(tok)-1] != ':' {
		h.Host = tok
		b = b[sp+1:]
	}
	return splitTag(b, h)
}

// Tagged reads a line without a syslog header, as SIEM exports and some
// log shippers write it: "prog[pid]: msg" (the program name must contain
// no space). The time is zero: the line carries none.
func Tagged(line []byte, h *Header) bool {
	*h = Header{}
	if len(line) == 0 || line[0] == ' ' {
		return false
	}
	return splitTag(line, h)
}

// splitTag reads "prog[pid]: msg" or "prog: msg".
func splitTag(b []byte, h *Header) bool {
	// the tag ends at the first ": " (or a ':' ending the line) and holds
	// no space; '[' starts the pid (vectorised searches: tags are short,
	// but a byte loop costs more)
	colon := -1
	for off := 0; off < len(b); {
		i := bytes.IndexByte(b[off:], ':')
		if i < 0 {
			break
		}
		i += off
		if i+1 == len(b) || b[i+1] == ' ' {
			colon = i
			break
		}
		off = i + 1
	}
	if colon < 0 || colon == 0 && len(b) > 1 { // a lone ":" is an empty tag
		return false
	}
	tag := b[:colon]
	if bytes.IndexByte(tag, ' ') >= 0 {
		return false
	}
	if lb := bytes.IndexByte(tag, '['); lb > 0 && tag[len(tag)-1] == ']' {
		h.PID, _ = digits(tag[lb+1 : len(tag)-1])
		tag = tag[:lb]
	}
	h.Prog = tag
	h.Msg = b[min(colon+2, len(b)):]
	return true
}

type journalEntry struct {
	Realtime string          `json:"__REALTIME_TIMESTAMP"`
	Host     string          `json:"_HOSTNAME"`
	Ident    string          `json:"SYSLOG_IDENTIFIER"`
	Comm     string          `json:"_COMM"`
	PID      string          `json:"_PID"`
	SyslogID string          `json:"SYSLOG_PID"`
	Message  json.RawMessage `json:"MESSAGE"`
}

// journalJSON reads one line of `journalctl -o json`. MESSAGE may be a
// string or, for non-UTF-8 text, an array of byte values.
func (s *Stamps) journalJSON(b []byte, h *Header) bool {
	var e journalEntry
	if err := json.Unmarshal(b, &e); err != nil || len(e.Message) == 0 {
		return false
	}
	us, err := strconv.ParseInt(e.Realtime, 10, 64)
	if err != nil {
		return false
	}
	h.Time = time.UnixMicro(us)
	if !InRange(h.Time) {
		s.far = true // a stamp outside 1970-9999: the line is not understood
		return false
	}
	h.HadYear = true
	s.Years.Observe(h.Time.In(s.Loc))
	h.Host = []byte(e.Host)
	h.Prog = []byte(e.Ident)
	if len(h.Prog) == 0 {
		h.Prog = []byte(e.Comm)
	}
	pid := e.SyslogID
	if pid == "" {
		pid = e.PID
	}
	h.PID, _ = strconv.Atoi(pid)
	switch e.Message[0] {
	case '"':
		var m string
		if json.Unmarshal(e.Message, &m) != nil {
			return false
		}
		h.Msg = []byte(m)
	case '[':
		var raw []int
		if json.Unmarshal(e.Message, &raw) != nil {
			return false
		}
		msg := make([]byte, len(raw))
		for i, v := range raw {
			msg[i] = byte(v)
		}
		h.Msg = msg
	default:
		return false
	}
	return true
}
