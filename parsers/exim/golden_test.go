package exim

import (
	"testing"

	"github.com/bouncescan/bouncescan/parsers/parsekit/parsekittest"
)

// TestGolden parses every sample of samples/exim and compares the events
// (NDJSON) and refused lines with testdata/<file>.golden; -update rewrites.
func TestGolden(t *testing.T) {
	parsekittest.Golden(t, "exim", func() parsekittest.Parser { return New(testOpts()) }, *update)
}
