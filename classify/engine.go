package classify

import (
	"math/bits"
	"strings"
	"sync"

	"github.com/bouncescan/bouncescan"
)

// ruleIndex finds the substrings of all rules (built-in and user ones, the
// texts, unless texts and the literals that let a regex run) with one pass
// of a litScanner over the event's text, instead of a substring search per
// rule text; matchFound then reads the rules' conditions off the set of
// literals found. It is built once by New and shared by Clones.
type ruleIndex struct {
	scan *litScanner
	// pre is scan for the strings of regexPrefilter only, the ones looked
	// for in input.plain
	pre    *litScanner
	lits   []string   // literal number → text (boundMarks: marked)
	marked []bool     // per literal: a string of regexPrefilter
	rules  []ruleLits // per rule of Classifier.rules
	// prov finds the providers' text markers in the cache template;
	// provOf[i] is the provider (index) of marker i
	prov   *litScanner
	provOf []int
	// stages[k] are the literals of stageMarkers[k]; permanent and
	// transient those of classMarkers
	stages               [][]int32
	permanent, transient []int32
	// textRules[id]: the rules that have literal id as a text
	textRules [][]int32
	// gateRules[id]: the gated rules (ruleLits.gated) one of whose
	// regexes needs literal id in the text (its reLit, or one of its reAny)
	gateRules [][]int32
	// always: bit per rule that is neither textOnly nor gated (a
	// candidate whatever the literals found; nextRule)
	always []uint64
	// enhRules: the rules with enhanced code conditions (enhancedMask)
	enhRules []int32
	// src is the rules slice the index was built from (builtFor)
	src []*rule
}

// ruleLits are a rule's patterns as literal numbers of ruleIndex.scan.
type ruleLits struct {
	text   []int32     // per rule.text
	unless []int32     // per rule.unless
	reLit  []int32     // per rule.regex: rule.reLit, -1 when there is none
	reAny  [][]int32   // per rule.regex: rule.reAny (nil: none)
	rePre  [][][]int32 // per rule.regex: rule.rePre
	// textOnly: the rule has texts and no regex, so it matches only
	// when one of its texts is found (litScratch.textHit)
	textOnly bool
	// gated: the rule has regexes, each with a literal it needs (reLit)
	// or a list of which it needs one (reAny): it matches only when one
	// of its texts or one of those literals is found (gateRules), and
	// is not a candidate otherwise, whatever its conditions
	gated bool
}

func newRuleIndex(rules []*rule, providers []providerInfo) *ruleIndex {
	x := &ruleIndex{rules: make([]ruleLits, len(rules)), src: rules}
	type key struct {
		s      string
		marked bool // a string of regexPrefilter
	}
	num := make(map[key]int32)
	var marked []bool
	litID := func(s string, m bool) int32 {
		n, ok := num[key{s, m}]
		if !ok {
			n = int32(len(x.lits))
			num[key{s, m}] = n
			x.lits = append(x.lits, s)
			marked = append(marked, m)
		}
		return n
	}
	id := func(s string) int32 { return litID(s, false) }
	listIDs := func(list []string, m bool) []int32 {
		if list == nil {
			return nil
		}
		out := make([]int32, len(list))
		for i, s := range list {
			out[i] = litID(s, m)
		}
		return out
	}
	ids := func(list []string) []int32 { return listIDs(list, false) }
	for i, r := range rules {
		l := &x.rules[i]
		for _, t := range r.text {
			l.text = append(l.text, id(t.s))
		}
		for _, u := range r.unless {
			l.unless = append(l.unless, id(u.s))
		}
		for k := range r.regex {
			lit := int32(-1)
			if r.reLit[k] != "" {
				lit = id(r.reLit[k])
			}
			l.reLit = append(l.reLit, lit)
			l.reAny = append(l.reAny, ids(r.reAny[k]))
			var pre [][]int32
			for _, set := range r.rePre[k] {
				pre = append(pre, listIDs(set, true))
			}
			l.rePre = append(l.rePre, pre)
		}
	}
	x.textRules = make([][]int32, len(x.lits))
	x.gateRules = make([][]int32, len(x.lits))
	x.always = make([]uint64, (len(x.rules)+63)/64)
	addRule := func(list [][]int32, id int32, i int) {
		if n := len(list[id]); n == 0 || list[id][n-1] != int32(i) {
			list[id] = append(list[id], int32(i))
		}
	}
	for i := range x.rules {
		l := &x.rules[i]
		l.textOnly = len(l.text) > 0 && len(l.reLit) == 0
		l.gated = len(l.reLit) > 0
		for k := range l.reLit {
			if l.reLit[k] < 0 && l.reAny[k] == nil {
				l.gated = false // a regex that may run on any text
			}
		}
		if !l.textOnly && !l.gated {
			x.always[i>>6] |= 1 << (i & 63)
		}
		for _, t := range l.text {
			addRule(x.textRules, t, i)
		}
		if l.gated {
			for k := range l.reLit {
				if l.reLit[k] >= 0 {
					addRule(x.gateRules, l.reLit[k], i)
					continue
				}
				for _, a := range l.reAny[k] {
					addRule(x.gateRules, a, i)
				}
			}
		}
	}
	for i, r := range rules {
		if len(r.enhanced) > 0 {
			x.enhRules = append(x.enhRules, int32(i))
		}
	}
	for _, m := range stageMarkers {
		x.stages = append(x.stages, ids(m.text))
	}
	p, t := classMarkers()
	x.permanent, x.transient = ids(p), ids(t)
	x.marked = marked
	var marks []string
	for i, p := range providers {
		for _, m := range p.Text {
			marks = append(marks, m)
			x.provOf = append(x.provOf, i)
		}
	}
	// the automata are independent: the two largest side by side
	var wg sync.WaitGroup
	wg.Go(func() { x.pre = newLitScanner(x.lits, marked, marked) })
	x.scan = newLitScanner(x.lits, marked, nil)
	x.prov = newLitScanner(marks, nil, nil)
	wg.Wait()
	return x
}

