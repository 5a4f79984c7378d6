package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/aggregate"
	"github.com/bouncescan/bouncescan/classify"
	"github.com/bouncescan/bouncescan/internal/live"
	"github.com/bouncescan/bouncescan/internal/pipeline"
	"github.com/bouncescan/bouncescan/internal/source"
	"github.com/bouncescan/bouncescan/output"
	"github.com/bouncescan/bouncescan/parsers"
	"github.com/bouncescan/bouncescan/parsers/parsekit"
)

// TailCmd is `bouncescan tail`.
type TailCmd struct {
	Files []string `arg:"" name:"FILE" help:"Log files to follow, or quoted globs (\"/var/log/exim4/*log\"): files that appear later and match are followed too."`

	Format          string        `short:"f" default:"auto" help:"Log format: auto (detected per file from its first lines as they arrive) or one of: ${formats}."`
	State           string        `placeholder:"FILE" help:"Checkpoint file: where each followed file was read to, written atomically every --checkpoint-every and on exit; a restart goes on from it with no event lost or repeated."`
	CheckpointEvery time.Duration `default:"5s" help:"How often the checkpoint is written (at most)."`
	From            string        `enum:",start,end" default:"" help:"Without a checkpoint: read the files from their start, or only what is written from now on (end, the default). With --state, says what to do when the state file is missing or unreadable (otherwise an error)."`
	Events          string        `short:"e" default:"-" placeholder:"FILE|-" help:"Where classified events go as NDJSON: a file (appended; reopened on SIGHUP) or - for stdout."`
	Poll            time.Duration `default:"250ms" help:"How often an idle file is looked at for growth and rotation."`
	Rescan          time.Duration `default:"10s" help:"How often globs are expanded again for new files."`
	SummaryEvery    time.Duration `placeholder:"1m" help:"Print a short summary of the last period to stderr this often (events by status, top reasons, worst domains and providers, active alerts); 0 = never."`
	Listen          string        `placeholder:"127.0.0.1:9187" help:"Serve Prometheus metrics (/metrics) and /healthz on this address. Loopback only unless --listen-public."`
	ListenPublic    bool          `help:"Allow --listen on an address other than loopback (metrics are read-only, but they name your domains and providers)."`
	MetricDomains   int           `default:"20" help:"Recipient domains given their own metric label (the busiest); the rest are 'other'."`
	Alerts          string        `placeholder:"FILE|-" help:"Also write alerts (raised and resolved) as NDJSON to FILE, or - for stdout."`
	AlertWindow     time.Duration `default:"10m" help:"Alert window, in log time."`
	AlertMinEvents  int           `default:"20" help:"Fewest outcomes of a provider in the window for a rate alert."`
	AlertRate       float64       `default:"0.3" help:"Bounce or deferral rate above which a provider raises a rate alert..."`
	AlertFactor     float64       `default:"3" help:"...when the rate is also this many times its own rate of the previous hour."`
	Year            int           `help:"Year of yearless syslog stamps (default: from each file's modification time)."`
	TZ              string        `name:"tz" default:"Local" help:"Time zone of stamps without a zone."`
	MaxLine         ByteSize      `default:"1MiB" help:"Longer lines are cut to this size and counted."`
	Rules           string        `placeholder:"FILE" help:"Extra classification rules (TOML or YAML), tried first."`
	Taxonomy        bool          `help:"Every event's verdict also names its reason as Sisimai 4 did and by PowerMTA-style bounce category (sisimai4_reason, bounce_category; README: Other taxonomies)."`
	Progress        bool          `default:"true" negatable:"" help:"While the files' existing content is read (--from start, or a restart behind), show a progress bar on stderr until caught up (only when stderr is a terminal)."`
	LimitFlags      `embed:""`
	RedactFlags
}

// Help is shown by `bouncescan tail --help` below the flags.
func (TailCmd) Help() string {
	return `Follows logs as they grow, across logrotate's create (rename + new file),
copytruncate, and delete + recreate, and prints every classified event as
NDJSON. With --state it checkpoints where it is; after a restart, even after
kill -9, it goes on from there: a file rotated meanwhile is found among its
rotated siblings (mail.log.1, mail.log.2.gz, mail.log-20261122) by content
and finished first. Events written to an --events FILE after the last
checkpoint are cut off and written again, so the file holds each event once;
on stdout a kill -9 can repeat the events since the last checkpoint.

Examples:
  bouncescan tail /var/log/mail.log
  bouncescan tail --state /var/lib/bouncescan/state.json --events /var/log/bouncescan/events.ndjson /var/log/mail.log
  bouncescan tail --from start "/var/log/exim4/*log"

SIGINT and SIGTERM write a last checkpoint and exit 0; SIGHUP reopens
--events (for logrotate of bouncescan's own output).`
}

