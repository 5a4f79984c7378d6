package classify

import (
	"math/rand"
	"strings"
	"testing"
)

// foundByContains is what litScanner.scan must find: the literals that
// strings.Contains finds in text (containsBounded for the marked ones).
func foundByContains(lits []string, marked []bool, text string) []bool {
	out := make([]bool, len(lits))
	for i, l := range lits {
		if i < len(marked) && marked[i] {
			out[i] = containsBounded(text, l)
			continue
		}
		out[i] = strings.Contains(text, l)
	}
	return out
}

func checkScan(t *testing.T, m *litScanner, f *litFound, lits []string, marked []bool, text string) {
	t.Helper()
	f.reset()
	m.scan(text, f)
	want := foundByContains(lits, marked, text)
	for i, w := range want {
		if got := f.has(int32(i)); got != w {
			t.Fatalf("literal %d %q in %q: scanner says %v, strings.Contains %v", i, lits[i], text, got, w)
		}
	}
	if n := len(f.ids); n != countTrue(want) {
		t.Fatalf("%q: %d literals listed, %d found", text, n, countTrue(want))
	}
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// TestLitScannerRules: on the identity corpus (lower-cased and masked as
// decide does), on every rule literal itself and on literals glued
// together, the scanner of the built-in rules finds exactly what
// strings.Contains finds.
func TestLitScannerRules(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := c.idx
	f := newLitFound(x.scan.n)
	for _, text := range identityTexts(t) {
		_, plain := normalize(text)
		checkScan(t, x.scan, &f, x.lits, x.marked, maskAddresses(plain))
		checkScan(t, x.scan, &f, x.lits, x.marked, plain)
		// the scanner of the prefilter strings, for input.plain
		f.reset()
		x.pre.scan(plain, &f)
		want := foundByContains(x.lits, x.marked, plain)
		for i := range x.lits {
			if got := f.has(int32(i)); got != (want[i] && x.marked[i]) {
				t.Fatalf("pre: literal %d %q (prefilter string: %v) in %q: %v", i, x.lits[i], x.marked[i], plain, got)
			}
		}
	}
	for i, l := range x.lits {
		checkScan(t, x.scan, &f, x.lits, x.marked, l)
		checkScan(t, x.scan, &f, x.lits, x.marked, l+x.lits[(i*7+3)%len(x.lits)])
		checkScan(t, x.scan, &f, x.lits, x.marked, l[:len(l)/2]+x.lits[(i*13+1)%len(x.lits)]+l[len(l)/2:])
	}
	if x.scan.n < 500 {
		t.Errorf("only %d literals: the index misses rule texts", x.scan.n)
	}
}

// TestLitScannerRandom: random literals over small alphabets (many
// overlaps, prefixes and suffixes of each other, bytes of the shared class
// 0, the empty literal, duplicates) against random texts.
func TestLitScannerRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	for round := 0; round < 300; round++ {
		// alphabets: tiny (deep overlaps), and wide with bytes beyond
		// the classes the scanner gives a column of their own
		alpha := []byte("ab")
		switch round % 3 {
		case 1:
			alpha = []byte("abc d_.")
		case 2:
			alpha = make([]byte, 0, 60)
			for i := 0; i < 60; i++ {
				alpha = append(alpha, byte(rng.Intn(256)))
			}
		}
		word := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = alpha[rng.Intn(len(alpha))]
			}
			return string(b)
		}
		var lits []string
		for i, n := 0, 1+rng.Intn(40); i < n; i++ {
			lits = append(lits, word(rng.Intn(7)))
		}
		if round%5 == 0 && len(lits) > 1 {
			lits = append(lits, lits[0]) // a duplicate
		}
		// some literals ask for word boundaries, as regexPrefilter's may
		marked := make([]bool, len(lits))
		for i := range lits {
			if round%2 == 0 && i%3 == 0 && lits[i] != "" {
				marked[i] = true
				switch i % 4 {
				case 0:
					lits[i] = "\xff" + lits[i]
				case 1:
					lits[i] += "\xff"
				default:
					lits[i] = "\xff" + lits[i] + "\xff"
				}
			}
		}
		m := newLitScanner(lits, marked, nil)
		// and a scanner of some of them only (ruleIndex.pre)
		only := make([]bool, len(lits))
		for i := range only {
			only[i] = rng.Intn(2) == 0
		}
		part := newLitScanner(lits, marked, only)
		f := newLitFound(m.n)
		for k := 0; k < 20; k++ {
			text := word(rng.Intn(60))
			checkScan(t, m, &f, lits, marked, text)
			f.reset()
			part.scan(text, &f)
			want := foundByContains(lits, marked, text)
			for i := range lits {
				if got := f.has(int32(i)); got != (want[i] && only[i]) {
					t.Fatalf("scanner of some: literal %d %q (in it: %v) in %q: %v", i, lits[i], only[i], text, got)
				}
			}
		}
		checkScan(t, m, &f, lits, marked, "")
	}
}

