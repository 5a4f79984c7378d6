package classify

import "flag"

// update rewrites the golden file of TestVerdictIdentity; "go test ./...
// -update" rewrites the goldens of every package.
var update = flag.Bool("update", false, "rewrite golden files")
