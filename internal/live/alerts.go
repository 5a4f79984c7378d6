package live

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bouncescan/bouncescan"
)

// Alert kinds.
const (
	// KindRate: a provider's (or a domain's) bounce or deferral rate in
	// the window is above the threshold and well above its own baseline.
	KindRate = "rate"
	// KindBlocklist: a provider (or a domain with no known provider)
	// refuses our mail for a blocklist listing or the sender's reputation.
	KindBlocklist = "blocklist"
)

// Alert states.
const (
	StateFiring   = "firing"
	StateResolved = "resolved"
)

// Alert is one alert raised (State "firing") or ended ("resolved"), as the
// tail command writes it (one JSON object a line). Times are log times.
type Alert struct {
	Time  time.Time `json:"time"`  // log time of the event that raised or ended it
	State string    `json:"state"` // firing or resolved
	Kind  string    `json:"kind"`  // rate or blocklist
	// Provider is the provider the classifier named (gmail, microsoft, …);
	// empty for a domain with no known provider.
	Provider string `json:"provider,omitempty"`
	// Domain is the recipient domain of a domain alert, and of the event
	// that raised a provider's blocklist alert (as an example).
	Domain string `json:"domain,omitempty"`
	// Status is what a rate alert measures: "bounce" (bounced or expired)
	// or "deferral".
	Status   string  `json:"status,omitempty"`
	Rate     float64 `json:"rate"`     // that rate in the window (rate alerts)
	Baseline float64 `json:"baseline"` // the same rate over the baseline windows before
	// Count is how many events of the alert are in the window (failures
	// for a rate alert, blocks for a blocklist alert; when resolved, all
	// blocks while it was active); Total all outcomes in the window.
	Count  int64  `json:"count"`
	Total  int64  `json:"total,omitempty"`
	Window string `json:"window"` // the window length, e.g. "10m0s"
	// Since is when a resolved alert was raised.
	Since    time.Time `json:"since,omitzero"`
	Reason   string    `json:"reason,omitempty"`   // the classifier's reason of the example event
	Rule     string    `json:"rule,omitempty"`     // the classifier rule that decided it
	Evidence string    `json:"evidence,omitempty"` // what the rule matched
	// ReplyCode and EnhancedCode are the codes of the example event.
	ReplyCode    int    `json:"reply_code,omitempty"`
	EnhancedCode string `json:"enhanced_code,omitempty"`
	Example      string `json:"example,omitempty"` // the remote server's text (cut to 300 bytes)
}

// AlertOptions configure Alerts. Zero values take the defaults.
type AlertOptions struct {
	// Window is the length of the sliding window, in log time (event
	// times, not the wall clock): default 10 minutes. It moves in steps
	// of Window/10.
	Window time.Duration
	// Baseline is how many windows before the current one make a key's
	// baseline rate (default 6: the hour before a 10-minute window).
	Baseline int
	// MinVolume is the fewest outcomes (sent, deferred, bounced,
	// expired) a provider or domain needs in the window for a rate alert
	// (default 20); a baseline of fewer outcomes counts as 0.
	MinVolume int
	// Threshold is the bounce or deferral rate above which a rate alert
	// is raised (default 0.3); it ends when the rate falls below it.
	Threshold float64
	// Factor is how far above its baseline the rate must be to raise
	// (default 3: at least 3× the baseline rate; a baseline of 0 always
	// qualifies).
	Factor float64
	// BlockReasons are the classifier reasons that count as a blocklist
	// or reputation block (default "blocked" and "badreputation"); see
	// IsBlock.
	BlockReasons []string
	// MaxKeys bounds the providers and domains tracked (default 4096);
	// the least recently seen one without an active alert is dropped for
	// a new one (counted in Stats).
	MaxKeys int
	// OnAlert is called for every alert raised and ended, on the
	// goroutine that calls Consume, after Consume's lock is released.
	OnAlert func(Alert)
	// Metrics, if set, counts the alerts (bouncescan_alerts_total,
	// bouncescan_alerts_active).
	Metrics *Metrics
}

const alertBuckets = 10

func (o AlertOptions) withDefaults() AlertOptions {
	if o.Window <= 0 {
		o.Window = 10 * time.Minute
	}
	if o.Baseline <= 0 {
		o.Baseline = 6
	}
	if o.MinVolume <= 0 {
		o.MinVolume = 20
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.3
	}
	if o.Factor <= 0 {
		o.Factor = 3
	}
	if o.BlockReasons == nil {
		o.BlockReasons = []string{"blocked", "badreputation"}
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 4096
	}
	return o
}

