package parsekit

import (
	"math/rand/v2"
	"testing"
)

// TestSplitReplyLikeParseReply: where SplitReply answers, it gives what
// ParseReply gives; it declines the joined multi-line replies only.
func TestSplitReplyLikeParseReply(t *testing.T) {
	fixed := []string{
		"250 2.0.0 Ok: queued as ABC", "554 Transaction failed", "421", "  Host or domain name not found  ",
		"5.7.1 Spam", "452 4.2.2 Over quota: 550 messages stored, 452 MB used", "600 nope", "", " 550  5.1.1   x  ",
		"550-5.1.1 first 550 5.1.1 second", `421-too many\n421 later`, "550 5.7.1 rejected, 550 times today",
		"250 2.0.0 \u00a0Ok\u00a0", "\u0085550 5.1.1 x", "550 5.1.1",
	}
	parts := []string{"250", "421", "550", "-", " ", "  ", "5.1.1", "4.7.0", "2.0.0", `\n`, "x", "Ok", "queued as", "\u00a0", ".", "5"}
	rng := rand.New(rand.NewPCG(5, 6))
	declined, answered := 0, 0
	for n := 0; n < 200000; n++ {
		var in string
		if n < len(fixed) {
			in = fixed[n]
		} else {
			for k := rng.IntN(10); k >= 0; k-- {
				in += parts[rng.IntN(len(parts))]
			}
		}
		want := ParseReply([]byte(in))
		code, enh, text, ok := SplitReply([]byte(in))
		if !ok {
			declined++
			continue
		}
		answered++
		if got := (Reply{code, string(enh), string(text)}); got != want {
			t.Fatalf("SplitReply(%q) = %+v, ParseReply %+v", in, got, want)
		}
	}
	if _, _, _, ok := SplitReply([]byte("550-5.1.1 first 550 5.1.1 second")); ok {
		t.Error("a joined multi-line reply was answered")
	}
	if declined == 0 || answered == 0 {
		t.Errorf("%d answered, %d declined: the inputs miss a case", answered, declined)
	}
}
