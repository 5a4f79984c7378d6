package classify

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The speed work on the text functions is checked against the plain
// versions they replaced: same output on the identity corpus and on fuzzed
// input.

// isWordByteRef is isWordByte as a chain of comparisons.
func isWordByteRef(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == ':' || c == '+' || c == '%' || c == '@'
}

// appendTemplateRef is appendTemplate as it was before BenchmarkAppendTemplate:
// byte by byte.
func appendTemplateRef(dst []byte, text string) []byte {
	space := true
	i := 0
	for i < len(text) {
		c := text[i]
		if c == '\\' && i+1 < len(text) && text[i+1] == 'n' {
			c = ' '
			i++
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			if !space {
				dst = append(dst, ' ')
				space = true
			}
			i++
			continue
		}
		space = false
		if !isWordByteRef(c) {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		j := i
		digits, dots, colons, at, hexOnly := 0, 0, 0, false, true
		for j < len(text) && isWordByteRef(text[j]) {
			d := text[j]
			switch {
			case d >= '0' && d <= '9':
				digits++
			case d == '.':
				dots++
			case d == ':':
				colons++
			case d == '@':
				at = true
			}
			if !(d >= '0' && d <= '9' || d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F' || d == ':') {
				hexOnly = false
			}
			j++
		}
		w := text[i:j]
		switch {
		case at:
			dst = append(dst, '@')
		case digits > 0 && dots >= 3 && isIPv4ish(w):
			dst = append(dst, "#ip"...)
		case colons >= 2 && hexOnly:
			dst = append(dst, "#ip"...)
		case digits >= 5 && enhancedAt(strings.TrimRight(w, ".:")) != len(strings.TrimRight(w, ".:")):
			for k, part := range strings.Split(w, "_") {
				if k > 0 {
					dst = append(dst, '_')
				}
				if len(strings.Map(keepDigit, part)) >= 5 {
					dst = append(dst, '#')
				} else {
					dst = append(dst, strings.ToLower(part)...)
				}
			}
		default:
			for k := 0; k < len(w); k++ {
				d := w[k]
				if d >= 'A' && d <= 'Z' {
					d += 'a' - 'A'
				}
				dst = append(dst, d)
			}
		}
		i = j
	}
	return dst
}

// keepDigit keeps the ASCII digits of a string (strings.Map).
func keepDigit(r rune) rune {
	if r >= '0' && r <= '9' {
		return r
	}
	return -1
}

func TestIsWordByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		if isWordByte(byte(c)) != isWordByteRef(byte(c)) {
			t.Errorf("isWordByte(%q) = %v", byte(c), isWordByte(byte(c)))
		}
	}
}

// TestWordClass: the table of appendWord says of each byte what the
// definitions say.
func TestWordClass(t *testing.T) {
	if len(wordClass) != 256 {
		t.Fatalf("wordClass has %d entries", len(wordClass))
	}
	for c := 0; c < 256; c++ {
		b := byte(c)
		digit := b >= '0' && b <= '9'
		hex := digit || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' || b == ':'
		ipv4 := digit || b == '.' || b == ':'
		word := isWordByteRef(b)
		want := byte(0)
		for _, k := range []struct {
			bit byte
			is  bool
		}{{classDigit, digit}, {classDot, b == '.'}, {classColon, b == ':'}, {classAt, b == '@'},
			{classUpper, b >= 'A' && b <= 'Z'}, {classNotHex, word && !hex}, {classNotIPv4, word && !ipv4}, {classWord, word}} {
			if k.is {
				want |= k.bit
			}
		}
		if got := wordClass[c]; got != want {
			t.Errorf("wordClass[%q] = %#x, want %#x", b, got, want)
		}
	}
}

// identityTexts are the texts of the identity corpus.
func identityTexts(t testing.TB) []string {
	cases, err := readIdentityGolden(identityGolden)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(cases))
	for _, c := range cases {
		out = append(out, c.Event.Text)
	}
	return out
}

func TestAppendTemplateSame(t *testing.T) {
	for _, s := range append(identityTexts(t), "", " ", "\\n", "a\\nb", "::", "A::F", "G::1", "2001:DB8::1", "5.1.10000", "12345.", "x@Y.z", "\tA  B\r\n", "OXSUS0001_103", "a_12345_B", "_123456", "1234_5678_", "12_34_5.6.7") {
		if got, want := string(appendTemplate(nil, s)), string(appendTemplateRef(nil, s)); got != want {
			t.Errorf("appendTemplate(%q) = %q, want %q", s, got, want)
		}
	}
}

// mixTexts are the distinct texts of the benchmarks' mix (the dev set and
// the testbed truth rows with their addresses and numbers varied, or the
// built-in mix) and of the identity corpus.
func mixTexts(t testing.TB) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range benchEvents(t) {
		if !seen[e.Text] {
			seen[e.Text] = true
			out = append(out, e.Text)
		}
	}
	for _, s := range identityTexts(t) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// mutateText changes s at a few random places with the bytes that take