// IsBlock reports whether a verdict is a blocklist or reputation block,
// as the classifier decided it: its reason is one of reasons ("blocked":
// Spamhaus, Barracuda, SpamCop and other DNSBL mentions, Microsoft
// 5.7.606–649 banned IPs, Yahoo [TSS09]/[BL21]…; "badreputation": IP or
// sender reputation texts), or it is a rate limit the receiver files
// under security policy (reason "ratelimited" with an X.7.X subject: Gmail
// 4.7.28 "unusual rate of unsolicited mail", Yahoo [TSS04] "unexpected
// volume or user complaints"), which is how those providers throttle a
// sender of poor reputation.
func IsBlock(v *bouncescan.Verdict, reasons []string) bool {
	if v == nil || v.Class == bouncescan.ClassSuccess {
		return false
	}
	if slices.Contains(reasons, v.Reason) {
		return true
	}
	return v.Reason == "ratelimited" && v.Subject == bouncescan.SubjectSecurity
}

// AlertStats counts what Alerts dropped to stay bounded.
type AlertStats struct {
	Evicted int64 // providers or domains forgotten for newer ones
	Late    int64 // events older than the baseline windows, not counted
}

// Alerts watches the classified events for providers and domains that
// start to bounce, defer or block (see AlertOptions and the Kind
// constants). It is a pipeline.Consumer; Active and Stats may be called
// from other goroutines.
//
// Only outcomes of our own deliveries count: sent, deferred, bounced and
// expired events that are not internal hops. Rejections (our server
// refusing a client, e.g. for its Spamhaus listing) are not a provider
// blocking us and are left out.
//
// Rate alerts: per provider, and per recipient domain for the events whose
// provider the classifier does not know, the outcomes of the last Window
// are counted (a provider's domains are its alert: a block of one tenant
// at Microsoft shows in the provider's rate and in the summary's worst
// domains, not as an alert of its own); an alert is raised when there are at least
// MinVolume of them, the bounce (or deferral) rate is above Threshold and
// at least Factor times the rate of the Baseline windows before. It stays
// active, whatever the baseline becomes, until the rate falls below
// Threshold again.
//
// Blocklist alerts: raised at the first block (IsBlock) for a provider
// (for a domain when the classifier names no provider) that had none in
// the Window before; it stays active, and is not raised again, until a
// whole Window passes without a block.
//
// The windows move with the latest event time seen; a resolved alert is
// noticed at the next event after it ended.
type Alerts struct {
	opts      AlertOptions
	bucketDur int64 // ns
	h         int64 // buckets kept: (Baseline+1) × alertBuckets

	mu        sync.Mutex
	clock     int64 // latest bucket seen
	clockTime time.Time
	providers map[string]*rateKey
	domains   map[string]*rateKey
	lru       rateKey // sentinel of the recently-seen list
	nkeys     int
	active    map[*rateKey]struct{}
	blocks    map[string]*blockKey // "p:provider" or "d:domain"
	nactive   int
	stats     AlertStats
	pending   []Alert
}

type slot struct {
	bucket                  int64
	total, bounce, deferral uint32
}

type rateKey struct {
	name       string
	domain     bool
	slots      []slot
	firing     *Alert // the firing alert, while active
	prev, next *rateKey
}

type blockKey struct {
	last   time.Time
	count  int64
	firing *Alert
}

// NewAlerts returns Alerts with opts (defaults filled in).
func NewAlerts(opts AlertOptions) *Alerts {
	opts = opts.withDefaults()
	a := &Alerts{opts: opts, bucketDur: int64(opts.Window) / alertBuckets, h: int64(opts.Baseline+1) * alertBuckets,
		providers: map[string]*rateKey{}, domains: map[string]*rateKey{}, active: map[*rateKey]struct{}{}, blocks: map[string]*blockKey{}}
	if a.bucketDur <= 0 {
		a.bucketDur = 1
	}
	a.lru.prev, a.lru.next = &a.lru, &a.lru
	return a
}

// Consume looks at the events.
func (a *Alerts) Consume(events []bouncescan.Event) error {
	a.mu.Lock()
	before := a.nactive
	for i := range events {
		a.event(&events[i])
	}
	out := a.pending
	a.pending = nil
	n := a.nactive
	a.mu.Unlock()
	if m := a.opts.Metrics; m != nil {
		for _, al := range out {
			if al.State == StateFiring {
				m.alertRaised(al.Kind, al.Provider)
			}
		}
		if n != before || len(out) > 0 {
			m.setActiveAlerts(n)
		}
	}
	if a.opts.OnAlert != nil {
		for _, al := range out {
			a.opts.OnAlert(al)
		}
	}
	return nil
}