// builtFor reports whether x was built from rules (the same slice: the
// rules themselves are not changed after New). Tests make Classifiers
// with fewer rules by replacing Classifier.rules; decide then builds that
// Classifier its own index.
func (x *ruleIndex) builtFor(rules []*rule) bool {
	return len(rules) == len(x.src) && (len(rules) == 0 || &rules[0] == &x.src[0])
}

// litScratch is a Classifier's own working space for ruleIndex (not
// shared by Clones).
type litScratch struct {
	lower litFound // literals in input.lower
	plain litFound // literals in input.plain, when it differs from lower
	prov  litFound // provider markers in the template
	// plainDone: plain holds the literals of input.plain
	plainDone bool
	text      []byte // prepareText's working space
	// enhMasks remembers enhancedMask's answers, by enhanced code
	enhMasks map[string][]uint64
	// textHit: bit per rule one of whose texts is in input.lower; cand:
	// always, textHit and the gated rules one of whose gate literals is
	// there
	textHit, cand []uint64
}

func newLitScratch(x *ruleIndex) *litScratch {
	return &litScratch{lower: newLitFound(x.scan.n), plain: newLitFound(x.scan.n), prov: newLitFound(x.prov.n),
		textHit: make([]uint64, len(x.always)), cand: make([]uint64, len(x.always)), enhMasks: map[string][]uint64{}}
}

// prepare finds the literals of in.lower; those of in.plain follow when
// a regex needs them (plainFor).
func (x *ruleIndex) prepare(s *litScratch, in *input) {
	s.lower.reset()
	s.plain.reset()
	s.plainDone = false
	x.scan.scan(in.lower, &s.lower)
	clear(s.textHit)
	copy(s.cand, x.always)
	for _, id := range s.lower.ids {
		if int(id) < len(x.textRules) {
			for _, r := range x.textRules[id] {
				s.textHit[r>>6] |= 1 << (r & 63)
			}
			for _, r := range x.gateRules[id] {
				s.cand[r>>6] |= 1 << (r & 63)
			}
		}
	}
	for k := range s.cand {
		s.cand[k] |= s.textHit[k]
	}
}

// maxEnhMasks bounds litScratch.enhMasks (a log has a few dozen codes).
const maxEnhMasks = 1024

// dropEnhanced takes out of the candidates of nextRule the rules whose
// enhanced code conditions in (its enh, and ecl, esub, edet and weak,
// which decide derives from enh) does not meet: matchConditions would say
// no to them. A rule such as code.microsoft lists two dozen code ranges,
// tried on every event otherwise. The mask of each code is worked out once
// with enhPat.matches and remembered.
func (x *ruleIndex) dropEnhanced(s *litScratch, rules []*rule, in *input) {
	if len(x.enhRules) == 0 {
		return
	}
	mask, ok := s.enhMasks[in.enh]
	if !ok {
		mask = make([]uint64, len(s.cand))
		for k := range mask {
			mask[k] = ^uint64(0)
		}
		for _, i := range x.enhRules {
			met := false
			for _, p := range rules[i].enhanced {
				if p.matches(in) {
					met = true
					break
				}
			}
			if !met {
				mask[i>>6] &^= 1 << (i & 63)
			}
		}
		if len(s.enhMasks) >= maxEnhMasks {
			clear(s.enhMasks)
		}
		s.enhMasks[in.enh] = mask
	}
	for k := range s.cand {
		s.cand[k] &= mask[k]
	}
}

