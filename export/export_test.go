package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

var fixedNow = func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }

// export runs the pipeline over paths into an Exporter.
func export(t *testing.T, o Options, resume *pipeline.Checkpoint, paths ...string) (Summary, *pipeline.Checkpoint) {
	t.Helper()
	var in []source.Input
	for _, p := range paths {
		in = append(in, source.Input{Name: p, Path: p})
	}
	cl, err := classify.New(classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o.Now = fixedNow
	x, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	rep := aggregate.New(aggregate.Limits{})
	cfg := pipeline.Config{Formats: parsers.Builtin(), Parser: parsekit.Options{Location: time.UTC, Now: fixedNow},
		Classify: cl, Consumers: []pipeline.Consumer{x}, Resume: resume}
	if err := pipeline.Run(context.Background(), cfg, in, rep); err != nil {
		t.Fatal(err)
	}
	sum, err := x.Close()
	if err != nil {
		t.Fatal(err)
	}
	return sum, x.LastCheckpoint()
}

const sample = "../samples/postfix/mail.log"

func files(t *testing.T, dir, ext string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ext) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestNDJSONAndCSV(t *testing.T) {
	nd, cs := t.TempDir(), t.TempDir()
	s1, _ := export(t, Options{Dir: nd, Format: "ndjson"}, nil, sample)
	s2, _ := export(t, Options{Dir: cs, Format: "csv", Partition: "hour"}, nil, sample)
	if s1.Events == 0 || s1.Events != s2.Events {
		t.Fatalf("events: ndjson %d, csv %d", s1.Events, s2.Events)
	}
	var rows int64
	for _, p := range files(t, filepath.Join(nd, "table=events"), ".ndjson") {
		f, _ := os.Open(p)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if len(m) != len(Columns("events")) {
				t.Fatalf("%s: %d keys, want %d", p, len(m), len(Columns("events")))
			}
			if ts, ok := m["time"].(string); !ok || !strings.HasSuffix(ts, "Z") {
				t.Fatalf("time %v", m["time"])
			}
			rows++
		}
		f.Close()
	}
	if rows != s1.Events {
		t.Errorf("ndjson rows %d, events %d", rows, s1.Events)
	}
	rows = 0
	for _, p := range files(t, filepath.Join(cs, "table=events"), ".csv") {
		if !strings.Contains(p, "/hour=") {
			t.Errorf("hour partition missing: %s", p)
		}
		f, _ := os.Open(p)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(Columns("events"), ",") {
			t.Errorf("header %v", recs[0])
		}
		rows += int64(len(recs) - 1)
	}
	if rows != s2.Events {
		t.Errorf("csv rows %d, events %d", rows, s2.Events)
	}
}

func TestRerunReplacesAndSupersedes(t *testing.T) {
	dir := t.TempDir()
	logs := t.TempDir()
	b, _ := os.ReadFile(sample)
	lines := strings.SplitAfter(string(b), "\n")
	log := filepath.Join(logs, "mail.log")
	os.WriteFile(log, []byte(strings.Join(lines[:300], "")), 0o644)
	s1, cp := export(t, Options{Dir: dir}, nil, log)
	// incremental: only new events, new files beside the old ones
	os.WriteFile(log, b, 0o644)
	s2, _ := export(t, Options{Dir: dir}, cp, log)
	all, _ := export(t, Options{Dir: t.TempDir()}, nil, log)
	if s1.Events+s2.Events != all.Events {
		t.Fatalf("incremental %d + %d events, one run %d", s1.Events, s2.Events, all.Events)
	}
	n := len(files(t, dir, ".parquet"))
	// a full re-run (lost state) supersedes both shorter runs' files
	s3, _ := export(t, Options{Dir: dir}, nil, log)
	if s3.Superseded == 0 || len(files(t, dir, ".parquet")) >= n {
		t.Errorf("full re-run: %d superseded, %d files (were %d)", s3.Superseded, len(files(t, dir, ".parquet")), n)
	}
	// and a second one replaces every file by itself
	s4, _ := export(t, Options{Dir: dir}, nil, log)
	if s4.Replaced != len(s4.Files) || s4.Superseded != 0 {
		t.Errorf("second full run: %d of %d replaced, %d superseded", s4.Replaced, len(s4.Files), s4.Superseded)
	}
	for _, p := range files(t, dir, "") {
		if strings.Contains(filepath.Base(p), tmpPrefix) {
			t.Errorf("temporary file left: %s", p)
		}
	}
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	l := LayoutOf(Options{})
	if err := CheckDir(dir, l); err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout(dir, Layout{SchemaVersion: SchemaVersion + 1, Format: "parquet", Partition: "day"}); err != nil {
		t.Fatal(err)
	}
	err := CheckDir(dir, l)
	if !errors.Is(err, ErrLayout) || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("other schema version: %v", err)
	}
	WriteLayout(dir, LayoutOf(Options{Format: "csv"}))
	if err := CheckDir(dir, l); !errors.Is(err, ErrLayout) {
		t.Errorf("other format: %v", err)
	}
	other := t.TempDir()
	os.Mkdir(filepath.Join(other, "table=events"), 0o755)
	if err := CheckDir(other, l); !errors.Is(err, ErrLayout) {
		t.Errorf("foreign tables: %v", err)
	}
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if err := CheckDir(filepath.Join(file, "sub"), l); err == nil {
		t.Error("a directory below a file is accepted")
	}
	if os.Getuid() != 0 {
		ro := t.TempDir()
		os.Chmod(ro, 0o555)
		if err := CheckDir(filepath.Join(ro, "x"), l); err == nil {
			t.Error("an unwritable directory is accepted")
		}
	}
}