// tailState is what --state holds.
type tailState struct {
	Version    int                  `json:"version"`
	Written    time.Time            `json:"written"`
	Checkpoint *pipeline.Checkpoint `json:"checkpoint"`
	// Events is the --events file and its size at the checkpoint: a
	// restart cuts off what was written after.
	Events *outputMark `json:"events,omitempty"`
}

type outputMark struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
}

const tailStateVersion = 1

// Run follows.
func (c *TailCmd) Run(app *App) error {
	fail := func(err error) error { return &exitError{code: exitFailure, err: err} }
	loc, err := loadLocation(c.TZ)
	if err != nil {
		return fail(err)
	}
	formats := parsers.Builtin()
	if c.Format != "auto" {
		if _, ok := parsers.Lookup(formats, c.Format); !ok {
			return fail(fmt.Errorf("unknown --format %q: use auto or one of %s", c.Format, formatNames(formats)))
		}
	}
	if c.CheckpointEvery <= 0 || c.Poll <= 0 || c.Rescan <= 0 || c.AlertWindow <= 0 || c.SummaryEvery < 0 {
		return fail(errors.New("--checkpoint-every, --poll, --rescan and --alert-window must be positive durations (5s, 250ms, 10s, 10m), --summary-every positive or 0"))
	}
	if c.MetricDomains < 0 || c.AlertMinEvents < 1 || c.AlertRate <= 0 || c.AlertRate > 1 || c.AlertFactor < 1 {
		return fail(errors.New("--metric-domains ≥ 0, --alert-min-events ≥ 1, 0 < --alert-rate ≤ 1, --alert-factor ≥ 1"))
	}
	opts := parsekit.Options{Year: c.Year, Location: loc, Now: app.Now}
	var limits aggregate.Limits
	if err := c.apply(&opts, &limits); err != nil {
		return fail(err)
	}
	cl, err := classify.New(classify.Options{RulesFile: c.Rules})
	if err != nil {
		return fail(err)
	}
	rewrite, err := c.rewrite(app)
	if err != nil {
		return fail(err)
	}
	state, err := c.loadState(app)
	if err != nil {
		return fail(err)
	}
	var cp *pipeline.Checkpoint
	if state != nil {
		cp = state.Checkpoint
	}
	paths := expandFollow(c.Files)
	if len(paths) == 0 {
		return fail(fmt.Errorf("nothing to follow: %q names no file and no pattern", c.Files))
	}

	events, err := c.openEvents(app, state, paths)
	if err != nil {
		return fail(err)
	}
	defer events.close()
	if c.Taxonomy {
		events.tax = taxonomy(cl)
	}

	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stopSignals := tailSignals(app, cancel, events)
	defer stopSignals()

	var srcs []source.Lines
	var backlog []int64
	followed := map[string]bool{}
	first := &pipeline.Checkpoint{Version: pipeline.CheckpointVersion}
	for _, p := range paths {
		src, start, behind, err := c.source(app, p, cp, stateTime(state))
		if err != nil {
			for _, s := range srcs {
				s.Close()
			}
			return fail(err)
		}
		if start != nil {
			first.Files = append(first.Files, *start)
		}
		followed[p] = true
		srcs = append(srcs, src)
		backlog = append(backlog, behind)
	}
	defer func() {
		for _, s := range srcs {
			s.Close()
		}
	}()
	more := make(chan source.Lines)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.rescan(ctx, app, followed, more)
	}()

	checkpointNow := make(chan struct{}, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(c.CheckpointEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				select {
				case checkpointNow <- struct{}{}:
				default:
				}
			case <-ctx.Done():
				return
			}
		}
	}()

	report := aggregate.New(limits)
	sw := &stateWriter{path: c.State, spool: c.spoolDir(), events: events}
	live, err := c.liveConsumers(ctx, app, paths, &wg)
	if err != nil {
		return fail(err)
	}
	defer live.close()
	consumers := append([]pipeline.Consumer{events}, live.consumers...)
	if c.State != "" {
		consumers = append(consumers, sw)
	}
	// a bar while the backlog is read, on a terminal only
	var bar *catchUp
	if c.Progress && app.StderrIsTerminal {
		bar = newCatchUp(app, backlog)
	}
	defer bar.close()
	if bar != nil {
		consumers = append(consumers, bar)
	}
	read := make([]source.Lines, len(srcs))
	for i, s := range srcs {
		read[i] = bar.wrap(s, backlog[i])
	}
	cfg := pipeline.Config{
		Formats:       formats,
		Format:        c.Format,
		Parser:        opts,
		MaxLine:       int(c.MaxLine),
		Classify:      cl,
		Rewrite:       rewrite,
		Consumers:     consumers,
		Resume:        cp,
		CheckpointNow: checkpointNow,
		OnFileError:   func(err error) { fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err) },
	}
	if c.State != "" && state == nil {
		// a first state before any event, naming where each file is read
		// from: a kill before the first checkpoint goes on from there (and
		// cuts --events back to here), also if a file is rotated meanwhile
		if err := sw.Checkpoint(first); err != nil {
			return fail(err)
		}
		cfg.Resume = first
	}
	runErr := pipeline.Follow(ctx, cfg, read, more, report)
	cancel(nil)
	bar.close()
	wg.Wait()
	var sig *signalError
	switch {
	case errors.As(runErr, &sig), runErr == nil, errors.Is(runErr, pipeline.ErrInterrupted):
	default:
		return fail(runErr)
	}
	if err := events.flush(false); err != nil {
		return fail(fmt.Errorf("--events: %w", err))
	}
	return nil
}

