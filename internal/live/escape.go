package live

import (
	"strings"
	"unicode/utf8"
)

// Safe returns s with every control character replaced by a visible
// escape, so that text taken from a log (domain names, reasons, reply
// texts) cannot move a terminal's cursor or change its colours: bytes
// below 0x20 and 0x7f become \xNN (ESC is \x1b), C1 controls U+0080–U+009F
// become \u0080 …, and bytes that are not UTF-8 become \xNN. Everything
// else passes unchanged; s itself is returned when there is nothing to
// replace (no allocation).
func Safe(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (r >= 0x80 && r <= 0x9f) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	const hex = "0123456789abcdef"
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\x`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		case r >= 0x80 && r <= 0x9f:
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&15])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// labelSafe reports whether a recipient domain may become a label value
// as it is: short, printable ASCII without space, quote or backslash.
// Anything else (a malformed address, bytes from a corrupt line) is
// counted as "other".
func labelSafe(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
