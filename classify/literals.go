package classify

import "strings"

// litScanner tells which of a fixed list of literals occur in a text, in
// one pass over the text, whatever the number of literals: an Aho–Corasick
// automaton turned into a table of transitions (a DFA), one step per byte.
// It replaces one substring search per literal (hundreds per event) with a
// table look-up per byte of the text (BenchmarkLitScanner).
//
// To keep the table small enough for the processor's caches, the automaton
// reads classes of bytes, not bytes: the litColumns-1 bytes most used by
// the literals have a class each, all other bytes share class 0. A literal
// without a byte of class 0 found by the automaton is in the text; one with
// such a byte is compared with the text where the automaton found it.
//
// Matching is byte for byte, without case folding: the texts scanned and
// the literals are both lower-cased already. The empty literal occurs in
// every text, as with strings.Contains. A literal of regexPrefilter may
// ask for word boundaries (boundMark, containsBounded): they are checked
// where the automaton finds its bytes.
type litScanner struct {
	class [256]uint8
	// next16 or next32[state<<litShift|class] is the next state: 16-bit
	// entries while there are few enough states, half the cache lines.
	// The states where some literal ends are numbered from firstOut on,
	// so that the step from byte to byte is a load, a shift and an or.
	next16   []uint16
	next32   []uint32
	firstOut uint32
	// outs[outAt[s-firstOut]:outAt[s-firstOut+1]] are the literals that
	// end in state s: its own and those of the states its suffixes lead to.
	outAt []uint32
	outs  []int32
	lits  []string // the literals' bytes (without boundMark)
	check []uint8  // per literal: checkBytes, checkBefore, checkAfter
	empty []int32  // the empty literals: in every text
	// single: the literals of one byte, found with IndexByte (a space or
	// a colon would stop the automaton at almost every byte)
	single []int32
	n      int // number of literals
}

const (
	// litDepth: the automaton holds the first litDepth bytes of each
	// literal; a longer one is compared with the text where they are
	// found. The automaton is a third of the size (cache misses), and two
	// parts of a text overlap by fewer bytes (scanTable).
	litDepth = 12
	// litColumns is the width of a row of the table (a power of two)
	litColumns = 64
	litShift   = 6
)

// What litScanner checks where its automaton finds a literal.
const (
	checkBytes  = 1 << iota // the literal has a byte of class 0, or is longer than litDepth
	checkBefore             // a word boundary before it
	checkAfter              // a word boundary after it
)

// newLitScanner builds the scanner of lits; the literal lits[i] is
// reported as i (duplicates each under their own index). Where marked[i]
// (marked may be nil), lits[i] is a string of regexPrefilter, whose
// boundMarks ask for word boundaries. A non-nil only limits the scanner to
// the literals i where only[i]: the others are never found.
func newLitScanner(lits []string, marked, only []bool) *litScanner {
	m := &litScanner{n: len(lits), lits: make([]string, len(lits)), check: make([]uint8, len(lits))}
	for i, l := range lits {
		if i < len(marked) && marked[i] {
			bare, before, after := unmark(l)
			l = bare
			if before {
				m.check[i] |= checkBefore
			}
			if after {
				m.check[i] |= checkAfter
			}
		}
		m.lits[i] = l
	}
	lits = m.lits
	// classes: the most used bytes first (ties: the lower byte)
	var uses [256]int
	for id, l := range lits {
		for i := 0; i < len(l) && len(l) > 1 && (only == nil || only[id]); i++ {
			uses[l[i]]++
		}
	}
	for c := 1; c < litColumns; c++ {
		best := -1
		for b := 0; b < 256; b++ {
			if uses[b] > 0 && m.class[b] == 0 && (best < 0 || uses[b] > uses[best]) {
				best = b
			}
		}
		if best < 0 {
			break
		}
		m.class[best] = uint8(c)
	}
	const nc = litColumns

	// the trie, its edges first in a map (key s<<litShift|c: the child of
	// s by class c), then in a table of exactly its size: growing the
	// table row by row cost most of the build in copies and first
	// touches of fresh memory (BenchmarkNewClassifier)
	edges := make(map[uint32]uint32, len(lits)*litDepth/2)
	own := [][]int32{nil} // per state: the literals that end there
	for id, l := range lits {
		switch {
		case only != nil && !only[id]:
			continue
		case len(l) == 0:
			// with boundaries asked for too: taken as found, which
			// only lets a regex run
			m.empty = append(m.empty, int32(id))
			continue
		case len(l) == 1 && m.check[id] == 0:
			m.single = append(m.single, int32(id))
			continue
		}
		s := uint32(0)
		if len(l) > litDepth {
			m.check[id] |= checkBytes
		}
		for i := 0; i < len(l) && i < litDepth; i++ {
			c := uint32(m.class[l[i]])
			if c == 0 {
				m.check[id] |= checkBytes
			}
			t, ok := edges[s<<litShift|c]
			if !ok {
				t = uint32(len(own))
				own = append(own, nil)
				edges[s<<litShift|c] = t
			}
			s = t
		}
		own[s] = append(own[s], int32(id))
	}
	// gotoT[s*nc+c] is the child of s by class c (0: none, as no edge
	// leads back to the root)
	gotoT := make([]uint32, len(own)*nc)
	for k, t := range edges {
		gotoT[k] = t
	}
	states := len(own)

	// breadth first: each state's failure state (its longest proper suffix
	// that is a trie state) is complete before the state itself, so a
	// missing edge is the failure state's edge
	fail := make([]uint32, states)
	allOut := make([][]int32, states)
	queue := make([]uint32, 0, states)
	for c := uint32(0); c < nc; c++ {
		if t := gotoT[c]; t != 0 {
			queue = append(queue, t)
		}
	}
	for q := 0; q < len(queue); q++ {
		s := queue[q]
		f := fail[s]
		allOut[s] = append(own[s], allOut[f]...)
		for c := uint32(0); c < nc; c++ {
			t := gotoT[s*nc+c]
			if t == 0 {
				gotoT[s*nc+c] = gotoT[f*nc+c]
				continue
			}
			fail[t] = gotoT[f*nc+c]
			queue = append(queue, t)
		}
	}
	// renumber: the states without output first (the root, which has
	// none, stays 0), then those with
	num := make([]uint32, states)
	var order []uint32 // new number → old
	for pass := 0; pass < 2; pass++ {
		for s := 0; s < states; s++ {
			if (len(allOut[s]) > 0) == (pass == 1) {
				if pass == 1 && m.firstOut == 0 {
					m.firstOut = uint32(len(order))
				}
				num[s] = uint32(len(order))
				order = append(order, uint32(s))
			}
		}
	}
	if m.firstOut == 0 {
		m.firstOut = uint32(states) // no state has output
	}
	if states <= 1<<16 {
		m.next16 = make([]uint16, len(gotoT))
	} else {
		m.next32 = make([]uint32, len(gotoT))
	}
	for ns, old := range order {
		for c := uint32(0); c < nc; c++ {
			t := num[gotoT[old*nc+c]]
			if m.next16 != nil {
				m.next16[uint32(ns)*nc+c] = uint16(t)
			} else {
				m.next32[uint32(ns)*nc+c] = t
			}
		}
	}
	m.outAt = []uint32{0}
	for _, old := range order[m.firstOut:] {
		m.outs = append(m.outs, allOut[old]...)
		m.outAt = append(m.outAt, uint32(len(m.outs)))
	}
	return m
}

