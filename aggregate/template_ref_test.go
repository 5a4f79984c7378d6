package aggregate

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// templateRef is Template as it was before its fast paths (plain tokens
// copied as they are, runs of them at once, the ASCII test by words): the
// reference TestTemplateSameAsRef holds Template to, byte for byte.
func templateRef(text string) string {
	if len(text) > 400 {
		text = text[:400]
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	prev := ""
	if !isASCIIRef(text) { // Unicode white space splits too, as strings.Fields does
		for _, tok := range strings.Fields(text) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			shapeRef(&b, tok, prev)
			prev = tok
		}
		return b.String()
	}
	for i := 0; i < len(text); {
		// the next run of non-space bytes, as strings.Fields splits (ASCII
		// white space; other bytes belong to the token)
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !isSpace(text[j]) {
			j++
		}
		if j == i {
			break
		}
		tok := text[i:j]
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		shapeRef(&b, tok, prev)
		prev = tok
		i = j
	}
	return b.String()
}

func isASCIIRef(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// shapeRef writes the shape of one token.
func shapeRef(b *strings.Builder, tok, prev string) {
	// host[ip]:port and similar: shape the parts on each side of a bracket
	if i := indexBracket(tok); i > 0 && i < len(tok)-1 {
		shapeRef(b, tok[:i], prev)
		shapeRef(b, tok[i:i+1], "")
		shapeRef(b, tok[i+1:], "")
		return
	}
	lead, end := 0, len(tok)
	for lead < end && isPunct(tok[lead]) {
		lead++
	}
	for end > lead && isPunct(tok[end-1]) {
		end--
	}
	if lead == end {
		b.WriteString(tok)
		return
	}
	trim, pre, post := tok[lead:end], tok[:lead], tok[end:]
	// one look at the bytes decides which of the tests below can hold
	var at, dot, colon, digit bool
	for i := 0; i < len(trim); i++ {
		switch c := trim[i]; {
		case c == '@':
			at = true
		case c == '.':
			dot = true
		case c == ':':
			colon = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	mid := ""
	switch {
	case strings.HasPrefix(trim, "http://") || strings.HasPrefix(trim, "https://"):
		u := trim[strings.Index(trim, "//")+2:]
		if i := strings.IndexAny(u, "/?#"); i >= 0 {
			u = u[:i]
		}
		b.WriteString(pre)
		b.WriteString("https://")
		b.WriteString(u)
		b.WriteString("/…")
		b.WriteString(post)
		return
	case at:
		pre = strings.TrimSuffix(pre, "<")
		post = strings.TrimPrefix(post, ">")
		mid = "<addr>"
	case (dot || colon) && isIP(trim):
		mid = "<ip>"
	case dot && isHost(trim) && !keepHost(trim, prev):
		mid = "<host>"
	case digit && !(isCode(trim) && codeHere(trim, pre, prev)):
		mid = "#"
	default:
		b.WriteString(tok)
		return
	}
	b.WriteString(pre)
	b.WriteString(mid)
	b.WriteString(post)
}

// refTexts is texts to compare Template with templateRef on: every line
// of the samples and of ../shared/corpus (when present), each whole and
// from each of its first spaces on, and the diagnostics of
// classify/sisimai-dev.tsv.
func refTexts(t *testing.T) []string {
	var files []string
	for _, root := range []string{filepath.Join("..", "samples"), filepath.Join("..", "..", "shared", "corpus")} {
		_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && fi.Size() < 50<<20 && !strings.HasSuffix(p, ".gz") {
				files = append(files, p)
			}
			return nil
		})
	}
	files = append(files, filepath.Join("..", "..", "shared", "classify", "sisimai-dev.tsv"), filepath.Join("..", "classify", "sisimai-dev.tsv"))
	var texts []string
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			texts = append(texts, line)
			for i, n := 0, 0; i < len(line) && n < 12; i++ {
				if line[i] == ' ' {
					texts = append(texts, line[i+1:])
					n++
				}
			}
		}
		f.Close()
	}
	if len(texts) == 0 {
		t.Fatal("no texts")
	}
	return texts
}

// Template gives what templateRef gives on real texts and on random ones
// made of the pieces its rules look at (white space of every kind,
// brackets, punctuation, addresses, hosts, IPs, codes, URLs, digits,
// bytes beyond ASCII, texts longer than the 400 bytes it reads).
func TestTemplateSameAsRef(t *testing.T) {
	texts := refTexts(t)
	pieces := []string{" ", "  ", "\t", "\n", "\r\n", "\v", "\f", "\u00a0", "\u2003", "é", "\xff", "[", "]", "(", ")", "<", ">", "{", "}",
		",", ";", ":", ".", "\"", "'", "@", "-", "_", "/", "?", "#", "a", "Z", "0", "7", "550", "421", "5.7.1", "4.2.0", "TSS04", "AB12",
		"user@example.com", "<bob@x.test>", "mx1.example.com", "zen.spamhaus.org", "using", "at", "in", "192.0.2.1", "2001:db8::1",
		"fe80::1:2:3:4:5:6", "http://", "https://", "x.example/p?q", "file.txt", "a.b", "example.com", "said:", "host", "[192.0.2.1]:25",
		"mx.example.net[192.0.2.2]", "Mon, 22 Nov 2026 10:00:01 +0000", "ok", "queued", "as", "1xUuzx-0000", "gsmtp", "\u2028"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		var b strings.Builder
		for n := rng.IntN(40); n >= 0; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	long := strings.Repeat("word 550 a@b.example ", 30)
	for i := range 40 {
		texts = append(texts, long[i:], long[:380+i]+"x.example.com 1.2.3.4", long[:395+i%10]+"éé ab")
	}
	bad := 0
	for _, s := range texts {
		if got, want := Template(s), templateRef(s); got != want {
			if bad++; bad <= 10 {
				t.Errorf("Template(%q)\n = %q\nwant %q", s, got, want)
			}
		}
	}
	t.Logf("%d texts, %d differ", len(texts), bad)
}

// tokenClass says of every byte what its definition says.
func TestTokenClass(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		var want uint8
		if isSpace(b) {
			want |= classSpace
		}
		if strings.IndexByte("[]@.:0123456789", b) >= 0 {
			want |= classSpecial
		}
		if b >= 0x80 {
			want |= classHigh
		}
		if got := tokenClass(b); got != want {
			t.Errorf("tokenClass(%#x) = %d, want %d", b, got, want)
		}
	}
}
