package parsekit

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// domainByTrim is Domain as first written (strings.TrimRight): the
// reference for the loop that replaced it.
func domainByTrim(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 || i == len(addr)-1 {
		return ""
	}
	d := strings.TrimRight(addr[i+1:], ">.")
	for j := 0; j < len(d); j++ {
		if c := d[j]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(d)
		}
	}
	return d
}

func TestDomainLikeReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	parts := []string{"a", "B", "@", ".", ">", "x.test", "É", "..", "@@", ">>"}
	for n := 0; n < 100000; n++ {
		var s string
		for k := rng.IntN(8); k >= 0; k-- {
			s += parts[rng.IntN(len(parts))]
		}
		if got, want := Domain(s), domainByTrim(s); got != want {
			t.Fatalf("Domain(%q) = %q, reference %q", s, got, want)
		}
	}
}

// BenchmarkDomain: the domain of a typical recipient.
func BenchmarkDomain(b *testing.B) {
	addrs := []string{"b97df7ebee@icloud.com", "f176aa78@gmail.com", "92844316@customer-a.example", "x@example.com."}
	n := 0
	for b.Loop() {
		for _, a := range addrs {
			n += len(Domain(a))
		}
	}
}
