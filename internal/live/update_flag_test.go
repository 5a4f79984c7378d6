package live

import "flag"

// This package has no golden files, but accepts -update so that
// "go test ./... -update" (which rewrites the goldens of the others) runs.
var _ = flag.Bool("update", false, "rewrite golden files (none in this package)")
