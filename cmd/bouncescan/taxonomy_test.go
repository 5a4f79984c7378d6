package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// taxonomyLines are known events of the Postfix sample with their
// verdict's reason and its other names (classify/data/taxonomy.toml).
var taxonomyLines = map[float64][3]string{
	11:  {"userunknown", "userunknown", "bad-mailbox"},
	85:  {"badreputation", "blocked", "spam-related"},
	107: {"greylisted", "undefined", "policy-related"},
	249: {"ratelimited", "toomanyconn", "policy-related"},
	6:   {"delivered", "delivered", "other"},
}

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		out = append(out, m)
	}
	return out
}

// TestScanTaxonomyEvents: with --taxonomy every NDJSON verdict carries
// sisimai4_reason and bounce_category, and nothing else changes; without
// it, the events have neither.
func TestScanTaxonomyEvents(t *testing.T) {
	plain, _, code := runCLI(t, "", scanArgs("--events", "-", postfixSample)...)
	if code != exitOK {
		t.Fatalf("scan: exit %d", code)
	}
	tax, _, code := runCLI(t, "", scanArgs("--taxonomy", "--events", "-", postfixSample)...)
	if code != exitOK {
		t.Fatalf("scan --taxonomy: exit %d", code)
	}
	if strings.Contains(plain, "sisimai4_reason") || strings.Contains(plain, "bounce_category") {
		t.Error("events without --taxonomy carry taxonomy fields")
	}
	pe, te := decodeLines(t, plain), decodeLines(t, tax)
	if len(pe) != len(te) || len(pe) < 100 {
		t.Fatalf("%d events, %d with --taxonomy", len(pe), len(te))
	}
	found := 0
	for i, e := range te {
		v := e["verdict"].(map[string]any)
		s4, cat := v["sisimai4_reason"], v["bounce_category"]
		if s4 == nil || cat == nil || s4 == "" || cat == "" {
			t.Errorf("event %v: sisimai4_reason %v, bounce_category %v", e["id"], s4, cat)
		}
		if w, ok := taxonomyLines[e["line"].(float64)]; ok {
			found++
			if v["reason"] != w[0] || s4 != w[1] || cat != w[2] {
				t.Errorf("line %v: reason %v → %v, %v; want %s → %s, %s", e["line"], v["reason"], s4, cat, w[0], w[1], w[2])
			}
		}
		delete(v, "sisimai4_reason")
		delete(v, "bounce_category")
		if !reflect.DeepEqual(e, pe[i]) {
			t.Errorf("event %d differs beyond the taxonomy:\n%v\n%v", i, e, pe[i])
		}
	}
	if found != len(taxonomyLines) {
		t.Errorf("%d of the %d known lines found", found, len(taxonomyLines))
	}
}

