package exim

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bouncescan/bouncescan"
)

// TestGolden parses every sample of samples/exim and compares the events
// (NDJSON) and errors with testdata/<file>.golden; -update rewrites. The
// samples may hold lines that are not Exim's (rejectlog header dumps,
// "Suggested action" continuations) but no unparsed line.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../../samples/exim/*")
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
				if errors.Is(e, bouncescan.ErrUnparsed) {
					t.Errorf("sample %s has an unparsed line: %v", f, e)
				}
			}
			golden := filepath.Join("testdata", filepath.Base(f)+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parsers/exim/ -update)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s; run with -update and review the diff:\n%s", f, golden, buf.Bytes())
			}
		})
	}
	if n == 0 {
		t.Fatal("no samples in samples/exim")
	}
}