// Active returns the alerts active now, oldest first.
func (a *Alerts) Active() []Alert {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []Alert
	for k := range a.active {
		out = append(out, *k.firing)
	}
	for _, b := range a.blocks {
		if b.firing != nil {
			f := *b.firing
			f.Count = b.count
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(x, y Alert) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return strings.Compare(x.Kind+x.Provider+x.Domain, y.Kind+y.Provider+y.Domain)
	})
	return out
}

// Stats returns what was dropped so far.
func (a *Alerts) Stats() AlertStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

func (a *Alerts) event(e *bouncescan.Event) {
	if e.Hop || e.Time.IsZero() {
		return
	}
	var bounce, deferral uint32
	switch e.Status {
	case bouncescan.StatusSent:
	case bouncescan.StatusDeferred:
		deferral = 1
	case bouncescan.StatusBounced, bouncescan.StatusExpired:
		bounce = 1
	default:
		return
	}
	b := e.Time.UnixNano() / a.bucketDur
	if b > a.clock || a.clockTime.IsZero() {
		a.clock, a.clockTime = b, e.Time
		a.sweep(e.Time)
	} else if e.Time.After(a.clockTime) {
		a.clockTime = e.Time
	}
	if b <= a.clock-a.h {
		a.stats.Late++
		return
	}
	var provider string
	if e.Verdict != nil {
		provider = e.Verdict.Provider
	}
	if provider != "" {
		k := a.key(a.providers, provider, false)
		a.add(k, b, bounce, deferral)
		a.check(k, e, provider)
	} else if e.Domain != "" {
		k := a.key(a.domains, e.Domain, true)
		a.add(k, b, bounce, deferral)
		a.check(k, e, "")
	}
	if bounce+deferral > 0 && IsBlock(e.Verdict, a.opts.BlockReasons) {
		a.block(e, provider)
	}
}

// key finds or makes the state of a provider or domain, most recently
// seen first, dropping the least recently seen inactive key when full.
func (a *Alerts) key(m map[string]*rateKey, name string, domain bool) *rateKey {
	k := m[name]
	if k != nil {
		k.prev.next, k.next.prev = k.next, k.prev
	} else {
		if a.nkeys >= a.opts.MaxKeys {
			for old := a.lru.prev; old != &a.lru; old = old.prev {
				if old.firing == nil {
					old.prev.next, old.next.prev = old.next, old.prev
					if old.domain {
						delete(a.domains, old.name)
					} else {
						delete(a.providers, old.name)
					}
					a.nkeys--
					a.stats.Evicted++
					k = old // reuse its slots
					break
				}
			}
		}
		if k == nil {
			k = &rateKey{slots: make([]slot, a.h)}
		} else {
			clear(k.slots)
		}
		k.name, k.domain = strings.Clone(name), domain
		m[k.name] = k
		a.nkeys++
	}
	k.next, k.prev = a.lru.next, &a.lru
	a.lru.next.prev = k
	a.lru.next = k
	return k
}

func (a *Alerts) add(k *rateKey, b int64, bounce, deferral uint32) {
	s := &k.slots[b%a.h]
	if s.bucket != b {
		*s = slot{bucket: b}
	}
	s.total++
	s.bounce += bounce
	s.deferral += deferral
}

// sums gives a key's outcomes in the window and in the baseline windows
// before it, as of the clock.
func (a *Alerts) sums(k *rateKey) (win, base slot) {
	for _, s := range k.slots {
		switch {
		case s.total == 0 || s.bucket <= a.clock-a.h:
		case s.bucket > a.clock-alertBuckets:
			win.total += s.total
			win.bounce += s.bounce
			win.deferral += s.deferral
		default:
			base.total += s.total
			base.bounce += s.bounce
			base.deferral += s.deferral
		}
	}
	return win, base
}

func rates(s slot) (bounce, deferral float64) {
	if s.total == 0 {
		return 0, 0
	}
	return float64(s.bounce) / float64(s.total), float64(s.deferral) / float64(s.total)
}