// liveOut is what the live consumers need beside the pipeline.
type liveOut struct {
	consumers []pipeline.Consumer
	alertsOut *os.File
	alertsBW  *bufio.Writer
	mu        sync.Mutex
}

func (l *liveOut) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.alertsBW != nil {
		l.alertsBW.Flush()
	}
	if l.alertsOut != nil {
		l.alertsOut.Close()
	}
}

// liveConsumers builds the metrics, alerts and summary consumers the
// flags ask for, and starts the metrics server and the summary ticker.
func (c *TailCmd) liveConsumers(ctx context.Context, app *App, paths []string, wg *sync.WaitGroup) (*liveOut, error) {
	out := &liveOut{}
	var metrics *live.Metrics
	if c.Listen != "" {
		metrics = live.NewMetrics(live.MetricsOptions{Domains: c.MetricDomains})
		addr, err := live.Serve(ctx, c.Listen, c.ListenPublic, metrics.Handler())
		if err != nil {
			return nil, fmt.Errorf("--listen %s: %w", c.Listen, err)
		}
		fmt.Fprintf(app.Stderr, "bouncescan: metrics on http://%s/metrics\n", addr)
		out.consumers = append(out.consumers, metrics, &metricsCheckpoints{m: metrics})
	}
	var alertW io.Writer
	if c.Alerts != "" {
		if c.Alerts == "-" {
			alertW = app.Stdout
		} else {
			var in []source.Input
			for _, p := range paths {
				in = append(in, source.Input{Name: p, Path: p})
			}
			if x, ok := source.FindInput(c.Alerts, in); ok {
				return nil, fmt.Errorf("--alerts %s: that is the followed file %s; refusing to write over a log", c.Alerts, x.Name)
			}
			f, err := os.OpenFile(c.Alerts, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				return nil, fmt.Errorf("--alerts: %w", err)
			}
			out.alertsOut, alertW = f, f
		}
		out.alertsBW = bufio.NewWriter(alertW)
	}
	needAlerts := c.Alerts != "" || c.Listen != "" || c.SummaryEvery > 0
	var alerts *live.Alerts
	if needAlerts {
		enc := json.NewEncoder(out.alertsBW)
		alerts = live.NewAlerts(live.AlertOptions{Window: c.AlertWindow, MinVolume: c.AlertMinEvents, Threshold: c.AlertRate, Factor: c.AlertFactor,
			Metrics: metrics,
			OnAlert: func(a live.Alert) {
				if out.alertsBW == nil {
					return
				}
				out.mu.Lock()
				defer out.mu.Unlock()
				if err := enc.Encode(a); err == nil {
					out.alertsBW.Flush()
				}
			}})
		out.consumers = append(out.consumers, alerts)
	}
	if c.SummaryEvery > 0 {
		sum := live.NewSummary(live.SummaryOptions{Alerts: alerts, Start: app.Now()})
		out.consumers = append(out.consumers, sum)
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(c.SummaryEvery)
			defer t.Stop()
			for {
				select {
				case now := <-t.C:
					sum.Write(app.Stderr, now)
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	return out, nil
}

// metricsCheckpoints turns each checkpoint into the metrics of lines read,
// lag behind each file's end, unparsed lines and parser state.
type metricsCheckpoints struct{ m *live.Metrics }

func (*metricsCheckpoints) Consume([]bouncescan.Event) error { return nil }

func (mc *metricsCheckpoints) Checkpoint(cp *pipeline.Checkpoint) error {
	last := map[string]pipeline.FileState{}
	for _, f := range cp.Files {
		last[f.Name] = f
	}
	for name, f := range last {
		if fi, err := os.Stat(name); err == nil && fi.Size() >= f.Offset {
			mc.m.SetLag(name, fi.Size()-f.Offset)
		}
	}
	if st := cp.Stats; st != nil {
		for name, n := range st.Lines {
			mc.m.SetLines(name, n)
		}
		for reason, n := range st.Unparsed {
			mc.m.SetUnparsed(reason, n)
		}
		for mta, s := range st.Parsers {
			mc.m.SetState(mta, s.Messages, s.Dropped())
		}
	}
	mc.m.CheckpointWritten(time.Now())
	return nil
}

// loadState reads --state. A missing or unreadable state file is an error
// unless --from says where to start instead.
func (c *TailCmd) loadState(app *App) (*tailState, error) {
	if c.State == "" {
		return nil, nil
	}
	data, err := os.ReadFile(c.State)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && c.From != "" {
			return nil, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--state %s: no such file; on a first run say where to start with --from start or --from end", c.State)
		}
		return nil, fmt.Errorf("--state %s: %w", c.State, err)
	}
	var st tailState
	err = json.Unmarshal(data, &st)
	if err == nil && (st.Version != tailStateVersion || st.Checkpoint == nil) {
		err = fmt.Errorf("state version %d (this bouncescan writes version %d)", st.Version, tailStateVersion)
	}
	if err == nil {
		err = st.Checkpoint.Validate()
	}
	if err != nil {
		if c.From != "" {
			fmt.Fprintf(app.Stderr, "bouncescan: --state %s is unreadable (%v): starting from the %s as --from says\n", c.State, err, c.From)
			return nil, nil
		}
		return nil, fmt.Errorf("--state %s: not a bouncescan state file: %v (move it away, or add --from start|end to start afresh)", c.State, err)
	}
	return &st, nil
}

// expandFollow turns arguments into paths to follow: a pattern gives the
// files it matches now (the rest come with rescans), a plain path is
// followed even if it does not exist yet. Rotated generations of a log
// are not followed (their live file is).
func expandFollow(args []string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			add(a)
			continue
		}
		matches, _ := filepath.Glob(a)
		for _, m := range matches {
			if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() && isLive(m) {
				add(m)
			}
		}
	}
	return out
}

