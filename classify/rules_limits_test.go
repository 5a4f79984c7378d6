package classify

import (
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// A user regex sees at most UserRegexText bytes of a text: what lies past
// the cap is not looked at, so a 1 MB reply costs what its first
// UserRegexText bytes cost (BenchmarkUserRegexLongText measures it; a
// timing assertion here would only measure how busy the machine is).
func TestUserRegexTextCap(t *testing.T) {
	p := writeFile(t, "rules.toml", "[[rule]]\nid = \"u.heavy\"\nreason = \"blocked\"\nregex = '[a-z]{0,100}x[a-z]{0,100}q'\n")
	c, err := New(Options{RulesFile: p})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("abcdefghij", 100_000) // 1 MB, no match
	e := bouncescan.Event{ReplyCode: 550, Text: "550 " + long}
	if v := c.Classify(&e); v.Rule == "u.heavy" {
		t.Errorf("matched %+v", v)
	}
	// inside the cap it matches, past it it does not
	e = bouncescan.Event{ReplyCode: 550, Text: "550 blocked: zzxq"}
	if v := c.Classify(&e); v.Rule != "u.heavy" {
		t.Errorf("short text: rule %q, want u.heavy", v.Rule)
	}
	e = bouncescan.Event{ReplyCode: 550, Text: "550 " + strings.Repeat("- ", UserRegexText) + "zzxq"}
	if v := c.Classify(&e); v.Rule == "u.heavy" {
		t.Errorf("a match past %d bytes was seen", UserRegexText)
	}
}

// BenchmarkUserRegexLongText is the cost of a heavy user regex on a 1 MB
// reply, against the same classifier without it (sub-benchmarks): the
// cap keeps the difference to the first UserRegexText bytes.
func BenchmarkUserRegexLongText(b *testing.B) {
	p := writeFile(b, "rules.toml", "[[rule]]\nid = \"u.heavy\"\nreason = \"blocked\"\nregex = '[a-z]{0,100}x[a-z]{0,100}q'\n")
	e := bouncescan.Event{ReplyCode: 550, Text: "550 " + strings.Repeat("abcdefghij", 100_000)}
	for _, bc := range []struct {
		name string
		opts Options
	}{{"without", Options{CacheSize: -1}}, {"with", Options{CacheSize: -1, RulesFile: p}}} {
		c, err := New(bc.opts)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				c.Classify(&e)
			}
		})
	}
}
