package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan/classify"
	"github.com/parquet-go/parquet-go"
)

func taxonomyOf(t *testing.T) func(string) (string, string) {
	t.Helper()
	cl, err := classify.New(classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return func(reason string) (string, string) {
		x := cl.Taxonomy(reason)
		return x.Sisimai4, x.Category
	}
}

// parquetColumns is the column names of a Parquet file, in order.
func parquetColumns(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range pf.Schema().Columns() {
		names = append(names, strings.Join(c, "."))
	}
	return names
}

// TestTaxonomyParquet: with Options.Taxonomy both tables end with
// sisimai4_reason and bounce_category, read back with each row's reason's
// names; without it the files have the version-1 columns only, and a
// reader of those columns reads the files with taxonomy alike.
func TestTaxonomyParquet(t *testing.T) {
	tax := taxonomyOf(t)
	plainDir, taxDir := t.TempDir(), t.TempDir()
	s1, _ := export(t, Options{Dir: plainDir}, nil, sample)
	s2, _ := export(t, Options{Dir: taxDir, Taxonomy: tax}, nil, sample)
	if s1.Events == 0 || s1.Events != s2.Events {
		t.Fatalf("events %d and %d", s1.Events, s2.Events)
	}
	for _, table := range []string{"events", "stats"} {
		pp, tp := files(t, filepath.Join(plainDir, "table="+table), ".parquet"), files(t, filepath.Join(taxDir, "table="+table), ".parquet")
		if len(pp) != 1 || len(tp) != 1 {
			t.Fatalf("%s: files %v %v", table, pp, tp)
		}
		if got := parquetColumns(t, pp[0]); !slices.Equal(got, Columns(table)) {
			t.Errorf("%s without taxonomy: columns %v", table, got)
		}
		want := append(Columns(table), "sisimai4_reason", "bounce_category")
		if got := parquetColumns(t, tp[0]); !slices.Equal(got, want) || !slices.Equal(TaxonomyColumns(table), want) {
			t.Errorf("%s with taxonomy: columns %v, want %v", table, got, want)
		}
	}
	rows, err := parquet.ReadFile[EventRow](files(t, filepath.Join(taxDir, "table=events"), ".parquet")[0])
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		s4, cat := tax(r.Reason)
		if r.Reason == "" || r.Sisimai4Reason != s4 || r.BounceCategory != cat || cat == "" {
			t.Fatalf("row %s: reason %q → %q, %q; want %q, %q", r.EventID, r.Reason, r.Sisimai4Reason, r.BounceCategory, s4, cat)
		}
		seen[r.Reason+"→"+r.Sisimai4Reason+"/"+r.BounceCategory] = true
	}
	for _, w := range []string{"userunknown→userunknown/bad-mailbox", "badreputation→blocked/spam-related", "greylisted→undefined/policy-related"} {
		if !seen[w] {
			t.Errorf("no row %s among %v", w, seen)
		}
	}
	srows, err := parquet.ReadFile[StatsRow](files(t, filepath.Join(taxDir, "table=stats"), ".parquet")[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range srows {
		if s4, cat := tax(r.Reason); r.Sisimai4Reason != s4 || r.BounceCategory != cat {
			t.Fatalf("stats row %v: %q, %q; want %q, %q", r, r.Sisimai4Reason, r.BounceCategory, s4, cat)
		}
	}
	// a reader written for version 1 (a subset of its columns) reads both
	type v1Row struct {
		EventID string `parquet:"event_id"`
		Reason  string `parquet:"reason,optional"`
	}
	a, err := parquet.ReadFile[v1Row](files(t, filepath.Join(plainDir, "table=events"), ".parquet")[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err := parquet.ReadFile[v1Row](files(t, filepath.Join(taxDir, "table=events"), ".parquet")[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) || len(a) != int(s1.Events) {
		t.Errorf("version-1 reader: %d and %d rows, or they differ", len(a), len(b))
	}
	// the plain file read as EventRow: no taxonomy values
	rows, err = parquet.ReadFile[EventRow](files(t, filepath.Join(plainDir, "table=events"), ".parquet")[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Sisimai4Reason != "" || r.BounceCategory != "" {
			t.Fatalf("plain row %s has taxonomy %q %q", r.EventID, r.Sisimai4Reason, r.BounceCategory)
		}
	}
}

// TestTaxonomyCSVAndNDJSON: the two columns end the CSV header and every
// NDJSON object with Options.Taxonomy, and are absent without it.
func TestTaxonomyCSVAndNDJSON(t *testing.T) {
	tax := taxonomyOf(t)
	for _, withTax := range []bool{false, true} {
		o := Options{Format: "csv"}
		want := Columns("events")
		if withTax {
			o.Taxonomy, want = tax, TaxonomyColumns("events")
		}
		o.Dir = t.TempDir()
		export(t, o, nil, sample)
		p := files(t, filepath.Join(o.Dir, "table=events"), ".csv")[0]
		f, _ := os.Open(p)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], want) {
			t.Errorf("taxonomy %t: header %v", withTax, recs[0])
		}
		reason := slices.Index(recs[0], "reason")
		for _, rec := range recs[1:] {
			if withTax {
				s4, cat := tax(rec[reason])
				if rec[len(rec)-2] != s4 || rec[len(rec)-1] != cat || cat == "" {
					t.Fatalf("row %v: want %s, %s", rec, s4, cat)
				}
			}
		}

		o.Format, o.Dir = "ndjson", t.TempDir()
		export(t, o, nil, sample)
		f, _ = os.Open(files(t, filepath.Join(o.Dir, "table=events"), ".ndjson")[0])
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			n++
			_, has := m["bounce_category"]
			if len(m) != len(want) || has != withTax {
				t.Fatalf("taxonomy %t: %d keys, want %d (bounce_category: %t)", withTax, len(m), len(want), has)
			}
			if withTax {
				if s4, cat := tax(m["reason"].(string)); m["sisimai4_reason"] != s4 || m["bounce_category"] != cat {
					t.Fatalf("object %v: want %s, %s", m, s4, cat)
				}
			}
		}
		f.Close()
		if n == 0 {
			t.Fatal("no ndjson rows")
		}
	}
}

// TestTaxonomyLayout: a directory exported with --taxonomy takes no run
// without it (the files would not read as one table), and the other way
// round; a layout file of before (no "taxonomy" key) is one without.
func TestTaxonomyLayout(t *testing.T) {
	dir := t.TempDir()
	tax := taxonomyOf(t)
	if err := WriteLayout(dir, LayoutOf(Options{Taxonomy: tax})); err != nil {
		t.Fatal(err)
	}
	if err := CheckDir(dir, LayoutOf(Options{Taxonomy: tax})); err != nil {
		t.Errorf("same layout: %v", err)
	}
	if err := CheckDir(dir, LayoutOf(Options{})); err == nil || !strings.Contains(err.Error(), "--taxonomy=true") {
		t.Errorf("without taxonomy into a taxonomy export: %v", err)
	}
	old := t.TempDir()
	os.MkdirAll(filepath.Join(old, MetaDir), 0o755)
	os.WriteFile(layoutPath(old), []byte(`{"schema_version": 1, "format": "parquet", "partition": "day", "partition_host": false}`), 0o644)
	if err := CheckDir(old, LayoutOf(Options{})); err != nil {
		t.Errorf("old layout, no taxonomy: %v", err)
	}
	if err := CheckDir(old, LayoutOf(Options{Taxonomy: tax})); err == nil {
		t.Error("taxonomy into an old export: accepted")
	}
}