// appendTemplate's other paths: digits, ':', '@', '.', white space, "\\n",
// '\\', capitals, control and non-ASCII bytes; or cuts it short (the
// tail of fewer than eight bytes).
func mutateText(r *rand.Rand, s string) string {
	const pieces = "0123456789::@@..  \t\n\r\\AZaz-_+%#[]<>\x00\x1f\x7f\x80\xc3\xff"
	b := []byte(s)
	for range 1 + r.IntN(4) {
		switch op := r.IntN(6); {
		case op == 0 && len(b) > 0:
			b = b[:r.IntN(len(b))]
		case op == 1:
			at := r.IntN(len(b) + 1)
			b = slices.Insert(b, at, []byte("\\n")...)
		case op == 2 && len(b) > 0:
			b[r.IntN(len(b))] = pieces[r.IntN(len(pieces))]
		default:
			at := r.IntN(len(b) + 1)
			ins := make([]byte, 1+r.IntN(6))
			for k := range ins {
				ins[k] = pieces[r.IntN(len(pieces))]
			}
			b = slices.Insert(b, at, ins...)
		}
	}
	return string(b)
}

// TestAppendTemplateMix: appendTemplate and the byte-by-byte reference
// agree on every text of the mix, after a key prefix or none, whole and
// randomly changed (a fixed seed: the same cases each run).
func TestAppendTemplateMix(t *testing.T) {
	texts := mixTexts(t)
	if len(texts) < 100 {
		t.Fatalf("only %d texts", len(texts))
	}
	r := rand.New(rand.NewPCG(14, 1))
	checked := 0
	for _, s := range texts {
		for k := range 20 {
			m := s
			if k > 0 {
				m = mutateText(r, s)
			}
			for _, prefix := range []string{"", "550|5.1.1||", "x "} {
				got := string(appendTemplate([]byte(prefix), m))
				want := string(appendTemplateRef([]byte(prefix), m))
				if got != want {
					t.Fatalf("appendTemplate(%q, %q) = %q, want %q", prefix, m, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d texts checked", checked)
}

func FuzzAppendTemplate(f *testing.F) {
	for _, s := range builtinMix {
		f.Add(s)
	}
	f.Add("2001:db8::1 ab:CD:ef 1.2.3.4:25 5.7.606 123456 a@b \\n")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendTemplate(nil, s)), string(appendTemplateRef(nil, s)); got != want {
			t.Errorf("appendTemplate(%q) = %q, want %q", s, got, want)
		}
	})
}

// BenchmarkAppendTemplate: the cache key of the identity corpus's texts,
// with the byte-by-byte version for comparison.
func BenchmarkAppendTemplate(b *testing.B) {
	texts := identityTexts(b)
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	for _, bc := range []struct {
		name string
		fn   func([]byte, string) []byte
	}{{"fast", appendTemplate}, {"ref", appendTemplateRef}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			b.SetBytes(int64(n / len(texts)))
			b.ReportAllocs()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				buf = bc.fn(buf[:0], texts[i%len(texts)])
			}
			reportCPU(b, cpu0)
		})
	}
}

// checkPrepareText: prepareText gives what normalize and maskAddresses
// give, with lower the same string as plain when nothing is masked.
func checkPrepareText(t *testing.T, buf []byte, s string) []byte {
	t.Helper()
	norm, plain, lower, buf := prepareText(buf, s)
	wantNorm, wantPlain := normalize(s)
	if norm != wantNorm || plain != wantPlain || lower != maskAddresses(wantPlain) {
		t.Fatalf("prepareText(%q) = %q, %q, %q; want %q, %q, %q", s, norm, plain, lower, wantNorm, wantPlain, maskAddresses(wantPlain))
	}
	return buf
}

func TestPrepareTextSame(t *testing.T) {
	var buf []byte
	for _, s := range append(identityTexts(t), "", " ", "\\n", "A@B", "@", "a@b c@d", "x <Bob@Example.COM>: no", "@@ @", " \t Mixed CASE\\n@end@") {
		buf = checkPrepareText(t, buf, s)
	}
}

// TestPrepareTextMix: prepareText gives what normalize and maskAddresses
// give on every text of the mix, whole and randomly changed.
func TestPrepareTextMix(t *testing.T) {
	texts := mixTexts(t)
	if len(texts) < 100 {
		t.Fatalf("only %d texts", len(texts))
	}
	r := rand.New(rand.NewPCG(14, 2))
	var buf []byte
	for _, s := range texts {
		buf = checkPrepareText(t, buf, s)
		for range 20 {
			buf = checkPrepareText(t, buf, mutateText(r, s))
		}
	}
}

