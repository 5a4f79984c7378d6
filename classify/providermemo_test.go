package classify

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// providerOf (remembered) answers as providerOfHost does, through hits,
// misses and slots shared by several hosts.
func TestProviderOfMemo(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	var relays, domains []string
	for _, p := range c.providers {
		for _, r := range p.Relay {
			relays = append(relays, "mx1"+r, r+"[192.0.2.1]:25", "x."+r)
		}
	}
	for d := range c.domainOf {
		domains = append(domains, d, "X"+d)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for i := 0; i < 200; i++ {
		relays = append(relays, fmt.Sprintf("mx%d.example%d.net[192.0.2.%d]:25", i, i%7, i))
		domains = append(domains, fmt.Sprintf("example%d.org", i))
	}
	relays = append(relays, "", "local", "none")
	hits := 0
	for n := 0; n < 50000; n++ {
		r, d := relays[rng.IntN(len(relays))], domains[rng.IntN(len(domains))]
		if n%3 == 0 { // repeats, as in a log
			r, d = relays[n%5], domains[n%4]
		}
		if got, want := c.providerOf(r, d), c.providerOfHost(r, d); got != want {
			t.Fatalf("providerOf(%q, %q) = %q, providerOfHost %q", r, d, got, want)
		} else if want != "" {
			hits++
		}
	}
	if hits == 0 {
		t.Fatal("no provider recognised at all: the test data is wrong")
	}
}
