package export

import (
	"cmp"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/bouncescan/bouncescan/internal/pipeline"
)

// Options configure an Exporter.
type Options struct {
	Dir           string // the export's root directory
	Format        string // parquet (default), csv, ndjson
	Partition     string // day (default), hour, none
	PartitionHost bool   // add host=… below the time partition
	Redacted      bool   // recorded in the Parquet metadata
	Version       string // bouncescan's version, for Parquet's created_by
	// RowGroupRows is the number of rows per Parquet row group (0: 131072,
	// about 10–20 MB compressed per group, what engines read well).
	RowGroupRows int
	// MaxOpen bounds the event files open at once (0: 8): when events of a
	// further partition arrive, the least recently used file is finished.
	// Logs are in time order, so one or two are open in practice.
	MaxOpen int
	// MaxGroups bounds the stats groups held (0: 200 000); beyond it, new
	// groups are counted under the domain "(other)".
	MaxGroups int
	// MaxRecipients bounds the distinct recipients remembered for the stats
	// (0: 1 << 20); beyond it, recipients counts are lower bounds.
	MaxRecipients int
	// Taxonomy, when set (`export --taxonomy`), adds the columns
	// sisimai4_reason and bounce_category to both tables: the names it
	// gives a verdict's reason (aggregate.Taxonomy). Nil: the tables have
	// no such columns, and nothing is looked up.
	Taxonomy func(reason string) (sisimai4, category string)
	Now      func() time.Time
}

func (o *Options) rowGroupRows() int { return cmp.Or(o.RowGroupRows, 131072) }

// Partitions lists the --partition choices.
func Partitions() []string { return []string{"day", "hour", "none"} }

// Summary tells what a run wrote.
type Summary struct {
	Events     int64    // rows written to the events table
	Files      []string // data files written (events and stats), in order
	Replaced   int      // files that replaced a file of the same name (same rows)
	Superseded int      // files removed because a new file holds their rows
	// StatsFolded counts events whose stats group was folded into the
	// domain "(other)" (MaxGroups); RecipientsCapped events whose
	// recipient could not be remembered (MaxRecipients).
	StatsFolded, RecipientsCapped int64
}

// Exporter writes the events it consumes into the events and stats tables
// under Options.Dir. Call Close after the run to finish the files (or
// Abort to remove what is not finished).
type Exporter struct {
	o       Options
	ext     string
	units   map[unitKey]*unit
	tick    int64
	written map[string]bool
	stats   statsAcc
	cp      *pipeline.Checkpoint
	sum     Summary

	// the partitions of the last event, to build no path per event
	lastEvents, lastStats partMemo
}

// partMemo remembers the directory of the last (time unit, host) asked
// for: events come in time order, so nearly every event has the one of
// the event before it, and building the path (formatting the date,
// joining the parts) cost about 7 % of an export.
type partMemo struct {
	unit     int64
	host     string
	dir      string
	notEmpty bool
}

// get returns the directory for the time unit and host, from build when
// they are not the last ones.
func (m *partMemo) get(unit int64, host string, build func() string) string {
	if !m.notEmpty || unit != m.unit || host != m.host {
		m.unit, m.host, m.dir, m.notEmpty = unit, host, build(), true
	}
	return m.dir
}

// timeUnit numbers t's hour (or day: secs 86400) since the epoch, rounded
// down; the zero time (no stamp) has a number of its own.
func timeUnit(t time.Time, secs int64) int64 {
	if t.IsZero() {
		return -1 << 62
	}
	u := t.Unix()
	n := u / secs
	if u < 0 && u%secs != 0 {
		n--
	}
	return n
}

type unitKey struct{ dir, identity string }

// unit is one events file being written.
type unit struct {
	key         unitKey
	f           *atomicFile
	w           rowWriter[EventRow]
	rows        []EventRow
	bg          *background // writes rows to w on a goroutine of its own
	first, last int64
	lastUse     int64
}

// flushRows is how many rows a unit buffers before handing them to its
// writer.
const flushRows = 2048

// ErrOptions reports bad Options.
var ErrOptions = errors.New("bad export options")

