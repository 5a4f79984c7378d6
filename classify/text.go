package classify

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
)

// prepareText is normalize followed by maskAddresses in one pass, with the
// three texts cut from one string: norm, plain (norm lower-cased) and
// lower (plain with the addresses masked; plain itself when there is no
// '@'). buf is working space, returned for the next call. One allocation
// instead of four or five (BenchmarkPrepareText). The text goes eight
// bytes at a time: a chunk is copied whole and dst keeps its bytes up to
// the first one that needs a look of its own (normalizeStops: white space
// other than a single space, '\\'); the copy is lower-cased eight bytes
// at a time too.
func prepareText(buf []byte, s string) (norm, plain, lower string, _ []byte) {
	b := slices.Grow(buf[:0], 3*len(s)+8)
	space := uint64(0x80) // drop leading space
	for i := 0; i < len(s); {
		var x, end uint64 // end: the bytes past the end of s, stops
		if i+8 <= len(s) {
			x = binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		} else {
			x = loadTail(s, i)
			end = highs << (8 * (len(s) - i))
		}
		stops := normalizeStops(x, space) | end
		b = binary.LittleEndian.AppendUint64(b, x)
		if stops == 0 {
			space = 0
			if x>>56 == ' ' {
				space = 0x80
			}
			i += 8
			continue
		}
		k := bits.TrailingZeros64(stops) >> 3
		b = b[:len(b)-8+k]
		if k > 0 {
			space = 0
			if byte(x>>(8*k-8)) == ' ' {
				space = 0x80
			}
		}
		if i += k; i >= len(s) {
			break
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == 'n' {
			c = ' '
			i++
		}
		i++
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if space == 0 {
				b = append(b, ' ')
				space = 0x80
			}
			continue
		}
		b = append(b, c) // a '\\' of its own
		space = 0
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	b = dropRepeatedCodes(b)
	n := len(b)
	at := bytes.IndexByte(b, '@')
	for i := 0; i < n; i += 8 {
		// the last chunk reads bytes past n, from the growth above, and
		// they are cut off again
		x := binary.LittleEndian.Uint64(b[i : i+8])
		b = binary.LittleEndian.AppendUint64(b, lowerChunk(x))
	}
	b = b[:2*n]
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

// dropRepeatedCodes takes out of the normalized text b the reply codes
// that a multi-line reply repeats at the head of each line, once its lines
// are joined ("550-5.7.1 Messages with multiple 550-5.7.1 addresses in
// From: header are not accepted"), so that a phrase the server broke across
// two lines reads whole again. The first reply code R of the text (three
// digits from 200 to 599 followed by '-' or ' ', at the start or after
// ": " or ':') is kept, with the enhanced code E after it if there is one;
// later on, after a space, "R-E" and "R E" go, as does "R-" (a continuation
// marker, whatever follows), and "R " when the first was "R-" (the last
// line of the reply). Each goes with the space after it (or, at the end of
// the text, the space before it). Other numbers, and codes different from
// the first, stay. b is changed in place and returned; a text without a
// repeat (almost all) costs one search for R.
func dropRepeatedCodes(b []byte) []byte {
	p := firstReplyCode(b)
	if p < 0 {
		return b
	}
	code := b[p : p+3]
	hyphen := b[p+3] == '-'
	e := enhancedLen(b[p+4:])
	enh := b[p+4 : p+4+e]
	i := p + 4 + e
	if bytes.Index(b[i:], code) < 0 {
		return b
	}
	out := b[:i]
	for i < len(b) {
		j := bytes.Index(b[i:], code)
		if j < 0 {
			break
		}
		j += i
		k := markerEnd(b, j, enh, hyphen)
		if k < 0 { // not a marker: keep through its code
			out = append(out, b[i:j+3]...)
			i = j + 3
			continue
		}
		out = append(out, b[i:j]...) // up to the marker, with the space before it
		switch {
		case k < len(b) && b[k] == ' ':
			k++
		case k == len(b):
			out = out[:len(out)-1] // the space before it
		}
		i = k
	}
	return append(out, b[i:]...)
}

// firstReplyCode is where the first reply code of b starts (see
// dropRepeatedCodes), or -1: at the start, or after the next ':' (and
// one space), and so on.
func firstReplyCode(b []byte) int {
	p := 0
	for {
		if p+4 <= len(b) && b[p] >= '2' && b[p] <= '5' && isDigit(b[p+1]) && isDigit(b[p+2]) && (b[p+3] == '-' || b[p+3] == ' ') {
			return p
		}
		q := bytes.IndexByte(b[p:], ':')
		if q < 0 {
			return -1
		}
		p += q + 1
		if p < len(b) && b[p] == ' ' {
			p++
		}
	}
}

// enhancedLen is the length of the enhanced status code (X.Y.Z, X one of
// 2, 4, 5, one to three digits each for Y and Z) at the start of b,
// followed by a space or the end, or 0.
func enhancedLen(b []byte) int {
	if len(b) < 5 || (b[0] != '2' && b[0] != '4' && b[0] != '5') || b[1] != '.' {
		return 0
	}
	i := 2
	for n := 0; n < 2; n++ {
		d := 0
		for i < len(b) && isDigit(b[i]) && d < 3 {
			i++
			d++
		}
		if d == 0 {
			return 0
		}
		if n == 0 {
			if i >= len(b) || b[i] != '.' {
				return 0
			}
			i++
		}
	}
	if i < len(b) && b[i] != ' ' {
		return 0
	}
	return i
}

// markerEnd: the code at b[j:j+3] is a repeat of the first reply code;
// if it is a continuation marker (see dropRepeatedCodes), where the marker
// ends, else -1.
func markerEnd(b []byte, j int, enh []byte, hyphen bool) int {
	if j == 0 || b[j-1] != ' ' || j+3 >= len(b) || (b[j+3] != '-' && b[j+3] != ' ') {
		return -1
	}
	k := j + 4
	if len(enh) > 0 && bytes.HasPrefix(b[k:], enh) && (k+len(enh) == len(b) || b[k+len(enh)] == ' ') {
		return k + len(enh)
	}
	if b[j+3] == '-' || hyphen {
		return k
	}
	return -1
}

// normalizeStops sets the high bit of each of the eight bytes x (text
// order, low byte first) that prepareText must look at on its own: '\\',
// a tab, a line feed, a carriage return, a space after a space, or first
// when space is 0x80. Bytes from 0x80 on are not stops. Small enough to be
// inlined.
func normalizeStops(x, space uint64) uint64 {
	x7 := x &^ highs
	// high bit clear where the byte is '\r', '\\'; set where '\t' or '\n'
	cr := x7 ^ lanes*'\r' + lanes*0x7f
	bs := x7 ^ lanes*'\\' + lanes*0x7f
	tab := (x7 + lanes*(0x80-'\t')) &^ (x7 + lanes*(0x7f-'\n'))
	sp := ^(x7 ^ lanes*' ' + lanes*0x7f) // high bit: a space
	return (tab | ^(cr & bs) | sp&(sp<<8|space)) &^ x & highs
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
		for i > 0 && wordClass[b[i-1]]&classWord != 0 {
			i--
		}
		for j < len(b) && wordClass[b[j]]&classWord != 0 {
			j++
		}
		// the bytes from i to j are all word bytes or '@': the next '@'
		// is not before j
		next := bytes.IndexByte(b[j:], '@')
		for k := i; k < j; k++ {
			b[k] = '@'
		}
		if next < 0 {
			break
		}
		at = j + next
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
// ids) by "#" (a word with underscores part by part: appendSegments).
// Enhanced status codes and short numbers are kept, so rules may still
// look at them.
//
// It runs on every event (the cache key), so the text goes eight bytes at
// a time: each chunk is written lower-cased (lowerChunk), and dst keeps
// its bytes up to the first one that needs a look of its own
// (templateStops): white space to collapse, "\\n", a control byte, or a
// digit, ':' or '@', which may make its word a replacement. Such a word is done on its own
// (appendWord) from its start, whose bytes so far are the last ones of dst
// (chunks copy word bytes one for one), and the chunks go on right after
// it. appendTemplateRef (text_speed_test.go) is the byte-by-byte version it
// must equal; BenchmarkAppendTemplate.
func appendTemplate(dst []byte, text string) []byte {
	n := len(text)
	dst = slices.Grow(dst, n+8)
	floor := 0            // no word starts before text[floor] (after "\\n", whose 'n' is a word byte)
	space := uint64(0x80) // 0x80: the template so far is empty or ends in a space
	for i := 0; i < n; {
		var x uint64 // past the end zero bytes: control bytes, stops
		if i+8 <= n {
			x = binary.LittleEndian.Uint64([]byte(text[i : i+8]))
		} else {
			x = loadTail(text, i)
		}
		stops := templateStops(x, space)
		dst = binary.LittleEndian.AppendUint64(dst, lowerChunk(x))
		if stops == 0 {
			space = 0
			if x>>56 == ' ' {
				space = 0x80
			}
			i += 8
			continue
		}
		k := bits.TrailingZeros64(stops) >> 3 // at most n-i: a zero byte stops
		dst = dst[:len(dst)-8+k]
		if k > 0 {
			space = 0
			if byte(x>>(8*k-8)) == ' ' {
				space = 0x80
			}
		}
		if i += k; i >= n {
			break
		}
		switch c := text[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' && i+1 < n && text[i+1] == 'n':
			if c == '\\' {
				i++
			}
			i++
			floor = i
			if space == 0 {
				dst = append(dst, ' ')
				space = 0x80
			}
		case c < '0' || c > '@':
			// a control byte or '\\': not a word byte, not a letter
			dst = append(dst, c)
			space = 0
			i++
		default:
			// a digit, ':' or '@': its word from the start
			s := i
			for s > floor && wordClass[text[s-1]]&classWord != 0 {
				s--
			}
			dst = dst[:len(dst)-(i-s)]
			dst, i = appendWord(dst, text, s)
			space = 0
		}
	}
	return dst
}

// loadShort is the bytes of s (shorter than 8) as the low bytes of a
// uint64, little-endian; the bytes above are zero.
func loadShort(s string) uint64 {
	var x uint64
	for k := len(s) - 1; k >= 0; k-- {
		x = x<<8 | uint64(s[k])
	}
	return x
}

// templateStops sets the high bit of each of the eight bytes x (text
// order, low byte first) that appendTemplate must look at on its own: a
// control byte, a digit, ':', '@' (which may make a word a replacement),
// '\\' (an escape), a space after a space, or first when space is 0x80
// (the template so far ends in a space or is empty). Bytes from 0x80 on are
// not stops. Small enough to be inlined, as is lowerChunk.
func templateStops(x, space uint64) uint64 {
	x7 := x &^ highs
	// the high bit of each byte is clear where it is a control byte, '@', '\\'
	ctl := x7 + lanes*(0x80-0x20)
	at := x7 ^ lanes*'@' + lanes*0x7f
	bs := x7 ^ lanes*'\\' + lanes*0x7f
	// and set where it is a digit or ':', a space
	dig := (x7 + lanes*(0x80-'0')) &^ (x7 + lanes*(0x7f-':'))
	sp := ^(x7 ^ lanes*' ' + lanes*0x7f)
	return (^(ctl & at & bs) | dig | sp&(sp<<8|space)) &^ x & highs
}

// lowerChunk is the eight bytes x with their ASCII capitals lower-cased.
func lowerChunk(x uint64) uint64 {
	x7 := x &^ highs
	upper := (x7 + lanes*(0x80-'A')) &^ (x7 + lanes*(0x7f-'Z')) &^ x & highs
	return x + upper>>2 // 0x80>>2 is 'a'-'A'
}

// appendWord appends the template of the word (a run of word bytes) that
// starts at text[s], and returns where it ends: "@" for an e-mail address,
// "#ip" for an IPv4 or IPv6 address, "#" for a word with five or more
// digits that is not an enhanced status code, else the word lower-cased.
// One table look-up per byte (wordClass) finds the end of the word and
// what the choice depends on, without a branch per kind of byte.
func appendWord(dst []byte, text string, s int) ([]byte, int) {
	j := s
	digits := 0
	var kinds byte // the wordClass bits of all its bytes
	for ; j < len(text); j++ {
		f := wordClass[text[j]]
		if f&classWord == 0 {
			break
		}
		kinds |= f
		digits += int(f & classDigit)
	}
	w := text[s:j]
	// the dots and colons are counted only in words that may be addresses
	switch {
	case kinds&classAt != 0:
		return append(dst, '@'), j
	case digits > 0 && kinds&(classNotIPv4|classDot) == classDot && strings.Count(w, ".") >= 3,
		kinds&(classNotHex|classColon) == classColon && strings.Count(w, ":") >= 2:
		return append(dst, "#ip"...), j
	case digits >= 5:
		t := w
		for len(t) > 0 && (t[len(t)-1] == '.' || t[len(t)-1] == ':') {
			t = t[:len(t)-1] // strings.TrimRight(w, ".:") without its byte set
		}
		if enhancedAt(t) != len(t) {
			if strings.IndexByte(w, '_') >= 0 {
				return appendSegments(dst, w), j
			}
			return append(dst, '#'), j
		}
	}
	n := len(dst)
	dst = append(dst, w...)
	if kinds&classUpper != 0 {
		lowerInPlace(dst[n:])
	}
	return dst, j
}

// appendSegments appends the template of a word with five or more digits
// that holds an underscore: each part between underscores on its own, "#"
// for a part with five or more digits, else the part lower-cased. Vendors
// write their codes so (Vade's "OXSUS0001_103": a platform and a cause),
// and rules read the cause; masking the whole word would give every cause
// the cache entry of the first one seen.
func appendSegments(dst []byte, w string) []byte {
	for k := 0; ; k++ {
		part, rest, more := strings.Cut(w, "_")
		if k > 0 {
			dst = append(dst, '_')
		}
		digits := 0
		for i := 0; i < len(part); i++ {
			if isDigit(part[i]) {
				digits++
			}
		}
		if digits >= 5 {
			dst = append(dst, '#')
		} else {
			n := len(dst)
			dst = append(dst, part...)
			lowerInPlace(dst[n:])
		}
		if !more {
			return dst
		}
		w = rest
	}
}

// The bits of wordClass.
const (
	classDigit   = 1 << iota // '0' to '9'
	classDot                 // '.'
	classColon               // ':'
	classAt                  // '@'
	classUpper               // 'A' to 'Z'
	classNotHex              // a word byte other than a hex digit or ':' (not in an IPv6 address)
	classNotIPv4             // a word byte other than a digit, '.' or ':' (not in an IPv4 address)
	classWord                // a word byte (isWordByte)
)

// wordClass is the class bits of each byte (TestWordClass checks it
// against the definitions).
const wordClass = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\xe0\x00\x00\x00\x00\x00\xe0\x00\xe0\xa2\x00" +
	"\x81\x81\x81\x81\x81\x81\x81\x81\x81\x81\x84\x00\x00\x00\x00\x00" +
	"\xe8\xd0\xd0\xd0\xd0\xd0\xd0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0" +
	"\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\xf0\x00\x00\x00\x00\xe0" +
	"\x00\xc0\xc0\xc0\xc0\xc0\xc0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0" +
	"\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\xe0\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// load8 is the eight bytes of text from i on as a uint64, little-endian,
// with zero bytes past the end of text (i <= len(text)).
func load8(text string, i int) uint64 {
	if i+8 <= len(text) {
		return binary.LittleEndian.Uint64([]byte(text[i : i+8]))
	}
	return loadTail(text, i)
}

// loadTail is load8 for the last bytes of text (i+8 > len(text)).
func loadTail(text string, i int) uint64 {
	if n := len(text); n >= 8 {
		// the last n-i bytes, low in x (a shift by 64 is 0)
		return binary.LittleEndian.Uint64([]byte(text[n-8:])) >> (8 * (8 - (n - i)))
	}
	return loadShort(text[i:])
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
// "host x said: 550 5.1.1 ...", "... (#5.1.1)"). replyClass is the class
// digit of the event's own reply code (0: none): an enhanced code that
// stands on its own in the text counts only when its class agrees with
// the reply's (the text's, else the event's) and it is not a section of
// an RFC ("550 HELO is an IP address (See RFC2821 4.1.3)").
func codesFromText(s string, replyClass int) (reply int, enh string) {
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
	if reply != 0 {
		replyClass = reply / 100
	}
	for i := 0; i+5 <= len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || isAlpha(s[i-1]) || s[i-1] == '.' || s[i-1] == '-' || s[i-1] == '_') {
			continue
		}
		if replyClass != 0 && int(c-'0') != replyClass || afterRFC(s[:i]) {
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

// afterRFC reports whether before ends with a reference to an RFC
// ("RFC2821 ", "RFC 5321, ", "rfc 5321 section "), so that what follows is
// one of its section numbers, not a status code.
func afterRFC(before string) bool {
	t := strings.TrimRight(before, " ,")
	t = strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(t), "section"), "sect.")
	t = strings.TrimRight(t, " ,")
	n := len(t)
	for n > 0 && isDigit(t[n-1]) {
		n--
	}
	if n == len(t) {
		return false
	}
	t = strings.TrimRight(t[:n], " ")
	return len(t) >= 3 && strings.EqualFold(t[len(t)-3:], "rfc")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
