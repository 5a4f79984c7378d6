package classify

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The rules hold hundreds of substrings; most of them are not in a given
// text. gramSet is a 4096-bit set of the byte pairs of a lower-cased text:
// a pattern whose sampled pairs are not all in the set cannot occur, and
// is skipped without a search. False positives only cost the search.
type gramSet [64]uint64

func gramOf(a, b byte) uint16 { return (uint16(a)<<6 ^ uint16(b)) & 4095 }

func (g *gramSet) fill(lower string) {
	for i := 0; i+1 < len(lower); i++ {
		h := gramOf(lower[i], lower[i+1])
		g[h>>6] |= 1 << (h & 63)
	}
}

func (g *gramSet) has(h uint16) bool { return g[h>>6]&(1<<(h&63)) != 0 }

// textPat is a lower-case substring with up to four of its byte pairs.
type textPat struct {
	s     string
	grams [4]uint16
	n     uint8
}

func newTextPat(s string) textPat {
	p := textPat{s: s}
	if len(s) < 2 {
		return p
	}
	for _, i := range []int{0, len(s) - 2, len(s) / 3, 2 * len(s) / 3} {
		if i+1 < len(s) {
			h := gramOf(s[i], s[i+1])
			dup := false
			for _, x := range p.grams[:p.n] {
				dup = dup || x == h
			}
			if !dup {
				p.grams[p.n] = h
				p.n++
			}
		}
	}
	return p
}

// mayBeIn reports whether p may occur in a text with the pairs g.
func (p *textPat) mayBeIn(g *gramSet) bool {
	for _, h := range p.grams[:p.n] {
		if !g.has(h) {
			return false
		}
	}
	return true
}

// parseFold parses the case-insensitive expression expr, once for every
// analysis of it (requiredLiteralOf, requiredAnyLiteralOf,
// regexPrefilterOf on its Simplify, startRegexOf): parsing the built-in
// rules' large alternations is a good part of classify.New.
func parseFold(expr string) (*syntax.Regexp, error) {
	return syntax.Parse(expr, syntax.Perl|syntax.FoldCase)
}

// requiredLiteralOf returns a lower-case string (ASCII, or with runes that
// have no other case: foldFree) that every match of
// the case-insensitive regular expression re (parsed by parseFold and
// simplified) contains, or "" when there
// is no such string (then the expression is always run). The check runs on
// the ASCII-lower-cased text, so a match that needs Unicode case folding
// of an ASCII letter (the Kelvin sign for k) is missed: a price paid for
// not running every expression on every text.
func requiredLiteralOf(re *syntax.Regexp) string {
	best := ""
	consider := func(r *syntax.Regexp) {
		if r.Op != syntax.OpLiteral {
			return
		}
		lit := string(r.Rune)
		if len(lit) > len(best) && foldFree(lit) {
			best = strings.ToLower(lit)
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		consider(re)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			consider(sub)
		}
	}
	return best
}

// foldFree reports whether a case-insensitive literal matches only its
// own lower-cased bytes in the ASCII-lower-cased text: every rune is ASCII
// or has no other case (unicode.SimpleFold: kana, kanji, hangul, digits
// of other scripts), as in the Japanese alternation of
// userunknown.grammar, which ran on every ASCII text for want of a
// literal to look for (BenchmarkClassifyUncached).
func foldFree(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && (r == utf8.RuneError || unicode.SimpleFold(r) != r) {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// requiredAnyLiteralOf is requiredLiteralOf for expressions that have no single
// literal but an alternation every match passes through, such as
// \b(?:locked|suspended)\b: the lower-cased literals of its branches,
// one of which every match contains; nil when some branch has none (or
// one shorter than 3 bytes, too common to save any work).
func requiredAnyLiteralOf(re *syntax.Regexp) []string {
	elems := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		elems = re.Sub
	}
	var best []string
	bestMin := 0
	for _, e := range elems {
		for e.Op == syntax.OpCapture {
			e = e.Sub[0]
		}
		if e.Op != syntax.OpAlternate {
			continue
		}
		var lits []string
		short := 0
		for _, b := range e.Sub {
			l := branchLiteral(b)
			if len(l) < 3 {
				lits = nil
				break
			}
			if short == 0 || len(l) < short {
				short = len(l)
			}
			lits = append(lits, l)
		}
		if lits != nil && short > bestMin {
			best, bestMin = lits, short
		}
	}
	return best
}

// branchLiteral is the longest literal a branch of an alternation always
// contains (ASCII or foldFree), lower-cased, or "".
func branchLiteral(b *syntax.Regexp) string {
	for b.Op == syntax.OpCapture {
		b = b.Sub[0]
	}
	best := ""
	consider := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral {
			if l := string(r.Rune); len(l) > len(best) && foldFree(l) {
				best = strings.ToLower(l)
			}
		}
	}
	switch b.Op {
	case syntax.OpLiteral:
		consider(b)
	case syntax.OpConcat:
		for _, sub := range b.Sub {
			consider(sub)
		}
	}
	return best
}