// TestScanTaxonomyReport: the report's breakdown by bounce category counts
// the events' categories (deliveries left out), in JSON, CSV, table, HTML
// and as a --group-by dimension.
func TestScanTaxonomyReport(t *testing.T) {
	samples := []string{postfixSample, "../../samples/exim"}
	evs, _, code := runCLI(t, "", scanArgs(append([]string{"--taxonomy", "--events", "-"}, samples...)...)...)
	if code != exitOK {
		t.Fatalf("scan: exit %d", code)
	}
	want := map[string]float64{}
	delivered := 0.0
	for _, e := range decodeLines(t, evs) {
		v := e["verdict"].(map[string]any)
		if v["reason"] == "delivered" {
			delivered++
			continue
		}
		want[v["bounce_category"].(string)]++
	}
	out, _, code := runCLI(t, "", scanArgs(append([]string{"--taxonomy", "-o", "json", "--group-by", "bounce_category"}, samples...)...)...)
	if code != exitOK {
		t.Fatalf("scan -o json: exit %d", code)
	}
	var r struct {
		Events   float64            `json:"events"`
		ByCat    map[string]float64 `json:"by_bounce_category"`
		ByReason map[string]float64 `json:"by_reason"`
		Groups   []struct {
			By   []string `json:"by"`
			Rows []struct {
				Key    []string `json:"key"`
				Events float64  `json:"events"`
			} `json:"rows"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.ByCat, want) || len(want) < 8 {
		t.Errorf("by_bounce_category = %v, the events say %v", r.ByCat, want)
	}
	if r.ByReason["delivered"] != delivered || delivered == 0 {
		t.Errorf("delivered: %v in the report, %v events", r.ByReason["delivered"], delivered)
	}
	g := r.Groups[len(r.Groups)-1]
	if strings.Join(g.By, ",") != "bounce_category" {
		t.Fatalf("last group by %v", g.By)
	}
	rows := map[string]float64{}
	for _, row := range g.Rows {
		rows[row.Key[0]] = row.Events
	}
	wantRows := map[string]float64{"(none)": r.Events - sum(want)}
	for k, v := range want {
		wantRows[k] = v
	}
	if !reflect.DeepEqual(rows, wantRows) {
		t.Errorf("group rows %v, want %v", rows, wantRows)
	}

	// the same report without --taxonomy has no breakdown, and is else the same
	plain, _, _ := runCLI(t, "", scanArgs(append([]string{"-o", "json"}, samples...)...)...)
	taxNoGroup, _, _ := runCLI(t, "", scanArgs(append([]string{"--taxonomy", "-o", "json"}, samples...)...)...)
	if strings.Contains(plain, "by_bounce_category") {
		t.Error("report without --taxonomy has by_bounce_category")
	}
	var a, b map[string]any
	json.Unmarshal([]byte(plain), &a)
	json.Unmarshal([]byte(taxNoGroup), &b)
	delete(b, "by_bounce_category")
	if !reflect.DeepEqual(a, b) {
		t.Error("--taxonomy changed the report beyond by_bounce_category")
	}

	csvOut, errOut, code := runCLI(t, "", scanArgs(append([]string{"--taxonomy", "-o", "csv", "--table", "bounce_category"}, samples...)...)...)
	lines := strings.Split(strings.TrimSpace(csvOut), "\n")
	if code != exitOK || lines[0] != "bounce_category,count" || len(lines) != len(want)+1 {
		t.Errorf("csv: exit %d %s: %q", code, errOut, csvOut)
	}
	for _, l := range lines[1:] {
		name, n, _ := strings.Cut(l, ",")
		if got := want[name]; n != strconv.Itoa(int(got)) {
			t.Errorf("csv row %q, want %v", l, got)
		}
	}
	_, errOut, code = runCLI(t, "", scanArgs("-o", "csv", "--table", "bounce_category", postfixSample)...)
	if code != exitFailure || !strings.Contains(errOut, "--taxonomy") {
		t.Errorf("csv table without --taxonomy: exit %d, %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "", scanArgs("--group-by", "provider,bounce_category", postfixSample)...)
	if code != exitFailure || !strings.Contains(errOut, "bounce_category needs --taxonomy") {
		t.Errorf("--group-by bounce_category without --taxonomy: exit %d, %q", code, errOut)
	}
	table, _, _ := runCLI(t, "", scanArgs("--taxonomy", postfixSample)...)
	if !strings.Contains(table, "By bounce category") || !strings.Contains(table, "\n  bad-mailbox ") {
		t.Errorf("table report lacks the breakdown:\n%s", table)
	}
	if table, _, _ := runCLI(t, "", scanArgs(postfixSample)...); strings.Contains(table, "bounce category") {
		t.Error("table report without --taxonomy shows a bounce category breakdown")
	}
	html, _, _ := runCLI(t, "", scanArgs("--taxonomy", "-o", "html", postfixSample)...)
	if !strings.Contains(html, "By bounce category") || !strings.Contains(html, ">bad-mailbox<") {
		t.Error("HTML report lacks the breakdown")
	}
}

func sum(m map[string]float64) float64 {
	var s float64
	for _, v := range m {
		s += v
	}
	return s
}

// TestMergeTaxonomy: merge keeps the breakdown of reports scanned with
// --taxonomy (the sum), refuses a mix without --taxonomy, and with it
// derives the breakdown of the report scanned without it.
func TestMergeTaxonomy(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, args ...string) string {
		out, errOut, code := runCLI(t, "", scanArgs(append([]string{"-o", "json"}, args...)...)...)
		if code != exitOK {
			t.Fatalf("scan %v: exit %d: %s", args, code, errOut)
		}
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(out), 0o644)
		return p
	}
	cats := func(s string) map[string]float64 {
		var r struct {
			ByCat map[string]float64 `json:"by_bounce_category"`
		}
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			t.Fatal(err)
		}
		return r.ByCat
	}
	pfTax := write("pf-tax.json", "--taxonomy", postfixSample)
	exTax := write("ex-tax.json", "--taxonomy", "../../samples/exim")
	exPlain := write("ex.json", "../../samples/exim")
	one, _, _ := runCLI(t, "", scanArgs("-o", "json", "--taxonomy", postfixSample, "../../samples/exim")...)
	want := cats(one)
	if len(want) < 8 {
		t.Fatalf("one scan: breakdown %v", want)
	}
	merged, errOut, code := runCLI(t, "", "merge", "-o", "json", pfTax, exTax)
	if code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, errOut)
	}
	if got := cats(merged); !reflect.DeepEqual(got, want) {
		t.Errorf("merged breakdown %v, one scan %v", got, want)
	}
	for _, order := range [][]string{{pfTax, exPlain}, {exPlain, pfTax}} {
		_, errOut, code = runCLI(t, "", append([]string{"merge", "-o", "json"}, order...)...)
		if code != exitFailure || !strings.Contains(errOut, "--taxonomy") || !strings.Contains(errOut, filepath.Base(order[1])) {
			t.Errorf("merge %v: exit %d, %q", order, code, errOut)
		}
		merged, errOut, code = runCLI(t, "", append([]string{"merge", "--taxonomy", "-o", "json"}, order...)...)
		if code != exitOK {
			t.Fatalf("merge --taxonomy: exit %d: %s", code, errOut)
		}
		if got := cats(merged); !reflect.DeepEqual(got, want) {
			t.Errorf("merge --taxonomy %v: breakdown %v, one scan %v", order, got, want)
		}
	}
	// without taxonomy on either side: no breakdown
	merged, _, code = runCLI(t, "", "merge", "-o", "json", exPlain, exPlain)
	if code != exitOK || cats(merged) != nil {
		t.Errorf("merge of plain reports: exit %d, breakdown %v", code, cats(merged))
	}
}

// TestExportTaxonomy: export --taxonomy ends the CSV header of both tables
// with sisimai4_reason and bounce_category and fills them; the directory
// then refuses a run without --taxonomy.
func TestExportTaxonomy(t *testing.T) {
	to := filepath.Join(t.TempDir(), "out")
	out, errOut, code := runCLI(t, "", "export", "--progress=false", "--taxonomy", "-o", "csv", postfixSample, "--to", to)
	if code != exitOK {
		t.Fatalf("export --taxonomy: exit %d: %s%s", code, out, errOut)
	}
	for _, table := range []string{"events", "stats"} {
		ps, _ := filepath.Glob(filepath.Join(to, "table="+table, "*", "*.csv"))
		if len(ps) != 1 {
			t.Fatalf("%s: files %v", table, ps)
		}
		f, _ := os.Open(ps[0])
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %v, %d records", table, err, len(recs))
		}
		h := recs[0]
		if n := len(h); n < 3 || h[n-2] != "sisimai4_reason" || h[n-1] != "bounce_category" {
			t.Errorf("%s header %v", table, h)
		}
		if table != "events" {
			continue
		}
		col := func(name string) int { return slices.Index(h, name) }
		found := 0
		for _, rec := range recs[1:] {
			if w, ok := taxonomyLines[float64(atoi(rec[col("line")]))]; ok {
				found++
				if got := [3]string{rec[col("reason")], rec[col("sisimai4_reason")], rec[col("bounce_category")]}; got != w {
					t.Errorf("line %s: %v, want %v", rec[col("line")], got, w)
				}
			}
		}
		if found != len(taxonomyLines) {
			t.Errorf("%d of the %d known lines found", found, len(taxonomyLines))
		}
	}
	_, errOut, code = runCLI(t, "", "export", "--progress=false", "-o", "csv", postfixSample, "--to", to)
	if code != exitFailure || !strings.Contains(errOut, "--taxonomy=true") {
		t.Errorf("export without --taxonomy into a --taxonomy export: exit %d, %q", code, errOut)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// TestTailTaxonomy: tail --taxonomy writes the events stream as scan
// --taxonomy --events does (the real binary, following the Postfix sample).
func TestTailTaxonomy(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	data, _ := os.ReadFile(postfixSample)
	os.WriteFile(log, data, 0o644)
	events := filepath.Join(dir, "events.ndjson")
	startTail(t, bin, "--from", "start", "--year", "2026", "--tz", "UTC", "--taxonomy", "--progress=false",
		"--listen", "127.0.0.1:0", "--events", events, log)
	got := decodeLines(t, string(waitLines(t, events, 197)))
	want, _, _ := runCLI(t, "", scanArgs("--taxonomy", "--events", "-", log)...)
	we := decodeLines(t, want)
	if len(got) != len(we) || len(we) != 197 {
		t.Fatalf("tail: %d events, scan %d", len(got), len(we))
	}
	found := 0
	for i, e := range got {
		v, wv := e["verdict"].(map[string]any), we[i]["verdict"].(map[string]any)
		if v["sisimai4_reason"] != wv["sisimai4_reason"] || v["bounce_category"] != wv["bounce_category"] || v["bounce_category"] == nil {
			t.Errorf("event %v: tail %v/%v, scan %v/%v", e["id"], v["sisimai4_reason"], v["bounce_category"], wv["sisimai4_reason"], wv["bounce_category"])
		}
		if w, ok := taxonomyLines[e["line"].(float64)]; ok {
			found++
			if v["reason"] != w[0] || v["sisimai4_reason"] != w[1] || v["bounce_category"] != w[2] {
				t.Errorf("line %v: %v → %v, %v; want %v", e["line"], v["reason"], v["sisimai4_reason"], v["bounce_category"], w)
			}
		}
	}
	if found != len(taxonomyLines) {
		t.Errorf("%d of the %d known lines found", found, len(taxonomyLines))
	}
}