// nextRule is the first rule from number i on that may match the text
// prepare saw (matchFound is false for the others: text-only rules none of
// whose texts is there, gated rules none of whose texts and none of whose
// regexes' needed literals are there), or -1.
func (x *ruleIndex) nextRule(s *litScratch, i int) int {
	for k := i >> 6; k < len(s.cand); k++ {
		w := s.cand[k]
		if k == i>>6 {
			w &^= 1<<(i&63) - 1
		}
		if w != 0 {
			return k<<6 | bits.TrailingZeros64(w)
		}
	}
	return -1
}

// plainFor is the set of the strings of regexPrefilter in in.plain.
func (x *ruleIndex) plainFor(s *litScratch, in *input) *litFound {
	if in.plain == in.lower {
		return &s.lower
	}
	if !s.plainDone {
		x.pre.scan(in.plain, &s.plain)
		s.plainDone = true
	}
	return &s.plain
}

// stageOf is stageFromText(in.lower) from the literals prepare found.
func (x *ruleIndex) stageOf(s *litScratch) bouncescan.Stage {
	for k, ids := range x.stages {
		if s.lower.hasAny(ids) {
			return stageMarkers[k].stage
		}
	}
	return bouncescan.StageUnknown
}

// classOf is classFromText(in.lower) from the literals prepare found.
func (x *ruleIndex) classOf(s *litScratch) bouncescan.Class {
	switch {
	case s.lower.hasAny(x.permanent):
		return bouncescan.ClassPermanent
	case s.lower.hasAny(x.transient):
		return bouncescan.ClassTransient
	}
	return bouncescan.ClassUnknown
}

// providerOf is the first provider (index into the providers given to
// newRuleIndex) that has a marker in template, or -1: providerOfText.
func (x *ruleIndex) providerOf(s *litScratch, template string) int {
	s.prov.reset()
	x.prov.scan(template, &s.prov)
	best := -1
	for _, id := range s.prov.ids {
		if p := x.provOf[id]; best < 0 || p < best {
			best = p
		}
	}
	return best
}

// matchFound is rule.match with the substrings looked up in the literals
// found by prepare: the same answer and evidence (TestMatchFound).
func (x *ruleIndex) matchFound(i int, r *rule, s *litScratch, in *input) (bool, string) {
	l := &x.rules[i]
	if l.textOnly && s.textHit[i>>6]&(1<<(i&63)) == 0 {
		return false, "" // none of its texts is there, whatever the rest
	}
	if !r.matchConditions(in) {
		return false, ""
	}
	for _, u := range l.unless {
		if s.lower.has(u) {
			return false, ""
		}
	}
	if !r.hasText() {
		return true, ""
	}
	for _, t := range l.text {
		if s.lower.has(t) {
			lit := x.lits[t]
			at := strings.Index(in.lower, lit)
			return true, in.norm[at : at+len(lit)]
		}
	}
	for k, re := range r.regex {
		if lit := l.reLit[k]; lit >= 0 && !s.lower.has(lit) {
			continue
		}
		if a := l.reAny[k]; a != nil && !s.lower.hasAny(a) {
			continue
		}
		if in.ascii && len(l.rePre[k]) > 0 {
			p := x.plainFor(s, in)
			ok := true
			for _, set := range l.rePre[k] {
				if !p.hasAny(set) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
		}
		text := in.norm
		if r.reCap > 0 && len(text) > r.reCap {
			text = text[:r.reCap]
		}
		var loc []int
		if st := r.reStart[k]; st != nil && in.ascii {
			loc = st.find(text, in.plain[:len(text)])
		} else {
			loc = re.FindStringIndex(text)
		}
		if loc != nil {
			return true, text[loc[0]:loc[1]]
		}
	}
	return false, ""
}

func (f *litFound) hasAny(ids []int32) bool {
	for _, id := range ids {
		if f.has(id) {
			return true
		}
	}
	return false
}