// isLive reports whether p is a log's live file, not a rotated generation.
func isLive(p string) bool {
	_, kind, _ := source.Generation(p)
	lower := strings.ToLower(p)
	for _, ext := range []string{".gz", ".bz2", ".xz", ".zst"} {
		if strings.HasSuffix(lower, ext) {
			return false
		}
	}
	return kind == 0
}

// rescan expands the patterns again now and then, and hands new files on.
func (c *TailCmd) rescan(ctx context.Context, app *App, followed map[string]bool, more chan<- source.Lines) {
	hasPattern := false
	for _, a := range c.Files {
		hasPattern = hasPattern || strings.ContainsAny(a, "*?[")
	}
	if !hasPattern {
		return
	}
	t := time.NewTicker(c.Rescan)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		for _, p := range expandFollow(c.Files) {
			if followed[p] {
				continue
			}
			f, err := source.Follow(p, c.followOptions(app))
			if err != nil {
				fmt.Fprintf(app.Stderr, "bouncescan: %v\n", err)
				continue
			}
			followed[p] = true
			fmt.Fprintf(app.Stderr, "bouncescan: following %s (new file matching a pattern)\n", p)
			select {
			case more <- f:
			case <-ctx.Done():
				f.Close()
				return
			}
		}
	}
}

// followOptions are the options of every follower.
func (c *TailCmd) followOptions(app *App) source.FollowOptions {
	fo := source.FollowOptions{Poll: c.Poll, MaxLine: int(c.MaxLine), OnNotice: notice(app)}
	if c.State != "" {
		fo.OnDeleted = func(f *os.File, seg *source.Segment) { c.spool(app, f, seg) }
	}
	return fo
}

