package parsekit

import (
	"time"
)

// digits parses b as an unsigned decimal number; ok is false if b is empty
// or holds a non-digit.
func digits(b []byte) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Atoi parses a non-negative decimal number without allocating.
func Atoi(b []byte) (int, bool) { return digits(b) }

var monthKeys = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func month(b []byte) time.Month {
	if len(b) != 3 {
		return 0
	}
	for i, m := range monthKeys {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			return time.Month(i + 1)
		}
	}
	return 0
}

// clock parses "HH:MM:SS" at the start of b, with an optional fraction
// ".ffffff"; it returns the clock and the bytes consumed.
func clock(b []byte) (h, m, s, ns, n int, ok bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	var ok1, ok2, ok3 bool
	h, ok1 = digits(b[0:2])
	m, ok2 = digits(b[3:5])
	s, ok3 = digits(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, 0, 0, 0, 0, false
	}
	n = 8
	if len(b) > 9 && (b[8] == '.' || b[8] == ',') && b[9] >= '0' && b[9] <= '9' {
		n = 9
		scale := 100_000_000
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			if scale > 0 {
				ns += int(b[n]-'0') * scale
				scale /= 10
			}
			n++
		}
	}
	return h, m, s, ns, n, true
}

// zone parses "Z", "+hh:mm", "+hhmm" or "+hh" at the start of b and returns
// the offset east of UTC in seconds and the bytes consumed.
func zone(b []byte) (off, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	if b[0] == 'Z' || b[0] == 'z' {
		return 0, 1, true
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, 0, false
	}
	sign := 1
	if b[0] == '-' {
		sign = -1
	}
	if len(b) < 3 {
		return 0, 0, false
	}
	hh, ok1 := digits(b[1:3])
	if !ok1 {
		return 0, 0, false
	}
	n = 3
	mm := 0
	switch {
	case len(b) >= 6 && b[3] == ':':
		v, ok2 := digits(b[4:6])
		if !ok2 {
			return 0, 0, false
		}
		mm, n = v, 6
	case len(b) >= 5 && b[3] >= '0' && b[3] <= '9':
		v, ok2 := digits(b[3:5])
		if !ok2 {
			return 0, 0, false
		}
		mm, n = v, 5
	}
	if hh > 14 || mm > 59 {
		return 0, 0, false
	}
	return sign * (hh*3600 + mm*60), n, true
}

// ISOTime parses "YYYY-MM-DDTHH:MM:SS[.frac][zone]" (RFC 3339, rsyslog
// high precision, journalctl short-iso) and, with a space instead of the
// T, Exim's "YYYY-MM-DD HH:MM:SS[.mmm][ +zone]". Zoneless stamps are read in
// loc. It returns the time and the bytes consumed.
func ISOTime(b []byte, loc *time.Location) (time.Time, int, bool) {
	t, n, ok, _ := isoTime(b, loc)
	return t, n, ok
}

// isoTime is ISOTime; far tells that the stamp is well formed but names a
// time outside 1970-9999 (ok is then false).
func isoTime(b []byte, loc *time.Location) (t time.Time, n int, ok, far bool) {
	t, n, ok = isoParse(b, loc)
	if ok && !InRange(t) {
		return time.Time{}, 0, false, true
	}
	if !ok && longYear(b) {
		return time.Time{}, 0, false, true
	}
	return t, n, ok, false
}

// StampOutOfRange reports whether b starts with a well-formed ISO 8601 /
// RFC 3339 stamp that names a time outside the years 1970-9999 (which
// ISOTime refuses): the line is then unparsed with ReasonOutOfRange.
func StampOutOfRange(b []byte, loc *time.Location) bool {
	_, _, _, far := isoTime(b, loc)
	return far
}

