package classify

import (
	"reflect"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestDropEnhancedSame: leaving out of the candidates the rules whose
// enhanced code conditions fail (dropEnhanced) changes no verdict: the
// benchmark mix and the identity corpus, with their own codes and with
// others, decided with and without it.
func TestDropEnhancedSame(t *testing.T) {
	with, err := New(Options{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	without := with.Clone()
	idx := *with.idx
	idx.enhRules = nil
	without.idx = &idx
	if len(with.idx.enhRules) == 0 {
		t.Fatal("no rule has enhanced code conditions: the test sees nothing")
	}
	codes := []string{"", "5.7.606", "4.7.650", "5.1.1", "5.0.0", "4.2.2", "5.7.1", "2.0.0", "5.4.316", "5.7.520"}
	n, dropped := 0, 0
	events := benchEvents(t)
	for _, text := range identityTexts(t) {
		events = append(events, &bouncescan.Event{Text: text})
	}
	for k, e := range events {
		for j := range 3 {
			ev := *e
			if j > 0 {
				ev.EnhancedCode = codes[(k+j)%len(codes)]
				ev.Stage = bouncescan.Stage(j * 2)
			}
			a, b := with.Classify(&ev), without.Classify(&ev)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%+v: %+v with dropEnhanced, %+v without", ev, a, b)
			}
			n++
		}
	}
	for _, m := range with.lit.enhMasks {
		for k := range m {
			if m[k] != ^uint64(0) {
				dropped++
				break
			}
		}
	}
	if dropped == 0 {
		t.Errorf("%d events, no code dropped a rule: the test sees nothing", n)
	}
}
