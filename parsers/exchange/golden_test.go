package exchange

import (
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestGolden parses every sample of samples/exchange and compares the events
// (NDJSON) and refused lines with testdata/<file>.golden; -update rewrites.
func TestGolden(t *testing.T) {
	parsekittest.Golden(t, "exchange", func() parsekittest.Parser { return New(testOpts()) }, *update)
}
