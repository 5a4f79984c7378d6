// Package aggregate turns a stream of classified events into a Report:
// totals by status, class, subject, reason, provider and MTA; per recipient
// domain rates; the most frequent diagnostic texts; and what was read and
// what could not be. Everything is bounded (domains, recipients, templates)
// and what did not fit is counted. Reports are mergeable.
package aggregate

import (
	"sort"
	"strings"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Limits bound the memory of a Report. Zero fields take the defaults.
type Limits struct {
	Domains    int // distinct recipient domains tracked (default 100 000)
	Recipients int // distinct recipient addresses tracked in total (default 1 000 000)
	Templates  int // distinct diagnostic templates tracked (default 10 000)
}

func (l Limits) withDefaults() Limits {
	if l.Domains <= 0 {
		l.Domains = 100_000
	}
	if l.Recipients <= 0 {
		l.Recipients = 1_000_000
	}
	if l.Templates <= 0 {
		l.Templates = 10_000
	}
	return l
}

// Report is the result of a scan. Its exported fields are its JSON form.
type Report struct {
	// Partial, when set, says why the report does not cover all input
	// (the run was interrupted).
	Partial    string    `json:"partial,omitempty"`
	Files      []*File   `json:"files"`
	Input      Input     `json:"input"`
	Events     int64     `json:"events"`
	First      time.Time `json:"first,omitzero"`
	Last       time.Time `json:"last,omitzero"`
	ByStatus   Counts    `json:"by_status"`
	ByClass    Counts    `json:"by_class"`
	BySubject  Counts    `json:"by_subject"`
	ByReason   Counts    `json:"by_reason"`
	ByProvider Counts    `json:"by_provider"`
	ByMTA      Counts    `json:"by_mta"`
	Domains    []*Domain `json:"domains"` // sorted by Sort
	Top        []*Diag   `json:"top_diagnostics"`
	Dropped    Dropped   `json:"dropped"`

	limits     Limits
	domains    map[string]*Domain
	templates  map[string]*Diag
	recipients map[string]struct{}
	files      map[string]*File
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
	CopyOf     string `json:"copy_of,omitempty"`
	Duplicates int64  `json:"duplicates,omitempty"`
	Note       string `json:"note,omitempty"` // anything else worth knowing about the file
}

// Domain is the outcome of mail to one recipient domain.
type Domain struct {
	Name       string  `json:"domain"`
	Recipients int64   `json:"recipients"` // distinct recipient addresses
	Events     int64   `json:"events"`
	Sent       int64   `json:"sent"`
	Deferred   int64   `json:"deferred"` // deferral events (attempts)
	Bounced    int64   `json:"bounced"`
	Expired    int64   `json:"expired"`
	Rejected   int64   `json:"rejected"`
	BounceRate float64 `json:"bounce_rate"` // (bounced+expired) / (sent+bounced+expired)
}

// Diag is one diagnostic text template and how often it was seen.
type Diag struct {
	Template     string `json:"template"`
	Example      string `json:"example"`
	Count        int64  `json:"count"`
	Status       string `json:"status"`
	ReplyCode    int    `json:"reply_code,omitempty"`
	EnhancedCode string `json:"enhanced_code,omitempty"`
	Reason       string `json:"reason,omitempty"`
	Domains      int    `json:"domains"`
	domainSet    map[string]struct{}
}

// Dropped counts what the limits kept out of the report.
type Dropped struct {
	Domains    int64 `json:"domains"`    // events whose domain was not tracked (counted under "(other)")
	Recipients int64 `json:"recipients"` // recipient addresses not tracked for distinct counts
	Templates  int64 `json:"templates"`  // events whose template was not tracked
	State      int64 `json:"state"`      // per-message parser state evicted or expired
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

// New makes an empty report.
func New(l Limits) *Report {
	return &Report{
		limits:     l.withDefaults(),
		ByStatus:   Counts{},
		ByClass:    Counts{},
		BySubject:  Counts{},
		ByReason:   Counts{},
		ByProvider: Counts{},
		ByMTA:      Counts{},
		Input:      Input{UnparsedBy: Counts{}},
		domains:    map[string]*Domain{},
		templates:  map[string]*Diag{},
		recipients: map[string]struct{}{},
		files:      map[string]*File{},
	}
}

// File returns the entry of an input file, creating it.
func (r *Report) File(name string) *File {
	if f := r.files[name]; f != nil {
		return f
	}
	f := &File{Name: name}
	r.files[name] = f
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
	if f.Note != "" {
		note = f.Note + "; " + note
	}
	f.Note = note
}

// Unparsed counts one line that could not be understood.
func (r *Report) Unparsed(f *File, reason string) {
	f.Unparsed++
	r.Input.Unparsed++
	r.Input.UnparsedBy[reason]++
}

// Foreign counts a line not in the file's format.
func (r *Report) Foreign(f *File) {
	f.Foreign++
	r.Input.Foreign++
}

// otherDomain collects events of domains beyond the limit.
const otherDomain = "(other)"

// Add counts one event (with its verdict, if classified).
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
	r.ByStatus[e.Status.String()]++
	r.ByMTA[e.MTA]++
	reason := ""
	if v := e.Verdict; v != nil {
		r.ByClass[v.Class.String()]++
		if s := v.Subject.String(); s != "" {
			r.BySubject[s]++
		}
		reason = v.Reason
		if reason != "" {
			r.ByReason[reason]++
		}
		if v.Provider != "" {
			r.ByProvider[v.Provider]++
		}
	}
	r.addDomain(e)
	if e.Status != bouncescan.StatusSent && (e.Text != "" || e.ReplyCode != 0) {
		r.addDiag(e, reason)
	}
}

func (r *Report) addDomain(e *bouncescan.Event) {
	name := e.Domain
	if name == "" {
		name = "(none)"
	}
	d := r.domains[name]
	if d == nil {
		if len(r.domains) >= r.limits.Domains {
			r.Dropped.Domains++
			name = otherDomain
			d = r.domains[name]
		}
		if d == nil {
			d = &Domain{Name: name}
			r.domains[name] = d
		}
	}
	d.Events++
	switch e.Status {
	case bouncescan.StatusSent:
		d.Sent++
	case bouncescan.StatusDeferred:
		d.Deferred++
	case bouncescan.StatusBounced:
		d.Bounced++
	case bouncescan.StatusExpired:
		d.Expired++
	case bouncescan.StatusRejected:
		d.Rejected++
	}
	if e.Recipient != "" {
		key := lower(e.Recipient)
		if _, seen := r.recipients[key]; !seen {
			if len(r.recipients) < r.limits.Recipients {
				r.recipients[key] = struct{}{}
				d.Recipients++
			} else {
				r.Dropped.Recipients++
			}
		}
	}
}

func (r *Report) addDiag(e *bouncescan.Event, reason string) {
	tpl := Template(e.Text)
	key := e.Status.String() + "|" + itoa(e.ReplyCode) + "|" + e.EnhancedCode + "|" + tpl
	d := r.templates[key]
	if d == nil {
		if len(r.templates) >= r.limits.Templates {
			r.Dropped.Templates++
			return
		}
		d = &Diag{Template: tpl, Example: e.Text, Status: e.Status.String(), ReplyCode: e.ReplyCode,
			EnhancedCode: e.EnhancedCode, Reason: reason, domainSet: map[string]struct{}{}}
		r.templates[key] = d
	}
	d.Count++
	if len(d.domainSet) < 1000 {
		d.domainSet[e.Domain] = struct{}{}
	}
}

// Finish sorts the domain and diagnostic lists; call it before output.
// top bounds the diagnostics listed (0 = all).
func (r *Report) Finish(top int) {
	r.Files = r.Files[:0]
	for _, f := range r.files {
		r.Files = append(r.Files, f)
	}
	sort.SliceStable(r.Files, func(i, j int) bool { return r.Files[i].Name < r.Files[j].Name })
	r.Input.Files = len(r.Files)
	r.Domains = r.Domains[:0]
	for _, d := range r.domains {
		final := d.Sent + d.Bounced + d.Expired
		if final > 0 {
			d.BounceRate = float64(d.Bounced+d.Expired) / float64(final)
		}
		r.Domains = append(r.Domains, d)
	}
	sort.Slice(r.Domains, func(i, j int) bool {
		a, b := r.Domains[i], r.Domains[j]
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return a.Name < b.Name
	})
	r.Top = r.Top[:0]
	for _, d := range r.templates {
		d.Domains = len(d.domainSet)
		r.Top = append(r.Top, d)
	}
	sort.Slice(r.Top, func(i, j int) bool {
		a, b := r.Top[i], r.Top[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Template < b.Template
	})
	if top > 0 && len(r.Top) > top {
		r.Top = r.Top[:top]
	}
}

// Merge adds another report's counts into r (e.g. one report per host).
// Distinct recipient counts are summed per domain, which over-counts an
// address seen by both reports.
func (r *Report) Merge(o *Report) {
	if r.Partial == "" {
		r.Partial = o.Partial
	}
	for _, f := range o.files {
		mf := r.File(f.Name)
		name := mf.Name
		*mf = *f
		mf.Name = name
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
	r.Events += o.Events
	if !o.First.IsZero() && (r.First.IsZero() || o.First.Before(r.First)) {
		r.First = o.First
	}
	if o.Last.After(r.Last) {
		r.Last = o.Last
	}
	r.ByStatus.add(o.ByStatus)
	r.ByClass.add(o.ByClass)
	r.BySubject.add(o.BySubject)
	r.ByReason.add(o.ByReason)
	r.ByProvider.add(o.ByProvider)
	r.ByMTA.add(o.ByMTA)
	for name, od := range o.domains {
		d := r.domains[name]
		if d == nil {
			cp := *od
			r.domains[name] = &cp
			continue
		}
		d.Recipients += od.Recipients
		d.Events += od.Events
		d.Sent += od.Sent
		d.Deferred += od.Deferred
		d.Bounced += od.Bounced
		d.Expired += od.Expired
		d.Rejected += od.Rejected
	}
	for key, ot := range o.templates {
		d := r.templates[key]
		if d == nil {
			cp := *ot
			cp.domainSet = map[string]struct{}{}
			for k := range ot.domainSet {
				cp.domainSet[k] = struct{}{}
			}
			r.templates[key] = &cp
			continue
		}
		d.Count += ot.Count
		for k := range ot.domainSet {
			d.domainSet[k] = struct{}{}
		}
	}
	r.Dropped.Domains += o.Dropped.Domains
	r.Dropped.Recipients += o.Dropped.Recipients
	r.Dropped.Templates += o.Dropped.Templates
	r.Dropped.State += o.Dropped.State
}

func (c Counts) add(o Counts) {
	for k, v := range o {
		c[k] += v
	}
}
