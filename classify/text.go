package classify

import (
	"encoding/binary"
	"strings"
)

// prepareText is normalize followed by maskAddresses in one pass, with the
// three texts cut from one string: norm, plain (norm lower-cased) and
// lower (plain with the addresses masked; plain itself when there is no
// '@'). buf is working space, returned for the next call. One allocation
// instead of four or five (BenchmarkPrepareText). Eight bytes without
// white space or '\\' are copied at once, and lower-cased at once.
func prepareText(buf []byte, s string) (norm, plain, lower string, _ []byte) {
	b := buf[:0]
	space := true // drop leading space
	for i := 0; i < len(s); i++ {
		if i+8 <= len(s) {
			if x := binary.LittleEndian.Uint64([]byte(s[i : i+8])); !hasByte(x, ' ') && !hasByte(x, '\\') &&
				!hasByte(x, '\t') && !hasByte(x, '\n') && !hasByte(x, '\r') {
				b = binary.LittleEndian.AppendUint64(b, x)
				space = false
				i += 7
				continue
			}
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == 'n' {
			c = ' '
			i++
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if !space {
				b = append(b, ' ')
				space = true
			}
			continue
		}
		b = append(b, c)
		space = false
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	n := len(b)
	at := -1
	i := 0
	for ; i+8 <= n && at < 0; i += 8 {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		if hasByte(x, '@') {
			break
		}
		ascii := ^x & highs
		upper := bytesIn(x&^highs, 'A', 'Z') & ascii
		b = binary.LittleEndian.AppendUint64(b, x+upper>>2)
	}
	for ; i < n; i++ {
		c := b[i]
		if c-'A' < 26 {
			c += 'a' - 'A'
		} else if c == '@' && at < 0 {
			at = i
		}
		b = append(b, c)
	}
	if at >= 0 {
		b = append(b, b[n:2*n]...)
		maskInPlace(b[2*n:], at)
	}
	all := string(b)
	norm, plain, lower = all[:n], all[n:2*n], all[n:2*n]
	if at >= 0 {
		lower = all[2*n:]
	}
	return norm, plain, lower, b
}

// hasByte reports whether one of the eight bytes of x is c.
func hasByte(x uint64, c byte) bool {
	y := x ^ lanes*uint64(c)
	return (y-lanes)&^y&highs != 0
}

// maskInPlace overwrites every e-mail address in b (a word holding an
// '@', the first at offset at) with '@' bytes, keeping the length, so
// that rules do not match inside an address ("<marble@example.com>" does
// not contain a blocklist's "rbl") and offsets still cut evidence out of
// the text (maskAddresses in reference_test.go is the plain version).
func maskInPlace(b []byte, at int) {
	for at >= 0 && at < len(b) {
		i, j := at, at
		for i > 0 && isWordByte(b[i-1]) {
			i--
		}
		for j < len(b) && isWordByte(b[j]) {
			j++
		}
		// the bytes from i to j are all word bytes or '@': the next '@'
		// is not before j
		next := -1
		for k := j; k < len(b); k++ {
			if b[k] == '@' {
				next = k
				break
			}
		}
		for k := i; k < j; k++ {
			b[k] = '@'
		}
		at = next
	}
}

// The word bytes of appendTemplate and maskAddresses (letters, digits and
// . - _ : + % @) as two 64-bit masks, for the bytes below 64 and from 64 to
// 127: one shift and test per byte instead of a chain of comparisons.
const (
	wordMaskLo uint64 = 1<<'%' | 1<<'+' | 1<<'-' | 1<<'.' | (1<<10-1)<<'0' | 1<<':'
	wordMaskHi uint64 = 1<<('@'-64) | (1<<26-1)<<('A'-64) | 1<<('_'-64) | (1<<26-1)<<('a'-64)
)

func isWordByte(c byte) bool {
	if c < 64 {
		return wordMaskLo>>c&1 != 0
	}
	return c < 128 && wordMaskHi>>(c-64)&1 != 0
}

// appendTemplate appends the cache template of text to dst: lower-cased,
// white space collapsed, and the parts that vary between otherwise equal
// replies replaced: e-mail addresses by "@", IPv4/IPv6 addresses by "#ip",
// and words with five or more digits (queue ids, timestamps, sizes, session
// ids) by "#". Enhanced status codes and short numbers are kept, so rules
// may still look at them.
//
// It runs on every event (the cache key), so most of the text goes eight
// bytes at a time: a chunk of letters, single spaces and punctuation that
// cannot start a replacement (plainChunk) is copied lower-cased in one
// step; anything else (digits, '@', ':', other white space, "\\n") is done
// a word at a time from the start of its word, and only a word with a
// digit, '@' or ':' goes to templateToken (BenchmarkAppendTemplate).
func appendTemplate(dst []byte, text string) []byte {
	base := len(dst)
	space := true   // the last byte written is a collapsed space, or none yet
	chunked := true // text[:i] ends inside a chunk copied as it was, or at a word boundary
	slowUntil := 0  // text[:slowUntil] goes a word at a time
	i := 0
	for i < len(text) {
		if i >= slowUntil && (chunked || !isWordByte(text[i-1])) {
			if i+8 <= len(text) {
				if out, ok := plainChunk(binary.LittleEndian.Uint64([]byte(text[i:i+8])), space); ok {
					dst = binary.LittleEndian.AppendUint64(dst, out)
					space = out>>56 == ' '
					chunked = true
					i += 8
					continue
				}
				slowUntil = i + 8
			}
			if chunked {
				// back to the start of the word the chunks end in: they
				// are copied byte for byte, so its bytes so far are the
				// last i-w of dst
				w := i
				for w > 0 && isWordByte(text[w-1]) {
					w--
				}
				dst = dst[:len(dst)-(i-w)]
				i = w
				space = len(dst) == base || dst[len(dst)-1] == ' '
			}
		}
		chunked = false
		c := text[i]
		if !isWordByte(c) {
			if c == '\\' && i+1 < len(text) && text[i+1] == 'n' {
				c = ' '
				i++
			}
			i++
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				if !space {
					dst = append(dst, ' ')
					space = true
				}
				continue
			}
			space = false
			dst = append(dst, c) // not a letter: nothing to lower-case
			continue
		}
		space = false
		// the word, counting what templateToken looks at
		j, upper := i, false
		var wc wordCounts
	word:
		for ; j < len(text); j++ {
			d := text[j]
			switch {
			case d-'a' < 26:
			case d-'A' < 26:
				upper = true
			case d-'0' < 10:
				wc.digits++
			case d == '.':
				wc.dots++
			case d == ':':
				wc.colons++
			case d == '@':
				wc.at = true
			case d == '-' || d == '_' || d == '+' || d == '%':
			default:
				break word
			}
		}
		w := text[i:j]
		i = j
		if wc.digits > 0 || wc.at || wc.colons > 0 {
			if tok := wc.token(w); tok != "" {
				dst = append(dst, tok...)
				continue
			}
		}
		n := len(dst)
		dst = append(dst, w...)
		if upper {
			lowerInPlace(dst[n:])
		}
	}
	return dst
}

// Byte-parallel tests on eight bytes in a uint64 (SWAR): lanes is 0x01 in
// every byte, highs 0x80.
const (
	lanes uint64 = 0x0101010101010101
	highs uint64 = 0x8080808080808080
)

// bytesIn sets the high bit of each byte of x (whose bytes are all below
// 0x80) that lies in [lo, hi] (hi < 0x80): x+(0x80-lo) reaches the high bit
// from lo on, x+(0x7f-hi) from hi+1 on, and no byte carries into the next.
func bytesIn(x uint64, lo, hi byte) uint64 {
	return (x + lanes*uint64(0x80-lo)) &^ (x + lanes*uint64(0x7f-hi)) & highs
}

// plainChunk is the template of the eight bytes x (text order, low byte
// first) when it is the bytes themselves lower-cased: no control byte, no
// digit, ':', '@' (which may make a word a replacement) or '\\' (an
// escape), no two spaces in a row and no space that follows a collapsed
// one (space: the template so far ends in one, or is empty). Bytes from
// 0x80 on are copied as they are, as appendTemplate does.
func plainChunk(x uint64, space bool) (uint64, bool) {
	ascii := ^x & highs // high bit of each ASCII byte
	x7 := x &^ highs
	bad := bytesIn(x7, 0x00, 0x1f) | bytesIn(x7, '0', ':') | bytesIn(x7, '@', '@') | bytesIn(x7, '\\', '\\')
	sp := bytesIn(x7, ' ', ' ') & ascii
	bad |= sp & (sp << 8)
	if space {
		bad |= sp & 0x80
	}
	if bad&ascii != 0 {
		return 0, false
	}
	upper := bytesIn(x7, 'A', 'Z') & ascii
	return x + upper>>2, true // 0x80>>2 is 'a'-'A'
}

// templateToken is what appendTemplate puts for the word w instead of w
// itself: "@" for an e-mail address, "#ip" for an IPv4 or IPv6 address, "#"
// for a word with five or more digits that is not an enhanced status code;
// "" to keep w.
func templateToken(w string) string {
	var n wordCounts
	for k := 0; k < len(w); k++ {
		switch w[k] {
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			n.digits++
		case '.':
			n.dots++
		case ':':
			n.colons++
		case '@':
			n.at = true
		}
	}
	return n.token(w)
}

// wordCounts are the bytes of a word that templateToken decides on, counted
// by appendTemplate while it finds the end of the word (one pass, not two).
type wordCounts struct {
	digits, dots, colons int
	at                   bool
}

// token is templateToken(w) for the word w whose bytes n counts.
func (n *wordCounts) token(w string) string {
	switch {
	case n.at:
		return "@"
	case n.digits > 0 && n.dots >= 3 && isIPv4ish(w):
		return "#ip"
	case n.colons >= 2 && isHexColon(w):
		return "#ip"
	case n.digits >= 5:
		if t := strings.TrimRight(w, ".:"); enhancedAt(t) != len(t) {
			return "#"
		}
	}
	return ""
}

// isHexColon: hex digits and colons only (an IPv6 address).
func isHexColon(w string) bool {
	for k := 0; k < len(w); k++ {
		d := w[k]
		if !(d >= '0' && d <= '9' || d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F' || d == ':') {
			return false
		}
	}
	return true
}

// lowerInPlace lower-cases the ASCII letters of b.
func lowerInPlace(b []byte) {
	for k, c := range b {
		if c-'A' < 26 {
			b[k] = c + 'a' - 'A'
		}
	}
}

// isIPv4ish: digits and dots (and a :port), at least three dots.
func isIPv4ish(w string) bool {
	for k := 0; k < len(w); k++ {
		d := w[k]
		if !(d >= '0' && d <= '9' || d == '.' || d == ':') {
			return false
		}
	}
	return true
}

// enhancedAt returns the length of an enhanced status code "c.s.ddd" at the
// start of s (class 2, 4 or 5; subject 0 to 7 with up to 3 digits; detail
// up to 3 digits) that is not followed by another digit or ".digit", or 0.
func enhancedAt(s string) int {
	if len(s) < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.' {
		return 0
	}
	i := 2
	for part := 0; part < 2; part++ {
		j := i
		for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			return 0
		}
		i = j
		if part == 0 {
			if i >= len(s) || s[i] != '.' {
				return 0
			}
			i++
		}
	}
	if i < len(s) {
		c := s[i]
		if c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			return 0
		}
	}
	return i
}