// check raises or ends k's rate alert after an event of k.
func (a *Alerts) check(k *rateKey, e *bouncescan.Event, provider string) {
	win, base := a.sums(k)
	if k.firing != nil {
		a.maybeResolve(k, win, e.Time)
		return
	}
	if int(win.total) < a.opts.MinVolume {
		return
	}
	br, dr := rates(win)
	bbr, bdr := 0.0, 0.0
	if int(base.total) >= a.opts.MinVolume {
		bbr, bdr = rates(base)
	}
	status, rate, baseline := "", 0.0, 0.0
	if br > a.opts.Threshold && br >= a.opts.Factor*bbr {
		status, rate, baseline = "bounce", br, bbr
	}
	if dr > a.opts.Threshold && dr >= a.opts.Factor*bdr && dr > rate {
		status, rate, baseline = "deferral", dr, bdr
	}
	if status == "" {
		return
	}
	al := Alert{Time: e.Time, State: StateFiring, Kind: KindRate, Provider: strings.Clone(provider), Status: status,
		Rate: round3(rate), Baseline: round3(baseline), Total: int64(win.total), Window: a.opts.Window.String()}
	if status == "bounce" {
		al.Count = int64(win.bounce)
	} else {
		al.Count = int64(win.deferral)
	}
	if k.domain {
		al.Domain = k.name
	}
	if e.Status != bouncescan.StatusSent {
		example(&al, e)
	}
	k.firing = &al
	a.active[k] = struct{}{}
	a.nactive++
	a.pending = append(a.pending, al)
}

func (a *Alerts) maybeResolve(k *rateKey, win slot, t time.Time) {
	br, dr := rates(win)
	r := br
	if k.firing.Status == "deferral" {
		r = dr
	}
	if win.total > 0 && r >= a.opts.Threshold {
		return
	}
	al := *k.firing
	al.State, al.Since, al.Time, al.Rate, al.Total = StateResolved, al.Time, t, round3(r), int64(win.total)
	if al.Status == "bounce" {
		al.Count = int64(win.bounce)
	} else {
		al.Count = int64(win.deferral)
	}
	al.Example, al.Evidence, al.ReplyCode, al.EnhancedCode = "", "", 0, ""
	k.firing = nil
	delete(a.active, k)
	a.nactive--
	a.pending = append(a.pending, al)
}

func (a *Alerts) block(e *bouncescan.Event, provider string) {
	var key string
	switch {
	case provider != "":
		key = "p:" + provider
	case e.Domain != "":
		key = "d:" + e.Domain
	default:
		return
	}
	b := a.blocks[key]
	if b == nil {
		if len(a.blocks) >= a.opts.MaxKeys {
			var oldK string
			var old *blockKey
			for k, v := range a.blocks {
				if v.firing == nil && (old == nil || v.last.Before(old.last)) {
					oldK, old = k, v
				}
			}
			if old == nil {
				a.stats.Evicted++
				return
			}
			delete(a.blocks, oldK)
			a.stats.Evicted++
		}
		b = &blockKey{}
		a.blocks[key] = b
	}
	if e.Time.After(b.last) {
		b.last = e.Time
	}
	if b.firing != nil {
		b.count++
		return
	}
	b.count = 1
	al := Alert{Time: e.Time, State: StateFiring, Kind: KindBlocklist, Provider: strings.Clone(provider), Domain: strings.Clone(e.Domain),
		Count: 1, Window: a.opts.Window.String()}
	example(&al, e)
	b.firing = &al
	a.nactive++
	a.pending = append(a.pending, al)
}

// sweep ends the alerts whose condition no longer holds at the new clock.
func (a *Alerts) sweep(now time.Time) {
	for k := range a.active {
		win, _ := a.sums(k)
		a.maybeResolve(k, win, now)
	}
	for _, b := range a.blocks {
		if b.firing != nil && now.Sub(b.last) >= a.opts.Window {
			al := *b.firing
			al.State, al.Since, al.Time, al.Count = StateResolved, al.Time, now, b.count
			al.Example, al.Evidence, al.ReplyCode, al.EnhancedCode = "", "", 0, ""
			b.firing = nil
			a.nactive--
			a.pending = append(a.pending, al)
		}
	}
}

func example(al *Alert, e *bouncescan.Event) {
	t := e.Text
	if len(t) > 300 {
		t = t[:300]
	}
	al.ReplyCode, al.EnhancedCode = e.ReplyCode, strings.Clone(e.EnhancedCode)
	// copies: the event is not ours to keep
	al.Example = strings.Clone(strings.ToValidUTF8(t, "\uFFFD"))
	if v := e.Verdict; v != nil {
		al.Reason, al.Rule, al.Evidence = strings.Clone(v.Reason), strings.Clone(v.Rule), strings.Clone(strings.ToValidUTF8(v.Evidence, "\uFFFD"))
	}
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
