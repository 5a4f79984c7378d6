package classify

import (
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestTemplateKeepsWhatRulesRead: the cache answers every text with the
// verdict of the first text of its template, so two texts with the same
// template must be decided alike by the rules themselves. Over every reply
// text the repository and ../shared hold (the identity corpus, the dev set,
// the public held-out set, the shared and the held-out testbed runs), each
// pair with one template gets one reason and one rule from an uncached
// classifier. It fails when the template masks a part a rule reads (Vade's
// "OXSUS0001_103" and "_110" were one template, "#", until appendSegments).
func TestTemplateKeepsWhatRulesRead(t *testing.T) {
	c, err := New(Options{CacheSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	var evs []bouncescan.Event
	for _, s := range identityTexts(t) {
		evs = append(evs, bouncescan.Event{Text: s})
	}
	tsvs := []string{filepath.Join("..", "..", "shared", "classify", "sisimai-dev.tsv")}
	for _, g := range []string{"testdata/sisimai-heldout/*.tsv", "testdata/testbed/*/truth-*.tsv", "../../shared/testbed/truth-*.tsv"} {
		m, _ := filepath.Glob(g)
		tsvs = append(tsvs, m...)
	}
	for _, f := range tsvs {
		for _, e := range rowEvents(f) {
			if e.Text != "" {
				evs = append(evs, *e)
			}
		}
	}
	type key struct {
		template, enh string
		code          int
		stage         bouncescan.Stage
	}
	first := map[key]bouncescan.Event{}
	pairs := 0
	for i := range evs {
		e := evs[i]
		k := key{string(appendTemplate(nil, e.Text)), e.EnhancedCode, e.ReplyCode, e.Stage}
		f, seen := first[k]
		if !seen {
			first[k] = e
			continue
		}
		if f.Text == e.Text {
			continue
		}
		pairs++
		a, b := c.Classify(&f), c.Classify(&e)
		if a.Reason != b.Reason || a.Rule != b.Rule {
			t.Errorf("one template %q, two verdicts:\n  %q: %s (%s)\n  %q: %s (%s)", k.template, f.Text, a.Reason, a.Rule, e.Text, b.Reason, b.Rule)
		}
	}
	if len(evs) < 1000 || pairs < 50 {
		t.Errorf("%d texts, %d pairs with one template: too few to tell", len(evs), pairs)
	}
	t.Logf("%d texts, %d templates, %d pairs of different texts with one template", len(evs), len(first), pairs)
}
