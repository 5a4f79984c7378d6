package exchange

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan"
)

func TestCorpusDump(t *testing.T) {
	if os.Getenv("EXDUMP") == "" {
		t.Skip()
	}
	dir := shared(t, "corpus/exchange")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		got := parseFile(t, f)
		t.Logf("%s: lines %d events %d errs %d", filepath.Base(f), got.lines, len(got.events), len(got.errs))
		for _, e := range got.errs {
			var pe *bouncescan.ParseError
			errors.As(e, &pe)
			t.Logf("  err %v", e)
		}
		t.Logf("%s", ndjson(t, got.events))
	}
}
