// Package aggregate turns a stream of classified events into a Report:
// totals by status, class, subject, reason, provider and MTA; groups (by
// recipient domain, provider, or any --group-by list) with their rates,
// delays and retry outcomes; volume (messages, bytes, senders,
// recipients); outcomes over time; diagnostic templates and the ones the
// classifier could not decide; rejects by restriction and client; what
// was read and what could not be, with examples of unparsed lines.
//
// Everything is bounded (groups, templates, messages, pending recipients,
// top senders) and what did not fit is counted in Dropped. A Report's
// JSON form holds everything merging needs: Decode it, Merge it, and the
// result is the report one run over all the inputs gives (see Merge).
package aggregate

import (
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Version is the version of the JSON report layout; Decode refuses others.
const Version = 2

// Limits bound the memory of a Report. Zero fields take the defaults.
type Limits struct {
	Groups     int           // rows per group (default 100 000); beyond, events are summed in an "(other)" row
	Templates  int           // distinct diagnostic templates (default 10 000)
	Messages   int           // messages remembered to count each once (default 65 536; see Report.recent)
	Pending    int           // deferred recipients remembered to find those still pending (default 1 000 000)
	Top        int           // senders and recipients tracked for the top lists, and reject keys (default 10 000)
	Buckets    int           // time buckets (default 100 000)
	Bucket     time.Duration // time bucket size (default 1h)
	Unparsed   int           // examples kept per unparsed reason (default 5)
	GroupBy    [][]string    // extra groups (--group-by), besides domain and provider
	SketchP    uint8         // HyperLogLog precision of the report-wide distinct counts (default 14)
	ExactTotal int           // distinct recipients counted exactly before the sketch (default 100 000)
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.Groups, 100_000)
	def(&l.Templates, 10_000)
	def(&l.Messages, 65_536)
	def(&l.Pending, 1_000_000)
	def(&l.Top, 10_000)
	def(&l.Buckets, 100_000)
	def(&l.Unparsed, 5)
	def(&l.ExactTotal, 100_000)
	if l.Bucket <= 0 {
		l.Bucket = time.Hour
	}
	if l.SketchP == 0 {
		l.SketchP = 14
	}
	return l
}

// Report is the result of a scan. Its exported fields are its JSON form.
type Report struct {
	Version int `json:"version"`
	// Partial, when set, says why the report does not cover all input
	// (the run was interrupted).
	Partial string    `json:"partial,omitempty"`
	Files   []*File   `json:"files"`
	Input   Input     `json:"input"`
	Events  int64     `json:"events"`
	First   time.Time `json:"first,omitzero"`
	Last    time.Time `json:"last,omitzero"`

	// The breakdowns ByStatus … ByMTA are complete after Finish (Add
	// counts them apart).
	Totals     Outcomes `json:"totals"`
	ByStatus   Counts   `json:"by_status"`
	ByClass    Counts   `json:"by_class"`
	BySubject  Counts   `json:"by_subject"`
	ByReason   Counts   `json:"by_reason"`
	ByProvider Counts   `json:"by_provider"`
	ByMTA      Counts   `json:"by_mta"`
	Volume     Volume   `json:"volume"`

	// ByBounceCategory: outcomes other than deliveries by PowerMTA-style
	// bounce category, with --taxonomy (UseTaxonomy); nil without.
	ByBounceCategory Counts `json:"by_bounce_category,omitzero"`
	// Groups: by recipient domain, by provider, then each --group-by.
	Groups    []*Group `json:"groups"`
	Series    Series   `json:"series"`
	Templates []*Diag  `json:"templates"` // by count, descending
	Rejects   Rejects  `json:"rejects"`
	Notices   Notices  `json:"notices"` // MTA warnings, errors, fatal, panic, reject_warning
	// UnparsedExamples: the first lines of each unparsed reason.
	UnparsedExamples map[string][]Line `json:"unparsed_examples,omitempty"`
	Dropped          Dropped           `json:"dropped"`

	limits    Limits
	templates map[diagKey]*Diag
	files     map[string]*File

	// recent and deferred remember messages by msgHash(host, queue id
	// or message-id), to count each once: recent the last Messages/2 to
	// Messages of any outcome, deferred as many of those that had a
	// deferral. A message's events are close together in log time but
	// for its retries, which deferred keeps for as long as fewer than
	// Messages/2 other deferred messages come between two events of it.
	recent, deferred msgWindow

	pending    map[uint64][]*Outcomes // by rcptKey(msgHash(host, queue id), recipient)
	pendMsgs   msgCounts              // pending's recipients by msgHash of their message
	rowsBuf    []*Outcomes            // Add's rows of one event, reused
	texts      []textSlot             // see textSlot
	tplBuf     []byte                 // templateOf's
	tplStrings map[string]string      // templateOf's
	seed       maphash.Seed           // of msgHash, rcptHash, textSlot
	textClock  uint32
	taxonomy   Taxonomy  // --taxonomy, or nil (see UseTaxonomy)
	counts     addCounts // Add's ByStatus … ByProvider, until Finish
	finished   bool
}