func containsAny(s string, lits []string) bool {
	for _, l := range lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// maxExact bounds the strings of one set of regexPrefilter (checking a set
// costs a substring search per string).
const maxExact = 16

// regexPrefilterOf returns sets of lower-case strings such that every match
// of the case-insensitive expression re (parsed and simplified) in an
// all-ASCII text contains,
// in the ASCII-lower-cased text, one string of each set; nil when it knows
// none. It sees through alternations, optional parts and factored
// prefixes ("\bno (?:such|valid)\s+user": "no such" or "no valid", and
// "user"), which requiredLiteral and requiredAnyLiteral do not, so that
// most expressions are not run on texts they cannot match. On ASCII text
// a case-insensitive match of an ASCII letter is the letter in either
// case, so the sets are exact there, and on texts with other bytes too
// unless they have one of the two runes that fold to ASCII letters
// (prefilterHolds); those run every expression (BenchmarkRegexPrefilter).
//
// A string may start or end with boundMark: the \b of the expression next
// to it, which the text must have there too ("\bip\b" is not in
// "recipient"; containsBounded). Of an alternation whose branches need
// several sets it keeps up to altClauses sets, each a set of every branch
// together ("(?:sender|from) address" needs "sender" or "from", and also
// "address").
func regexPrefilterOf(re *syntax.Regexp) [][]string {
	var out [][]string
	for _, set := range requiredSets(re) {
		if minLen(set) >= 2 { // a set with a single byte rules out little
			out = append(out, set)
		}
	}
	return out
}

// The two runes beyond ASCII that case-fold to ASCII letters: long s and
// the Kelvin sign (ſ is s and K is k for (?i)).
const (
	foldS = '\u017f'
	foldK = '\u212a'
)

// prefilterHolds reports whether regexPrefilter's sets hold for the text
// norm: a case-insensitive expression matches an ASCII letter of its
// literals only with that letter in either case unless the text has ſ or
// K, and the sets list no other byte beyond ASCII (exactSet), so that
// texts in other scripts need not run every expression.
//
// The texts are made by normalize: their white space is single spaces,
// but for form feeds, which \s matches too; a text with one runs every
// expression.
func prefilterHolds(norm string) bool {
	if strings.IndexByte(norm, '\f') >= 0 {
		return false
	}
	return isASCII(norm) || !strings.ContainsRune(norm, foldS) && !strings.ContainsRune(norm, foldK)
}

// boundMark in a string of regexPrefilter stands for a word boundary
// (\b: an ASCII word byte on one side, none or the edge of the text on
// the other). The strings of regexPrefilter are otherwise ASCII, so the
// byte cannot be a literal of theirs.
const boundMark = 0xff

// altClauses bounds the sets regexPrefilter makes of one alternation.
const altClauses = 3

func isWordASCII(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// withoutMarks is sets without the word boundaries: for a user regex,
// which sees only the start of the text (rule.reCap), where the end of
// the text it sees may stand for a boundary that the whole text has not.
func withoutMarks(sets [][]string) [][]string {
	var out [][]string
	for _, set := range sets {
		var bare []string
		for _, s := range set {
			b, _, _ := unmark(s)
			bare = appendNew(bare, b)
		}
		out = append(out, bare)
	}
	return out
}

// unmark splits a string of regexPrefilter into its bytes and whether a
// word boundary must hold before and after them.
func unmark(s string) (bare string, before, after bool) {
	if len(s) > 0 && s[0] == boundMark {
		s, before = s[1:], true
	}
	if len(s) > 0 && s[len(s)-1] == boundMark {
		s, after = s[:len(s)-1], true
	}
	return s, before, after
}

// boundaryAt reports whether \b holds at offset i of s.
func boundaryAt(s string, i int) bool {
	prev := i > 0 && isWordASCII(s[i-1])
	next := i < len(s) && isWordASCII(s[i])
	return prev != next
}

// containsBounded is strings.Contains for a string of regexPrefilter:
// an occurrence of its bytes with the word boundaries it asks for.
func containsBounded(s, lit string) bool {
	bare, before, after := unmark(lit)
	if !before && !after {
		return strings.Contains(s, bare)
	}
	for off := 0; off <= len(s); {
		i := strings.Index(s[off:], bare)
		if i < 0 {
			return false
		}
		i += off
		if (!before || boundaryAt(s, i)) && (!after || boundaryAt(s, i+len(bare))) {
			return true
		}
		off = i + 1
	}
	return false
}

// settleMarks resolves the word boundaries inside a string of exactSet,
// where the bytes on both sides are known: one that holds is dropped, one
// that cannot hold makes the string impossible (ok false). Marks at the
// ends stay, runs of them become one.
func settleMarks(s string) (string, bool) {
	if strings.IndexByte(s, boundMark) < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != boundMark {
			b = append(b, s[i])
			continue
		}
		j := i
		for j+1 < len(s) && s[j+1] == boundMark {
			j++
		}
		if len(b) > 0 && j+1 < len(s) {
			if isWordASCII(b[len(b)-1]) == isWordASCII(s[j+1]) {
				return "", false
			}
		} else {
			b = append(b, boundMark)
		}
		i = j
	}
	return string(b), true
}

// requiredSets: every match of re contains one string of each set.
func requiredSets(re *syntax.Regexp) [][]string {
	if s, ok := exactSet(re); ok {
		if minLen(s) > 0 {
			return [][]string{s}
		}
		return nil
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return requiredSets(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredSets(re.Sub[0])
		}
	case syntax.OpAlternate:
		// clause j: the j-th best set of each branch (its last when it
		// has fewer), together; the first is the best of each
		var branches [][][]string
		most := 0
		for _, b := range re.Sub {
			sets := rankSets(requiredSets(b))
			if len(sets) == 0 {
				return nil
			}
			branches = append(branches, sets)
			most = max(most, len(sets))
		}
		var clauses [][]string
		for j := 0; j < min(most, altClauses); j++ {
			var out []string
			for _, sets := range branches {
				out = appendNew(out, sets[min(j, len(sets)-1)]...)
			}
			if len(out) > maxExact {
				if j == 0 {
					return fewestClause(branches)
				}
				continue
			}
			clauses = append(clauses, out)
		}
		return clauses
	case syntax.OpConcat:
		// a run of elements with few exact matches is a product of
		// strings found side by side; other elements give their own sets
		var out [][]string
		run := []string{""}
		flush := func() {
			if minLen(run) > 0 {
				out = append(out, run)
			}
			run = []string{""}
		}
		for _, sub := range re.Sub {
			s, ok := exactSet(sub)
			if !ok {
				flush()
				out = append(out, requiredSets(sub)...)
				continue
			}
			if len(run)*len(s) > maxExact {
				flush()
			}
			if len(run)*len(s) <= maxExact {
				run = product(run, s)
			}
		}
		flush()
		return out
	}
	return nil
}

// fewestClause is the clause of an alternation whose best sets together
// are too many strings: the set of each branch with the fewest strings
// (ties: the longer shortest string), together, when they are at most
// maxExact; else none. Each branch needs one string of its set, so the
// alternation needs one of them all ("black[ -]?listed|on (?:a|the)
// (?:black|block)[ -]?list" needs "...listed" or "...list", though the
// branches' best sets are "on a black", "on the block", ... and too many).
func fewestClause(branches [][][]string) [][]string {
	var out []string
	for _, sets := range branches {
		best := sets[0]
		for _, set := range sets[1:] {
			if len(set) < len(best) || len(set) == len(best) && minLen(set) > minLen(best) {
				best = set
			}
		}
		out = appendNew(out, best...)
	}
	if len(out) > maxExact {
		return nil
	}
	return [][]string{out}
}

// exactSet lists every string re matches in an ASCII text, lower-cased,
// when there are at most maxExact of them (zero-width assertions match "").
func exactSet(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpWordBoundary:
		return []string{"\xff"}, true // boundMark
	case syntax.OpEmptyMatch, syntax.OpNoWordBoundary,
		syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return []string{""}, true
	case syntax.OpLiteral:
		s := string(re.Rune)
		if !isASCII(s) {
			return nil, false
		}
		return []string{strings.ToLower(s)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], utf8.RuneSelf); r <= re.Rune[i+1]; r++ {
				if r != foldS && r != foldK {
					// a byte beyond ASCII the strings would not list
					// (prefilterHolds)
					return nil, false
				}
			}
			lo, hi := re.Rune[i], min(re.Rune[i+1], utf8.RuneSelf-1)
			if hi-lo > maxExact {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				if r == '\t' || r == '\n' || r == '\r' || r == '\f' {
					continue // not in a text normalize made (prefilterHolds)
				}
				out = appendNew(out, strings.ToLower(string(r)))
			}
		}
		if len(out) == 0 || len(out) > maxExact {
			return nil, false
		}
		return out, true
	case syntax.OpCapture:
		return exactSet(re.Sub[0])
	case syntax.OpPlus, syntax.OpStar, syntax.OpRepeat:
		// white space: normalize leaves single spaces, so \s+ is " "
		// there and \s* "" or " " (prefilterHolds)
		s, ok := exactSet(re.Sub[0])
		if !ok || len(s) != 1 || s[0] != " " {
			return nil, false
		}
		lo := 0
		switch re.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpRepeat:
			if re.Max == 0 {
				return []string{""}, true
			}
			lo = min(re.Min, 1)
		}
		if lo == 1 {
			return []string{" "}, true
		}
		return []string{"", " "}, true
	case syntax.OpQuest:
		s, ok := exactSet(re.Sub[0])
		if !ok || len(s)+1 > maxExact {
			return nil, false
		}
		return appendNew([]string{""}, s...), true
	case syntax.OpAlternate:
		var out []string
		for _, b := range re.Sub {
			s, ok := exactSet(b)
			if !ok {
				return nil, false
			}
			out = appendNew(out, s...)
		}
		return out, len(out) <= maxExact
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := exactSet(sub)
			if !ok || len(out)*len(s) > maxExact {
				return nil, false
			}
			out = product(out, s)
		}
		return out, true
	}
	return nil, false
}

