package parsekit

import (
	"bytes"
	"strconv"
	"strings"
)

// Reply is an SMTP reply split into its parts.
type Reply struct {
	Code     int    // basic reply code of the reply (0 if none)
	Enhanced string // RFC 3463 code at the start of the reply text ("" if none)
	Text     string // the text, continuation prefixes removed, lines joined by one space
}

// isReplyCode reports whether b starts with a plausible reply code
// [2-5][0-9][0-9] followed by ' ', '-' or the end.
func isReplyCode(b []byte) bool {
	return len(b) >= 3 && b[0] >= '2' && b[0] <= '5' && b[1] >= '0' && b[1] <= '9' && b[2] >= '0' && b[2] <= '9' &&
		(len(b) == 3 || b[3] == ' ' || b[3] == '-')
}

// EnhancedAt returns the length of an enhanced status code "c.sss.ddd" at
// the start of b (class 2, 4 or 5; subject and detail of 1 to 3 digits),
// followed by the end, a space or punctuation, or 0 if there is none.
func EnhancedAt(b []byte) int {
	if len(b) < 5 || (b[0] != '2' && b[0] != '4' && b[0] != '5') || b[1] != '.' {
		return 0
	}
	i := 2
	for k := 0; k < 2; k++ {
		j := i
		for j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i {
			return 0
		}
		i = j
		if k == 0 {
			if i >= len(b) || b[i] != '.' {
				return 0
			}
			i++
		}
	}
	if i < len(b) {
		c := b[i]
		if (c >= '0' && c <= '9') || c == '.' && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
			return 0
		}
	}
	return i
}

// FindEnhanced returns the first enhanced status code anywhere in b that
// stands on its own (not inside a longer number such as an IP address).
func FindEnhanced(b []byte) string {
	for i := 0; i+5 <= len(b); i++ {
		c := b[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 {
			p := b[i-1]
			if (p >= '0' && p <= '9') || p == '.' || (p >= 'a' && p <= 'z') || (p >= 'A' && p <= 'Z') {
				continue
			}
		}
		if n := EnhancedAt(b[i:]); n > 0 {
			return string(b[i : i+n])
		}
	}
	return ""
}

// ParseReply splits the text of an SMTP reply as MTAs log it: "550-5.1.1
// First line 550-5.1.1 second line 550 5.1.1 last line", with the lines of
// a multi-line reply joined by spaces (Postfix) or by a literal "\n" (Exim).
// Code and Enhanced come from the first line; the continuation prefixes
// (same code, optionally the same enhanced code) are removed from the text.
// Text without a leading reply code is returned as it is (trimmed).
func ParseReply(b []byte) Reply {
	n, code, enh, rest, cut, next := splitReply(b)
	if n == 0 {
		return Reply{Text: string(rest)}
	}
	r := Reply{Code: n, Enhanced: string(enh)}
	if next < 0 {
		// one line (most replies): the text as it is, one copy
		r.Text = string(bytes.TrimSpace(rest))
		return r
	}
	var sb strings.Builder
	sb.Grow(len(rest))
	for {
		seg := bytes.TrimSpace(rest[:cut])
		if len(seg) > 0 {
			if sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			sb.Write(seg)
		}
		if next < 0 {
			break
		}
		rest = rest[next:]
		// drop "550-" / "550 " and an enhanced code after it
		rest = bytes.TrimLeft(rest[min(4, len(rest)):], " ")
		if n := EnhancedAt(rest); n > 0 && string(rest[:n]) == r.Enhanced {
			rest = bytes.TrimLeft(rest[n:], " ")
		} else if n > 0 && r.Enhanced == "" && rest[0] == code[0] && !quotesReply(seg, code) {
			// a server that gives the enhanced code on a later line only
			// (Cyrus lmtpd: on the last) gives it all the same
			r.Enhanced = string(rest[:n])
			rest = bytes.TrimLeft(rest[n:], " ")
		}
		if len(rest) == 0 {
			break
		}
		// find the next continuation: separator then the same code
		cut, next = nextContinuation(rest, code)
	}
	r.Text = sb.String()
	return r
}

// SplitReply is ParseReply for a reply of one line, without a copy: the
// enhanced code and the text are slices of b, equal to what ParseReply
// gives as strings. ok is false for a reply whose lines were joined
// (ParseReply takes the continuation prefixes out of those); the other
// results are then meaningless.
func SplitReply(b []byte) (code int, enhanced, text []byte, ok bool) {
	code, _, enhanced, rest, _, next := splitReply(b)
	if code == 0 {
		return 0, nil, rest, true
	}
	if next >= 0 {
		return 0, nil, nil, false
	}
	return code, enhanced, bytes.TrimSpace(rest), true
}

// splitReply is the first part of ParseReply and SplitReply: the reply
// code as a number and as its three digits (0 and rest the trimmed text
// when b has none), the enhanced code, the text after them, and where the
// first continuation line starts in rest (see nextContinuation; next -1:
// none).
func splitReply(b []byte) (code int, digits3, enhanced, rest []byte, cut, next int) {
	b = bytes.TrimSpace(b)
	if !isReplyCode(b) {
		return 0, nil, nil, b, 0, -1
	}
	code, _ = digits(b[:3])
	digits3 = b[:3]
	rest = b[3:]
	if len(rest) > 0 {
		rest = rest[1:]
	}
	rest = bytes.TrimLeft(rest, " ")
	if n := EnhancedAt(rest); n > 0 {
		enhanced = rest[:n]
		rest = bytes.TrimLeft(rest[n:], " ")
	}
	cut, next = nextContinuation(rest, digits3)
	return code, digits3, enhanced, rest, cut, next
}

// nextContinuation finds where the next line of a joined multi-line reply
// starts in b: a space or a literal "\n" followed by code and '-' or ' '.
// It returns the end of the current segment and the start of the code, or
// next = -1 if there is none.
func nextContinuation(b, code []byte) (cut, next int) {
	// jump from one occurrence of the code to the next (a vectorised
	// search) rather than looking at every space
	for from := 1; from+3 <= len(b); {
		k := bytes.Index(b[from:], code)
		if k < 0 {
			break
		}
		j := from + k
		from = j + 1
		var i int
		switch {
		case b[j-1] == ' ':
			i = j - 1
		case j >= 2 && b[j-2] == '\\' && b[j-1] == 'n':
			i = j - 2
		default:
			continue
		}
		if j+3 == len(b) || b[j+3] == '-' || b[j+3] == ' ' {
			// a plain number in prose ("550 messages") would not be followed
			// by an enhanced code or start a sentence; require the dash, an
			// enhanced code, or a literal newline separator.
			if j-i == 2 || j+3 < len(b) && b[j+3] == '-' || EnhancedAt(bytes.TrimLeft(b[min(j+4, len(b)):], " ")) > 0 {
				return i, j
			}
		}
	}
	return len(b), -1
}

// quotesReply tells whether the line before a continuation introduces a
// quoted reply rather than ending a line of its own: it ends with ':'
// ("Response: 550 5.1.1 …", an Exim callout) or with the reply code
// itself ("failed: 550 550 5.1.1 …", Postfix joining "550 550 5.1.1"). The
// enhanced code after it is the quoted server's, not this reply's.
func quotesReply(seg, code []byte) bool {
	return bytes.HasSuffix(seg, []byte(":")) || bytes.HasSuffix(seg, code) &&
		(len(seg) == len(code) || seg[len(seg)-len(code)-1] == ' ')
}

// Itoa is strconv.Itoa, here so parsers need one import less.
func Itoa(n int) string { return strconv.Itoa(n) }
