package classify

import "fmt"

// Taxonomy is a reason in the words of other tools: the name Sisimai 4
// used and a PowerMTA-style bounce category (data/taxonomy.toml).
type Taxonomy struct {
	Sisimai4 string `toml:"sisimai4" json:"sisimai4_reason"`
	Category string `toml:"category" json:"bounce_category"`
}

type taxonomyFile struct {
	Reasons []struct {
		Name string `toml:"name"`
		Taxonomy
	} `toml:"reason"`
}

// PMTACategories are the bounce categories a taxonomy entry may name.
func PMTACategories() []string {
	return []string{"bad-mailbox", "bad-domain", "inactive-mailbox", "quota-issues", "spam-related",
		"policy-related", "routing-errors", "message-expired", "no-answer-from-host", "relaying-issues",
		"bad-connection", "protocol-errors", "virus-related", "content-related", "invalid-sender", "other"}
}

func loadTaxonomy() (map[string]Taxonomy, error) {
	var f taxonomyFile
	if err := decodeEmbedded("data/taxonomy.toml", &f); err != nil {
		return nil, err
	}
	m := make(map[string]Taxonomy, len(f.Reasons))
	for _, r := range f.Reasons {
		if !knownReason(r.Name) {
			return nil, fmt.Errorf("classify: data/taxonomy.toml: unknown reason %q", r.Name)
		}
		ok := false
		for _, c := range PMTACategories() {
			ok = ok || c == r.Category
		}
		if !ok || r.Sisimai4 == "" {
			return nil, fmt.Errorf("classify: data/taxonomy.toml: reason %s: bad category %q or empty sisimai4", r.Name, r.Category)
		}
		m[r.Name] = r.Taxonomy
	}
	for _, r := range Reasons() {
		if _, ok := m[r]; !ok {
			return nil, fmt.Errorf("classify: data/taxonomy.toml: reason %s has no entry", r)
		}
	}
	return m, nil
}

// Taxonomy returns the other names of a reason (zero for an unknown one).
func (c *Classifier) Taxonomy(reason string) Taxonomy { return c.taxonomy[reason] }
