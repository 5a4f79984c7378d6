package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bouncescan/bouncescan/internal/source"
)

// tailRun is one bouncescan tail process of a test.
type tailRun struct {
	t      *testing.T
	bin    string
	args   []string
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	runs   int
}

func (r *tailRun) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, r.args...)
	if r.stderr == nil {
		r.stderr = &bytes.Buffer{}
	}
	fmt.Fprintf(r.stderr, "--- run %d\n", r.runs+1)
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	cmd := r.cmd
	r.t.Cleanup(func() { // never left running, whatever the test did
		cmd.Process.Kill()
		cmd.Wait()
	})
	r.runs++
}

func (r *tailRun) kill() {
	r.cmd.Process.Kill()
	r.cmd.Wait()
}

func (r *tailRun) stop() {
	r.t.Helper()
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			r.t.Errorf("tail exited with %v; stderr:\n%s", err, r.stderr)
		}
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		r.t.Fatal("tail did not stop on SIGTERM")
	}
}

// delivered reports whether the state file says every line of path has
// been delivered (to know that a delete-and-recreate loses nothing).
func delivered(t *testing.T, state, path string) bool {
	data, err := os.ReadFile(state)
	if err != nil {
		return false
	}
	var st tailState
	if json.Unmarshal(data, &st) != nil || st.Checkpoint == nil {
		return false
	}
	rd, err := source.Open(source.Input{Name: path, Path: path}, source.Options{})
	if err != nil {
		return false
	}
	id := rd.Fingerprint()
	rd.Close()
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	return st.Checkpoint.Delivered(id) == fi.Size()
}

