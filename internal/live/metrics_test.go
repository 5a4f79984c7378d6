package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/parsers"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// run parses and classifies files with the real pipeline into the
// consumers; it returns the number of events delivered.
func run(t *testing.T, files []string, consumers ...pipeline.Consumer) int64 {
	t.Helper()
	cl, err := classify.New(classify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	counter := pipeline.EventFunc(func(*bouncescan.Event) error { n++; return nil })
	var in []source.Input
	for _, f := range files {
		in = append(in, source.Input{Name: f, Path: f})
	}
	rep := aggregate.New(aggregate.Limits{})
	cfg := pipeline.Config{Formats: parsers.Builtin(), Format: "auto", Classify: cl,
		Consumers: append([]pipeline.Consumer{counter}, consumers...)}
	if err := pipeline.Run(context.Background(), cfg, in, rep); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no events")
	}
	return n
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

func label(m *dto.Metric, name string) (string, bool) {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue(), true
		}
	}
	return "", false
}

func TestMetricsScrape(t *testing.T) {
	const k = 3
	m := NewMetrics(MetricsOptions{Domains: k, DomainMinEvents: 2})
	n := run(t, []string{"../../samples/postfix/mail.log"}, m)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := Serve(ctx, "127.0.0.1:0", false, m.Handler())
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr.String()

	m.SetLines("/var/log/mail.log", 1) // the first files get labels of their own
	// the setters, from other goroutines while scraping
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				m.SetLines(fmt.Sprintf("/var/log/mail%d.log", i%50), int64(i))
				m.SetLag("/var/log/mail.log", int64(i))
				m.SetUnparsed("unknown line", int64(i))
				m.SetState("postfix", i, int64(g))
				m.CheckpointWritten(time.Now())
			}
		}(g)
	}
	for i := 0; i < 5; i++ {
		scrape(t, base+"/metrics")
	}
	wg.Wait()
	m.SetLines("/var/log/mail.log", 641)
	m.SetLag("/var/log/mail.log", 1234)
	m.SetState("postfix", 7, 2)

	fams := scrape(t, base+"/metrics")
	ev := fams["bouncescan_events_total"]
	if ev == nil || ev.GetType() != dto.MetricType_COUNTER {
		t.Fatalf("no counter bouncescan_events_total in %v", keys(fams))
	}
	var sum float64
	domains := map[string]bool{}
	reasons := map[string]bool{}
	classes := map[string]bool{}
	for _, s := range ev.GetMetric() {
		sum += s.GetCounter().GetValue()
		for _, l := range []string{"mta", "status", "class", "subject", "reason", "provider", "domain"} {
			if _, ok := label(s, l); !ok {
				t.Fatalf("series without label %s: %v", l, s)
			}
		}
		d, _ := label(s, "domain")
		domains[d] = true
		r, _ := label(s, "reason")
		reasons[r] = true
		c, _ := label(s, "class")
		classes[c] = true
	}
	if sum != float64(n) {
		t.Errorf("bouncescan_events_total adds up to %v, %d events consumed", sum, n)
	}
	if len(domains) > k+1 || !domains[Other] {
		t.Errorf("domain values %v: want at most %d and %q", domains, k+1, Other)
	}
	for _, r := range []string{"delivered", "userunknown", "mailboxfull"} {
		if !reasons[r] {
			t.Errorf("no reason %q in %v", r, reasons)
		}
	}
	for _, c := range []string{"success", "permanent", "transient"} {
		if !classes[c] {
			t.Errorf("no class %q in %v", c, classes)
		}
	}
	if len(reasons) < 5 {
		t.Errorf("only reasons %v", reasons)
	}

	files := map[string]float64{}
	for _, s := range fams["bouncescan_lines_total"].GetMetric() {
		f, _ := label(s, "file")
		files[f] = s.GetCounter().GetValue()
	}
	if len(files) > 32+1 || files["/var/log/mail.log"] != 641 || files[Other] == 0 {
		t.Errorf("lines_total by file: %d values, mail.log %v, other %v", len(files), files["/var/log/mail.log"], files[Other])
	}
	if g := fams["bouncescan_file_lag_bytes"].GetMetric(); len(g) != 1 || g[0].GetGauge().GetValue() != 1234 {
		t.Errorf("lag %v", g)
	}
	if g := fams["bouncescan_parser_state_messages"].GetMetric(); len(g) != 1 || g[0].GetGauge().GetValue() != 7 {
		t.Errorf("state %v", g)
	}
	if g := fams["bouncescan_parser_state_evictions_total"].GetMetric(); len(g) != 1 || g[0].GetCounter().GetValue() != 2 {
		t.Errorf("evictions %v", g)
	}
	if g := fams["bouncescan_checkpoint_age_seconds"].GetMetric(); len(g) != 1 || g[0].GetGauge().GetValue() > 60 {
		t.Errorf("checkpoint age %v", g)
	}
	if fams["bouncescan_alerts_active"] == nil || fams["bouncescan_lines_unparsed_total"] == nil {
		t.Errorf("no alerts_active or lines_unparsed_total: %v", keys(fams))
	}
	if fams["go_goroutines"] == nil {
		t.Errorf("no Go runtime metrics")
	}

	// /healthz, HEAD, POST, unknown path
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz: %s %q", resp.Status, body)
	}
	if resp, err := http.Head(base + "/metrics"); err != nil || resp.StatusCode != 200 {
		t.Errorf("HEAD /metrics: %v %v", resp, err)
	}
	for _, p := range []string{"/metrics", "/healthz"} {
		resp, err := http.Post(base+p, "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("POST %s: %s, Allow %q", p, resp.Status, resp.Header.Get("Allow"))
		}
	}
	if resp, err := http.Get(base + "/debug/pprof/"); err != nil || resp.StatusCode != 404 {
		t.Errorf("GET /debug/pprof/: %v %v", resp, err)
	}

	// the server stops with its context
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			break
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still answers after its context ended")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func keys(m map[string]*dto.MetricFamily) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestServeRefusesPublic(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := NewMetrics(MetricsOptions{NoRuntime: true}).Handler()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:9187", "example.com:9187"} {
		_, err := Serve(ctx, addr, false, h)
		if !errors.Is(err, ErrNotLoopback) || !strings.Contains(err.Error(), PublicFlag) || !strings.Contains(err.Error(), addr) {
			t.Errorf("Serve(%q): %v, want ErrNotLoopback naming %s", addr, err, PublicFlag)
		}
	}
	if _, err := Serve(ctx, "nonsense", false, h); err == nil {
		t.Error("Serve(nonsense): no error")
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		if _, err := Serve(ctx, addr, false, h); err != nil {
			t.Errorf("Serve(%q): %v", addr, err)
		}
	}
	if a, err := Serve(ctx, "0.0.0.0:0", true, h); err != nil {
		t.Errorf("Serve(0.0.0.0:0, allowPublic): %v", err)
	} else if resp, err := http.Get("http://127.0.0.1:" + portOf(a.String()) + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("public server: %v %v", resp, err)
	}
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// TestDomainLabels: at most K domain values ever, the most frequent get
// them, and a label once given is kept.
func TestDomainLabels(t *testing.T) {
	l := newDomainLabels(3, 5)
	got := map[string]bool{}
	count := func(d string, n int) {
		for i := 0; i < n; i++ {
			got[l.label(d)] = true
		}
	}
	for i := 0; i < 1000; i++ { // a long tail of rare domains
		count(fmt.Sprintf("rare%d.example", i), 1)
	}
	count("big.example", 50)
	count("other", 50) // a domain named like the overflow value never gets a label of its own
	count("bad\x1bdomain", 50)
	count("mid.example", 20)
	count("small.example", 6)
	count("late.example", 100) // all labels are taken: stays other
	want := map[string]bool{"big.example": true, "mid.example": true, "small.example": true, Other: true}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("labels %v, want %v", got, want)
	}
	if l.label("big.example") != "big.example" || l.label("late.example") != Other {
		t.Error("labels not stable")
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":               "example.com",
		"a\x1b[31mred":              `a\x1b[31mred`,
		"tab\there\r\n":             `tab\x09here\x0d\x0a`,
		"del\x7f":                   `del\x7f`,
		"c1\u009bx":                 `c1\u009bx`,
		"bad\xffutf8":               `bad\xffutf8`,
		"münchen.de 日本":             "münchen.de 日本",
		"\x00":                      `\x00`,
		"ok\u00a0nbsp-not-c1\u0085": `ok` + "\u00a0" + `nbsp-not-c1\u0085`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
	s := "clean.example"
	if n := testing.AllocsPerRun(100, func() { _ = Safe(s) }); n != 0 {
		t.Errorf("Safe allocates %v times on clean text", n)
	}
}

func BenchmarkMetricsConsume(b *testing.B) {
	m := NewMetrics(MetricsOptions{NoRuntime: true})
	v := &bouncescan.Verdict{Class: bouncescan.ClassPermanent, Subject: bouncescan.SubjectMailbox, Reason: "userunknown", Provider: "gmail"}
	evs := make([]bouncescan.Event, 256)
	for i := range evs {
		evs[i] = bouncescan.Event{MTA: "postfix", Status: bouncescan.StatusBounced, Domain: fmt.Sprintf("d%d.example", i%40), Verdict: v}
	}
	_ = m.Consume(evs)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.Consume(evs)
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
