package classify

import (
	"math/rand"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestRegexPrefilterSets(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want string // sets joined by " & ", strings by "|"
	}{
		{`\bno (?:such|valid)\s+(?:user|recipient)`, `\bno such user|\bno such recipient|\bno valid user|\bno valid recipient`},
		{`\bno (?:such|valid)\s*[,;]\s?user`, `\bno such,user|\bno such, user|\bno such;user|\bno such; user|\bno such ,user|\bno such , user|\bno such ;user|\bno such ; user|\bno valid,user|\bno valid, user|\bno valid;user|\bno valid; user|\bno valid ,user|\bno valid , user|\bno valid ;user|\bno valid ; user`},
		{`\b(?:pipe|program) (?:to |failed)`, `\bpipe to |\bpipe failed|\bprogram to |\bprogram failed`},
		{`\b(rly|con|dyn|rtr):[a-z]{1,2}[0-9]`, `\brly:|\bcon:|\bdyn:|\brtr:`},
		{`non-?existent`, "nonexistent|non-existent"},
		{`\bs7[0-9]{4}\b`, `\bs7`},
		{`(?:locked|\d+)`, ""},
		{`.*`, ""},
		// word boundaries: kept at the ends, settled inside
		// white space is one space in a normalized text: \s+ is " "
		{`\b(?:your |the )?ip\b\s*blocked`, `\bip blocked|\byour ip blocked|\bthe ip blocked`},
		{`a\bb|cd\b ef`, `cd ef`},
		// an alternation whose branch needs two sets gives a set for each
		{`(?:sender|(?:from|mail)\d+address)\s+rejected`, `sender|address & sender|from|mail &  rejected`},
		// an alternation whose branches' best sets are too many together:
		// the branches' smallest sets
		{`\b(?:black[ -]?listed|on (?:a|our|the|my) (?:black|block)[ -]?list|in (?:a|our|the|my) (?:black|block)[ -]?list)\b`,
			`blacklisted|black listed|black-listed|list| list|-list`},
	} {
		var got []string
		for _, set := range regexPrefilter("(?i)" + tc.expr) {
			got = append(got, strings.ReplaceAll(strings.Join(set, "|"), "\xff", `\b`))
		}
		if g := strings.Join(got, " & "); g != tc.want {
			t.Errorf("regexPrefilter(%q) = %q, want %q", tc.expr, g, tc.want)
		}
	}
}

// TestRegexPrefilterSound: whenever a built-in expression matches an
// all-ASCII text of the identity corpus (or a variant of it in other
// letter cases), its prefilter lets the text through.
func TestRegexPrefilterSound(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, text := range identityTexts(t) {
		// and with bytes beyond ASCII (prefilterHolds)
		for _, v := range []string{text, strings.ToUpper(text), strings.ToLower(text), "é " + text + " 日本", strings.ReplaceAll(text, " ", "\u00a0 ")} {
			norm, plain := normalize(v)
			if !prefilterHolds(norm) {
				continue
			}
			for _, r := range c.rules {
				for k, re := range r.regex {
					if re.MatchString(norm) {
						matched++
						if !containsEach(plain, r.rePre[k]) {
							t.Errorf("%s: %s matches %q but its prefilter %q says no", r.id, re, norm, r.rePre[k])
						}
					}
				}
			}
		}
	}
	if matched < 100 {
		t.Errorf("only %d matches: the test sees too little", matched)
	}
}

// BenchmarkRegexPrefilter: the built-in expressions on the identity
// corpus, run behind their old literal checks only, and with
// regexPrefilter's sets in front.
func BenchmarkRegexPrefilter(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	type prepared struct{ norm, plain, lower string }
	var texts []prepared
	for _, s := range identityTexts(b) {
		norm, plain := normalize(s)
		if isASCII(norm) {
			texts = append(texts, prepared{norm, plain, maskAddresses(plain)})
		}
	}
	for _, pre := range []bool{false, true} {
		name := "literals"
		if pre {
			name = "prefilter"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p := texts[i%len(texts)]
				for _, r := range c.rules {
					for k, re := range r.regex {
						if lit := r.reLit[k]; lit != "" && !strings.Contains(p.lower, lit) {
							continue
						}
						if a := r.reAny[k]; a != nil && !containsAny(p.lower, a) {
							continue
						}
						if pre && !containsEach(p.plain, r.rePre[k]) {
							continue
						}
						re.FindStringIndex(p.norm)
					}
				}
			}
		})
	}
}

// TestPrefilterHolds: the runes beyond ASCII that case-fold to an ASCII
// letter are exactly ſ and K, which prefilterHolds turns away; and a
// class with another rune beyond ASCII gives no strings.
func TestPrefilterHolds(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < utf8.RuneSelf && r != foldS && r != foldK {
				t.Errorf("%U folds to %q: prefilterHolds must know it", r, f)
			}
		}
	}
	for _, tc := range []struct {
		text string
		want bool
	}{{"sender rejected", true}, {"é sender 日本", true}, {"ſender rejected", false}, {"blocK", true}, {"bloc\u212a", false}} {
		if got := prefilterHolds(tc.text); got != tc.want {
			t.Errorf("prefilterHolds(%q) = %v", tc.text, got)
		}
	}
	if sets := regexPrefilter(`(?i)caf[eé] noir`); len(sets) != 2 || sets[0][0] != "caf" || sets[1][0] != " noir" {
		t.Errorf("regexPrefilter(caf[eé] noir) = %q, want caf and \" noir\", not cafe", sets)
	}
	if !regexp.MustCompile(`(?i)sender`).MatchString("ſender") || regexp.MustCompile(`(?i)sender`).MatchString("sendér") {
		t.Error("case folding is not what prefilterHolds assumes")
	}
}