// scan adds to f every literal that occurs in text.
func (m *litScanner) scan(text string, f *litFound) {
	for _, id := range m.empty {
		f.add(id)
	}
	for _, id := range m.single {
		if strings.IndexByte(text, m.lits[id][0]) >= 0 {
			f.add(id)
		}
	}
	if m.next16 != nil {
		scanTable(m, m.next16, text, f)
	} else {
		scanTable(m, m.next32, text, f)
	}
}

// scanTable runs the automaton of m, whose table is next, over text.
//
// Each step waits for the table entry of the step before; two runs of the
// automaton over the two halves of the text, side by side, keep the
// processor busy while it waits. The second half starts litDepth-1 bytes
// early, so that each literal has the bytes the automaton needs within one
// half (a literal found by both is in f once).
func scanTable[T uint16 | uint32](m *litScanner, next []T, text string, f *litFound) {
	class := &m.class
	firstOut := T(m.firstOut)
	n := len(text)
	i, j, jEnd := 0, n, n // first half text[i:mid], second text[j:jEnd]
	mid := n
	if n >= 4*litDepth {
		mid = (n + litDepth - 1) / 2
		j = mid - (litDepth - 1)
	}
	a, b := T(0), T(0)
	for ; i < mid && j < jEnd; i, j = i+1, j+1 {
		a = next[uint(a)<<litShift|uint(class[text[i]])]
		b = next[uint(b)<<litShift|uint(class[text[j]])]
		if a >= firstOut {
			m.report(int(a-firstOut), text, i+1, f)
		}
		if b >= firstOut {
			m.report(int(b-firstOut), text, j+1, f)
		}
	}
	for ; i < mid; i++ {
		a = next[uint(a)<<litShift|uint(class[text[i]])]
		if a >= firstOut {
			m.report(int(a-firstOut), text, i+1, f)
		}
	}
	for ; j < jEnd; j++ {
		b = next[uint(b)<<litShift|uint(class[text[j]])]
		if b >= firstOut {
			m.report(int(b-firstOut), text, j+1, f)
		}
	}
}

// report adds to f the literals of output state st (numbered from
// firstOut) that are in text where the automaton reached st at end.
func (m *litScanner) report(st int, text string, end int, f *litFound) {
	for _, id := range m.outs[m.outAt[st]:m.outAt[st+1]] {
		if m.check[id] != 0 && !m.checkAt(id, text, end) {
			continue
		}
		f.add(id)
	}
}

// checkAt reports whether literal id, whose classes the automaton found
// ending at offset end of text, is there with the boundaries it asks for.
//
// end is the end of the literal's first litDepth bytes.
func (m *litScanner) checkAt(id int32, text string, end int) bool {
	l, ck := m.lits[id], m.check[id]
	start := end - min(len(l), litDepth)
	end = start + len(l)
	if ck&checkBytes != 0 && (end > len(text) || text[start:end] != l) {
		return false // the classes matched, the bytes do not, or the rest is not there
	}
	if ck&checkBefore != 0 && !boundaryAt(text, start) {
		return false
	}
	return ck&checkAfter == 0 || boundaryAt(text, end)
}

// litFound is a set of literal numbers, cheap to empty again.
type litFound struct {
	bits []uint64
	ids  []int32 // the members, in the order they were added
}

func newLitFound(n int) litFound {
	return litFound{bits: make([]uint64, (n+63)/64)}
}

func (f *litFound) add(id int32) {
	w, b := id>>6, uint64(1)<<(id&63)
	if f.bits[w]&b == 0 {
		f.bits[w] |= b
		f.ids = append(f.ids, id)
	}
}

func (f *litFound) has(id int32) bool { return f.bits[id>>6]&(1<<(id&63)) != 0 }

// reset empties the set, in time proportional to its size.
func (f *litFound) reset() {
	for _, id := range f.ids {
		f.bits[id>>6] = 0
	}
	f.ids = f.ids[:0]
}
