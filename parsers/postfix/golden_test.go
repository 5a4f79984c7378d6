package postfix

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden parses every sample of samples/postfix and compares the events
// (an indented JSON array) with testdata/<sample>.golden; -update rewrites.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("../../samples/postfix/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.IsDir() || filepath.Ext(f) == ".md" {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := parseFile(t, f, parsekit.Options{Year: 2026, Location: time.UTC})
			if len(got.errs) > 0 {
				t.Errorf("sample %s has %d bad lines, first: %v", f, len(got.errs), got.errs[0])
			}
			buf, err := json.MarshalIndent(got.events, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			buf = append(buf, '\n')
			golden := filepath.Join("testdata", filepath.Base(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, buf, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./parsers/postfix/ -update)", err)
			}
			if !bytes.Equal(buf, want) {
				t.Errorf("events of %s differ from %s; run go test ./parsers/postfix/ -update and review the diff", f, golden)
			}
		})
	}
	if n == 0 {
		t.Fatal("no samples in samples/postfix")
	}
}