// startTexts are texts to try startRegex on: the identity corpus and the
// benchmark mix, in other letter cases, and each regex's first literals
// glued into them at a few places (so that most expressions get tries
// that fail after their first words, and some that match).
func startTexts(t testing.TB) []string {
	var out []string
	for _, e := range benchEvents(t) {
		out = append(out, e.Text)
	}
	out = append(out, identityTexts(t)...)
	n := len(out)
	for i := 0; i < n; i++ {
		out = append(out, strings.ToUpper(out[i]))
	}
	return out
}

// TestStartRegexSame: for every built-in expression startRegex takes, its
// find gives what FindStringIndex gives, on the texts of startTexts and
// on them with the expression's own first literals (in other cases, with
// and without a word byte before them) put in; and on random expressions
// of the shapes it takes over texts of a small alphabet.
func TestStartRegexSame(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts := startTexts(t)
	check := func(re *regexp.Regexp, st *startRegex, text string) bool {
		norm, plain := normalize(text)
		if !prefilterHolds(norm) {
			return false
		}
		got, want := st.find(norm, plain), re.FindStringIndex(norm)
		if !slices.Equal(got, want) {
			t.Fatalf("%s on %q: find %v, FindStringIndex %v", re, norm, got, want)
		}
		return want != nil
	}
	taken, tries, matches := 0, 0, 0
	for _, r := range c.rules {
		for k, re := range r.regex {
			st := r.reStart[k]
			if st == nil {
				continue
			}
			taken++
			for i, text := range texts {
				if i%29 != 0 && (i%5 != 0 || !strings.Contains(strings.ToLower(text), st.lits[i%len(st.lits)])) {
					continue // a sample of the texts, most of them with its words
				}
				l := st.lits[i%len(st.lits)]
				at := (i * 31) % (len(text) + 1)
				for _, v := range []string{text, text[:at] + l + text[at:], text[:at] + "x" + strings.ToUpper(l) + " " + text[at:], l + " " + text} {
					tries++
					if check(re, st, v) {
						matches++
					}
				}
			}
		}
	}
	t.Logf("%d expressions taken, %d of %d tries matched", taken, matches, tries)
	if taken < 20 || matches < 100 {
		t.Errorf("%d expressions taken, %d of %d tries matched: the test sees too little", taken, matches, tries)
	}
	// random expressions and texts over "ab -."
	rng := rand.New(rand.NewSource(15))
	atoms := []string{"a", "b", "ab", "ba", "a b", "[ab]", "a+", "b*", `\s+`, `(?:a|b )`, `\b`, ".", "-?", "$", `[a-]`}
	heads := []string{`\ba`, `\b(?:ab|b)`, `(?:a|ba)`, `\b[ab]`, "ab", `(a)`, `a{1,2}`, `\b(?:a|b)+`, `(?:-|a)`, `\b(?:aa|ab|b a)`}
	n := 0
	for round := 0; round < 3000; round++ {
		expr := heads[rng.Intn(len(heads))]
		for k := rng.Intn(4); k >= 0; k-- {
			expr += atoms[rng.Intn(len(atoms))]
		}
		if rng.Intn(5) == 0 {
			expr += "|" + heads[rng.Intn(len(heads))] + atoms[rng.Intn(len(atoms))]
		}
		st := newStartRegex(expr)
		if st == nil {
			continue
		}
		n++
		re := regexp.MustCompile("(?i)" + expr)
		for k := 0; k < 20; k++ {
			b := make([]byte, rng.Intn(12))
			for i := range b {
				b[i] = "abAB -."[rng.Intn(7)]
			}
			check(re, st, string(b))
		}
	}
	t.Logf("%d random expressions taken", n)
	if n < 1000 {
		t.Errorf("startRegex took only %d of 3000 random expressions", n)
	}
}

// BenchmarkStartRegex: the built-in expressions startRegex takes, on the
// texts where the rules' literal checks let them run (their rePre sets),
// searched for (FindStringIndex) and tried where their first literals are
// (find).
func BenchmarkStartRegex(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	type job struct {
		re        *regexp.Regexp
		st        *startRegex
		norm, low string
	}
	var jobs []job
	for _, text := range startTexts(b) {
		norm, plain := normalize(text)
		if !prefilterHolds(norm) {
			continue
		}
		for _, r := range c.rules {
			for k, re := range r.regex {
				if r.reStart[k] != nil && containsEach(plain, r.rePre[k]) {
					jobs = append(jobs, job{re, r.reStart[k], norm, plain})
				}
			}
		}
	}
	b.Run("search", func(b *testing.B) {
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			j := &jobs[i%len(jobs)]
			_ = j.re.FindStringIndex(j.norm)
		}
		reportCPU(b, cpu0)
	})
	b.Run("start", func(b *testing.B) {
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			j := &jobs[i%len(jobs)]
			_ = j.st.find(j.norm, j.low)
		}
		reportCPU(b, cpu0)
	})
}