// spoolDir keeps copies of deleted logs (delete-and-recreate rotation)
// beside the state file: a restart may need them again for the messages
// still open in them. A copy goes once the checkpoint needs it no more.
func (c *TailCmd) spoolDir() string { return c.State + ".spool" }

// spool copies a deleted log, read to its end, into the spool.
func (c *TailCmd) spool(app *App, f *os.File, seg *source.Segment) {
	dir := c.spoolDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(app.Stderr, "bouncescan: spool %s: %v\n", dir, err)
		return
	}
	dst := filepath.Join(dir, fmt.Sprintf("%016x.log", seg.Identity))
	tmp, err := os.CreateTemp(dir, ".copy*")
	if err == nil {
		_, err = io.Copy(tmp, io.NewSectionReader(f, 0, 1<<62))
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.Name(), dst)
		}
		if err != nil {
			os.Remove(tmp.Name())
		}
	}
	if err != nil {
		fmt.Fprintf(app.Stderr, "bouncescan: keeping a copy of deleted %s in %s: %v (a restart before its messages end loses their context)\n", seg.Name, dir, err)
	}
}

// spooled lists the spooled copies.
func (c *TailCmd) spooled() []string {
	if c.State == "" {
		return nil
	}
	m, _ := filepath.Glob(filepath.Join(c.spoolDir(), "*.log"))
	return m
}

// pruneSpool removes the copies a checkpoint needs no more: a restart
// would read nothing of them again (every line delivered, and no parser
// state that needs them read again).
func pruneSpool(dir string, cp *pipeline.Checkpoint) {
	m, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, p := range m {
		id, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(p), ".log"), 16, 64)
		fi, serr := os.Stat(p)
		if err != nil || serr != nil {
			continue
		}
		if start, known := cp.Start(id); known && start >= fi.Size() {
			os.Remove(p)
		}
	}
}

func notice(app *App) func(source.Notice) {
	return func(n source.Notice) { fmt.Fprintf(app.Stderr, "bouncescan: %v\n", n) }
}

// source makes the source of one path: with a checkpoint, first what is
// left of its rotated generations that the checkpoint knows (renamed or
// copied away while bouncescan was not running), then the path followed
// from where the checkpoint says. Without one, the path from its start or
// its end (--from); start is then where that is, for a first checkpoint.
// backlog is how many bytes are there to read before the source is
// caught up (the bytes of the files beyond where reading starts).
func (c *TailCmd) source(app *App, path string, cp *pipeline.Checkpoint, since time.Time) (src source.Lines, start *pipeline.FileState, backlog int64, err error) {
	fo := c.followOptions(app)
	current, hasCurrent := identityOf(path, int(c.MaxLine))
	if cp == nil {
		if hasCurrent {
			off := int64(0)
			if c.From != "start" {
				if off, err = endOfLastLine(path); err != nil {
					return nil, nil, 0, err
				}
			}
			fo.Start = &source.Position{Identity: current, Offset: off}
			st := pipeline.StartAt(path, current, off)
			start = &st
			backlog = sizeBeyond(path, off)
		}
		f, err := source.Follow(path, fo)
		return f, start, backlog, err
	}
	var chain []source.Lines
	for _, sib := range append(rotatedSiblings(path), c.spooled()...) {
		id, ok := identityOf(sib, int(c.MaxLine))
		if !ok || hasCurrent && id == current {
			continue
		}
		from, known := cp.Start(id)
		if !known {
			// a content the checkpoint never saw: old history, unless it was
			// written to after the checkpoint (a file that appeared and was
			// rotated while bouncescan was not running): then all of it is new
			fi, err := os.Stat(sib)
			if err != nil || !fi.ModTime().After(since) {
				continue
			}
		}
		rd, err := source.Open(source.Input{Name: sib, Path: sib}, source.Options{MaxLine: int(c.MaxLine)})
		if err != nil {
			return nil, nil, 0, err
		}
		rd.Fingerprint()
		if !source.SkipTo(rd, from) {
			rd.Close()
			fmt.Fprintf(app.Stderr, "bouncescan: %s: shorter than the checkpoint says (%d bytes); not read again\n", sib, from)
			continue
		}
		backlog += sizeBeyond(sib, from)
		fmt.Fprintf(app.Stderr, "bouncescan: %s: finishing it from byte %d (rotated while bouncescan was not running)\n", sib, from)
		chain = append(chain, rd.Lines())
	}
	if hasCurrent {
		from, known := cp.Start(current)
		if known {
			fo.Start = &source.Position{Identity: current, Offset: from}
		}
		backlog += sizeBeyond(path, from)
	}
	f, err := source.Follow(path, fo)
	if err != nil {
		for _, s := range chain {
			s.Close()
		}
		return nil, nil, 0, err
	}
	if len(chain) == 0 {
		return f, nil, backlog, nil
	}
	return source.Chain(append(chain, f)...), nil, backlog, nil
}