func TestFileNames(t *testing.T) {
	n := fileName("0123456789abcdef", 5, 1234, ".parquet")
	id, f, l, ok := parseFileName(n, ".parquet")
	if !ok || id != "0123456789abcdef" || f != 5 || l != 1234 {
		t.Errorf("%s → %s %d %d %v", n, id, f, l, ok)
	}
	for in, want := range map[string]string{"": NullPartition, "MX1.Example.com": "mx1.example.com", "a/b c": "a_b_c", "..": "_"} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if id, idx := splitID("0123456789abcdef-77-2"); id != "0123456789abcdef" || idx != 2 {
		t.Errorf("splitID: %s %d", id, idx)
	}
}

func TestStateMerge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	if cp, err := LoadState(p); cp != nil || err != nil {
		t.Fatalf("missing state: %v %v", cp, err)
	}
	a := &pipeline.Checkpoint{Version: pipeline.CheckpointVersion, Files: []pipeline.FileState{{Name: "a", Identity: "00000000000000aa", Offset: 10, Lines: 1}}}
	b := &pipeline.Checkpoint{Version: pipeline.CheckpointVersion, Files: []pipeline.FileState{{Name: "b", Identity: "00000000000000bb", Offset: 20, Lines: 2}}}
	if err := SaveState(p, b, a); err != nil {
		t.Fatal(err)
	}
	cp, err := LoadState(p)
	if err != nil || len(cp.Files) != 2 {
		t.Fatalf("merged state: %+v %v", cp, err)
	}
	os.WriteFile(p, []byte("{"), 0o644)
	if _, err := LoadState(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("bad state: %v", err)
	}
}

// BenchmarkExport measures the Parquet export of a generated Postfix log
// (BOUNCESCAN_BENCH_LOG, e.g. from ../shared/bench/genmaillog.py --lines
// 1000000 --seed 42), or of the samples when unset.
func BenchmarkExport(b *testing.B) {
	path := os.Getenv("BOUNCESCAN_BENCH_LOG")
	if path == "" {
		path = sample
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Skip(err)
	}
	cl, _ := classify.New(classify.Options{})
	b.SetBytes(info.Size())
	b.ReportAllocs()
	var events int64
	for b.Loop() {
		x, _ := New(Options{Dir: b.TempDir(), Now: fixedNow})
		rep := aggregate.New(aggregate.Limits{})
		cfg := pipeline.Config{Formats: parsers.Builtin(), Parser: parsekit.Options{Location: time.UTC, Now: fixedNow},
			Classify: cl, Consumers: []pipeline.Consumer{x}}
		if err := pipeline.Run(context.Background(), cfg, []source.Input{{Name: path, Path: path}}, rep); err != nil {
			b.Fatal(err)
		}
		s, err := x.Close()
		if err != nil {
			b.Fatal(err)
		}
		events = s.Events
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
