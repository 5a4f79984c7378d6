package classify

import (
	"fmt"
	"testing"
)

// TestEnhancedCodesDoNotOverlap: every vendor code of data/enhanced.toml is
// named by one entry only. A range (code … last) that also covers a code
// with an entry of its own overwrites one of them when the tables are
// loaded, whichever comes later in the file: 5.7.703, Microsoft's tenant
// recipient block (policyviolation), was read as the 5.7.700-707 range's
// "tenant has exceeded its sending threshold" (blocked) until the range
// was split.
func TestEnhancedCodesDoNotOverlap(t *testing.T) {
	var ef enhancedFile
	if err := decodeEmbedded("data/enhanced.toml", &ef); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, c := range ef.Codes {
		cl, s, d, ok := splitEnhanced(c.Code)
		if !ok {
			continue // X.S.D registry entries
		}
		last := max(d, c.Last)
		for n := d; n <= last; n++ {
			k := fmt.Sprintf("%d.%d.%d", cl, s, n)
			if prev, dup := seen[k]; dup {
				t.Errorf("%s is named by the entry of %s and by the entry of %s (last %d): split the range", k, prev, c.Code, c.Last)
			}
			seen[k] = c.Code
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d vendor codes read: the file's layout changed?", len(seen))
	}
}
