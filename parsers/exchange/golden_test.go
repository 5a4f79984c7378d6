package exchange

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGolden parses every sample of samples/exchange and compares the
// events (NDJSON) and errors with testdata/<file>.golden; -update rewrites.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../../samples/exchange/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if filepath.Ext(f) == ".md" {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := parseFile(t, f)
			var buf bytes.Buffer
			buf.Write(ndjson(t, got.Events))
			for _, e := range got.Errs {
				buf.WriteString("error: " + e.Error() + "\n")
			}
			golden := filepath.Join("testdata", filepath.Base(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parsers/exchange/ -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s; run with -update and review the diff:\n%s", f, golden, buf.Bytes())
			}
			if len(got.Errs) > 0 {
				t.Errorf("sample %s has %d unparsed lines, first: %v", f, len(got.Errs), got.Errs[0])
			}
		})
	}
	if n == 0 {
		t.Fatal("no samples in samples/exchange")
	}
}
