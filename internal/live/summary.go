package live

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bouncescan/bouncescan"
)

// SummaryOptions configure Summary. Zero values take the defaults.
type SummaryOptions struct {
	// Top is how many reasons, domains and providers are listed (default 5).
	Top int
	// MinVolume is the fewest outcomes (sent, deferred, bounced,
	// expired) in the window a domain or provider needs to be listed
	// among the worst (default 10).
	MinVolume int
	// MaxDomains, MaxProviders and MaxReasons bound what one window
	// tracks (defaults 2000, 200, 200); events of further ones are
	// counted as dropped and shown.
	MaxDomains, MaxProviders, MaxReasons int
	// Alerts, if set, has its active alerts listed.
	Alerts *Alerts
	// Start is when the first window begins (default: the time of
	// NewSummary).
	Start time.Time
}

func (o SummaryOptions) withDefaults() SummaryOptions {
	if o.Top <= 0 {
		o.Top = 5
	}
	if o.MinVolume <= 0 {
		o.MinVolume = 10
	}
	if o.MaxDomains <= 0 {
		o.MaxDomains = 2000
	}
	if o.MaxProviders <= 0 {
		o.MaxProviders = 200
	}
	if o.MaxReasons <= 0 {
		o.MaxReasons = 200
	}
	if o.Start.IsZero() {
		o.Start = time.Now()
	}
	return o
}

// Summary is the rolling summary of `bouncescan tail`: it counts the
// events of a window (a pipeline.Consumer) and Write prints them and
// starts the next window. Consume and Write may be called from different
// goroutines.
type Summary struct {
	opts SummaryOptions

	mu          sync.Mutex
	start       time.Time
	events      int64
	first, last time.Time // log times
	status      map[bouncescan.Status]int64
	reasons     map[string]int64
	domains     map[string]*outcomes
	providers   map[string]*outcomes
	dropped     struct{ domains, providers, reasons int64 }
}

type outcomes struct{ total, bounced, deferred int64 }

func (o *outcomes) failRate() float64 { return float64(o.bounced+o.deferred) / float64(o.total) }

// NewSummary returns a Summary whose first window starts at opts.Start.
func NewSummary(opts SummaryOptions) *Summary {
	opts = opts.withDefaults()
	return &Summary{opts: opts, start: opts.Start, status: map[bouncescan.Status]int64{}, reasons: map[string]int64{},
		domains: map[string]*outcomes{}, providers: map[string]*outcomes{}}
}

// Consume counts the events into the current window.
func (s *Summary) Consume(events []bouncescan.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range events {
		e := &events[i]
		s.events++
		s.status[e.Status]++
		if !e.Time.IsZero() {
			if s.first.IsZero() || e.Time.Before(s.first) {
				s.first = e.Time
			}
			if e.Time.After(s.last) {
				s.last = e.Time
			}
		}
		var provider string
		if v := e.Verdict; v != nil {
			provider = v.Provider
			if v.Class != bouncescan.ClassSuccess {
				count(s.reasons, v.Reason, s.opts.MaxReasons, &s.dropped.reasons)
			}
		}
		if e.Hop {
			continue
		}
		var bounced, deferred int64
		switch e.Status {
		case bouncescan.StatusSent:
		case bouncescan.StatusDeferred:
			deferred = 1
		case bouncescan.StatusBounced, bouncescan.StatusExpired:
			bounced = 1
		default:
			continue
		}
		if e.Domain != "" {
			outcome(s.domains, e.Domain, s.opts.MaxDomains, &s.dropped.domains, bounced, deferred)
		}
		if provider != "" {
			outcome(s.providers, provider, s.opts.MaxProviders, &s.dropped.providers, bounced, deferred)
		}
	}
	return nil
}

func count(m map[string]int64, k string, max int, dropped *int64) {
	if _, ok := m[k]; !ok && len(m) >= max {
		*dropped++
		return
	}
	if _, ok := m[k]; ok {
		m[k]++
		return
	}
	m[strings.Clone(k)] = 1
}

func outcome(m map[string]*outcomes, k string, max int, dropped *int64, bounced, deferred int64) {
	o := m[k]
	if o == nil {
		if len(m) >= max {
			*dropped++
			return
		}
		o = &outcomes{}
		m[strings.Clone(k)] = o
	}
	o.total++
	o.bounced += bounced
	o.deferred += deferred
}

