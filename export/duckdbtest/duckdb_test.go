package duckdbtest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// bin is the bouncescan binary built for the tests (CGO_ENABLED=0, as
// shipped).
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bouncescan-duckdb")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "bouncescan")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/bouncescan")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building bouncescan: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const samples = "../../samples"

// run runs bouncescan and returns its stdout; exit status 0 is expected.
func run(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(args[:1:1], append([]string{"--progress=false", "--tz", "UTC"}, args[1:]...)...)...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bouncescan %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

type scanEvent struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Recipient string `json:"recipient"`
	Sender    string `json:"sender"`
}

// scanEvents is `bouncescan scan --events -` on paths.
func scanEvents(t *testing.T, paths ...string) []scanEvent {
	t.Helper()
	out := run(t, nil, append([]string{"scan", "--events", "-"}, paths...)...)
	var evs []scanEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var e scanEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	if len(evs) == 0 {
		t.Fatal("scan gave no events")
	}
	return evs
}

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func events(dir string) string {
	return fmt.Sprintf("read_parquet('%s/table=events/**/*.parquet', hive_partitioning = true)", dir)
}

func stats(dir string) string {
	return fmt.Sprintf("read_parquet('%s/table=stats/**/*.parquet', hive_partitioning = true)", dir)
}

func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

func countBy(t *testing.T, db *sql.DB, q string) map[string]int64 {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var k sql.NullString
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		if !k.Valid {
			k.String = "NULL"
		}
		m[k.String] = n
	}
	return m
}

func statusCounts(evs []scanEvent) map[string]int64 {
	m := map[string]int64{}
	for _, e := range evs {
		m[e.Status]++
	}
	return m
}

func equalCounts(t *testing.T, what string, got, want map[string]int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: DuckDB %v, scan %v", what, got, want)
	}
}

// tree hashes every file under dir (names and contents), skipping the
// state files (which record the run's own path names).
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "_bouncescan") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = hex.EncodeToString(sum[:8])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSamplesAgainstScan(t *testing.T) {
	dir := t.TempDir()
	out := run(t, nil, "export", samples, "--to", dir)
	t.Logf("export: %s", out)
	want := scanEvents(t, samples)
	db := open(t)

	n := queryInt(t, db, "SELECT count(*) FROM "+events(dir))
	distinct := queryInt(t, db, "SELECT count(DISTINCT event_id) FROM "+events(dir))
	t.Logf("DuckDB: %d rows, %d distinct event ids; scan --events: %d", n, distinct, len(want))
	if n != int64(len(want)) || distinct != n {
		t.Fatalf("events: %d rows (%d distinct ids), scan --events gives %d", n, distinct, len(want))
	}
	got := countBy(t, db, "SELECT status, count(*) FROM "+events(dir)+" GROUP BY status")
	equalCounts(t, "per status", got, statusCounts(want))
	t.Logf("per status: %v", got)

	// the ids are scan's ids
	ids := countBy(t, db, "SELECT event_id, 1 FROM "+events(dir))
	for _, e := range want {
		if ids[e.ID] != 1 {
			t.Fatalf("scan's event %s not in the export", e.ID)
		}
	}

	// types
	types := countBy(t, db, "SELECT column_name || ' ' || column_type, 1 FROM (DESCRIBE SELECT * FROM "+events(dir)+")")
	for _, c := range []string{"time TIMESTAMP WITH TIME ZONE", "reply_code VARCHAR", "enhanced_code VARCHAR", "status VARCHAR",
		"line BIGINT", "offset BIGINT", "delay_seconds DOUBLE", "hop BOOLEAN", "date DATE"} {
		if types[c] == 0 {
			t.Errorf("events: no column %q; columns: %v", c, keys(types))
		}
	}
	stypes := countBy(t, db, "SELECT column_name || ' ' || column_type, 1 FROM (DESCRIBE SELECT * FROM "+stats(dir)+")")
	for _, c := range []string{"day DATE", "events BIGINT", "recipients BIGINT", "delay_sum_seconds DOUBLE", "first_time TIMESTAMP WITH TIME ZONE", "date DATE"} {
		if stypes[c] == 0 {
			t.Errorf("stats: no column %q; columns: %v", c, keys(stypes))
		}
	}
	// nulls where unknown: a rejected event has no relay delay; sent events have no reply text missing
	if queryInt(t, db, "SELECT count(*) FROM "+events(dir)+" WHERE reply_code = '' OR domain = '' OR provider = ''") != 0 {
		t.Error("empty strings where nulls belong")
	}
	if queryInt(t, db, "SELECT count(*) FROM "+events(dir)+" WHERE reply_code IS NULL") == 0 {
		t.Error("no null reply code at all: are nulls written?")
	}
	// partition column agrees with the time
	if bad := queryInt(t, db, "SELECT count(*) FROM "+events(dir)+" WHERE date <> CAST(timezone('UTC', time) AS DATE)"); bad != 0 {
		t.Errorf("%d rows in the wrong date partition", bad)
	}
	// stats add up to the events, per status
	sgot := countBy(t, db, "SELECT status, CAST(sum(events) AS BIGINT) FROM "+stats(dir)+" GROUP BY status")
	equalCounts(t, "stats per status", sgot, statusCounts(want))
	// schema version in the key-value metadata
	if v := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM parquet_kv_metadata('%s/table=events/**/*.parquet') WHERE decode(key) = 'bouncescan.schema_version' AND decode(value) = '1'", dir)); v == 0 {
		t.Error("no bouncescan.schema_version in the Parquet metadata")
	}

	// README's query: bounce rate per provider per day
	rows, err := db.Query(fmt.Sprintf(readmeQuery, dir))
	if err != nil {
		t.Fatalf("README query: %v", err)
	}
	var lines []string
	for rows.Next() {
		var day, provider string
		var sent, bounced int64
		var rate sql.NullFloat64
		if err := rows.Scan(&day, &provider, &sent, &bounced, &rate); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintf("%s %-10s %4d %4d %6.1f", day, provider, sent, bounced, rate.Float64))
	}
	rows.Close()
	if len(lines) == 0 {
		t.Error("README query: no rows")
	}
	t.Logf("bounce rate per provider per day:\n%s", strings.Join(lines, "\n"))

	// a re-run changes nothing; so does a full re-run (same files, same bytes)
	before := tree(t, dir)
	out = run(t, nil, "export", samples, "--to", dir)
	if !strings.HasPrefix(out, "exported 0 events") {
		t.Errorf("re-run exported something: %s", out)
	}
	out = run(t, nil, "export", "--full", samples, "--to", dir)
	t.Logf("full re-run: %s", out)
	if after := tree(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a full re-run changed the files:\nbefore %v\nafter  %v", before, after)
	}
}