// New makes an Exporter.
func New(o Options) (*Exporter, error) {
	o.Format = cmp.Or(o.Format, "parquet")
	o.Partition = cmp.Or(o.Partition, "day")
	ext, ok := formatExts[o.Format]
	if !ok {
		return nil, fmt.Errorf("%w: format %q (one of %s)", ErrOptions, o.Format, strings.Join(Formats(), ", "))
	}
	if !slices.Contains(Partitions(), o.Partition) {
		return nil, fmt.Errorf("%w: partition %q (one of %s)", ErrOptions, o.Partition, strings.Join(Partitions(), ", "))
	}
	if o.Dir == "" {
		return nil, fmt.Errorf("%w: no directory", ErrOptions)
	}
	o.MaxOpen = cmp.Or(o.MaxOpen, 8)
	if o.Now == nil {
		o.Now = time.Now
	}
	x := &Exporter{o: o, ext: ext, units: map[unitKey]*unit{}, written: map[string]bool{}}
	x.stats.init(cmp.Or(o.MaxGroups, 200_000), cmp.Or(o.MaxRecipients, 1<<20))
	return x, nil
}

// Consume implements pipeline.Consumer: it copies each event into a row.
func (x *Exporter) Consume(events []bouncescan.Event) error {
	for i := range events {
		e := &events[i]
		row := eventRow(e)
		if x.o.Taxonomy != nil && e.Verdict != nil && e.Verdict.Reason != "" {
			row.Sisimai4Reason, row.BounceCategory = x.o.Taxonomy(e.Verdict.Reason)
		}
		if len(row.SourceIdentity) != 16 {
			row.SourceIdentity = "0000000000000000"
		}
		dir := x.eventDir(e.Time, e.Host)
		u, err := x.unit(dir, row.SourceIdentity)
		if err != nil {
			return err
		}
		if u.first < 0 {
			u.first = row.Offset
		}
		u.last = row.Offset
		u.rows = append(u.rows, row)
		if len(u.rows) >= flushRows {
			if err := u.flush(); err != nil {
				return err
			}
		}
		x.stats.add(x, e, row.SourceIdentity)
		x.sum.Events++
	}
	return nil
}

// Checkpoint implements pipeline.Checkpointer: the last one is the state
// to save once the files are committed.
func (x *Exporter) Checkpoint(cp *pipeline.Checkpoint) error {
	x.cp = cp
	return nil
}

// Summary tells what was written so far.
func (x *Exporter) Summary() Summary { return x.sum }

// LastCheckpoint is the last checkpoint of the run (nil if none came).
func (x *Exporter) LastCheckpoint() *pipeline.Checkpoint { return x.cp }

// eventDir is the partition directory of an event.
func (x *Exporter) eventDir(t time.Time, host string) string {
	return x.lastEvents.get(timeUnit(t, 3600), host, func() string {
		parts := []string{x.o.Dir, "table=events"}
		parts = append(parts, x.timeParts(t, x.o.Partition)...)
		if x.o.PartitionHost {
			parts = append(parts, "host="+sanitize(host))
		}
		return filepath.Join(parts...)
	})
}

func (x *Exporter) timeParts(t time.Time, partition string) []string {
	switch partition {
	case "none":
		return nil
	case "hour":
		if t.IsZero() {
			return []string{"date=" + NullPartition, "hour=" + NullPartition}
		}
		u := t.UTC()
		return []string{"date=" + u.Format(time.DateOnly), fmt.Sprintf("hour=%02d", u.Hour())}
	}
	if t.IsZero() {
		return []string{"date=" + NullPartition}
	}
	return []string{"date=" + t.UTC().Format(time.DateOnly)}
}

