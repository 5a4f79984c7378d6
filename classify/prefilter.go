package classify

import (
	"regexp/syntax"
	"strings"
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

// requiredLiteral returns a lower-case ASCII string that every match of
// the case-insensitive regular expression expr contains, or "" when there
// is no such string (then the expression is always run). The check runs on
// the ASCII-lower-cased text, so a match that needs Unicode case folding
// of an ASCII letter (the Kelvin sign for k) is missed: a price paid for
// not running every expression on every text.
func requiredLiteral(expr string) string {
	re, err := syntax.Parse(expr, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return ""
	}
	re = re.Simplify()
	best := ""
	consider := func(r *syntax.Regexp) {
		if r.Op != syntax.OpLiteral {
			return
		}
		lit := string(r.Rune)
		if len(lit) > len(best) && isASCII(lit) {
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// requiredAnyLiteral is requiredLiteral for expressions that have no single
// literal but an alternation every match passes through, such as
// \b(?:locked|suspended)\b: the lower-case ASCII literals of its branches,
// one of which every match contains; nil when some branch has none (or
// one shorter than 3 bytes, too common to save any work).
func requiredAnyLiteral(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil
	}
	re = re.Simplify()
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

// branchLiteral is the longest ASCII literal a branch of an alternation
// always contains, lower-cased, or "".
func branchLiteral(b *syntax.Regexp) string {
	for b.Op == syntax.OpCapture {
		b = b.Sub[0]
	}
	best := ""
	consider := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral {
			if l := string(r.Rune); len(l) > len(best) && isASCII(l) {
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