// readmeQuery is the query README shows (%s: the export directory).
const readmeQuery = `SELECT date::VARCHAR AS day, coalesce(provider, '(none)') AS provider,
       count(*) FILTER (status = 'sent') AS sent,
       count(*) FILTER (status IN ('bounced', 'expired')) AS bounced,
       round(100.0 * count(*) FILTER (status IN ('bounced', 'expired'))
             / nullif(count(*) FILTER (status IN ('sent', 'bounced', 'expired')), 0), 1) AS bounce_pct
FROM read_parquet('%s/table=events/**/*.parquet', hive_partitioning = true)
GROUP BY ALL ORDER BY day, provider`

func keys(m map[string]int64) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// copyLines writes the first n lines of src to dst (all for n < 0), with
// src's modification time (yearless stamps take their year from it).
func copyLines(t *testing.T, src, dst string, n int) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if n >= 0 {
		lines := bytes.SplitAfter(b, []byte("\n"))
		b = bytes.Join(lines[:n], nil)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(src)
	os.Chtimes(dst, info.ModTime(), info.ModTime())
}

func TestIncremental(t *testing.T) {
	src := filepath.Join(samples, "postfix", "mail.log")
	logs := t.TempDir()
	dir := t.TempDir()
	log := filepath.Join(logs, "mail.log")
	db := open(t)
	total := len(scanEvents(t, src))
	var prev int64
	for _, n := range []int{200, 420, -1} {
		copyLines(t, src, log, n)
		out := run(t, nil, "export", log, "--to", dir)
		got := queryInt(t, db, "SELECT count(*) FROM "+events(dir))
		distinct := queryInt(t, db, "SELECT count(DISTINCT event_id) FROM "+events(dir))
		want := int64(len(scanEvents(t, log)))
		t.Logf("after %d lines: %d rows (%d new), scan: %d; %s", n, got, got-prev, want, strings.TrimSpace(out))
		if got != want || distinct != got {
			t.Fatalf("after %d lines: %d rows, %d distinct ids; scan of the same file: %d", n, got, distinct, want)
		}
		if !strings.HasPrefix(out, fmt.Sprintf("exported %d events", got-prev)) {
			t.Errorf("the run did not export only the new events (%d): %s", got-prev, out)
		}
		prev = got
	}
	if prev != int64(total) {
		t.Fatalf("%d rows, the whole file has %d events", prev, total)
	}
	// rotation: the log becomes mail.log.1, gzipped, a new mail.log
	// begins; the rotated file is recognised as already exported
	gz := exec.Command("gzip", "-k", log)
	if err := gz.Run(); err != nil {
		t.Skip("no gzip")
	}
	os.Rename(log+".gz", filepath.Join(logs, "mail.log.1.gz"))
	os.Remove(log)
	out := run(t, nil, "export", filepath.Join(logs, "mail.log.1.gz"), "--to", dir)
	if !strings.HasPrefix(out, "exported 0 events") {
		t.Errorf("the rotated, compressed log was exported again: %s", out)
	}
}

