// Package live holds the consumers of `bouncescan tail`: Prometheus
// metrics (Metrics, served by Handler and Serve), alerts on providers that
// start to bounce or block (Alerts) and a rolling summary (Summary). Each
// is a pipeline.Consumer, safe to use from the pipeline's goroutine while
// other goroutines call its setters, scrape it or print it.
package live

import (
	"strings"
	"sync"
	"time"

	"github.com/bouncescan/bouncescan"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// MetricsOptions configure Metrics. Zero values take the defaults.
type MetricsOptions struct {
	// Domains is K, the number of recipient domains that get a label
	// value of their own in bouncescan_events_total (default 20); all
	// others are "other". The K are the first domains found among the
	// most frequent ones (see DomainMinEvents) and keep their label for
	// the life of the process.
	Domains int
	// DomainMinEvents is how many events a domain needs before it may
	// take one of the K labels (default 10), so that the first few
	// domains of a run do not take them by chance.
	DomainMinEvents int
	// Files caps the file label values (default 32); further files are
	// summed as "other". Unparsed reasons and MTAs are capped the same
	// way (64 and 32).
	Files int
	// MaxSeries caps the series of bouncescan_events_total (default
	// 20000): past it, new label combinations are counted in the one
	// series whose labels are all "other", so the sum stays right.
	MaxSeries int
	// Now is the clock for bouncescan_checkpoint_age_seconds (default
	// time.Now).
	Now func() time.Time
	// NoRuntime leaves out the Go runtime and process collectors
	// (go_*, process_*), which are registered by default.
	NoRuntime bool
}

func (o MetricsOptions) withDefaults() MetricsOptions {
	if o.Domains <= 0 {
		o.Domains = 20
	}
	if o.DomainMinEvents <= 0 {
		o.DomainMinEvents = 10
	}
	if o.Files <= 0 {
		o.Files = 32
	}
	if o.MaxSeries <= 0 {
		o.MaxSeries = 20000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// eventKey is the label set of one bouncescan_events_total series.
type eventKey struct {
	mta, status, class, subject, reason, provider, domain string
}

var overflowKey = eventKey{Other, Other, Other, Other, Other, Other, Other}

// Metrics counts classified events and the state of a tail run as
// Prometheus metrics. It is a pipeline.Consumer and a
// prometheus.Collector, registered on a registry of its own (Registry,
// served by Handler). All its methods are safe for concurrent use.
type Metrics struct {
	opts MetricsOptions
	reg  *prometheus.Registry

	mu        sync.Mutex
	events    map[eventKey]float64
	domains   *domainLabels
	lines     *boundedSet
	unparsed  *boundedSet
	lag       *boundedSet
	stateMsgs *boundedSet
	stateEvic *boundedSet
	alerts    map[[2]string]float64
	active    float64
	lastCP    time.Time

	dEvents, dLines, dUnparsed, dLag, dCPAge, dStateMsgs, dStateEvic, dAlerts, dActive, dDropped *prometheus.Desc
}

// NewMetrics returns Metrics registered on a new registry (with the Go
// runtime and process collectors unless opts.NoRuntime).
func NewMetrics(opts MetricsOptions) *Metrics {
	opts = opts.withDefaults()
	m := &Metrics{
		opts:      opts,
		reg:       prometheus.NewRegistry(),
		events:    make(map[eventKey]float64),
		domains:   newDomainLabels(opts.Domains, int64(opts.DomainMinEvents)),
		lines:     newBoundedSet(opts.Files),
		lag:       newBoundedSet(opts.Files),
		unparsed:  newBoundedSet(64),
		stateMsgs: newBoundedSet(32),
		stateEvic: newBoundedSet(32),
		alerts:    make(map[[2]string]float64),

		dEvents: prometheus.NewDesc("bouncescan_events_total",
			"Classified delivery events (one per recipient outcome) by MTA, status, verdict class, RFC 3463 subject, reason, provider and recipient domain (the top-K domains, the rest \"other\").",
			[]string{"mta", "status", "class", "subject", "reason", "provider", "domain"}, nil),
		dLines: prometheus.NewDesc("bouncescan_lines_total",
			"Lines read from each followed file.", []string{"file"}, nil),
		dUnparsed: prometheus.NewDesc("bouncescan_lines_unparsed_total",
			"Lines of a known format that could not be understood, by reason.", []string{"reason"}, nil),
		dLag: prometheus.NewDesc("bouncescan_file_lag_bytes",
			"Bytes between the read position and the end of each followed file.", []string{"file"}, nil),
		dCPAge: prometheus.NewDesc("bouncescan_checkpoint_age_seconds",
			"Seconds since the state file was last written (absent before the first write).", nil, nil),
		dStateMsgs: prometheus.NewDesc("bouncescan_parser_state_messages",
			"Open messages held in each parser's bounded state.", []string{"mta"}, nil),
		dStateEvic: prometheus.NewDesc("bouncescan_parser_state_evictions_total",
			"Messages dropped from a parser's state to stay within its bounds (size or time to live) or because their host's log time went back more than two hours.", []string{"mta"}, nil),
		dAlerts: prometheus.NewDesc("bouncescan_alerts_total",
			"Alerts raised, by kind (rate, blocklist) and provider.", []string{"kind", "provider"}, nil),
		dActive: prometheus.NewDesc("bouncescan_alerts_active",
			"Alerts active now.", nil, nil),
		dDropped: prometheus.NewDesc("bouncescan_metric_values_dropped_total",
			"Updates of a labelled metric dropped because its label had too many values (see the caps of MetricsOptions).", []string{"metric"}, nil),
	}
	m.reg.MustRegister(m)
	if !opts.NoRuntime {
		m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return m
}

// Registry is the registry the metrics are registered on (Handler serves
// it); add collectors of your own to it if needed.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Consume counts the events. It allocates only for a label combination
// it has not seen before.
func (m *Metrics) Consume(events []bouncescan.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range events {
		e := &events[i]
		k := eventKey{mta: Safe(e.MTA), status: e.Status.String(), domain: m.domains.label(e.Domain)}
		if v := e.Verdict; v != nil {
			k.class, k.subject, k.reason, k.provider = v.Class.String(), v.Subject.String(), Safe(v.Reason), Safe(v.Provider)
		} else {
			k.class, k.subject = bouncescan.ClassUnknown.String(), bouncescan.SubjectNone.String()
		}
		if _, ok := m.events[k]; !ok {
			if len(m.events) >= m.opts.MaxSeries {
				k = overflowKey
			} else {
				k = eventKey{strings.Clone(k.mta), k.status, k.class, k.subject, strings.Clone(k.reason), strings.Clone(k.provider), k.domain}
			}
		}
		m.events[k]++
	}
	return nil
}

// SetLines sets the number of lines read so far from file.
func (m *Metrics) SetLines(file string, n int64) {
	m.mu.Lock()
	m.lines.set(file, float64(n))
	m.mu.Unlock()
}

// SetUnparsed sets the number of unparsed lines so far with this reason.
func (m *Metrics) SetUnparsed(reason string, n int64) {
	m.mu.Lock()
	m.unparsed.set(reason, float64(n))
	m.mu.Unlock()
}

// SetLag sets how many bytes of file are not read yet.
func (m *Metrics) SetLag(file string, bytes int64) {
	m.mu.Lock()
	m.lag.set(file, float64(bytes))
	m.mu.Unlock()
}

// CheckpointWritten records that the state file was written at t.
func (m *Metrics) CheckpointWritten(t time.Time) {
	m.mu.Lock()
	if t.After(m.lastCP) {
		m.lastCP = t
	}
	m.mu.Unlock()
}

// SetState sets the size of a parser's message state and how many
// messages it dropped so far (evicted, expired or rewound).
func (m *Metrics) SetState(mta string, messages int, evictions int64) {
	m.mu.Lock()
	m.stateMsgs.set(mta, float64(messages))
	m.stateEvic.set(mta, float64(evictions))
	m.mu.Unlock()
}

// alertRaised counts one alert (called by Alerts).
func (m *Metrics) alertRaised(kind, provider string) {
	m.mu.Lock()
	k := [2]string{kind, Safe(provider)}
	if _, ok := m.alerts[k]; !ok && len(m.alerts) >= 256 {
		k = [2]string{kind, Other}
	}
	m.alerts[k]++
	m.mu.Unlock()
}

// setActiveAlerts sets the active alerts gauge (called by Alerts).
func (m *Metrics) setActiveAlerts(n int) {
	m.mu.Lock()
	m.active = float64(n)
	m.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.dEvents, m.dLines, m.dUnparsed, m.dLag, m.dCPAge, m.dStateMsgs, m.dStateEvic, m.dAlerts, m.dActive, m.dDropped} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.events {
		ch <- prometheus.MustNewConstMetric(m.dEvents, prometheus.CounterValue, v, k.mta, k.status, k.class, k.subject, k.reason, k.provider, k.domain)
	}
	set := func(d *prometheus.Desc, t prometheus.ValueType, s *boundedSet) {
		s.each(func(l string, v float64) { ch <- prometheus.MustNewConstMetric(d, t, v, l) })
	}
	set(m.dLines, prometheus.CounterValue, m.lines)
	set(m.dUnparsed, prometheus.CounterValue, m.unparsed)
	set(m.dLag, prometheus.GaugeValue, m.lag)
	set(m.dStateMsgs, prometheus.GaugeValue, m.stateMsgs)
	set(m.dStateEvic, prometheus.CounterValue, m.stateEvic)
	if !m.lastCP.IsZero() {
		age := m.opts.Now().Sub(m.lastCP).Seconds()
		if age < 0 {
			age = 0
		}
		ch <- prometheus.MustNewConstMetric(m.dCPAge, prometheus.GaugeValue, age)
	}
	for k, v := range m.alerts {
		ch <- prometheus.MustNewConstMetric(m.dAlerts, prometheus.CounterValue, v, k[0], k[1])
	}
	ch <- prometheus.MustNewConstMetric(m.dActive, prometheus.GaugeValue, m.active)
	for _, d := range []struct {
		name string
		s    *boundedSet
	}{{"bouncescan_lines_total", m.lines}, {"bouncescan_lines_unparsed_total", m.unparsed}, {"bouncescan_file_lag_bytes", m.lag}, {"bouncescan_parser_state_messages", m.stateMsgs}} {
		if d.s.dropped > 0 {
			ch <- prometheus.MustNewConstMetric(m.dDropped, prometheus.CounterValue, float64(d.s.dropped), d.name)
		}
	}
}