// Input counts what was read.
type Input struct {
	Files      int    `json:"files"`
	FileErrors int    `json:"file_errors"`
	Skipped    int    `json:"skipped"` // files met in a directory that are not logs bouncescan reads
	Bytes      int64  `json:"bytes"`
	Lines      int64  `json:"lines"`
	Unparsed   int64  `json:"unparsed"`  // lines of the format that could not be understood
	Foreign    int64  `json:"foreign"`   // lines not in the file's format (other programs in a shared syslog)
	Truncated  int64  `json:"truncated"` // lines longer than the cap, cut
	OutOfRange int64  `json:"out_of_range"`
	Duplicates int64  `json:"duplicates"`         // outcomes logged twice across files (a copy of a log, Exim mainlog + rejectlog), counted once
	Resumed    int64  `json:"resumed,omitempty"`  // events read again after a checkpoint to rebuild parser state, not given again
	Repeated   int64  `json:"repeated,omitempty"` // lines a followed file handed out again (truncated to its own start), not parsed again
	UnparsedBy Counts `json:"unparsed_by_reason"`
}

// File is what one input file gave.
type File struct {
	Name      string `json:"name"`
	Format    string `json:"format,omitempty"`
	Bytes     int64  `json:"bytes"`
	Lines     int64  `json:"lines"`
	Events    int64  `json:"events"`
	Unparsed  int64  `json:"unparsed"`
	Foreign   int64  `json:"foreign"`
	Truncated int64  `json:"truncated"`
	Error     string `json:"error,omitempty"`
	Skipped   string `json:"skipped,omitempty"` // why the file was not read
	// CopyOf names an earlier file of the run whose content this file
	// repeats (mail.log and mail.info): its Duplicates events were not
	// counted again.
	CopyOf string `json:"copy_of,omitempty"`
	// Backwards counts events more than a minute earlier than the event
	// before them in the file: a clock step, merged logs, or lines out of
	// order (the events are kept).
	Backwards  int64  `json:"backwards,omitempty"`
	Duplicates int64  `json:"duplicates,omitempty"`
	Note       string `json:"note,omitempty"` // anything else worth knowing about the file
	// Report names the report a merged file came from (bouncescan merge):
	// two hosts' /var/log/mail.log stay two files.
	Report string `json:"report,omitempty"`
}

// Line is one input line shown in the report (an unparsed line).
type Line struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Text   string `json:"text"` // at most 200 bytes of it
}

// Dropped counts what the limits kept out of the report.
type Dropped struct {
	Groups    int64 `json:"groups"`    // events counted in a group's "(other)" row
	Templates int64 `json:"templates"` // events whose template was not tracked
	Messages  int64 `json:"messages"`  // times the memory of deferred messages was full and forgot its older half (a message deferred longer may count twice)
	Pending   int64 `json:"pending"`   // deferred recipients not remembered (pending may be undercounted)
	Top       int64 `json:"top"`       // events of senders, recipients, rejects beyond the tracked ones (in "(other)")
	Buckets   int64 `json:"buckets"`   // events outside the tracked time buckets
	State     int64 `json:"state"`     // per-message parser state evicted or expired
	// Rewound is the messages whose parser state was dropped because the
	// log time of their host went back more than parsekit.StepBack within
	// a file: logs joined out of order (see parsekit.Table.Now).
	Rewound int64 `json:"rewound"`
	Notices int64 `json:"notices"` // notices whose text was beyond the tracked ones (in "(other)")
}

// Counts is a name → count table.
type Counts map[string]int64