func TestTwoHostsOneTable(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(samples, "postfix")
	b := filepath.Join(samples, "exim")
	run(t, nil, "export", "--partition-host", a, "--to", dir, "--state", filepath.Join(t.TempDir(), "a.json"))
	run(t, nil, "export", "--partition-host", b, "--to", dir, "--state", filepath.Join(t.TempDir(), "b.json"))
	db := open(t)
	want := len(scanEvents(t, a)) + len(scanEvents(t, b))
	if got := queryInt(t, db, "SELECT count(*) FROM "+events(dir)); got != int64(want) {
		t.Fatalf("two hosts: %d rows, scans give %d", got, want)
	}
	hosts := countBy(t, db, "SELECT host, count(*) FROM "+events(dir)+" GROUP BY host")
	t.Logf("rows per host partition: %v", hosts)
	if len(hosts) < 2 {
		t.Errorf("host partitions: %v", hosts)
	}
	// the Postfix sample's host is "mta"; lines without a host name (Exim's
	// own mainlog) are in host=__HIVE_DEFAULT_PARTITION__, read as NULL
	if got := queryInt(t, db, "SELECT count(*) FROM "+events(dir)+" WHERE host = 'mta'"); got != int64(len(scanEvents(t, a))) {
		t.Errorf("%d rows in host=mta, the Postfix sample has %d events", got, len(scanEvents(t, a)))
	}
}

func TestRedacted(t *testing.T) {
	dir := t.TempDir()
	nd := t.TempDir()
	key := []string{"BOUNCESCAN_REDACT_KEY=test-key"}
	run(t, key, "export", "--redact", samples, "--to", dir)
	run(t, key, "export", "--redact", "-o", "ndjson", samples, "--to", nd)
	raw := map[string]bool{}
	for _, e := range scanEvents(t, samples) {
		for _, a := range []string{e.Recipient, e.Sender} {
			if i := strings.LastIndexByte(a, '@'); i > 0 {
				raw[a] = true
			}
		}
	}
	if len(raw) == 0 {
		t.Fatal("no addresses in the samples")
	}
	db := open(t)
	// every string column of every row, through DuckDB
	var all []string
	rows, err := db.Query("SELECT concat_ws(' ', sender, recipient, orig_recipient, text, evidence) FROM " + events(dir))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s sql.NullString
		rows.Scan(&s)
		all = append(all, s.String)
	}
	rows.Close()
	joined := strings.ToLower(strings.Join(all, "\n"))
	// and the NDJSON files' bytes, every file of the export
	var files bytes.Buffer
	filepath.WalkDir(nd, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			files.Write(b)
		}
		return nil
	})
	ndBytes := strings.ToLower(files.String())
	leaks := 0
	for a := range raw {
		// the address itself, not the end of a longer one (a redacted
		// h.<hex>a@example.org ends like a@example.org)
		if containsAddress(joined, strings.ToLower(a)) || containsAddress(ndBytes, strings.ToLower(a)) {
			leaks++
			if leaks < 5 {
				t.Errorf("raw address %q in the redacted export", a)
			}
		}
	}
	t.Logf("%d distinct raw addresses checked, %d found in the redacted Parquet (via DuckDB) or NDJSON bytes", len(raw), leaks)
	// domains are kept, so per-domain queries still work
	if queryInt(t, db, "SELECT count(*) FROM "+events(dir)+" WHERE recipient LIKE 'h.%@%' AND split_part(recipient, '@', 2) = domain") == 0 {
		t.Error("redacted recipients do not keep their domain")
	}
}

// containsAddress reports whether a occurs in s not preceded by a byte of
// a local part.
func containsAddress(s, a string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], a)
		if j < 0 {
			return false
		}
		k := i + j
		if k == 0 || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789._%+-", rune(s[k-1])) {
			return true
		}
		i = k + 1
	}
}
