package aggregate

import (
	"strconv"
	"strings"
)

// Template reduces a diagnostic text to its shape, so that the same reply
// sent for different recipients, hosts and message ids counts as one:
// e-mail addresses become <addr>, IP addresses <ip>, URLs keep their host
// only, and tokens holding digits become #.
func Template(text string) string {
	if len(text) > 400 {
		text = text[:400]
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, tok := range strings.Fields(text) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shape(tok))
	}
	return b.String()
}

func shape(tok string) string {
	trim := strings.Trim(tok, "<>()[]{},;:.\"'")
	lead := strings.Index(tok, trim)
	if trim == "" || lead < 0 {
		return tok
	}
	pre, post := tok[:lead], tok[lead+len(trim):]
	switch {
	case strings.HasPrefix(trim, "http://") || strings.HasPrefix(trim, "https://"):
		u := trim[strings.Index(trim, "//")+2:]
		if i := strings.IndexAny(u, "/?#"); i >= 0 {
			u = u[:i]
		}
		return pre + "https://" + u + "/…" + post
	case strings.Contains(trim, "@"):
		pre = strings.TrimSuffix(pre, "<")
		post = strings.TrimPrefix(post, ">")
		return pre + "<addr>" + post
	case isIP(trim):
		return pre + "<ip>" + post
	case hasDigit(trim) && !isCode(trim):
		return pre + "#" + post
	}
	return tok
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// isCode keeps reply and enhanced status codes ("550", "5.7.1") and
// provider tags like "TSS04" recognisable.
func isCode(s string) bool {
	if len(s) == 3 && s[0] >= '2' && s[0] <= '5' && hasOnly(s, "0123456789") {
		return true
	}
	if len(s) >= 5 && len(s) <= 9 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.' && hasOnly(s, "0123456789.") && strings.Count(s, ".") == 2 {
		return true
	}
	if len(s) >= 4 && len(s) <= 6 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' {
		return hasOnly(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	}
	return false
}

func isIP(s string) bool {
	if strings.Count(s, ".") == 3 && hasOnly(s, "0123456789.") {
		return true
	}
	return strings.Count(s, ":") >= 2 && hasOnly(strings.ToLower(s), "0123456789abcdef:.")
}

func hasOnly(s, set string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(set, s[i]) < 0 {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}
