package classify

import "strings"

// The first, plain versions of what the engine now does faster, kept as
// the references the tests compare the engine with (TestMatchFound,
// TestPrepareTextSame and others): the rule matched one condition and one
// literal at a time, the text normalised and its addresses masked in
// passes of their own.

// match reports whether r applies to in, and the evidence. It searches
// the text for each of the rule's substrings; the Classifier uses
// ruleIndex.matchFound, which gives the same answers from one scan of the
// text for all rules.
func (r *rule) match(in *input) (bool, string) {
	if !r.matchConditions(in) {
		return false, ""
	}
	for i := range r.unless {
		if u := &r.unless[i]; u.mayBeIn(&in.grams) && strings.Contains(in.lower, u.s) {
			return false, ""
		}
	}
	if !r.hasText() {
		return true, ""
	}
	for k := range r.text {
		t := &r.text[k]
		if !t.mayBeIn(&in.grams) {
			continue
		}
		if i := strings.Index(in.lower, t.s); i >= 0 {
			return true, in.norm[i : i+len(t.s)]
		}
	}
	for k, re := range r.regex {
		if lit := r.reLit[k]; lit != "" && !strings.Contains(in.lower, lit) {
			continue
		}
		if a := r.reAny[k]; a != nil && !containsAny(in.lower, a) {
			continue
		}
		if in.ascii && !containsEach(in.plain, r.rePre[k]) {
			continue
		}
		text := in.norm
		if r.reCap > 0 && len(text) > r.reCap {
			text = text[:r.reCap]
		}
		if loc := re.FindStringIndex(text); loc != nil {
			return true, text[loc[0]:loc[1]]
		}
	}
	return false, ""
}

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
	b = dropRepeatedCodes(b)
	norm = string(b)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return norm, string(b)
}

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
