package classify

import (
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
			dst = append(dst, '#')
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

func TestIsWordByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		if isWordByte(byte(c)) != isWordByteRef(byte(c)) {
			t.Errorf("isWordByte(%q) = %v", byte(c), isWordByte(byte(c)))
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
	for _, s := range append(identityTexts(t), "", " ", "\\n", "a\\nb", "::", "A::F", "G::1", "2001:DB8::1", "5.1.10000", "12345.", "x@Y.z", "\tA  B\r\n") {
		if got, want := string(appendTemplate(nil, s)), string(appendTemplateRef(nil, s)); got != want {
			t.Errorf("appendTemplate(%q) = %q, want %q", s, got, want)
		}
	}
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
			for i := 0; i < b.N; i++ {
				buf = bc.fn(buf[:0], texts[i%len(texts)])
			}
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
		for i := 0; i < b.N; i++ {
			_, _, _, buf = prepareText(buf, texts[i%len(texts)])
		}
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