// Sorted returns the entries by count (descending), then name.
func (c Counts) Sorted() []KV {
	out := make([]KV, 0, len(c))
	for k, v := range c {
		out = append(out, KV{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// KV is one entry of Counts.
type KV struct {
	Name string
	N    int64
}

func (c Counts) add(o Counts) {
	for k, v := range o {
		c[k] += v
	}
}

// New makes an empty report.
func New(l Limits) *Report {
	l = l.withDefaults()
	r := &Report{Version: Version, limits: l}
	r.init()
	r.Groups = []*Group{r.newGroup([]string{"domain"}), r.newGroup([]string{"provider"})}
	for _, by := range l.GroupBy {
		r.Groups = append(r.Groups, r.newGroup(by))
	}
	r.Series.BucketSeconds = int64(l.Bucket / time.Second)
	if r.Series.BucketSeconds <= 0 {
		r.Series.BucketSeconds = 60
	}
	return r
}

// init makes the maps (also of a decoded report).
func (r *Report) init() {
	if r.ByStatus == nil {
		r.ByStatus = Counts{}
	}
	if r.ByClass == nil {
		r.ByClass = Counts{}
	}
	if r.BySubject == nil {
		r.BySubject = Counts{}
	}
	if r.ByReason == nil {
		r.ByReason = Counts{}
	}
	if r.ByProvider == nil {
		r.ByProvider = Counts{}
	}
	if r.ByMTA == nil {
		r.ByMTA = Counts{}
	}
	if r.Input.UnparsedBy == nil {
		r.Input.UnparsedBy = Counts{}
	}
	if r.UnparsedExamples == nil {
		r.UnparsedExamples = map[string][]Line{}
	}
	r.templates = map[diagKey]*Diag{}
	for _, d := range r.Templates {
		r.templates[d.diagKey()] = d
	}
	r.files = map[string]*File{}
	for _, f := range r.Files {
		r.files[f.Report+"\x00"+f.Name] = f
	}
	r.seed = maphash.MakeSeed()
	r.recent = msgWindow{gen: max(r.limits.Messages/2, 1)}
	r.deferred = msgWindow{gen: max(r.limits.Messages/2, 1)}
	r.pending = map[uint64][]*Outcomes{}
	for _, g := range r.Groups {
		g.limit = r.limits.Groups
		g.rows = map[string]*Row{}
		for _, row := range g.Rows {
			g.rows[strings.Join(row.Key, "\x1f")] = row
		}
	}
	r.Volume.init(r.limits)
	r.Rejects.init()
	r.Notices.init()
	r.Series.init()
	if r.Volume.Recipients.exactMax == 0 {
		r.Volume.Recipients = newDistinct(r.limits.ExactTotal, r.limits.SketchP)
		r.Volume.Senders = newDistinct(r.limits.ExactTotal, r.limits.SketchP)
		r.Volume.SenderDomains = newDistinct(r.limits.ExactTotal, r.limits.SketchP)
	}
}

// Decode reads a report written as JSON (`scan -o json`), ready to merge.
func Decode(rd io.Reader, l Limits) (*Report, error) {
	l = l.withDefaults()
	r := &Report{limits: l}
	r.Volume.Recipients = newDistinct(l.ExactTotal, l.SketchP)
	r.Volume.Senders = newDistinct(l.ExactTotal, l.SketchP)
	r.Volume.SenderDomains = newDistinct(l.ExactTotal, l.SketchP)
	dec := json.NewDecoder(rd)
	if err := dec.Decode(r); err != nil {
		return nil, err
	}
	if r.Version != Version {
		return nil, fmt.Errorf("report version %d, this bouncescan reads version %d (write it again with scan -o json)", r.Version, Version)
	}
	for _, g := range r.Groups {
		for _, row := range g.Rows {
			row.Recipients.exactMax, row.Recipients.p = rowExact, 10
		}
	}
	for _, d := range r.Templates {
		d.Domains.exactMax, d.Domains.p = 64, 10
	}
	r.init()
	r.finished = true
	return r, nil
}

// File returns the entry of an input file, creating it.
func (r *Report) File(name string) *File {
	if f := r.files["\x00"+name]; f != nil {
		return f
	}
	f := &File{Name: name}
	r.files["\x00"+name] = f
	r.Files = append(r.Files, f)
	return f
}

// FileError records a file that could not be read (wholly or in part).
func (r *Report) FileError(name string, err error) {
	f := r.File(name)
	if f.Error == "" {
		r.Input.FileErrors++
	}
	f.Error = strings.TrimPrefix(err.Error(), name+": ")
}

// Skip records a file that was passed over (found in a directory, not in
// a format bouncescan reads) and why. It is not an error.
func (r *Report) Skip(name, why string) {
	f := r.File(name)
	if f.Skipped == "" {
		r.Input.Skipped++
	}
	f.Skipped = why
}

// Note records a remark about a file (not an error).
func (r *Report) Note(name, note string) {
	f := r.File(name)
	if f.Note == note || strings.HasSuffix(f.Note, "; "+note) {
		return // said already
	}
	if f.Note != "" {
		note = f.Note + "; " + note
	}
	f.Note = note
}

// maxUnparsedReasons bounds the reasons that keep examples.
const maxUnparsedReasons = 100

// Unparsed counts one line that could not be understood.
func (r *Report) Unparsed(f *File, reason string) {
	f.Unparsed++
	r.Input.Unparsed++
	r.Input.UnparsedBy[reason]++
}

// UnparsedLine counts one line that could not be understood and keeps it
// as an example (the first few per reason, at most 200 bytes of each).
func (r *Report) UnparsedLine(f *File, reason string, pos bouncescan.Pos, line string) {
	r.Unparsed(f, reason)
	ex := r.UnparsedExamples[reason]
	if len(ex) >= r.limits.Unparsed || (ex == nil && len(r.UnparsedExamples) >= maxUnparsedReasons) {
		return
	}
	if len(line) > 200 {
		line = line[:200]
	}
	r.UnparsedExamples[reason] = append(ex, Line{Source: pos.Source, Line: pos.Line, Text: strings.Clone(line)})
}

// Foreign counts a line not in the file's format.
func (r *Report) Foreign(f *File) {
	f.Foreign++
	r.Input.Foreign++
}

// Add counts one event (with its verdict, if classified). Nothing of e is
// kept: strings are copied where they are stored.
func (r *Report) Add(e *bouncescan.Event) {
	r.Events++
	if !e.Time.IsZero() {
		if r.First.IsZero() || e.Time.Before(r.First) {
			r.First = e.Time
		}
		if e.Time.After(r.Last) {
			r.Last = e.Time
		}
	}
	r.counts.add(e)
	r.Totals.add(e)
	var rcpt string
	var rcptHash uint64 // hashed once for every distinct count it goes to
	if e.Recipient != "" {
		rcpt = lower(e.Recipient)
		rcptHash = hash64(rcpt)
		r.Volume.Recipients.addHash(rcptHash)
	}
	rows := append(r.rowsBuf[:0], &r.Totals)
	for _, g := range r.Groups {
		row := g.row(r, e)
		row.add(e)
		if rcpt != "" {
			row.Recipients.addHash(rcptHash)
		}
		rows = append(rows, &row.Outcomes)
	}
	r.rowsBuf = rows
	r.Series.add(r, e)
	msg, mk := r.Volume.add(r, e, rcpt, rcptHash)
	r.trackPending(e, rcpt, rows, msg, mk)
	var sl *textSlot // of e.Text, once looked up
	if e.Status == bouncescan.StatusRejected {
		sl = r.Rejects.add(r, e)
	}
	// a deliverable address verification probe is no failure
	probeOK := e.Status == bouncescan.StatusProbe && e.Verdict != nil && e.Verdict.Class == bouncescan.ClassSuccess
	if e.Status != bouncescan.StatusSent && !probeOK && (e.Text != "" || e.ReplyCode != 0) {
		r.addDiag(e, sl)
	}
}

// trackPending remembers deferred recipients until their final outcome;
// those left at Finish are pending. msg is the flags the event's message
// had before it (Volume.add): a message remembered without a deferral
// has no recipient pending, and its final outcomes need no look-up; nor
// do those of a message not remembered that pendMsgs says had none. mk is
// msgHash(e.Host, e.QueueID) when Volume.add made it, else 0.
func (r *Report) trackPending(e *bouncescan.Event, rcpt string, rows []*Outcomes, msg uint8, mk uint64) {
	if e.QueueID == "" || rcpt == "" || e.Hop {
		return
	}
	switch e.Status {
	case bouncescan.StatusDeferred:
		if mk == 0 {
			mk = r.msgHash(e.Host, e.QueueID)
		}
		key := r.rcptKey(mk, rcpt)
		old, ok := r.pending[key]
		if !ok && len(r.pending) >= r.limits.Pending {
			r.Dropped.Pending++
			return
		}
		if len(old) == len(rows) {
			copy(old, rows) // the same rows, mostly: no new slice
			return
		}
		if !ok {
			r.pendMsgs.add(mk)
		}
		r.pending[key] = slices.Clone(rows)
	case bouncescan.StatusSent, bouncescan.StatusBounced, bouncescan.StatusExpired, bouncescan.StatusRejected, bouncescan.StatusDiscarded:
		if len(r.pending) == 0 || msg != 0 && msg&msgDeferred == 0 {
			return
		}
		if mk == 0 {
			mk = r.msgHash(e.Host, e.QueueID)
		}
		if msg == 0 && !r.pendMsgs.may(mk) {
			return
		}
		key := r.rcptKey(mk, rcpt)
		if _, ok := r.pending[key]; ok {
			delete(r.pending, key)
			r.pendMsgs.remove(mk)
			if msg == 0 {
				// a message forgotten since its deferral (Limits.Messages),
				// with recipients pending: say so for its next events
				r.setMessage(mk, r.recent.get(mk)|msgSeen|msgDeferred)
			}
		}
	}
}

// msgHash is the key of a message (host and queue id or message-id) in
// the report's memory, never written out: a maphash seeded per report
// (the FNV byte loop that the written distinct counts need costs 5 times
// as much). Two of the 130 000 messages remembered share one with odds of
// about 1 in 10^9.
func (r *Report) msgHash(host, id string) uint64 {
	return maphash.String(r.seed, host)*0x9e3779b97f4a7c15 ^ maphash.String(r.seed, id)
}

// rcptKey is the key of a recipient of a message, whose msgHash is msg,
// in the report's memory (pending): two of a million share one with odds
// of about 1 in 30 million.
func (r *Report) rcptKey(msg uint64, rcpt string) uint64 {
	return msg*0x9e3779b97f4a7c15 ^ maphash.String(r.seed, rcpt)
}

// flushPending counts the recipients still deferred as pending.
func (r *Report) flushPending() {
	for k, rows := range r.pending {
		for _, o := range rows {
			o.Retry.Pending++
		}
		delete(r.pending, k)
	}
	r.pendMsgs.reset()
}

// Finish counts what is still pending, derives rates and sorts the lists;
// call it before output (and before encoding for a later merge). Adding
// after Finish is allowed; call Finish again.
func (r *Report) Finish() {
	r.flushPending()
	r.counts.fold(r)
	if r.taxonomy != nil {
		r.ByBounceCategory = categories(r.taxonomy, r.ByReason)
	}
	sort.SliceStable(r.Files, func(i, j int) bool {
		if r.Files[i].Name != r.Files[j].Name {
			return r.Files[i].Name < r.Files[j].Name
		}
		return r.Files[i].Report < r.Files[j].Report
	})
	r.Input.Files = len(r.Files)
	r.Totals.finish()
	for _, g := range r.Groups {
		g.finish()
	}
	r.Series.finish()
	r.Volume.finish()
	r.Rejects.finish()
	r.Templates = r.Templates[:0]
	for _, d := range r.templates {
		r.Templates = append(r.Templates, d)
	}
	sortDiags(r.Templates)
	r.finished = true
}

// Group returns the group with these dimensions, or nil.
func (r *Report) Group(by ...string) *Group {
	for _, g := range r.Groups {
		if strings.Join(g.By, ",") == strings.Join(by, ",") {
			return g
		}
	}
	return nil
}

// Undecided lists the templates the classifier could not decide (reason
// undefined, or no verdict), largest first: what to write --rules for.
func (r *Report) Undecided() []*Diag {
	var out []*Diag
	for _, d := range r.Templates {
		if d.Reason == "" || d.Reason == "undefined" {
			out = append(out, d)
		}
	}
	return out
}

// Merge adds another report's counts into r (one report per host, or per
// day): the result is the report one run over both inputs gives, for
// inputs that share no message (different hosts, or logs split where no
// message was open). Both must have the same groups and time bucket.
// Distinct recipients are exact while the sets are small, else
// HyperLogLog estimates (see Distinct). o is finished first.
func (r *Report) Merge(o *Report, name string) error {
	o.flushPending()
	o.counts.fold(o)
	r.counts.fold(r)
	if r.Series.BucketSeconds != o.Series.BucketSeconds && len(o.Series.Buckets) > 0 {
		return fmt.Errorf("%s: time buckets of %ds, the merged report has %ds (scan both with the same --bucket)", name, o.Series.BucketSeconds, r.Series.BucketSeconds)
	}
	for _, og := range o.Groups {
		if r.Group(og.By...) == nil {
			if r.Events > 0 {
				return fmt.Errorf("%s: has a group by %s that the other reports lack (scan all with the same --group-by)", name, og.Name())
			}
			r.Groups = append(r.Groups, r.newGroup(append([]string(nil), og.By...)))
		}
	}
	for _, g := range r.Groups {
		if o.Group(g.By...) == nil && o.Events > 0 {
			return fmt.Errorf("%s: lacks the group by %s (scan all with the same --group-by)", name, g.Name())
		}
	}
	if err := r.mergeCategories(o, name); err != nil {
		return err
	}
	if r.Partial == "" {
		r.Partial = o.Partial
	}
	for _, f := range o.Files {
		cp := *f
		if cp.Report == "" {
			cp.Report = name
		}
		key := cp.Report + "\x00" + cp.Name
		if mf := r.files[key]; mf != nil {
			*mf = cp
			continue
		}
		r.files[key] = &cp
		r.Files = append(r.Files, &cp)
	}
	r.Input.FileErrors += o.Input.FileErrors
	r.Input.Skipped += o.Input.Skipped
	r.Input.Duplicates += o.Input.Duplicates
	r.Input.Resumed += o.Input.Resumed
	r.Input.Repeated += o.Input.Repeated
	r.Input.Bytes += o.Input.Bytes
	r.Input.Lines += o.Input.Lines
	r.Input.Unparsed += o.Input.Unparsed
	r.Input.Foreign += o.Input.Foreign
	r.Input.Truncated += o.Input.Truncated
	r.Input.OutOfRange += o.Input.OutOfRange
	r.Input.UnparsedBy.add(o.Input.UnparsedBy)
	for reason, ls := range o.UnparsedExamples {
		ex := r.UnparsedExamples[reason]
		if ex == nil && len(r.UnparsedExamples) >= maxUnparsedReasons {
			continue
		}
		for _, l := range ls {
			if len(ex) < r.limits.Unparsed {
				ex = append(ex, l)
			}
		}
		r.UnparsedExamples[reason] = ex
	}
	r.Events += o.Events
	if !o.First.IsZero() && (r.First.IsZero() || o.First.Before(r.First)) {
		r.First = o.First
	}
	if o.Last.After(r.Last) {
		r.Last = o.Last
	}
	r.Totals.merge(&o.Totals)
	r.ByStatus.add(o.ByStatus)
	r.ByClass.add(o.ByClass)
	r.BySubject.add(o.BySubject)
	r.ByReason.add(o.ByReason)
	if r.taxonomy != nil {
		r.ByBounceCategory = categories(r.taxonomy, r.ByReason)
	}
	r.ByProvider.add(o.ByProvider)
	r.ByMTA.add(o.ByMTA)
	for _, og := range o.Groups {
		r.Group(og.By...).merge(r, og)
	}
	r.Series.merge(r, &o.Series)
	r.Volume.merge(r, &o.Volume)
	r.Rejects.merge(r, &o.Rejects)
	r.Notices.merge(r, &o.Notices)
	for _, ot := range o.templates {
		r.mergeDiag(ot)
	}
	r.Dropped.Groups += o.Dropped.Groups
	r.Dropped.Templates += o.Dropped.Templates
	r.Dropped.Messages += o.Dropped.Messages
	r.Dropped.Pending += o.Dropped.Pending
	r.Dropped.Top += o.Dropped.Top
	r.Dropped.Buckets += o.Dropped.Buckets
	r.Dropped.State += o.Dropped.State
	r.Dropped.Rewound += o.Dropped.Rewound
	r.Dropped.Notices += o.Dropped.Notices
	return nil
}
