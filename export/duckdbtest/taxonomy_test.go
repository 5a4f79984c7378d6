package duckdbtest

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"
)

// TestTaxonomy: export --taxonomy read by DuckDB: sisimai4_reason and
// bounce_category are VARCHAR columns of both tables holding, for every
// event, what scan --taxonomy --events gives its verdict; the stats add up
// to the events per bounce category; a plain export has no such columns.
func TestTaxonomy(t *testing.T) {
	dir := t.TempDir()
	run(t, nil, "export", "--taxonomy", samples, "--to", dir)
	out := run(t, nil, "scan", "--taxonomy", "--events", "-", samples)
	type names struct{ s4, cat string }
	want := map[string]names{}
	perCat := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var e struct {
			ID      string `json:"id"`
			Verdict struct {
				S4  string `json:"sisimai4_reason"`
				Cat string `json:"bounce_category"`
			} `json:"verdict"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		want[e.ID] = names{e.Verdict.S4, e.Verdict.Cat}
		perCat[e.Verdict.Cat]++
	}
	db := open(t)
	for _, table := range []string{events(dir), stats(dir)} {
		types := countBy(t, db, "SELECT column_name || ' ' || column_type, 1 FROM (DESCRIBE SELECT * FROM "+table+")")
		for _, c := range []string{"sisimai4_reason VARCHAR", "bounce_category VARCHAR"} {
			if types[c] == 0 {
				t.Errorf("%s: no column %q; columns: %v", table, c, keys(types))
			}
		}
	}
	rows, err := db.Query("SELECT event_id, coalesce(sisimai4_reason, ''), coalesce(bounce_category, '') FROM " + events(dir))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id string
		var got names
		if err := rows.Scan(&id, &got.s4, &got.cat); err != nil {
			t.Fatal(err)
		}
		n++
		if w, ok := want[id]; !ok || got != w || got.cat == "" {
			t.Errorf("event %s: DuckDB %v, scan %v", id, got, w)
		}
	}
	rows.Close()
	if n != len(want) || n == 0 {
		t.Errorf("%d rows, scan gives %d events", n, len(want))
	}
	got := countBy(t, db, "SELECT bounce_category, CAST(sum(events) AS BIGINT) FROM "+stats(dir)+" GROUP BY ALL")
	equalCounts(t, "stats per bounce category", got, perCat)

	plain := t.TempDir()
	run(t, nil, "export", samples, "--to", plain)
	if types := countBy(t, db, "SELECT column_name, 1 FROM (DESCRIBE SELECT * FROM "+events(plain)+")"); types["bounce_category"] != 0 || types["reason"] == 0 {
		t.Errorf("plain export columns: %v", keys(types))
	}
}
