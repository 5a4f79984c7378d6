package aggregate

import "fmt"

// Taxonomy names a reason in the words of other tools: the name Sisimai 4
// used and a PowerMTA-style bounce category (classify.Classifier.Taxonomy,
// `--taxonomy`). It is data, looked up by reason.
type Taxonomy func(reason string) (sisimai4, category string)

// CategoryOther is the bounce category of a reason the taxonomy does not
// know.
const CategoryOther = "other"

// UseTaxonomy makes the report keep ByBounceCategory, the breakdown of its
// outcomes by bounce category (deliveries left out), and gives the
// bounce_category dimension of --group-by its values. Call it before
// Add or Merge. The breakdown is a function of ByReason, so it is derived
// from it (at Finish and Merge): nothing is done per event for it.
func (r *Report) UseTaxonomy(t Taxonomy) {
	r.taxonomy = t
	r.ByBounceCategory = categories(t, r.ByReason)
}

// categories sums a reason table by bounce category. Deliveries (reason
// delivered) are in no bounce category.
func categories(t Taxonomy, byReason Counts) Counts {
	c := Counts{}
	for reason, n := range byReason {
		if reason == "delivered" {
			continue
		}
		_, cat := t(reason)
		if cat == "" {
			cat = CategoryOther
		}
		c[cat] += n
	}
	return c
}

// category is the bounce_category dimension of an event: "" without a
// taxonomy, a verdict or a reason, and for deliveries.
func (r *Report) category(reason string) string {
	if r.taxonomy == nil || reason == "" || reason == "delivered" {
		return ""
	}
	_, cat := r.taxonomy(reason)
	if cat == "" {
		cat = CategoryOther
	}
	return cat
}

// mergeCategories adds o's breakdown by bounce category to r's. With a
// taxonomy, r's breakdown is derived again from the merged reasons (so a
// report made without --taxonomy counts too). Without one, both reports
// must have the breakdown or both lack it; a report without events does
// not matter.
func (r *Report) mergeCategories(o *Report, name string) error {
	if r.taxonomy != nil {
		return nil // derived from ByReason by Merge
	}
	switch {
	case r.ByBounceCategory != nil && o.ByBounceCategory != nil:
		r.ByBounceCategory.add(o.ByBounceCategory)
	case o.ByBounceCategory != nil && r.Events == 0:
		r.ByBounceCategory = Counts{}
		r.ByBounceCategory.add(o.ByBounceCategory)
	case r.ByBounceCategory != nil && o.Events == 0:
	case o.ByBounceCategory != nil:
		return fmt.Errorf("%s: has a breakdown by bounce category (scan --taxonomy) that the reports before it lack; merge with --taxonomy to derive it for all of them from their reasons", name)
	case r.ByBounceCategory != nil:
		return fmt.Errorf("%s: made without --taxonomy, the reports before it with it; merge with --taxonomy to derive the bounce categories of all of them from their reasons", name)
	}
	return nil
}
