package classify

import "strings"

// normalize collapses runs of white space (and the literal "\n" that Exim
// writes between the lines of a multi-line reply) into one space and trims
// the ends. lower is norm with ASCII letters lower-cased, byte for byte the
// same length, so that offsets found in lower cut evidence out of norm.
func normalize(s string) (norm, lower string) {
	b := make([]byte, 0, len(s))
	space := true // drop leading space
	for i := 0; i < len(s); i++ {
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
	norm = string(b)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return norm, string(b)
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == ':' || c == '+' || c == '%' || c == '@'
}

// appendTemplate appends the cache template of text to dst: lower-cased,
// white space collapsed, and the parts that vary between otherwise equal
// replies replaced: e-mail addresses by "@", IPv4/IPv6 addresses by "#ip",
// and words with five or more digits (queue ids, timestamps, sizes, session
// ids) by "#". Enhanced status codes and short numbers are kept, so rules
// may still look at them.
func appendTemplate(dst []byte, text string) []byte {
	space := true
	i := 0
	for i < len(text) {
		c := text[i]
		if c == '\\' && i+1 < len(text) && text[i+1] == 'n' {
			c = ' '
			i++
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			i++
			continue
		}
		space = false
		if !isWordByte(c) {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		j := i
		digits, dots, colons, at, hexOnly := 0, 0, 0, false, true
		for j < len(text) && isWordByte(text[j]) {
			d := text[j]
			switch {
			case d >= '0' && d <= '9':
				digits++
			case d == '.':
				dots++
			case d == ':':
				colons++
			case d == '@':
				at = true
			}
			if !(d >= '0' && d <= '9' || d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F' || d == ':') {
				hexOnly = false
			}
			j++
		}
		w := text[i:j]
		switch {
		case at:
			dst = append(dst, '@')
		case digits > 0 && dots >= 3 && isIPv4ish(w):
			dst = append(dst, "#ip"...)
		case colons >= 2 && hexOnly:
			dst = append(dst, "#ip"...)
		case digits >= 5 && enhancedAt(strings.TrimRight(w, ".:")) != len(strings.TrimRight(w, ".:")):
			dst = append(dst, '#')
		default:
			for k := 0; k < len(w); k++ {
				d := w[k]
				if d >= 'A' && d <= 'Z' {
					d += 'a' - 'A'
				}
				dst = append(dst, d)
			}
		}
		i = j
	}
	return dst
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
	return itoa(c) + "." + itoa(s) + "." + itoa(d)
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

// maskAddresses overwrites every e-mail address in lower (a word holding
// an '@') with '@' bytes, keeping the length, so that rules do not match
// inside the recipient's or sender's address ("<marble@example.com>" does
// not contain a blocklist's "rbl") and offsets still cut evidence out of
// the text. The cache template drops addresses too, so verdicts cannot
// depend on them.
func maskAddresses(lower string) string {
	at := strings.IndexByte(lower, '@')
	if at < 0 {
		return lower
	}
	b := []byte(lower)
	for at >= 0 && at < len(b) {
		i, j := at, at
		for i > 0 && isWordByte(b[i-1]) {
			i--
		}
		for j < len(b) && isWordByte(b[j]) {
			j++
		}
		for k := i; k < j; k++ {
			b[k] = '@'
		}
		next := strings.IndexByte(lower[j:], '@')
		if next < 0 {
			break
		}
		at = j + next
	}
	return string(b)
}