// eventsWithoutPositions reads NDJSON events as a sorted list of JSON
// objects without the fields that name where a line was read (id,
// source, line, offset).
func eventsWithoutPositions(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("events line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"id", "source", "line", "offset"} {
			delete(m, k)
		}
		b, _ := json.Marshal(m)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestTailRotationsAndKills follows a log while a writer appends real
// lines and rotates it by rename (logrotate create), by copytruncate and
// by delete-and-recreate, and while the follower is killed with SIGKILL
// and restarted from its state at random moments. At the end the events
// must be exactly those of one scan of all the lines written: none lost,
// none twice.
func TestTailRotationsAndKills(t *testing.T) {
	bin := buildBinary(t)
	seeds := 2
	if s := os.Getenv("BOUNCESCAN_TAIL_SEEDS"); s != "" {
		fmt.Sscan(s, &seeds)
	}
	for _, tc := range []struct{ name, sample string }{
		{"postfix", "postfix/mail.log"},
		{"exim", "exim/mainlog"},
	} {
		for seed := range seeds {
			t.Run(fmt.Sprintf("%s/seed%d", tc.name, seed), func(t *testing.T) { tailRotationsAndKills(t, bin, tc.name, tc.sample, uint64(seed)) })
		}
	}
}

func tailRotationsAndKills(t *testing.T, bin, name, sample string, seed uint64) {
	tc := struct{ name, sample string }{name, sample}
	{
		{
			data, err := os.ReadFile(filepath.Join("..", "..", "samples", tc.sample))
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			lines = lines[:len(lines)-1]
			dir := t.TempDir()
			live := filepath.Join(dir, "mail.log")
			state := filepath.Join(dir, "state.json")
			events := filepath.Join(dir, "events.ndjson")
			ref := filepath.Join(dir, "all-lines.log")
			r := &tailRun{t: t, bin: bin, args: []string{"tail", "--from", "start", "--state", state, "--checkpoint-every", "20ms",
				"--poll", "5ms", "--events", events, "--year", "2026", "--tz", "UTC", live}}
			r.start()
			// the first run is up (its first state is written) before any
			// line: lines rotated away before bouncescan ever ran are not its
			// to read (--from start is the start of the live file)
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
				if _, err := os.Stat(state); err == nil || time.Now().After(deadline) {
					break
				}
			}
			rng := rand.New(rand.NewPCG(uint64(len(tc.name)), seed))
			n := len(lines)
			rotations := map[int]string{n / 4: "rename", n / 2: "copytruncate", 3 * n / 4: "delete"}
			kills := 0
			shift := func() { // logrotate's numbering: mail.log.1 → mail.log.2 …
				for i := 9; i >= 1; i-- {
					os.Rename(fmt.Sprintf("%s.%d", live, i), fmt.Sprintf("%s.%d", live, i+1))
				}
			}
			waitDelivered := func() {
				deadline := time.Now().Add(10 * time.Second)
				for !delivered(t, state, live) {
					if time.Now().After(deadline) {
						t.Fatalf("tail did not catch up with %s; stderr:\n%s", live, r.stderr)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			for i := 0; i < n; {
				for at, kind := range rotations {
					if i < at {
						continue
					}
					switch kind {
					case "rename":
						shift()
						os.Rename(live, live+".1")
					case "copytruncate":
						// lines not yet read when a file is truncated in place
						// are gone for any follower: wait for it, as the
						// README says
						waitDelivered()
						shift()
						b, _ := os.ReadFile(live)
						os.WriteFile(live+".1", b, 0o644)
						os.Truncate(live, 0)
					case "delete":
						waitDelivered()
						os.Remove(live)
						// a kill before the follower has seen the deletion loses
						// the deleted file (nobody has it any more): wait until
						// it is kept in the spool (see README)
						deadline := time.Now().Add(10 * time.Second)
						for {
							m, _ := filepath.Glob(state + ".spool/*.log")
							if len(m) > 0 || time.Now().After(deadline) {
								break
							}
							time.Sleep(2 * time.Millisecond)
						}
					}
					delete(rotations, at)
					break
				}
				k := min(n, i+1+rng.IntN(9))
				chunk := bytes.Join(lines[i:k], nil)
				f, err := os.OpenFile(live, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				f.Write(chunk)
				f.Close()
				g, _ := os.OpenFile(ref, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
				g.Write(chunk)
				g.Close()
				i = k
				time.Sleep(time.Duration(rng.IntN(4)) * time.Millisecond)
				if rng.IntN(12) == 0 {
					r.kill()
					kills++
					time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
					r.start()
				}
			}
			// what one scan of every line written says
			want, errOut, code := runCLI(t, "", "scan", "--tz", "UTC", "--year", "2026", "--progress=false", "--events", "-", ref)
			if code != exitOK {
				t.Fatalf("scan: exit %d %s", code, errOut)
			}
			wantEv := eventsWithoutPositions(t, []byte(want))
			deadline := time.Now().Add(20 * time.Second)
			var got []byte
			for {
				got, _ = os.ReadFile(events)
				if bytes.Count(got, []byte("\n")) >= len(wantEv) || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond) // nothing more may come
			r.stop()
			got, _ = os.ReadFile(events)
			gotEv := eventsWithoutPositions(t, got)
			lost, dup := diffMultiset(wantEv, gotEv)
			t.Logf("%s: %d lines, 3 rotations, %d kills (%d runs): %d events expected, %d written, %d lost, %d duplicated",
				tc.name, n, kills, r.runs, len(wantEv), len(gotEv), lost, dup)
			if lost != 0 || dup != 0 {
				if d := os.Getenv("BOUNCESCAN_TAIL_KEEP"); d != "" { // for a look at a failure
					os.RemoveAll(d)
					exec.Command("cp", "-r", dir, d).Run()
					os.WriteFile(filepath.Join(d, "stderr.txt"), r.stderr.Bytes(), 0o644)
				}
				t.Errorf("lost %d, duplicated %d\n%s\nstderr of the runs:\n%s", lost, dup, cmp.Diff(wantEv, gotEv), r.stderr)
			}
		}
	}
}

// diffMultiset counts the entries of want missing from got and the
// entries of got beyond want.
func diffMultiset(want, got []string) (lost, extra int) {
	count := map[string]int{}
	for _, w := range want {
		count[w]++
	}
	for _, g := range got {
		count[g]--
	}
	for _, c := range count {
		if c > 0 {
			lost += c
		} else {
			extra -= c
		}
	}
	return lost, extra
}

// A state file that is missing or not ours is a clear error naming it,
// unless --from says where to start.
func TestTailStateErrors(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	os.WriteFile(log, []byte("Nov 22 03:14:15 mx1 postfix/qmgr[1]: 4F1A2B3C4D: removed\n"), 0o644)
	missing := filepath.Join(dir, "state.json")
	_, errOut, code := runCLI(t, "", "tail", "--state", missing, log)
	if code != exitFailure || !strings.Contains(errOut, missing) || !strings.Contains(errOut, "--from") {
		t.Errorf("missing state: exit %d %q", code, errOut)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	_, errOut, code = runCLI(t, "", "tail", "--state", bad, log)
	if code != exitFailure || !strings.Contains(errOut, bad) || !strings.Contains(errOut, "not a bouncescan state file") {
		t.Errorf("corrupt state: exit %d %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "", "tail", "--events", log, log)
	if code != exitFailure || !strings.Contains(errOut, "refusing to write over a log") {
		t.Errorf("--events over the log: exit %d %q", code, errOut)
	}
}

// startTail runs `bouncescan tail ARGS` and returns it with the address of
// its metrics server, read from its stderr.
func startTail(t *testing.T, bin string, args ...string) (*exec.Cmd, *syncBuffer, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"tail"}, args...)...)
	errb := &syncBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		s := errb.String()
		if i := strings.Index(s, "metrics on http://"); i >= 0 {
			rest := s[i+len("metrics on http://"):]
			if j := strings.Index(rest, "/metrics"); j > 0 {
				return cmd, errb, rest[:j]
			}
		}
	}
	t.Fatalf("no metrics address; stderr:\n%s", errb.String())
	return nil, nil, ""
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLines waits until path holds at least n lines.
func waitLines(t *testing.T, path string, n int) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("\n")) >= n || time.Now().After(deadline) {
			return b
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A real scrape of /metrics: events_total adds up to the events written,
// its labels hold reason and class, the domain label at most K+1 values;
// lines and /healthz are there, and a POST is refused.
func TestTailMetricsScrape(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	data, _ := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	os.WriteFile(log, data, 0o644)
	events := filepath.Join(dir, "events.ndjson")
	_, _, addr := startTail(t, bin, "--from", "start", "--year", "2026", "--tz", "UTC", "--checkpoint-every", "50ms",
		"--listen", "127.0.0.1:0", "--metric-domains", "3", "--events", events, log)
	waitLines(t, events, 197)
	time.Sleep(200 * time.Millisecond) // a checkpoint after the last event sets lines and lag
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var total float64
	domains := map[string]bool{}
	var lines string
	for _, l := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(l, "bouncescan_events_total{") {
			if !strings.Contains(l, `reason="`) || !strings.Contains(l, `class="`) {
				t.Errorf("labels: %s", l)
			}
			var v float64
			fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &v)
			total += v
			if i := strings.Index(l, `domain="`); i >= 0 {
				domains[l[i+8:i+8+strings.IndexByte(l[i+8:], '"')]] = true
			}
		}
		if strings.HasPrefix(l, "bouncescan_lines_total{") {
			lines = l
		}
	}
	if total != 197 || len(domains) > 4 || len(domains) < 2 {
		t.Errorf("events_total sums to %v (want 197), %d domain values %v (want at most 3+1)", total, len(domains), domains)
	}
	if !strings.HasSuffix(lines, " 641") {
		t.Errorf("lines_total: %q", lines)
	}
	if r, err := http.Get("http://" + addr + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Errorf("/healthz: %v %v", r, err)
	}
	if r, err := http.Post("http://"+addr+"/metrics", "text/plain", strings.NewReader("x")); err != nil || r.StatusCode == 200 {
		t.Errorf("POST /metrics: %v %v", r, err)
	}
	// not on a public address unless asked
	_, errOut, code := runCLI(t, "", "tail", "--from", "end", "--listen", "0.0.0.0:0", log)
	if code != exitFailure || !strings.Contains(errOut, "--listen-public") {
		t.Errorf("--listen 0.0.0.0: exit %d %q", code, errOut)
	}
}

// A replayed log where Microsoft turns from delivering to 5.7.606 blocks
// raises that alert once (blocklist, and a bounce-rate alert), for
// Microsoft only, and ends them when the blocks stop.
func TestTailAlerts(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	gz, err := os.ReadFile(filepath.Join("testdata", "alerts-postfix.log.gz"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	log := filepath.Join(dir, "mail.log")
	os.WriteFile(log, data, 0o644)
	alerts := filepath.Join(dir, "alerts.ndjson")
	events := filepath.Join(dir, "events.ndjson")
	cmd, errb, _ := startTail(t, bin, "--from", "start", "--year", "2026", "--tz", "UTC", "--listen", "127.0.0.1:0",
		"--events", events, "--alerts", alerts, log)
	want, _, _ := runCLI(t, "", "scan", "--year", "2026", "--tz", "UTC", "--progress=false", "--events", "-", log)
	waitLines(t, events, strings.Count(want, "\n"))
	got := waitLines(t, alerts, 4)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	var firing []string
	for _, l := range strings.Split(strings.TrimSpace(string(got)), "\n") {
		var a struct{ State, Kind, Provider, Status string }
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("alert %q: %v", l, err)
		}
		if a.Provider != "microsoft" {
			t.Errorf("alert for %s: %s", a.Provider, l)
		}
		if a.State == "firing" {
			firing = append(firing, a.Kind)
		}
	}
	sort.Strings(firing)
	if strings.Join(firing, ",") != "blocklist,rate" {
		t.Errorf("alerts raised: %v, want one blocklist and one rate alert\n%s\nstderr:\n%s", firing, got, errb.String())
	}
}

// A file that appears later and matches the glob is followed; SIGHUP
// reopens --events (logrotate of our own output); --redact hides local
// parts in what tail writes.
func TestTailGlobHupRedact(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	pf, _ := os.ReadFile(filepath.Join("..", "..", "samples", "postfix", "mail.log"))
	lines := bytes.SplitAfter(pf, []byte("\n"))
	os.WriteFile(filepath.Join(dir, "a.log"), bytes.Join(lines[:300], nil), 0o644)
	events := filepath.Join(dir, "out", "events.ndjson")
	os.Mkdir(filepath.Dir(events), 0o755)
	cmd := exec.Command(bin, "tail", "--from", "start", "--rescan", "50ms", "--poll", "10ms", "--year", "2026", "--tz", "UTC",
		"--events", events, "--redact", filepath.Join(dir, "*.log"))
	cmd.Env = append(os.Environ(), "BOUNCESCAN_REDACT_KEY=test-key")
	errb := &syncBuffer{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	count := func(path, sub string) int {
		b, _ := os.ReadFile(path)
		return bytes.Count(b, []byte(sub))
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s did not happen; stderr:\n%s", what, errb.String())
			}
		}
	}
	waitFor("events of a.log", func() bool { return count(events, `"mta":"postfix"`) > 0 })
	// a new file matching the pattern
	ex, _ := os.ReadFile(filepath.Join("..", "..", "samples", "exim", "mainlog"))
	os.WriteFile(filepath.Join(dir, "b.log"), ex, 0o644)
	waitFor("events of the new b.log", func() bool { return count(events, `"mta":"exim"`) > 0 })
	// logrotate of our output: move it away, HUP, new events go to a new file
	time.Sleep(100 * time.Millisecond)
	if err := os.Rename(events, events+".1"); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(100 * time.Millisecond)
	f, _ := os.OpenFile(filepath.Join(dir, "a.log"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write(bytes.Join(lines[300:], nil))
	f.Close()
	waitFor("events in the reopened --events", func() bool { return count(events, `"mta":"postfix"`) > 0 })
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	all := count(events, "\n") + count(events+".1", "\n")
	want, _, _ := runCLI(t, "", "scan", "--year", "2026", "--tz", "UTC", "--progress=false", "-o", "json", filepath.Join("..", "..", "samples", "postfix", "mail.log"), filepath.Join("..", "..", "samples", "exim", "mainlog"))
	var rep struct{ Events int }
	json.Unmarshal([]byte(want), &rep)
	if all != rep.Events {
		t.Errorf("%d events in the two files, want %d", all, rep.Events)
	}
	for _, p := range []string{events, events + ".1"} {
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("ok+P01@example.test")) || bytes.Contains(b, []byte("sender+")) || !bytes.Contains(b, []byte("@example.test")) {
			t.Errorf("%s: a raw local part is there, or the domains are gone", p)
		}
	}
}
