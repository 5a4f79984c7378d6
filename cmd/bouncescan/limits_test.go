package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// --limit reaches the parsers and the report: small bounds drop what they
// must, and the report counts it; without the flag nothing is dropped.
func TestLimitFlag(t *testing.T) {
	samples := filepath.Join("..", "..", "samples")
	dropped := func(args ...string) map[string]int64 {
		t.Helper()
		out, stderr, code := runCLI(t, "", append([]string{"scan", "--progress=false", "-o", "json"}, append(args, samples)...)...)
		if code != 0 && code != 2 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var r struct {
			Dropped map[string]int64 `json:"dropped"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r.Dropped
	}
	base := dropped()
	for k, v := range base {
		if v != 0 {
			t.Fatalf("without --limit, dropped %s = %d", k, v)
		}
	}
	if d := dropped("--limit", "templates=2"); d["templates"] == 0 {
		t.Errorf("--limit templates=2 dropped no template: %v", d)
	}
	if d := dropped("--limit", "state=2", "--limit", "top=1"); d["state"] == 0 || d["top"] == 0 {
		t.Errorf("--limit state=2 --limit top=1: %v", d)
	}
	for _, bad := range []string{"bogus=1", "templates", "templates=0", "templates=-5", "templates=1e3", "state=200M", "state-ttl=1s", "state-ttl=soon", "deferral-memory=10"} {
		_, stderr, code := runCLI(t, "", "scan", "--progress=false", "--limit", bad, samples)
		if code != 1 || !strings.Contains(stderr, "--limit "+bad) {
			t.Errorf("--limit %s: exit %d, stderr %q", bad, code, stderr)
		}
	}
	// the table says what was dropped, within 100 columns
	out, _, _ := runCLI(t, "", "scan", "--progress=false", "--limit", "templates=2", "--limit", "state=2", "--limit", "top=1", samples)
	if !strings.Contains(out, "Limits reached") || !strings.Contains(out, "message state") {
		t.Errorf("table: no Limits reached section:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 100 {
			t.Errorf("table line of %d columns: %q", n, l)
		}
	}
	// export and tail take it too, and refuse a bad one before reading
	for _, args := range [][]string{
		{"export", "--progress=false", "--limit", "bogus=1", "--to", t.TempDir(), samples},
		{"tail", "--limit", "bogus=1", filepath.Join(samples, "postfix", "mail.log")},
	} {
		if _, stderr, code := runCLI(t, "", args...); code != 1 || !strings.Contains(stderr, "--limit bogus=1") {
			t.Errorf("%s --limit bogus=1: exit %d, stderr %q", args[0], code, stderr)
		}
	}
}

func TestLimitApply(t *testing.T) {
	f := LimitFlags{Limit: []string{"state=5k", "state-ttl=48h", "deferrals=7", "deferral-memory=16MiB", "messages=1M", "pending=9", "groups=8", "templates=1_000", "top=6", "buckets=5", "exact=4", "examples=3"}}
	var p parsekit.Options
	var l aggregate.Limits
	if err := f.apply(&p, &l); err != nil {
		t.Fatal(err)
	}
	if p.MaxMessages != 5000 || p.TTL.Hours() != 48 || p.MaxDeferrals != 7 || p.DeferralBytes != 16<<20 {
		t.Errorf("parser options %+v", p)
	}
	if l.Messages != 1_000_000 || l.Pending != 9 || l.Groups != 8 || l.Templates != 1000 || l.Top != 6 || l.Buckets != 5 || l.ExactTotal != 4 || l.Unparsed != 3 {
		t.Errorf("report limits %+v", l)
	}
}