// Write prints the summary of the window from the last Write (or Start)
// to now, then starts a new window at now. Text from the logs is printed
// through Safe.
func (s *Summary) Write(w io.Writer, now time.Time) error {
	var active []Alert
	if s.opts.Alerts != nil {
		active = s.opts.Alerts.Active()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "bouncescan summary %s to %s (%s): %d events", s.start.Format("2006-01-02 15:04:05"), now.Format("15:04:05"),
		now.Sub(s.start).Round(time.Second), s.events)
	if !s.first.IsZero() {
		fmt.Fprintf(bw, ", log time %s to %s", s.first.Format("2006-01-02 15:04:05"), s.last.Format("15:04:05 MST"))
	}
	bw.WriteString("\n")
	if s.events > 0 {
		type kv struct {
			k string
			n int64
		}
		var st []kv
		for k, n := range s.status {
			st = append(st, kv{k.String(), n})
		}
		slices.SortFunc(st, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.k, b.k)) })
		bw.WriteString("  by status:")
		for i, x := range st {
			fmt.Fprintf(bw, "%s %s %d", sep(i), x.k, x.n)
		}
		bw.WriteString("\n")
		var rs []kv
		for k, n := range s.reasons {
			rs = append(rs, kv{k, n})
		}
		slices.SortFunc(rs, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.k, b.k)) })
		if len(rs) > 0 {
			bw.WriteString("  top reasons (not delivered):")
			for i, x := range rs[:min(len(rs), s.opts.Top)] {
				fmt.Fprintf(bw, "%s %s %d", sep(i), Safe(x.k), x.n)
			}
			if len(rs) > s.opts.Top {
				fmt.Fprintf(bw, ", … %d more", len(rs)-s.opts.Top)
			}
			bw.WriteString("\n")
		}
		s.worst(bw, "domains", s.domains)
		s.worst(bw, "providers", s.providers)
	}
	if len(active) > 0 {
		bw.WriteString("  active alerts:\n")
		for _, a := range active {
			fmt.Fprintf(bw, "    %s %s", a.Kind, Safe(cmp.Or(a.Provider, a.Domain)))
			if a.Provider != "" && a.Domain != "" {
				fmt.Fprintf(bw, " (%s)", Safe(a.Domain))
			}
			fmt.Fprintf(bw, " since %s", a.Time.Format("2006-01-02 15:04:05"))
			if a.Kind == KindRate {
				fmt.Fprintf(bw, ": %s rate %.1f%% (baseline %.1f%%) of %d", a.Status, 100*a.Rate, 100*a.Baseline, a.Total)
			} else {
				fmt.Fprintf(bw, ": %d blocks", a.Count)
			}
			if a.Reason != "" {
				fmt.Fprintf(bw, ", %s", Safe(a.Reason))
			}
			if a.Example != "" {
				ex := a.Example
				if len(ex) > 100 {
					ex = ex[:100] + "…"
				}
				fmt.Fprintf(bw, ": %s", Safe(ex))
			}
			bw.WriteString("\n")
		}
	}
	if d := s.dropped; d.domains+d.providers+d.reasons > 0 {
		fmt.Fprintf(bw, "  not tracked (window limits): %d events of further domains, %d of providers, %d of reasons\n", d.domains, d.providers, d.reasons)
	}
	err := bw.Flush()

	s.start, s.events, s.first, s.last = now, 0, time.Time{}, time.Time{}
	clear(s.status)
	clear(s.reasons)
	clear(s.domains)
	clear(s.providers)
	s.dropped.domains, s.dropped.providers, s.dropped.reasons = 0, 0, 0
	return err
}

func (s *Summary) worst(w *bufio.Writer, what string, m map[string]*outcomes) {
	type kv struct {
		k string
		o *outcomes
	}
	var l []kv
	for k, o := range m {
		if o.total >= int64(s.opts.MinVolume) && o.bounced+o.deferred > 0 {
			l = append(l, kv{k, o})
		}
	}
	if len(l) == 0 {
		return
	}
	slices.SortFunc(l, func(a, b kv) int {
		return cmp.Or(cmp.Compare(b.o.failRate(), a.o.failRate()), cmp.Compare(b.o.total, a.o.total), strings.Compare(a.k, b.k))
	})
	fmt.Fprintf(w, "  worst %s (at least %d outcomes):\n", what, s.opts.MinVolume)
	for _, x := range l[:min(len(l), s.opts.Top)] {
		fmt.Fprintf(w, "    %-24s %5.1f%% bounced %5.1f%% deferred of %d\n", Safe(x.k),
			100*float64(x.o.bounced)/float64(x.o.total), 100*float64(x.o.deferred)/float64(x.o.total), x.o.total)
	}
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return ","
}
