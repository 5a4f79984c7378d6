package classify

import (
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
)

// A user regex sees at most UserRegexText bytes of a text: a 1 MB reply
// costs milliseconds, and what lies past the cap is not looked at.
func TestUserRegexTextCap(t *testing.T) {
	p := writeFile(t, "rules.toml", "[[rule]]\nid = \"u.heavy\"\nreason = \"blocked\"\nregex = '[a-z]{0,100}x[a-z]{0,100}q'\n")
	c, err := New(Options{RulesFile: p})
	if err != nil {
		t.Fatal(err)
	}
	base, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("abcdefghij", 100_000) // 1 MB, no match
	e := bouncescan.Event{ReplyCode: 550, Text: "550 " + long}
	start := time.Now()
	base.Classify(&e)
	without := time.Since(start)
	start = time.Now()
	v := c.Classify(&e)
	with := time.Since(start)
	t.Logf("1 MB reply: %v with the user rule, %v without", with, without)
	if with-without > 50*time.Millisecond {
		t.Errorf("the user regex added %v to one 1 MB reply (want milliseconds)", with-without)
	}
	if v.Rule == "u.heavy" {
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