// unit returns the open events file of a partition and identity, opening
// one (and finishing the least recently used beyond MaxOpen).
func (x *Exporter) unit(dir, identity string) (*unit, error) {
	x.tick++
	k := unitKey{dir, identity}
	if u := x.units[k]; u != nil {
		u.lastUse = x.tick
		return u, nil
	}
	if len(x.units) >= x.o.MaxOpen {
		var old *unit
		for _, u := range x.units {
			if old == nil || u.lastUse < old.lastUse {
				old = u
			}
		}
		if err := x.finish(old); err != nil {
			return nil, err
		}
	}
	removeStaleTemps(dir, x.o.Now())
	f, err := createAtomic(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	u := &unit{key: k, f: f, first: -1, lastUse: x.tick}
	u.w = newRowWriter[EventRow](x.o.Format, f, &x.o)
	u.bg = newBackground(u.w)
	x.units[k] = u
	return u, nil
}

// flush hands the buffered rows to the unit's writing goroutine; the
// error is one an earlier batch met.
func (u *unit) flush() error {
	if len(u.rows) == 0 {
		return nil
	}
	var err error
	if u.rows, err = u.bg.write(u.rows); err != nil {
		return errorf(u.f.tmp, err)
	}
	return nil
}

// finish writes the rest of a unit and renames it into place.
func (x *Exporter) finish(u *unit) error {
	delete(x.units, u.key)
	_ = u.flush() // an error is wait's too
	err := u.bg.wait()
	if err == nil {
		err = u.w.close()
	}
	if err != nil {
		u.f.abort()
		return errorf(u.f.tmp, err)
	}
	return x.commit(u.f, u.key.dir, u.key.identity, u.first, u.last)
}

// commit renames a finished file to the name of its rows and removes the
// files it supersedes.
func (x *Exporter) commit(f *atomicFile, dir, identity string, first, last int64) error {
	name := fileName(identity, first, last, x.ext)
	final := filepath.Join(dir, name)
	if _, err := os.Lstat(final); err == nil {
		x.sum.Replaced++
	}
	if err := f.commit(name); err != nil {
		return err
	}
	x.written[final] = true
	x.sum.Files = append(x.sum.Files, final)
	n, err := supersede(dir, identity, first, last, x.ext, x.written)
	x.sum.Superseded += n
	return err
}

// Close finishes every events file and writes the stats table. The
// summary tells what was written.
func (x *Exporter) Close() (Summary, error) {
	units := make([]*unit, 0, len(x.units))
	for _, u := range x.units {
		units = append(units, u)
	}
	slices.SortFunc(units, func(a, b *unit) int { return cmp.Compare(a.lastUse, b.lastUse) })
	for i, u := range units {
		if err := x.finish(u); err != nil {
			for _, v := range units[i+1:] {
				v.bg.wait()
				v.f.abort()
			}
			x.units = map[unitKey]*unit{}
			return x.sum, err
		}
	}
	err := x.writeStats()
	x.sum.StatsFolded, x.sum.RecipientsCapped = x.stats.folded, x.stats.capped
	return x.sum, err
}

// Abort removes the files not yet finished (after a failed run); files
// already renamed into place are complete and stay.
func (x *Exporter) Abort() {
	for _, u := range x.units {
		u.bg.wait()
		u.f.abort()
	}
	x.units = map[unitKey]*unit{}
}

// statsAcc sums the stats table in memory (bounded: MaxGroups groups,
// MaxRecipients distinct recipients).
type statsAcc struct {
	groups        map[statsKey]*statsVal
	files         map[unitKey]*offsetRange
	recipients    map[recipKey]struct{}
	seed          maphash.Seed
	maxGroups     int
	maxRecipients int
	folded        int64
	capped        int64
}

type statsKey struct {
	dir                                               string
	day                                               int32
	host, domain, provider, status, class, reason, id string
}

type statsVal struct {
	idx                   int32
	events, recips, delay int64
	delaySum              float64
	first, last           int64
}

type recipKey struct {
	group int32
	h     uint64
}

type offsetRange struct{ first, last int64 }

func (s *statsAcc) init(maxGroups, maxRecipients int) {
	s.groups, s.files, s.recipients = map[statsKey]*statsVal{}, map[unitKey]*offsetRange{}, map[recipKey]struct{}{}
	s.seed, s.maxGroups, s.maxRecipients = maphash.MakeSeed(), maxGroups, maxRecipients
}

// OtherDomain is the domain of stats groups folded beyond MaxGroups.
const OtherDomain = "(other)"

func (s *statsAcc) add(x *Exporter, e *bouncescan.Event, identity string) {
	k := statsKey{host: e.Host, domain: e.Domain, status: e.Status.String(), id: identity, day: -1 << 30}
	if !e.Time.IsZero() {
		k.day = int32(e.Time.UTC().Unix() / 86400)
		if e.Time.Unix() < 0 && e.Time.Unix()%86400 != 0 {
			k.day--
		}
	}
	if v := e.Verdict; v != nil {
		k.provider, k.class, k.reason = v.Provider, v.Class.String(), v.Reason
	}
	k.dir = x.statsDir(e.Time, e.Host)
	g := s.groups[k]
	if g == nil {
		if len(s.groups) >= s.maxGroups {
			s.folded++
			k.domain = OtherDomain
			g = s.groups[k]
		}
		if g == nil {
			g = &statsVal{idx: int32(len(s.groups)), first: micros(e.Time), last: micros(e.Time)}
			s.groups[k] = g
		}
	}
	g.events++
	if e.Delay != 0 {
		g.delay++
		g.delaySum += e.Delay
	}
	if t := micros(e.Time); t != 0 {
		if g.first == 0 || t < g.first {
			g.first = t
		}
		if t > g.last {
			g.last = t
		}
	}
	if e.Recipient != "" {
		rk := recipKey{g.idx, maphash.String(s.seed, strings.ToLower(e.Recipient))}
		if _, ok := s.recipients[rk]; !ok {
			if len(s.recipients) < s.maxRecipients {
				s.recipients[rk] = struct{}{}
				g.recips++
			} else {
				s.capped++
			}
		}
	}
	fk := unitKey{k.dir, identity}
	if r := s.files[fk]; r == nil {
		s.files[fk] = &offsetRange{e.Offset, e.Offset}
	} else {
		r.last = e.Offset
	}
}

func (x *Exporter) statsDir(t time.Time, host string) string {
	return x.lastStats.get(timeUnit(t, 86400), host, func() string {
		parts := []string{x.o.Dir, "table=stats"}
		if x.o.Partition != "none" {
			parts = append(parts, x.timeParts(t, "day")...)
		}
		if x.o.PartitionHost {
			parts = append(parts, "host="+sanitize(host))
		}
		return filepath.Join(parts...)
	})
}

// writeStats writes one stats file per partition and identity, rows in
// key order (the same content for the same events).
func (x *Exporter) writeStats() error {
	s := &x.stats
	byFile := map[unitKey][]StatsRow{}
	for k, g := range s.groups {
		fk := unitKey{k.dir, k.id}
		byFile[fk] = append(byFile[fk], StatsRow{Day: k.day, Host: k.host, Domain: k.domain, Provider: k.provider,
			Status: k.status, Class: k.class, Reason: k.reason, SourceIdentity: k.id, Events: g.events,
			Recipients: g.recips, DelaySum: g.delaySum, Delayed: g.delay, FirstTime: g.first, LastTime: g.last})
		if x.o.Taxonomy != nil && k.reason != "" {
			row := &byFile[fk][len(byFile[fk])-1]
			row.Sisimai4Reason, row.BounceCategory = x.o.Taxonomy(k.reason)
		}
	}
	keys := make([]unitKey, 0, len(byFile))
	for k := range byFile {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b unitKey) int { return cmp.Or(cmp.Compare(a.dir, b.dir), cmp.Compare(a.identity, b.identity)) })
	for _, fk := range keys {
		rows := byFile[fk]
		slices.SortFunc(rows, func(a, b StatsRow) int {
			return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Host, b.Host), cmp.Compare(a.Domain, b.Domain),
				cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Status, b.Status), cmp.Compare(a.Class, b.Class), cmp.Compare(a.Reason, b.Reason))
		})
		f, err := createAtomic(fk.dir)
		if err != nil {
			return fmt.Errorf("cannot write in %s: %w", fk.dir, err)
		}
		w := newRowWriter[StatsRow](x.o.Format, f, &x.o)
		if err := w.write(rows); err == nil {
			err = w.close()
		}
		if err != nil {
			f.abort()
			return errorf(f.tmp, err)
		}
		r := s.files[fk]
		if err := x.commit(f, fk.dir, fk.identity, r.first, r.last); err != nil {
			return err
		}
	}
	return nil
}