// product is every string of a followed by one of b (without those that
// a word boundary between them rules out).
func product(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if s, ok := settleMarks(x + y); ok {
				out = appendNew(out, s)
			}
		}
	}
	return out
}

func appendNew(out []string, s ...string) []string {
	for _, x := range s {
		if !containsStr(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// minLen is the length of the shortest string of s, boundaries not
// counted.
func minLen(s []string) int {
	if len(s) == 0 {
		return 0
	}
	m := -1
	for _, x := range s {
		bare, _, _ := unmark(x)
		if m < 0 || len(bare) < m {
			m = len(bare)
		}
	}
	return m
}

// rankSets orders the sets with a non-empty shortest string, the one
// whose shortest string is longest (the rarest, as a rule of thumb) first.
func rankSets(sets [][]string) [][]string {
	var out [][]string
	for _, s := range sets {
		if minLen(s) > 0 {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return minLen(out[i]) > minLen(out[j]) })
	return out
}

// containsEach reports whether s contains a string of each set
// (containsBounded).
func containsEach(s string, sets [][]string) bool {
	for _, set := range sets {
		ok := false
		for _, lit := range set {
			if containsBounded(s, lit) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// startRegex runs a regex only where a match of it can start: at an
// occurrence of one of the literals that every match begins with (after
// a word boundary the regex asks for first), anchored there. An unanchored
// search tries every offset of the text with the whole program (a grammar
// rule of a few hundred instructions costs 10-20 µs on a reply of 150
// bytes); a reply holds its leading words a few times at most, and an
// anchored try that fails does so within a few bytes
// (BenchmarkStartRegex). Same matches as the regex's FindStringIndex
// (TestStartRegexSame).
type startRegex struct {
	lits []string // every match starts with one of them (ASCII, lower case)
	// word: the regex starts with \b, which find checks on the whole
	// text (anch sees the text from the literal on, without the byte
	// before)
	word bool
	anch *regexp.Regexp // \A(?:expr): a match at the start of what it is given
}

// maxStartLits bounds startRegex.lits: each is looked for on its own.
const maxStartLits = 8

// startRegexOf is the startRegex of the expression "(?i)"+expr, parsed
// (not simplified) as re, or nil when its matches need not start with a
// literal (or with too many).
func startRegexOf(expr string, re *syntax.Regexp) *startRegex {
	s := &startRegex{}
	first := re
	if re.Op == syntax.OpConcat && len(re.Sub) > 1 && re.Sub[0].Op == syntax.OpWordBoundary {
		s.word = true
		first = &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: re.Sub[1:]}
	}
	lits, ok := firstLits(first)
	if !ok || len(lits) == 0 {
		return nil
	}
	for _, l := range lits {
		// anch sees \b at its start as true before a word byte (there
		// is no byte before it); find checks the real one
		if s.word && !isWordASCII(l[0]) {
			return nil
		}
	}
	s.lits = lits
	anch, err := regexp.Compile(`\A(?:(?i)` + expr + `)`)
	if err != nil {
		return nil
	}
	s.anch = anch
	return s
}

// firstLits is the set of literals one of which every match of re starts
// with (ASCII, lower-cased: found in the lower-cased text wherever a match
// starts), or false.
func firstLits(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if s == "" || !isASCII(s) {
			return nil, false
		}
		return []string{lowerASCII(s)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return firstLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return firstLits(re.Sub[0])
		}
	case syntax.OpConcat:
		if len(re.Sub) > 0 {
			return firstLits(re.Sub[0])
		}
	case syntax.OpAlternate:
		var out []string
		for _, b := range re.Sub {
			l, ok := firstLits(b)
			if !ok {
				return nil, false
			}
			out = appendNew(out, l...)
			if len(out) > maxStartLits {
				return nil, false
			}
		}
		return out, true
	case syntax.OpCharClass:
		var out []string
		for k := 0; k+1 < len(re.Rune); k += 2 {
			if re.Rune[k+1] >= utf8.RuneSelf || int(re.Rune[k+1]-re.Rune[k]) > maxStartLits {
				return nil, false
			}
			for c := re.Rune[k]; c <= re.Rune[k+1]; c++ {
				out = appendNew(out, lowerASCII(string(rune(c))))
			}
			if len(out) > maxStartLits {
				return nil, false
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// find is re.FindStringIndex(text) for the regex s was made from, where
// lower is text lower-cased (ASCII letters only: the same length) and the
// fold of a letter beyond ASCII to one in ASCII does not occur
// (prefilterHolds). It tries the occurrences of s.lits in turn, leftmost
// first: the first one where anch matches is where the leftmost match
// starts, and anch, given the text from there on, prefers the same match
// as the search (leftmost-first; \b, the only assertion that looks back,
// is checked on the whole text for the first byte and sees the bytes it
// needs inside the rest).
func (s *startRegex) find(text, lower string) []int {
	for from := 0; from < len(text); {
		p := -1
		for _, l := range s.lits {
			rest := lower[from:]
			if p >= 0 {
				rest = lower[from:min(len(lower), p+len(l))] // only earlier ones count
			}
			if i := strings.Index(rest, l); i >= 0 {
				p = from + i
			}
		}
		if p < 0 {
			return nil
		}
		if !s.word || boundaryAt(text, p) {
			if loc := s.anch.FindStringIndex(text[p:]); loc != nil {
				return []int{p + loc[0], p + loc[1]}
			}
		}
		from = p + 1
	}
	return nil
}