// longYear reports whether b starts with a year of 5 to 9 digits and
// "-MM-DD": a stamp past 9999.
func longYear(b []byte) bool {
	i := 0
	for i < len(b) && i < 10 && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i < 5 || i > 9 || len(b) < i+6 || b[i] != '-' || b[i+3] != '-' {
		return false
	}
	_, ok1 := digits(b[i+1 : i+3])
	_, ok2 := digits(b[i+4 : i+6])
	return ok1 && ok2
}

func isoParse(b []byte, loc *time.Location) (time.Time, int, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') {
		return time.Time{}, 0, false
	}
	y, ok1 := digits(b[0:4])
	mo, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, 0, false
	}
	h, mi, s, ns, n, ok := clock(b[11:])
	if !ok {
		return time.Time{}, 0, false
	}
	n += 11
	zb := b[n:]
	if b[10] == ' ' && len(zb) > 1 && zb[0] == ' ' && (zb[1] == '+' || zb[1] == '-') {
		if off, zn, zok := zone(zb[1:]); zok && zn >= 5 {
			return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC).Add(-time.Duration(off) * time.Second), n + 1 + zn, true
		}
	}
	if off, zn, zok := zone(zb); zok {
		t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC).Add(-time.Duration(off) * time.Second)
		return t, n + zn, true
	}
	if loc == nil {
		loc = time.Local
	}
	return time.Date(y, time.Month(mo), d, h, mi, s, ns, loc), n, true
}

// The instants a stamp may name, in Unix seconds: the years 1970 to
// 9999, with a margin of 14 hours so that the time shown in any zone keeps
// a 4-digit year (JSON, RFC 3339). A stamp outside them makes its line
// unparsed, never a failure of the output.
const (
	minUnix = -14 * 3600                 // 1970-01-01T00:00:00+14:00
	maxUnix = 253402300799 - 14*3600 - 1 // 9999-12-31T23:59:59Z, 14 hours earlier
)

// InRange reports whether t is a time a log stamp may name (1970-9999).
func InRange(t time.Time) bool { u := t.Unix(); return u >= minUnix && u <= maxUnix }

// Years resolves the year of classic syslog stamps ("Nov 22 03:14:15"),
// which have none. For each file it starts from the --year given, or else
// from the file's modification time: the first stamp is never placed
// after it (a month and day more than a day later than the modification
// time belong to the year before; the day of margin absorbs zones and
// clock skew). It then follows the file: a step from December to January
// starts a new year, a December stamp right after January ones belongs to
// the old year (a straggler), and any other step, back or forward, stays
// in the year (files that concatenate periods or servers are not in time
// order). Stamps that carry a year (mixed-style files) re-anchor it.
type Years struct {
	fixed   int
	ref     time.Time
	year    int
	last    time.Month
	started bool
	changes uint64
}

// NewYears makes the year state of one file: fixed is the --year (0 =
// infer), ref the file's modification time (or the clock for stdin).
func NewYears(fixed int, ref time.Time) *Years {
	y := &Years{}
	y.Begin(fixed, ref)
	return y
}

// Begin starts a new file. fixed is the --year (0 = infer), ref the file's
// modification time (or the clock for stdin).
func (y *Years) Begin(fixed int, ref time.Time) {
	*y = Years{fixed: fixed, ref: ref, changes: y.changes + 1}
}

// YearsState is a saved Years, for checkpoints.
type YearsState struct {
	Fixed   int        `json:"fixed,omitempty"`
	Ref     time.Time  `json:"ref"`
	Year    int        `json:"year,omitempty"`
	Last    time.Month `json:"last,omitempty"`
	Started bool       `json:"started,omitempty"`
}

// State returns the state, to be given back to Restore.
func (y *Years) State() YearsState {
	return YearsState{Fixed: y.fixed, Ref: y.ref, Year: y.year, Last: y.last, Started: y.started}
}

// Restore sets the state saved by State.
func (y *Years) Restore(s YearsState) {
	*y = Years{fixed: s.Fixed, ref: s.Ref, year: s.Year, last: s.Last, started: s.Started, changes: y.changes + 1}
}