// normalizeEnhanced returns code as "c.s.d" without leading zeros, or ""
// if it is not an enhanced status code.
func normalizeEnhanced(code string) string {
	code = strings.TrimSpace(code)
	if code == "" {
		return ""
	}
	n := enhancedAt(code)
	if n == 0 || n != len(code) {
		return ""
	}
	c, s, d, ok := splitEnhanced(code)
	if !ok || s > 7 {
		return ""
	}
	if canonicalEnhanced(code) {
		return code // as it would be written again: no allocation
	}
	return itoa(c) + "." + itoa(s) + "." + itoa(d)
}

// canonicalEnhanced reports whether code, an enhanced status code
// (enhancedAt covers all of it), has no leading zero in its parts: it is
// what normalizeEnhanced would write.
func canonicalEnhanced(code string) bool {
	for i := 0; i+1 < len(code); i++ {
		if code[i] == '0' && (i == 0 || code[i-1] == '.') && code[i+1] != '.' {
			return false
		}
	}
	return true
}

func itoa(n int) string {
	if n >= 0 && n < 10 {
		return string(rune('0' + n))
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// codesFromText finds the reply code and the enhanced status code in a
// reply text that still carries them ("550-5.1.1 The email account ...",
// "host x said: 550 5.1.1 ...", "... (#5.1.1)").
func codesFromText(s string) (reply int, enh string) {
	for i := 0; i+3 <= len(s); i++ {
		c := s[i]
		if c < '2' || c > '5' || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || isAlpha(s[i-1]) || s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '#' || s[i-1] == '=' || s[i-1] == '/') {
			continue
		}
		end := i + 3
		if end < len(s) && !(s[end] == ' ' || s[end] == '-' || s[end] == ':' || s[end] == ')' || s[end] == '\'' || s[end] == ']') {
			continue
		}
		rest := strings.TrimLeft(s[min(end+1, len(s)):], " ")
		e := ""
		if n := enhancedAt(rest); n > 0 {
			e = rest[:n]
		}
		prev := byte(0)
		if i > 0 {
			prev = s[i-1]
		}
		prevTok := strings.TrimRight(s[:i], " ")
		ok := i == 0 || e != "" ||
			(c != '2' && c != '3' && (prev == '\'' || prev == '"' || prev == '[' || prev == '(' || prev == '<' ||
				strings.HasSuffix(prevTok, ":")))
		if !ok {
			continue
		}
		reply = int(c-'0')*100 + int(s[i+1]-'0')*10 + int(s[i+2]-'0')
		if e != "" {
			return reply, normalizeEnhanced(e)
		}
		break
	}
	// an enhanced code standing on its own anywhere
	for i := 0; i+5 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || isAlpha(s[i-1]) || s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '_') {
			continue
		}
		if n := enhancedAt(s[i:]); n > 0 {
			if e := normalizeEnhanced(s[i : i+n]); e != "" {
				return reply, e
			}
		}
	}
	return reply, ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