// sizeBeyond is the size of the file at path beyond offset off (0 when
// it cannot be known). For a compressed file it is compressed bytes: the
// progress of catching up is then a guess.
func sizeBeyond(path string, off int64) int64 {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() <= off {
		return 0
	}
	return fi.Size() - off
}

// stateTime is when the state was written (zero without one).
func stateTime(st *tailState) time.Time {
	if st == nil {
		return time.Time{}
	}
	return st.Written
}

// endOfLastLine is the offset just after the last newline of a file.
func endOfLastLine(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := fi.Size(); end > 0; {
		n := int64(len(buf))
		if n > end {
			n = end
		}
		if _, err := f.ReadAt(buf[:n], end-n); err != nil && err != io.EOF {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end - n + int64(i) + 1, nil
		}
		end -= n
	}
	return 0, nil
}

// identityOf is the content identity of a file, if it has a data line.
func identityOf(path string, maxLine int) (uint64, bool) {
	rd, err := source.Open(source.Input{Name: path, Path: path}, source.Options{MaxLine: maxLine})
	if err != nil {
		return 0, false
	}
	defer rd.Close()
	id := rd.Fingerprint()
	head, _ := rd.Head(1)
	return id, len(head) > 0 && id != 0
}

// rotatedSiblings lists the rotated generations of path, oldest first.
func rotatedSiblings(path string) []string {
	var out []string
	for _, pat := range []string{path + ".*", path + "-*"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			if b, kind, _ := source.Generation(p); kind != 0 && b == path {
				out = append(out, p)
			}
		}
	}
	in := make([]source.Input, len(out))
	for i, p := range out {
		in[i] = source.Input{Name: p, Path: p}
	}
	source.RotationOrder(in)
	out = out[:0]
	for _, x := range in {
		out = append(out, x.Path)
	}
	return out
}

// tailSignals: SIGINT/SIGTERM end the run, SIGHUP reopens the outputs.
func tailSignals(app *App, cancel context.CancelCauseFunc, events *eventsOut) func() {
	if app.Notify == nil {
		return func() {}
	}
	ch := make(chan os.Signal, 4)
	app.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				if s == syscall.SIGHUP {
					events.reopenSoon()
					continue
				}
				cancel(&signalError{sig: s})
			case <-done:
				return
			}
		}
	}()
	return func() {
		app.StopNotify(ch)
		close(done)
	}
}

// eventsOut writes events as NDJSON to a file or stdout. Its methods run
// on the pipeline's second goroutine, but reopenSoon (SIGHUP).
type eventsOut struct {
	path    string // "" for stdout
	file    *os.File
	regular bool // a regular file: synced at checkpoints, cut back on restart
	bw      *bufio.Writer
	enc     *json.Encoder
	reopen  chan struct{}
	tax     aggregate.Taxonomy   // --taxonomy, or nil
	te      output.TaxonomyEvent // reused for each event with tax
}

