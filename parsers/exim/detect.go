package exim

import (
	"bytes"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// detectStamped is how many lines with Exim's layout Detect judges; the
// lines without (rejectlog header dumps) do not count, so a caller may
// hand more head lines when the first ones hold too few.
const detectStamped = 50

// Detect scores how sure it is that the head lines of a file are an Exim
// log: 0 unless some line has Exim's layout and says something only Exim
// says (a message id followed by <= => -> *> == ** or Completed, an SMTP
// rejection in Exim's words, queue runs, Exim's connection and
// authenticator lines); then 50 plus up to 50 for the share of such lines
// among the lines that have a stamp (rejectlog header dumps and syslog
// neighbours do not count against it).
func Detect(lines [][]byte) int {
	p := New(parsekit.Options{Location: time.UTC, Year: 2000, MaxMessages: 1})
	p.Begin(parsekit.File{})
	total, mine := 0, 0
	for _, l := range lines {
		if total >= detectStamped {
			break
		}
		body, res := p.split(l)
		if res != lineOK {
			continue
		}
		total++
		if eximSays(body) {
			mine++
		}
	}
	if mine == 0 {
		return 0
	}
	return 50 + 50*mine/total
}

// rejection reports whether a message is an ACL or local_scan()
// rejection as Exim logs it: the client's fields (H= U= F= I= X= …)
// and then "[temporarily ]rejected …" (rejectlog entries after DATA
// carry the message id and start with U= or F=).
func rejection(b []byte) bool {
	if len(b) < 3 || b[1] != '=' || !(b[0] == 'H' || b[0] == 'U' || b[0] == 'F' || b[0] == 'I' || b[0] == 'X' || b[0] == 'P') {
		return false
	}
	return bytes.Contains(b, []byte(" rejected ")) || bytes.HasSuffix(b, []byte(" rejected"))
}

// eximSays reports whether a message (after stamp and pid) is one only
// Exim writes.
func eximSays(b []byte) bool {
	if qid, rest := messageID(b); qid != nil {
		if len(rest) >= 3 && rest[2] == ' ' {
			switch string(rest[:2]) {
			case "<=", "=>", "->", "*>", "==", "**":
				return true
			}
		}
		return bytes.HasPrefix(rest, []byte("Completed")) || bytes.HasPrefix(rest, []byte("H=")) ||
			bytes.HasPrefix(rest, []byte("Frozen")) || bytes.HasPrefix(rest, []byte("SMTP connection from ")) ||
			rejection(rest)
	}
	if rejection(b) {
		return true
	}
	// messages only Exim starts this way
	phrases := [...]string{
		"Start queue run: ", "End queue run: ", "SMTP connection from ", "SMTP call from ",
		"no MAIL in SMTP connection from ", "rejected EHLO from ", "rejected HELO from ",
		"rejected MAIL FROM:", "unqualified sender rejected: ", "unqualified recipient rejected: ",
		"SMTP protocol synchronization error", "SMTP protocol error in ", "no host name found for IP address ",
		"no IP address found for host ", "TLS error on connection from ", "exim ",
	}
	for _, s := range phrases {
		if bytes.HasPrefix(b, []byte(s)) {
			return true
		}
	}
	if bytes.HasPrefix(b, []byte("H=")) || bytes.HasPrefix(b, []byte("U=")) {
		return bytes.Contains(b, []byte("sender verify "))
	}
	return bytes.Contains(b, []byte(" authenticator failed for "))
}
