package classify

import (
	"encoding/binary"
	"strings"
)

// appendTemplatePrev is appendTemplate as it was before it went on with
// eight-byte chunks right after a word it had to look at (chunks resumed
// only eight bytes on, at a word boundary): kept to compare with in
// BenchmarkAppendTemplate and the equivalence tests.
//
// It ran on every event (the cache key), so most of the text goes eight
// bytes at a time: a chunk of letters, single spaces and punctuation that
// cannot start a replacement (plainChunkPrev) is copied lower-cased in one
// step; anything else (digits, '@', ':', other white space, "\\n") is done
// a word at a time from the start of its word, and only a word with a
// digit, '@' or ':' goes to templateTokenPrev (BenchmarkAppendTemplate).
func appendTemplatePrev(dst []byte, text string) []byte {
	base := len(dst)
	space := true   // the last byte written is a collapsed space, or none yet
	chunked := true // text[:i] ends inside a chunk copied as it was, or at a word boundary
	slowUntil := 0  // text[:slowUntil] goes a word at a time
	i := 0
	for i < len(text) {
		if i >= slowUntil && (chunked || !isWordByte(text[i-1])) {
			if i+8 <= len(text) {
				if out, ok := plainChunkPrev(binary.LittleEndian.Uint64([]byte(text[i:i+8])), space); ok {
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
		// the word, counting what templateTokenPrev looks at
		j, upper := i, false
		var wc wordCountsPrev
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

// plainChunkPrev is the template of the eight bytes x (text order, low byte
// first) when it is the bytes themselves lower-cased: no control byte, no
// digit, ':', '@' (which may make a word a replacement) or '\\' (an
// escape), no two spaces in a row and no space that follows a collapsed
// one (space: the template so far ends in one, or is empty). Bytes from
// 0x80 on are copied as they are, as appendTemplatePrev does.
func plainChunkPrev(x uint64, space bool) (uint64, bool) {
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

// templateTokenPrev is what appendTemplatePrev puts for the word w instead of w
// itself: "@" for an e-mail address, "#ip" for an IPv4 or IPv6 address, "#"
// for a word with five or more digits that is not an enhanced status code;
// "" to keep w.
func templateTokenPrev(w string) string {
	var n wordCountsPrev
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

// wordCountsPrev are the bytes of a word that templateTokenPrev decides on, counted
// by appendTemplatePrev while it finds the end of the word (one pass, not two).
type wordCountsPrev struct {
	digits, dots, colons int
	at                   bool
}

// token is templateTokenPrev(w) for the word w whose bytes n counts.
func (n *wordCountsPrev) token(w string) string {
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

// prepareTextPrev is prepareText as it was before its chunks took single
// spaces along (a chunk with any white space went byte by byte) and the
// lower-casing went on past the first '@': kept for BenchmarkPrepareText.
// It was normalize followed by maskAddresses in one pass, with the
// three texts cut from one string: norm, plain (norm lower-cased) and
// lower (plain with the addresses masked; plain itself when there is no
// '@'). buf is working space, returned for the next call. One allocation
// instead of four or five (BenchmarkPrepareText). Eight bytes without
// white space or '\\' are copied at once, and lower-cased at once.
func prepareTextPrev(buf []byte, s string) (norm, plain, lower string, _ []byte) {
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