func (c *TailCmd) openEvents(app *App, state *tailState, inputs []string) (*eventsOut, error) {
	e := &eventsOut{reopen: make(chan struct{}, 1)}
	if c.Events == "-" {
		e.setWriter(app.Stdout)
		return e, nil
	}
	var in []source.Input
	for _, p := range inputs {
		in = append(in, source.Input{Name: p, Path: p})
	}
	if x, ok := source.FindInput(c.Events, in); ok {
		return nil, fmt.Errorf("--events %s: that is the followed file %s; refusing to write over a log", c.Events, x.Name)
	}
	e.path = c.Events
	if err := e.open(); err != nil {
		return nil, err
	}
	// what was written after the last checkpoint is written again: cut it
	if state != nil && state.Events != nil && e.regular && sameFile(state.Events.Path, c.Events) {
		if fi, err := e.file.Stat(); err == nil && fi.Size() > state.Events.Size {
			if err := e.file.Truncate(state.Events.Size); err != nil {
				return nil, fmt.Errorf("--events %s: cutting what followed the checkpoint: %w", c.Events, err)
			}
			fmt.Fprintf(app.Stderr, "bouncescan: %s: %d bytes written after the last checkpoint cut off (they follow again)\n", c.Events, fi.Size()-state.Events.Size)
		}
	}
	return e, nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func (e *eventsOut) setWriter(w io.Writer) {
	e.bw = bufio.NewWriterSize(w, 64<<10)
	e.enc = json.NewEncoder(e.bw)
	e.enc.SetEscapeHTML(false)
}

func (e *eventsOut) open() error {
	f, err := os.OpenFile(e.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("--events: %w", err)
	}
	e.file = f
	if fi, err := f.Stat(); err == nil {
		e.regular = fi.Mode().IsRegular()
	}
	e.setWriter(f)
	return nil
}

func (e *eventsOut) reopenSoon() {
	select {
	case e.reopen <- struct{}{}:
	default:
	}
}

// Consume writes the events; a pending SIGHUP reopens the file first.
func (e *eventsOut) Consume(evs []bouncescan.Event) error {
	select {
	case <-e.reopen:
		if e.file != nil {
			if err := e.flush(false); err != nil {
				return err
			}
			e.file.Close()
			if err := e.open(); err != nil {
				return err
			}
		}
	default:
	}
	for i := range evs {
		var err error
		if e.tax != nil && evs[i].Verdict != nil {
			e.te.Set(&evs[i], e.tax)
			err = e.enc.Encode(&e.te)
		} else {
			err = e.enc.Encode(&evs[i])
		}
		if err != nil {
			return fmt.Errorf("--events: %w", err)
		}
	}
	return e.flush(false)
}

// flush writes out what is buffered; sync also makes it durable.
func (e *eventsOut) flush(sync bool) error {
	if err := e.bw.Flush(); err != nil {
		return err
	}
	if sync && e.file != nil && e.regular {
		return e.file.Sync()
	}
	return nil
}

// mark is the file and its size, for the state.
func (e *eventsOut) mark() (*outputMark, error) {
	if e.file == nil || !e.regular {
		return nil, nil
	}
	fi, err := e.file.Stat()
	if err != nil {
		return nil, err
	}
	return &outputMark{Path: e.path, Size: fi.Size()}, nil
}

func (e *eventsOut) close() {
	if e.file != nil {
		e.bw.Flush()
		e.file.Close()
	}
}

// stateWriter writes --state at each checkpoint, after the events before
// it are durable in --events.
type stateWriter struct {
	path   string
	spool  string
	events *eventsOut
}

func (s *stateWriter) Consume([]bouncescan.Event) error { return nil }

func (s *stateWriter) Checkpoint(cp *pipeline.Checkpoint) error {
	if err := s.events.flush(true); err != nil {
		return fmt.Errorf("--events: %w", err)
	}
	m, err := s.events.mark()
	if err != nil {
		return fmt.Errorf("--events: %w", err)
	}
	data, err := json.MarshalIndent(tailState{Version: tailStateVersion, Written: time.Now().UTC(), Checkpoint: cp, Events: m}, "", " ")
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path, append(data, '\n')); err != nil {
		return err
	}
	pruneSpool(s.spool, cp)
	return nil
}

// writeAtomic replaces path with data: a temporary file in the same
// directory, synced, renamed over path, the directory synced. A crash
// leaves the old file or the new one, never a part.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("--state %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("--state %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