// TestMatchFound: stageOf, classOf and providerOf give what
// stageFromText, classFromText and providerOfText give, and for every rule (built-in, and the user rules of
// TestUserRules, which the index holds too) and every text of the identity
// corpus (in several stages and with the codes the text gives),
// ruleIndex.matchFound gives what rule.match gives.
func TestMatchFound(t *testing.T) {
	builtin, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	user, err := New(Options{RulesFile: writeFile(t, "rules.toml", userTOML)})
	if err != nil {
		t.Fatal(err)
	}
	texts := append(identityTexts(t), "ACME quota 42 reached", "Denied by ACME rules", "no - gsmtp",
		"bob@gmail.com: no", "see support.google.com/mail and hotmail", "[TSS04] yahoo 1.2.3.4")
	for _, c := range []*Classifier{builtin, user} {
		matched := 0
		for n, text := range texts {
			var in input
			in.norm, in.plain = normalize(text)
			in.lower = maskAddresses(in.plain)
			in.ascii = prefilterHolds(in.norm)
			in.grams.fill(in.lower)
			in.reply, in.enh = codesFromText(in.norm, 0)
			if in.enh != "" {
				in.ecl, in.esub, in.edet, _ = splitEnhanced(in.enh)
			}
			in.weak = in.enh == "" || (in.esub == 0 && in.edet == 0)
			in.stage = stageFromText(in.lower)
			if n%3 == 1 {
				in.stage = 0
			}
			c.idx.prepare(c.lit, &in)
			if got, want := c.idx.stageOf(c.lit), stageFromText(in.lower); got != want {
				t.Fatalf("%q: stageOf %v, stageFromText %v", text, got, want)
			}
			if got, want := c.idx.classOf(c.lit), classFromText(in.lower); got != want {
				t.Fatalf("%q: classOf %v, classFromText %v", text, got, want)
			}
			template := string(appendTemplate(nil, text))
			want := c.providerOfText(template)
			got := ""
			if p := c.idx.providerOf(c.lit, template); p >= 0 {
				got = c.providers[p].Name
			}
			if got != want {
				t.Fatalf("%q: providerOf %q, providerOfText %q", template, got, want)
			}
			next := c.idx.nextRule(c.lit, 0)
			for i, r := range c.rules {
				if i > next && next >= 0 {
					next = c.idx.nextRule(c.lit, i)
				}
				ok, ev := r.match(&in)
				if ok && i != next {
					t.Fatalf("rule %s matches %q but nextRule skips it", r.id, text)
				}
				fok, fev := c.idx.matchFound(i, r, c.lit, &in)
				if ok != fok || ev != fev {
					t.Fatalf("rule %s on %q: match %v %q, matchFound %v %q", r.id, text, ok, ev, fok, fev)
				}
				if ok {
					matched++
				}
			}
		}
		if matched < 1000 {
			t.Errorf("only %d matches: the test sees too little", matched)
		}
	}
	if len(user.rules) <= len(builtin.rules) || user.idx.scan.n <= builtin.idx.scan.n {
		t.Errorf("the user rules are not in the index: %d rules, %d literals (built-in: %d, %d)",
			len(user.rules), user.idx.scan.n, len(builtin.rules), builtin.idx.scan.n)
	}
}

// scanTexts are the texts of the benchmark mix as decide scans them.
func scanTexts(b *testing.B) []string {
	var out []string
	for _, e := range benchEvents(b) {
		_, plain := normalize(e.Text)
		out = append(out, maskAddresses(plain))
	}
	return out
}

// BenchmarkLitScanner: finding which rule literals occur in a text, one
// scan of the automaton (Scanner) against a substring search per literal
// behind the byte-pair filter, as rule.match does (Contains).
func BenchmarkLitScanner(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	texts := scanTexts(b)
	b.Run("Scanner", func(b *testing.B) {
		f := newLitFound(c.idx.scan.n)
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			f.reset()
			c.idx.scan.scan(texts[i%len(texts)], &f)
		}
		reportCPU(b, cpu0)
	})
	b.Run("Contains", func(b *testing.B) {
		pats := make([]textPat, len(c.idx.lits))
		for i, l := range c.idx.lits {
			pats[i] = newTextPat(l)
		}
		found := make([]bool, len(pats))
		cpu0 := processCPU()
		defer reportCPU(b, cpu0)
		for i := 0; i < b.N; i++ {
			text := texts[i%len(texts)]
			var g gramSet
			g.fill(text)
			for k := range pats {
				found[k] = pats[k].mayBeIn(&g) && strings.Contains(text, pats[k].s)
			}
		}
	})
}