func FuzzPrepareText(f *testing.F) {
	for _, s := range builtinMix {
		f.Add(s)
	}
	f.Add("a@b.c <D@E> @ x@@y \\n\t Z")
	var buf []byte
	f.Fuzz(func(t *testing.T, s string) {
		buf = checkPrepareText(t, buf, s)
	})
}

// BenchmarkPrepareText: the texts decide matches on, in one pass and
// string (fast) and as normalize and maskAddresses make them (ref).
func BenchmarkPrepareText(b *testing.B) {
	texts := identityTexts(b)
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			_, _, _, buf = prepareText(buf, texts[i%len(texts)])
		}
		reportCPU(b, cpu0)
	})
	b.Run("ref", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, plain := normalize(texts[i%len(texts)])
			_ = maskAddresses(plain)
		}
	})
}

// TestNormalizeEnhancedSame: the copy-free normalizeEnhanced and the
// strings.Cut splitEnhanced give what they gave when they always built
// the code again and split it.
func TestNormalizeEnhancedSame(t *testing.T) {
	ref := func(code string) string {
		code = strings.TrimSpace(code)
		if code == "" {
			return ""
		}
		if n := enhancedAt(code); n == 0 || n != len(code) {
			return ""
		}
		parts := strings.Split(code, ".")
		var v [3]int
		for k, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || len(parts) != 3 {
				return ""
			}
			v[k] = n
		}
		if v[1] > 7 {
			return ""
		}
		return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2])
	}
	for _, code := range []string{"", "5.1.1", " 5.1.1 ", "5.01.1", "5.1.01", "5.1.0", "5.0.0", "4.7.606", "5.10.1", "5.7.000", "5.007.1", "2.0.0", "5.1", "5.1.1.1", "x.1.1", "5.8.1", "5.1.1a", "05.1.1", "5.1.10"} {
		if got, want := normalizeEnhanced(code), ref(code); got != want {
			t.Errorf("normalizeEnhanced(%q) = %q, want %q", code, got, want)
		}
	}
	for _, code := range []string{"5.1.1", "a.b.c", "5..1", "5.1", "5.1.1.1", "+5.1.1", "5.-1.2", ""} {
		c, s, d, ok := splitEnhanced(code)
		parts := strings.Split(code, ".")
		wok := len(parts) == 3
		var w [3]int
		for k := 0; wok && k < 3; k++ {
			n, err := strconv.Atoi(parts[k])
			wok = err == nil
			w[k] = n
		}
		if !wok {
			w = [3]int{}
		}
		if ok != wok || c != w[0] || s != w[1] || d != w[2] {
			t.Errorf("splitEnhanced(%q) = %d %d %d %v, want %v %v", code, c, s, d, ok, w, wok)
		}
	}
}

// TestDropRepeatedCodes: the codes a joined multi-line reply repeats go,
// other numbers and other codes stay.
func TestDropRepeatedCodes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"550-5.7.1 [192.0.2.1 13] Messages with multiple 550 5.7.1 addresses in From: header are not accepted.",
			"550-5.7.1 [192.0.2.1 13] Messages with multiple addresses in From: header are not accepted."},
		{"550-5.7.1 The user you are trying 550-5.7.1 to contact is over quota 550 5.7.1 abc - gsmtp",
			"550-5.7.1 The user you are trying to contact is over quota abc - gsmtp"},
		{"host mx.example.com[192.0.2.1] said: 550-Verification failed for <a@b> 550-Unrouteable address 550 Sender verify failed (in reply to RCPT TO command)",
			"host mx.example.com[192.0.2.1] said: 550-Verification failed for <a@b> Unrouteable address Sender verify failed (in reply to RCPT TO command)"},
		{"421-4.7.0 Try again 421-4.7.0", "421-4.7.0 Try again"},
		// the space form after a first code in the space form: not a marker
		{"550 message of 550 bytes refused", "550 message of 550 bytes refused"},
		{"552 5.3.4 size 552 5.3.4 exceeded", "552 5.3.4 size exceeded"},
		// another code, another number, no first code at all
		{"550 5.1.1 no such user 451 4.3.0 later", "550 5.1.1 no such user 451 4.3.0 later"},
		{"550-5.7.1 blocked 5501 5502", "550-5.7.1 blocked 5501 5502"},
		{"no code here 550-5.7.1 x 550-5.7.1 y", "no code here 550-5.7.1 x 550-5.7.1 y"},
		{"said: 554-5.7.1 a 554-5.7.1b", "said: 554-5.7.1 a 5.7.1b"},
		{"", ""}, {"550", "550"}, {"550-", "550-"}, {"550- 550-", "550-"}, {": : :", ": : :"},
	} {
		if got := string(dropRepeatedCodes([]byte(c.in))); got != c.want {
			t.Errorf("dropRepeatedCodes(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}