// Changes counts the changes of the state: a reader compares it after
// each line to keep the state as of a line cheaply (it changes about once
// a month of log).
func (y *Years) Changes() uint64 { return y.changes }

// Observe re-anchors the year on a stamp that carried one.
func (y *Years) Observe(t time.Time) {
	if y.year != t.Year() || y.last != t.Month() || !y.started {
		y.year, y.last, y.started = t.Year(), t.Month(), true
		y.changes++
	}
}

// Year returns the year of a yearless stamp in month m (on its first day,
// for the comparison with the modification time: see YearOf).
func (y *Years) Year(m time.Month) int { return y.YearOf(m, 1) }

// YearOf returns the year of a yearless stamp of month m, day d.
func (y *Years) YearOf(m time.Month, d int) int {
	if !y.started {
		y.changes++
		y.started = true
		y.last = m
		switch {
		case y.fixed > 0:
			y.year = y.fixed
		case afterRef(y.ref, m, d):
			y.year = y.ref.Year() - 1
		default:
			y.year = y.ref.Year()
		}
		return y.year
	}
	switch {
	case m == time.January && y.last == time.December: // a new year began
		y.year++
		y.last = m
		y.changes++
	case m == time.December && y.last == time.January: // a straggler from the old year
		return y.year - 1
	case m != y.last:
		y.last = m
		y.changes++
	}
	return y.year
}

// afterRef reports whether month m, day d of ref's year is more than a
// day after ref.
func afterRef(ref time.Time, m time.Month, d int) bool {
	if d < 1 {
		d = 1
	}
	at := time.Date(ref.Year(), m, d, 0, 0, 0, 0, ref.Location())
	return at.After(ref.AddDate(0, 0, 1))
}

// The modification times Years trusts: from 1990 to a day after the clock.
// Outside them a file's mtime was set by something else (a restore, an
// archive tool, a wrong clock) and says nothing about its stamps' year.
const earliestRef = 631152000 // 1990-01-01T00:00:00Z, in Unix seconds

// PlausibleRef reports whether a file's modification time can anchor the
// year of its yearless stamps: not before 1990 and not more than a day
// after now. A caller that finds it implausible takes now instead and
// says so (RefNote); --year overrides both.
func PlausibleRef(mtime, now time.Time) bool {
	return mtime.Unix() >= earliestRef && !mtime.After(now.Add(24*time.Hour))
}

// RefNote is the warning for a modification time PlausibleRef refused.
func RefNote(mtime, now time.Time) string {
	what := "is before 1990"
	if mtime.After(now) {
		what = "is in the future"
	}
	return "modification time " + mtime.UTC().Format(time.RFC3339) + " " + what +
		": the year of stamps without one is taken from the clock (" + now.Format("2006") + "); set it with --year"
}

// SyslogTime parses a classic syslog stamp "Mmm dd HH:MM:SS[.frac]" (day
// padded with a space or not) at the start of b, taking the year from
// years and the zone from loc. It returns the time and bytes consumed.
func SyslogTime(b []byte, years *Years, loc *time.Location) (time.Time, int, bool) {
	if len(b) < 15 || b[3] != ' ' {
		return time.Time{}, 0, false
	}
	mo := month(b[0:3])
	if mo == 0 {
		return time.Time{}, 0, false
	}
	i := 4
	if b[i] == ' ' {
		i++
	}
	j := i
	for j < len(b) && j < i+2 && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	d, ok := digits(b[i:j])
	if !ok || d < 1 || d > 31 || j >= len(b) || b[j] != ' ' {
		return time.Time{}, 0, false
	}
	h, mi, s, ns, n, ok := clock(b[j+1:])
	if !ok {
		return time.Time{}, 0, false
	}
	if loc == nil {
		loc = time.Local
	}
	t := time.Date(years.YearOf(mo, d), mo, d, h, mi, s, ns, loc)
	return t, j + 1 + n, InRange(t)
}
