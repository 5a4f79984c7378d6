package output

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Safe makes text from logs harmless on a terminal: control characters
// (C0, DEL, C1: ESC, BEL, CR, backspace …), invalid UTF-8 bytes, and the
// characters that reorder or hide text (bidirectional overrides and
// isolates, zero-width and line/paragraph separators, BOM) are written as
// visible escapes (\x1b, \t, \u202e). What is left can be cut anywhere
// without leaving an escape sequence open: no escape sequence remains.
func Safe(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r >= 0x80 && r <= 0x9f, invisible(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func invisible(r rune) bool {
	switch {
	case r >= 0x200b && r <= 0x200f, // zero-width, LRM/RLM
		r >= 0x2028 && r <= 0x202e, // separators, bidi embeddings/overrides
		r >= 0x2060 && r <= 0x2069, // word joiner, bidi isolates
		r == 0xfeff, r == 0x061c:
		return true
	}
	return false
}
